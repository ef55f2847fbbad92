"""Text primitives shared by the verifiers and curation: Unicode math, braces, boxes, wrappers.

Everything here is linear in the length of its input (or bounded by construction), because a
degenerate RL completion can be a megabyte of ``\\boxed{`` or newlines: no nested quantifiers, no
rescans from every start position.
"""

from __future__ import annotations

import re

# --- Unicode math → LaTeX / ASCII ----------------------------------------------------------------

_CHAR_MAP: dict[int, str] = {0xFF01 + i: chr(0x21 + i) for i in range(0x5E)}  # full-width ASCII: ３, ＝, （
_CHAR_MAP.update(
    {
        ord(k): v
        for k, v in {
            "\u3000": " ", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\ufeff": "",
            "\u3002": ". ", "\u3001": ", ", "\uff61": ". ",  # Chinese full stop and enumeration comma
            "\u2212": "-", "\ufe63": "-", "\u2012": "-",  # minus signs (not the en dash of ranges)
            "\u00d7": "\\times ", "\u00f7": "\\div ", "\u00b7": "\\cdot ", "\u22c5": "\\cdot ", "\u2219": "\\cdot ",
            "\u2264": "\\le ", "\u2a7d": "\\le ", "\u2265": "\\ge ", "\u2a7e": "\\ge ", "\u2260": "\\ne ",
            "\u2248": "\\approx ", "\u00b1": "\\pm ", "\u2213": "\\mp ", "\u221e": "\\infty ",
            "\u03c0": "\\pi ", "\u03b8": "\\theta ", "\u03b1": "\\alpha ", "\u03b2": "\\beta ",
            "\u03b3": "\\gamma ", "\u03bb": "\\lambda ", "\u03bc": "\\mu ", "\u03c6": "\\phi ", "\u03c9": "\\omega ",
            "\u00b0": "^{\\circ}", "\u2220": "\\angle ", "\u222a": "\\cup ", "\u2229": "\\cap ", "\u2208": "\\in ",
            "\u2032": "'", "\u2033": "''", "\u2044": "/", "\u2215": "/",
            "\u00bd": "\\frac{1}{2}", "\u2153": "\\frac{1}{3}", "\u2154": "\\frac{2}{3}", "\u00bc": "\\frac{1}{4}",
            "\u00be": "\\frac{3}{4}", "\u2155": "\\frac{1}{5}", "\u215b": "\\frac{1}{8}",
        }.items()
    }
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", "0123456789+-=()ni")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", "0123456789+-=()")
_SUPER_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ]+")
_SUB_RUN = re.compile("[₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎]+")
# √3, √3.5, √x, √(x+1), √{x}: the radicand of a Unicode root (no nesting: bounded scan)
_ROOT = re.compile(r"([√∛∜])\s*(\d+(?:\.\d+)?|[A-Za-z]|\([^()]{0,200}\)|\{[^{}]{0,200}\}|\\[a-zA-Z]+)?")
_ROOT_INDEX = {"√": "", "∛": "[3]", "∜": "[4]"}
_MAPPED = re.compile("[" + re.escape("".join(map(chr, _CHAR_MAP)) + "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎√∛∜根和") + "]")


def _root(m: re.Match) -> str:
    radicand = m.group(2)
    if radicand is None:
        return f"\\sqrt{_ROOT_INDEX[m.group(1)]}"
    if radicand[0] in "({" and radicand[-1] in ")}":
        radicand = radicand[1:-1]
    return f"\\sqrt{_ROOT_INDEX[m.group(1)]}{{{radicand}}}"


def unicode_to_latex(s: str) -> str:
    """Unicode math as LaTeX/ASCII: ``5/√3`` → ``5/\\sqrt{3}``, ``−35`` → ``-35``, ``10⁻³`` → ``10^{-3}``,
    full-width ``３＝３`` → ``3=3``, ``145°`` → ``145^{\\circ}``. Other text comes back unchanged."""
    if s.isascii() or not _MAPPED.search(s):
        return s
    s = s.replace("根号", "√").replace("和", " and ")  # Chinese exams: "根号3" is √3, "1 和 3" is "1 and 3"
    s = _SUPER_RUN.sub(lambda m: "^{" + m.group(0).translate(_SUPERSCRIPTS) + "}", s)
    s = _SUB_RUN.sub(lambda m: "_{" + m.group(0).translate(_SUBSCRIPTS) + "}", s)
    s = s.translate(_CHAR_MAP)
    return _ROOT.sub(_root, s)


CJK = "\u4e00-\u9fff"  # CJK unified ideographs (Chinese characters), for character classes
HAS_CJK = re.compile(f"[{CJK}]")


# --- control characters --------------------------------------------------------------------------

# \t, \n and \r are whitespace; any other C0 control (or DEL) in a gold is a corrupted escape:
# MATH-V's "\x0crac{36}{13}" is "\frac" whose "\f" a JSON reader turned into a form feed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control(s: str) -> bool:
    return CONTROL.search(s) is not None


# --- braces and boxes ----------------------------------------------------------------------------


_BRACE = re.compile(r"\\[{}]|[{}]")


def matching_braces(s: str, start: int = 0) -> dict[int, int]:
    """``{open index: close index}`` for every balanced brace pair of ``s[start:]``, in one pass over
    its braces. An escaped ``\\{`` / ``\\}`` is a literal brace (a set), not a group."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for m in _BRACE.finditer(s, start):
        ch = m.group(0)
        if ch == "{":
            stack.append(m.start())
        elif ch == "}" and stack:
            pairs[stack.pop()] = m.start()
    return pairs


_BOX_START = re.compile(r"\\(?:boxed|fbox)\b[ \t]*")


def find_boxed(text: str) -> list[tuple[int, int, str]]:
    """Every ``\\boxed{…}`` / ``\\fbox{…}`` (braces balanced) or ``\\boxed x`` as (start, end, content).

    Linear: the brace pairs are computed once; an unbalanced box (a truncated text) is skipped.
    """
    if "\\boxed" not in text and "\\fbox" not in text:
        return []
    starts = list(_BOX_START.finditer(text))
    if not starts:
        return []
    pairs = matching_braces(text, starts[0].start())
    found = []
    for m in starts:
        i = m.end()
        if i < len(text) and text[i] == "{":
            j = pairs.get(i)
            if j is not None:
                found.append((m.start(), j + 1, text[i + 1 : j]))
        elif m.group(0).endswith((" ", "\t")):
            w = re.match(r"[^\s$]{1,200}", text[i : i + 200])
            if w:
                found.append((m.start(), i + w.end(), w.group(0)))
    return found


def outer_braces_match(s: str) -> bool:
    """``{…}`` whose first brace closes at the very end (``{1}{2}`` does not)."""
    return bool(s) and s[0] == "{" and matching_braces(s).get(0) == len(s) - 1


# --- wrappers and \text{} ------------------------------------------------------------------------

MAX_UNWRAP = 16  # layers of $…$ / \boxed{} / {…} peeled off an answer; more is not an answer
MAX_WRAPPED_CHARS = 10_000  # longer texts are not answers whose wrappers are worth peeling
_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))


def strip_wrappers(s: str) -> str:
    """Remove math delimiters, ``\\boxed`` and outer braces around the whole answer (bounded)."""
    s = s.strip()
    if len(s) > MAX_WRAPPED_CHARS:
        return s  # no answer is this long: peeling 16 layers off it would only cost time
    for _ in range(MAX_UNWRAP):
        before = s
        for left, right in _WRAPPERS:
            if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
                s = s[len(left) : len(s) - len(right)].strip()
        if s.startswith(("\\boxed", "\\fbox")):
            boxes = find_boxed(s)
            if len(boxes) == 1 and boxes[0][0] == 0 and boxes[0][1] == len(s):
                s = boxes[0][2].strip()
        if outer_braces_match(s):  # "{1440}" → "1440"
            s = s[1:-1].strip()
        if s.count("$") == 1 and (s.startswith("$") or s.endswith("$")):  # a stray delimiter: "\frac{3}{4}$"
            s = s.strip("$").strip()
        if s.endswith(("\\)", "\\]")) and not s.startswith(("\\(", "\\[")):  # a stray closer: "3\sqrt{3}\)"
            s = s[:-2].rstrip()
        if s.endswith(".") and not re.search(r"\d\.$", s[-2:]):
            s = s[:-1].rstrip()
        if s == before:
            break
    return s


TEXT_COMMANDS = ("text", "textbf", "textit", "textrm", "mathrm", "mathbf", "mathit", "mbox", "operatorname")
_TEXT_CMD = re.compile(r"\\(?:" + "|".join(TEXT_COMMANDS) + r")\s*\{([^{}]*)\}")


def unwrap_text(s: str) -> str:
    """``\\text{abc}`` → ``abc`` (innermost first, bounded)."""
    for _ in range(MAX_UNWRAP):
        s, n = _TEXT_CMD.subn(lambda m: m.group(1), s)
        if not n:
            break
    return s


# --- choice letters ------------------------------------------------------------------------------

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # option letters: lists are lettered A, B, C, … in order

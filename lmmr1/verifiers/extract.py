"""Stage 1 of verification: find the answer a completion commits to.

Before anything: text after a chat-template token that opens a new turn is cut off, Unicode math
becomes LaTeX (``5/√3`` → ``5/\\sqrt{3}``, ``−3`` → ``-3``, full-width ``＝`` → ``=``) and the
``<eoa>``/``<eoe>`` markers of Chinese exam answers end a paragraph.

Rules, in order:
1. The last ``<answer>…</answer>`` span is judged; a ``\\boxed{}`` inside ``<think>`` never
   overrides it. An ``<answer>`` opened after the last closed one (cut off by the length limit) is
   the answer, unless it stops inside an unfinished expression. Inside the span: ``\\boxed{}``,
   then the "answer is" anchors, then ``$…$``, then the bare text.
2. Without tags: the last ``\\boxed{}``, then the anchors ("final answer is", "Answer:", ``####``,
   ``【答案】``, ``答案是``), then a short bare completion taken whole, then a closing ``$…$``, then
   the final sentence (its value after "is" / "=" / "是", else its last number).
3. No answer at all: a text that stops inside an unfinished expression (``… + ``, ``$f_{``), a
   long text cut off mid-word, and a final sentence that is a question or an instruction (an
   echoed prompt: "Choose from 3, 4 or 5.", "give your answer as a number, e.g. 5.").

The answer sentence (what an anchor or the final sentence says): the value right after the
anchor or verb is the answer ("The answer is 40 cups … 20 chickens" → 40); a noun phrase after a
number stays for the normaliser, which drops it unless it is a unit; values joined by "or" /
"either … or" / ``\\lor`` are alternatives, which :mod:`hedge` judges.
Every step is linear in the text's length: degenerate completions (megabytes of ``\\boxed{`` or
newlines) are answered in milliseconds.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lmmr1.verifiers.normalize import split_cjk_unit, split_value_words
from lmmr1.verifiers.text import HAS_CJK, find_boxed, unicode_to_latex

MAX_BARE_CHARS = 60  # a completion without tags, boxes or anchors is taken whole only if this short
MAX_ANCHOR_CHARS = 1000  # what follows an anchor that can still be its answer
TRUNCATED_MIN_CHARS = 200  # shorter texts ending in a word are answers ("… 1,000.99 dollars"), not cut-offs
MAX_TAIL_CHARS = 300  # the "final sentence" searched by the last-resort fallbacks
MAX_SCAN_CHARS = 50_000  # only the end of a longer text (or answer span) is searched: that is where answers are

_TURN_END = re.compile(r"<\|(?:im_start|im_end|endoftext|eot_id|end_of_text)\|>")
_EXAM_MARKS = re.compile(r"<eo[ae]>", re.IGNORECASE)
_ANCHOR = re.compile(
    r"(?:final\s+answer[*_]*\s*(?:is|:)|the\s+answer\s+is|answer[*_]*\s*:|answer\s+is|^[ \t]*(?-i:A):|^####"
    r"|^[ \t]*#{1,6}[ \t]*final\s+answer[ \t]*:?[ \t]*\n|【答案】|答案\s*(?:是|为|:)|答案\s*\n)[ \t]*[*_]*[ \t]*:?[ \t]*",
    re.IGNORECASE | re.MULTILINE,
)
# not an exponent (m^{2}), nor a function's argument: "the value of f(0)" names no value
_LAST_NUMBER = re.compile(r"(?<![\^_{\d.,])(?<![A-Za-z]\()-?\d[\d,]*(?:\.\d+)?(?:/\d+)?")
# What may stand between boxes that list several answers: "\boxed{2} or \boxed{3}", "\boxed{1}, \boxed{2}".
_HEDGE_GAP = re.compile(
    r"^(?:\s|,|;|/|\bor\b|\band\b|\\quad|\\qquad|\\lor|\\text\{\s*(?:or|and)\s*\}|\$|\\[()\[\]])*$", re.IGNORECASE
)
_OR = re.compile(r"\bor\b|\\lor\b|\\text\{\s*or\s*\}|或", re.IGNORECASE)
# a text that stops inside an expression: an operator, an opening bracket, a subscript, a backslash
_UNFINISHED = re.compile(
    r"(?:[-+*/=^_({\[\\,]|\\(?:cdot|times|frac|sqrt|left|div|pm)|\b(?:and|or|of|is|are|the))\s*$"
    r"|\b(?i:then|so|and|or|but|because|since|thus|therefore|hence|if)\s*(?:\.\.\.|…)\s*$"  # "…, then ..."
)
# commands that may end a finished answer ("2\\pi", "x \\to \\infty"); a text ending in any other is cut off
_TERMINAL_COMMANDS = frozenset("pi infty circ ldots cdots dots degree theta alpha beta gamma delta lambda mu phi omega "
                               "sigma tau rho epsilon varepsilon varphi e i prime".split())
_QUESTION = re.compile(
    r"\?|\b(?:choose\s+from|select\s+from|give\s+your\s+answer|express\s+your\s+answer|round\s+your|e\.g\.|"
    r"for\s+example|enter\s+your|put\s+your\s+(?:final\s+)?answer)\b",
    re.IGNORECASE,
)
_VERB = re.compile(r"\b(?:is|are|was|were|equals|be|gives|get|makes)\b|(?<![<>!\\])=(?!=)|(?<!不)(?:是|为|等于)")
_PROSE_WORD = re.compile(r"(?<![\\a-zA-Z{])[a-zA-Z]{2,}")  # not a command, nor an environment: {pmatrix}


@dataclass(frozen=True, slots=True)
class Extraction:
    """The answer text a completion commits to (``None`` if none) and whether it hedges."""

    text: str | None
    source: str  # "answer_tag" | "boxed" | "anchor" | "math" | "bare" | "last_math" | "last_sentence" | "none" | "raw"
    hedged: bool = False
    alternatives: tuple[str, ...] = ()

    @property
    def judged(self) -> tuple:
        """What a task's ``compare`` may read: extractions with equal keys get the same verdict (where
        the answer was found matters only for a final sentence of prose, which choice reads alone)."""
        return (self.text, self.alternatives, self.hedged, self.source == "last_sentence")


NONE = Extraction(None, "none")


def prepare(completion: str) -> str:
    """The text that is judged: one turn, Unicode math as LaTeX, exam end-marks as paragraph ends."""
    turn_end = _TURN_END.search(completion)
    if turn_end:
        completion = completion[: turn_end.start()]
    completion = unicode_to_latex(completion)
    if "<eo" in completion or "<EO" in completion:
        completion = _EXAM_MARKS.sub("\n\n", completion)
    return completion


# --- $…$ segments, found left to right in one pass -----------------------------------------------

_OPENERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))
_MATH_START = re.compile(r"\$\$|(?<!\\)\$|\\\(|\\\[")


def math_segments(text: str) -> list[str]:
    """The contents of ``$$…$$``, ``$…$``, ``\\(…\\)``, ``\\[…\\]`` in order (an escaped ``\\$`` is a
    dollar sign). Linear: once a closer is missing, no later opener of that kind can close either.

    A ``$`` before a number whose "segment" would hold prose is a currency sign, not a delimiter:
    "Josh's profit was $70,000." holds no math.
    """
    return [content for _, _, content in _math_spans(text)]


def _math_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    # One answer span is scanned by several rules (segments, the text outside them, lists): once.
    return _cached_spans(text) if len(text) <= MAX_CACHED_SPAN_CHARS else _scan_spans(text)


def _scan_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    found: list[tuple[int, int, str]] = []
    pos, closed_out = 0, set()
    while True:
        m = _MATH_START.search(text, pos)
        if not m:
            return tuple(found)
        opener = m.group(0)
        if opener in closed_out:
            pos = m.end()
            continue
        closer = dict(_OPENERS)[opener]
        end = _find_closer(text, m.end(), closer)
        if end < 0:
            closed_out.add(opener)
            pos = m.end()
            continue
        content = text[m.end() : end]
        if opener == "$" and is_money(content, closed=True):
            pos = m.end()  # "$12.50 for the book and $3": the first "$" is money; try the next one
            continue
        found.append((m.start(), end + len(closer), content))
        pos = end + len(closer)


MAX_CACHED_SPAN_CHARS = 2000
_cached_spans = functools.lru_cache(maxsize=1024)(_scan_spans)

_SPACES = re.compile(r"\s+")
_WORDS_NEXT = re.compile(r"\s*(?:[,;(]|[a-zA-Z][a-zA-Z'-]*(?:\s|$|[,.;]))")  # "40 cups", "5, since"
_CLAUSE_END = re.compile(r"[,;(]")
_MORE_NUMBERS = re.compile(r"\s*,\s*\$?[-+]?\d")
# a value the sentence denies: "答案不是5", "the answer isn't 5", "it cannot be 5"
_NEGATED_VALUE = re.compile(
    r"(?:不是|不为|不等于|\bnot|n't|\bcannot\s+be)\s*\$?\s*[-+]?\d[\d,.]*\s*\$?[\W_]*$", re.IGNORECASE
)
_LAST_COMMAND = re.compile(r"\\([a-zA-Z]+)$")
_ESCAPED_DELIMITER = re.compile(r"\\[{}$]")
_AMOUNT = re.compile(r"\s?\d[\d,]*(?:\.\d+)?")
_DOLLAR_AMOUNT = re.compile(r"(?<!\\)\$" + _AMOUNT.pattern)
# ... then a sentence end or another word; "$1,000.99" too (its "," or "." ends the amount here)
_OPEN_MONEY = re.compile(_AMOUNT.pattern + r"(?:[.!?,;]|\s+\S)")
_COMMAND_NAME = re.compile(r"\\[a-zA-Z]")


def is_money(after: str, *, closed: bool) -> bool:
    """Does the text after a ``$`` read as an amount of money rather than as math? A number first
    and no LaTeX command; then, inside a ``$…$`` that closes, prose (two words or more: "$12.50 for
    the book and $3"); after a ``$`` that never closes, a sentence end or more words ("… $70,000.")."""
    if "\\" in after:
        return False
    if not closed:
        return _OPEN_MONEY.match(after) is not None
    amount = _AMOUNT.match(after)
    return amount is not None and len(_PROSE_WORD.findall(after[amount.end() :])) >= 2


def open_math_tail(text: str) -> str | None:
    """What follows a math delimiter that never closes (``… so $f_{``), or ``None``; linear."""
    pos = 0
    while True:
        m = _MATH_START.search(text, pos)
        if not m:
            return None
        end = _find_closer(text, m.end(), dict(_OPENERS)[m.group(0)])
        if end < 0:
            content = text[m.end() :]
            if not content.strip():
                return None  # a trailing "$" ("1,000.99$") opens nothing
            if m.group(0) == "$" and is_money(content, closed=False):
                pos = m.end()  # "$70,000." is money; "… is $1" (cut off) may be the start of math
                continue
            return content
        pos = end + len(dict(_OPENERS)[m.group(0)])


def _find_closer(text: str, start: int, closer: str) -> int:
    if closer != "$":
        return text.find(closer, start)
    i = text.find("$", start)
    while i > 0 and text[i - 1] == "\\":
        i = text.find("$", i + 1)
    return i


def _from_inline_math(text: str) -> Extraction | None:
    segments = [s.strip() for s in math_segments(text)]
    segments = [s for s in segments if s]
    if not segments:
        return None
    if len(segments) > 1 and _OR.search(_strip_math(text)):
        distinct = tuple(dict.fromkeys(segments))
        if len(distinct) > 1:
            return Extraction(segments[-1], "math", hedged=True, alternatives=distinct)
    return Extraction(segments[-1], "math")


def _strip_math(text: str) -> str:
    """The text outside its math segments (each segment becomes ``$ $``)."""
    parts, pos = [], 0
    for start, end, _ in _math_spans(text):
        parts += [text[pos:start], "$ $"]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _unwrap_math(text: str) -> str:
    """``16 $\\pi$`` → ``16 \\pi``: drop the delimiters, keep everything."""
    for opener, closer in _OPENERS:
        text = text.replace(opener, " ") if opener == closer else text.replace(opener, " ").replace(closer, " ")
    return _SPACES.sub(" ", text).strip()


# --- boxes, anchors, spans -----------------------------------------------------------------------


def _from_boxes(text: str, boxes: list[tuple[int, int, str]] | None = None) -> Extraction | None:
    boxes = find_boxed(text) if boxes is None else boxes
    if not boxes:
        return None
    last_start, _, last = boxes[-1]
    alternatives = [last.strip()]
    # Walk back over boxes joined by a mere "or" / "," (a hedge); a box far earlier is working.
    for start, end, content in reversed(boxes[:-1]):
        gap = text[end:last_start]
        if len(gap) > 40 or not _HEDGE_GAP.match(gap):
            break
        alternatives.append(content.strip())
        last_start = start
    distinct = tuple(dict.fromkeys(a for a in reversed(alternatives) if a))
    if len(distinct) > 1:
        return Extraction(last.strip(), "boxed", hedged=True, alternatives=distinct)
    return Extraction(last.strip() or None, "boxed")


def _after_last_anchor(text: str) -> str | None:
    last = None
    for last in _ANCHOR.finditer(text):  # noqa: B007 - the last match is wanted
        pass
    if last is None:
        return None
    rest = text[last.end() : last.end() + MAX_ANCHOR_CHARS].strip()
    return rest.split("\n\n", 1)[0].strip()


def _sentence_end(rest: str) -> str:
    """Up to the end of the first sentence, but not at a decimal point or inside ``$…$``."""
    out, i, n = [], 0, len(rest)
    while i < n:
        ch = rest[i]
        if ch == "$":
            j = _find_closer(rest, i + 1, "$")
            if j < 0:
                out.append(rest[i:])
                break
            out.append(rest[i : j + 1])
            i = j + 1
            continue
        if ch == "." and not (i + 1 < n and rest[i + 1].isdigit()):
            break
        if ch == "\n" or (ch in ";!" and i > 0):
            break
        out.append(ch)
        i += 1
    return "".join(out).strip().rstrip(",;:").strip()


def _anchor_after_last_box(text: str, boxes: list[tuple[int, int, str]]) -> bool:
    """"… = \\boxed{255} … Final Answer: The final answer is $10,455$": the later commitment wins."""
    last = None
    for last in _ANCHOR.finditer(text, boxes[-1][1] if boxes else 0):  # noqa: B007 - the last match is wanted
        pass
    return last is not None and bool(_sentence_end(text[last.end() : last.end() + MAX_ANCHOR_CHARS].strip()))


def _from_anchor(text: str) -> Extraction | None:
    rest = _after_last_anchor(text)
    if rest is None:
        return None
    candidate = _sentence_end(rest)
    return Extraction(candidate, "anchor") if candidate else None


_LIST_GAP = re.compile(r"^(?:\s|,|;|\band\b|\$)*$", re.IGNORECASE)


def _math_list(text: str) -> str | None:
    """``$4$, $5$, $12$`` / ``$12$ and $13$`` → ``4, 5, 12``: several math segments joined by list words only."""
    segments = [s.strip() for s in math_segments(text) if s.strip()]
    if len(segments) > 1 and _LIST_GAP.match(_strip_math(text).replace("$", " ").replace('\\"', " ")):
        return ", ".join(segments)
    return None


def _within(span: str, choice: bool) -> Extraction:
    found = _from_boxes(span)
    if found is not None:
        return found
    anchored = _from_anchor(span)
    if anchored is not None:
        return anchored if choice else _phrase_answer(anchored.text or "", "anchor")
    bare = span.strip()
    if not bare:
        return NONE
    if choice:
        return Extraction(bare, "answer_tag")
    math = _from_inline_math(span)
    if math is not None and (math.hedged or not _PROSE_WORD.search(_strip_math(span))):
        listed = None if math.hedged else _math_list(span)
        return Extraction(listed, "math") if listed else math
    if math is not None and len(span) > MAX_BARE_CHARS:
        return math  # a sentence with math in it: the math is the answer
    return _phrase_answer(bare, "answer_tag")


def _answer_span(text: str) -> tuple[str, bool] | None:
    """The last ``<answer>`` span as (content, closed), found with ``rfind`` (linear)."""
    lower = text if "answer>" in text else text.lower()  # "<ANSWER>" is rare: copy only then
    close = lower.rfind("</answer>")
    opened = lower.rfind("<answer>")
    if opened > close:  # opened after the last closed span (or never closed): cut off by the length limit
        return text[opened + len("<answer>") :], False
    if close < 0:
        return None
    start = lower.rfind("<answer>", 0, close)
    if start < 0:
        return None
    return text[start + len("<answer>") : close], True


# --- the answer sentence -------------------------------------------------------------------------

_LEAD_FILLER = re.compile(
    r"^(?:(?:approximately|about|roughly|around|exactly|just|only|equal\s+to|equals|is|are|=|:|either)\s+)+",
    re.IGNORECASE,
)
# a value at the start of a phrase: a number (with sign, separators, decimals, a fraction or
# percent), or a short LaTeX expression that ends before the first prose word
_LEAD_NUMBER = re.compile(r"^[-+]?\\?\$?\s?\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s*/\s*\d+)?(?:\s*(?:\\?%|percent\b))?")
_EITHER = re.compile(r"^\s*either\b", re.IGNORECASE)


def _phrase_answer(phrase: str, source: str) -> Extraction:
    """What an answer phrase commits to (see the module docstring's answer-sentence policy)."""
    phrase = phrase.strip().rstrip(".;,!").strip()
    if not phrase or _NEGATED_VALUE.search(phrase[-MAX_TAIL_CHARS:]):
        return NONE
    either = bool(_EITHER.match(phrase))
    phrase = _LEAD_FILLER.sub("", phrase).strip()
    alternatives = _alternatives(phrase)
    if either or len(alternatives) > 1:
        if len(set(alternatives)) > 1:
            return Extraction(alternatives[-1], source, hedged=True, alternatives=tuple(dict.fromkeys(alternatives)))
    math = math_segments(phrase)
    listed = _math_list(phrase)
    if listed:
        return Extraction(listed, source)
    if math and phrase.lstrip().startswith(("$", "\\(", "\\[")):
        return Extraction(math[0].strip() or None, source)  # "$5$ apples", "$x=3$, so …"
    if split_cjk_unit(phrase) is not None:
        return Extraction(phrase, source)  # "500厘米": the normaliser reads the unit
    short = len(phrase.split()) <= 3 and not _VERB.search(_strip_math(phrase))  # "It is 12" has a verb
    if (not _PROSE_WORD.search(_strip_math(phrase)) or short) and not HAS_CJK.search(phrase):
        return Extraction(_unwrap_math(phrase) if math else phrase, source)
    lead = _lead_value(phrase)
    if lead is not None:
        return Extraction(lead, source)  # "40 cups of feed, since … 20 chickens" → 40
    value = _value_after_verb(phrase)
    if value is not None:
        return Extraction(value, source)
    if math:
        return Extraction(math[-1].strip(), source)
    numbers = _LAST_NUMBER.findall(phrase) if "\\" not in phrase else []  # "Jane started … Sphere 3 hours ago" → 3
    return Extraction(numbers[-1].rstrip(",") if numbers else phrase, source)


def _lead_value(phrase: str) -> str | None:
    """``40 cups of feed, since …`` → ``40``; ``5 cm long`` → ``5 cm`` (a unit stays, to be compared)."""
    lead = _LEAD_NUMBER.match(phrase)
    if lead is None:
        return None
    rest = phrase[lead.end() :]
    if _MORE_NUMBERS.match(rest):
        return None  # "1, 2, 3, ...": a list, not a value and a clause
    if rest and not _WORDS_NEXT.match(rest):
        return None  # "3x + 1", "3 \\times \\sqrt{3}": not a number followed by words
    split = split_value_words(phrase[: lead.end()] + " " + _CLAUSE_END.split(rest, maxsplit=1)[0].strip())
    if split is None:
        return lead.group(0).strip()
    value, unit = split
    return f"{value} {unit}" if unit else value


def _alternatives(phrase: str) -> list[str]:
    """``4 or 5 or 12`` → ``[4, 5, 12]``; ``x = 4 \\text{ or } x = 5`` → both sides; else ``[]``."""
    if not _OR.search(phrase):
        return []
    parts = [p.strip().strip("$").strip() for p in _OR.split(_LEAD_FILLER.sub("", phrase))]
    parts = [p for p in parts if p]
    if len(parts) < 2 or any(len(p) > 40 or len(_PROSE_WORD.findall(p)) > 2 for p in parts):
        return []
    return parts


_ANSWER_VERB = re.compile(r"\b(?:is|are|was|were)\b")
_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_SOLUTION = re.compile(r"[a-zA-Z](?:_\{?\w{1,3}\}?)?\s*=\s*([^=]{1,40})")


def _solutions(text: str) -> str | None:
    """``x = 2 and x = -3`` / ``$x=2$, $y=5$`` → ``x = 2, x = -3``: several "variable = value" joined by
    "and" or commas, each value short and no prose; ``None`` otherwise."""
    parts = [p.strip().strip("$").strip() for p in _LIST_SEPARATOR.split(text.strip().rstrip("."))]
    if len(parts) < 2 or len(parts) > 12:
        return None
    for part in parts:
        m = _SOLUTION.fullmatch(part)
        if m is None or _PROSE_WORD.search(_strip_math(m.group(1))):
            return None
    return ", ".join(parts)


# "… $f(x)=x^2$ for all real $x$.": a qualifier after the answer, with math of its own (bounded: linear)
_PROSE_QUALIFIER = re.compile(
    r",?\s*\b(?:for\s+(?:all|any|every|each|some)|where|when)\b[^$]{0,30}(?:\$[^$]{0,80}\$[^$]{0,30}){0,3}\W{0,3}$",
    re.IGNORECASE,
)


def _without_qualifier(text: str) -> str:
    tail_start = max(0, len(text) - MAX_TAIL_CHARS)
    m = _PROSE_QUALIFIER.search(text, tail_start)
    return text[: m.start()] if m else text


def _stated_solutions(sentence: str) -> str | None:
    """The solutions a sentence states after its first "is"/"are" (see :func:`_solutions`)."""
    verb = _ANSWER_VERB.search(sentence)
    return _solutions(sentence[verb.end() :]) if verb else None


def _value_after_verb(sentence: str) -> str | None:
    """``The volume of $ABCDEFGH$ is 120`` → ``120``: what follows the last verb or "=", if it is math;
    ``The solutions are x = 2 and x = -3`` → both."""
    listed = _stated_solutions(sentence)
    if listed is not None:
        return listed
    pieces = _VERB.split(sentence)
    if len(pieces) < 2 or not pieces[-1].strip():
        return None
    after = pieces[-1].strip()
    inner = math_segments(after)
    if inner and after.startswith(("$", "\\(", "\\[")):
        return inner[0].strip()
    lead = _lead_value(after)
    if lead is not None:
        return lead
    if _PROSE_WORD.match(after) and not inner:  # "born 14 years ago": the one number after the words
        numbers = list(_LAST_NUMBER.finditer(after))
        if len({m.group(0) for m in numbers}) == 1:
            return _lead_value(after[numbers[0].start() :]) or numbers[0].group(0)
        return None
    if re.search(r"\d|\\", after):
        return _unwrap_math(after) if inner else after
    return None


_SENTENCE_BREAK = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z])|(?<=[.!?]\$\$)\s+|(?<=[.!?]\$)\s+(?=[A-Z])")


def _final_sentence(text: str) -> list[str]:
    tail = text.strip()[-2 * MAX_TAIL_CHARS :]
    return [p.strip() for p in _SENTENCE_BREAK.split(tail) if p.strip()]


def ends_unfinished(text: str) -> bool:
    """A text cut off inside an expression: an operator or opening bracket last, an unclosed
    ``{`` or ``$`` in its final line."""
    tail = text.rstrip()[-MAX_TAIL_CHARS:]
    if not tail:
        return False
    if _UNFINISHED.search(tail):
        return True
    command = _LAST_COMMAND.search(tail)
    if command and command.group(1) not in _TERMINAL_COMMANDS:
        return True  # cut inside "\\sqrt" / "\\frac": "… is 1\\s"
    line = _ESCAPED_DELIMITER.sub("", tail.rsplit("\n", 1)[-1])
    if line.count("{") > line.count("}"):
        return True
    opened = open_math_tail(text)  # scanned from the start, so that $…$ pairs stay aligned
    return opened is not None and "\n" not in opened.strip()  # left open on the final line


def _last_sentence_answer(sentence: str) -> str | None:
    sentence = sentence.strip().rstrip(".;,!").strip()
    money = _DOLLAR_AMOUNT.search(sentence) and not _COMMAND_NAME.search(sentence)  # "It costs $5"
    if sentence.count("$") % 2 and not money:  # a split cut a $…$ in two
        sentence = sentence.replace("$", " ").strip()
    found = _phrase_answer(sentence, "last_sentence")
    return None if found.hedged else found.text


# --- the whole completion ------------------------------------------------------------------------


def extract_answer(completion: str, *, choice: bool = False) -> Extraction:
    """The answer ``completion`` commits to; ``text=None`` when there is none.

    ``choice=True`` ends with the final sentence instead of its value, so that the choice
    verifier can look for the letter in it ("… therefore I think it's B").
    """
    text = prepare(completion)
    span = _answer_span(text)
    if span is not None:
        content, closed = span
        content = content[-MAX_SCAN_CHARS:]
        if not closed and ends_unfinished(content):
            return NONE
        return _within(content, choice)
    text = text[-MAX_SCAN_CHARS:]
    boxes = find_boxed(text)
    boxed = _from_boxes(text, boxes)
    if boxed is not None and not _anchor_after_last_box(text, boxes):
        return boxed
    bare = text.strip()
    if ends_unfinished(bare):
        return NONE  # cut off inside an expression: whatever came before was work, not the answer
    anchored = _from_anchor(text)
    if anchored is not None and anchored.text:
        if choice:
            return anchored
        return _phrase_answer(anchored.text, "anchor")
    # Chinese prose has no spaces: it is never a "short bare answer"
    if bare and len(bare) <= MAX_BARE_CHARS and "\n" not in bare and "<think>" not in bare and not HAS_CJK.search(bare):
        if (len(bare.split()) <= 3 or choice) and not _QUESTION.search(bare):
            inner = _from_inline_math(bare)
            if inner is not None and inner.hedged:
                return Extraction(inner.text, "math", True, inner.alternatives)
            return Extraction(_unwrap_math(bare) if math_segments(bare) else bare, "bare")
    if re.search(r"(?:\$|\\\]|\\\))\W{0,3}$", bare) and not choice:  # ends with a math segment: "… is $(7, 6)$."
        last = _from_inline_math(_without_qualifier(bare)) or _from_inline_math(bare)
        if last is not None and not last.hedged:
            sentences = _final_sentence(bare)
            listed = _stated_solutions(sentences[-1]) if sentences else None  # "… are $x=2$ and $x=-3$."
            return Extraction(listed or last.text, "last_math")
    sentences = _final_sentence(text)
    if choice:
        return Extraction(sentences[-1], "last_sentence") if sentences else NONE
    if sentences and len(text) > TRUNCATED_MIN_CHARS and re.search(r"[a-z]$", sentences[-1]):
        return NONE  # a long text cut off mid-word ("Let me dou"): no final answer
    for sentence in reversed(sentences[-2:]):  # the last, or the one before "I hope it is correct."
        if _QUESTION.search(sentence):
            return NONE  # an echoed question or instruction is not an answer
        if re.search(r"\d|\$|\\", sentence):
            answer = _last_sentence_answer(sentence)
            if answer:
                return Extraction(answer, "last_sentence")
    return NONE

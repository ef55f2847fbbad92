"""A small, safe evaluator of plain LaTeX arithmetic (no sympy, no ``eval``).

Reads numbers, ``+ - * /``, ``\\cdot``, ``\\times``, ``^``, parentheses and braces,
``\\frac{a}{b}`` (also ``\\frac94``), ``\\sqrt{x}`` / ``\\sqrt[n]{x}`` (also ``\\sqrt3``), ``\\pi`` and
implicit multiplication (``2\\sqrt{3}``, ``3\\pi``). Anything else — variables, functions,
structures — gives ``None`` and is left to sympy. Used only to tell *different* values apart
quickly; "equal" is still decided exactly.
"""

from __future__ import annotations

import math
import re

_TOKEN = re.compile(r"\s*(\d+\.\d*|\.\d+|\d+|\\[a-zA-Z]+|[-+*/^(){}\[\]])")
_IGNORED = {r"\left", r"\right", r"\displaystyle", r"\,", r"\!"}
MAX_TOKENS = 200  # longer inputs are not "plain arithmetic" worth a fast path


class _Unsupported(Exception):
    pass


def latex_float(text: str) -> float | None:
    """The value of ``text`` if it is plain arithmetic, else ``None``."""
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            return None
        pos = m.end()
        if m.group(1) not in _IGNORED:
            tokens.append(m.group(1))
        if len(tokens) > MAX_TOKENS:
            return None
    if not tokens:
        return None
    parser = _Parser(tokens)
    try:
        value = parser.expr()
        if parser.i != len(tokens):
            return None
    except (_Unsupported, ZeroDivisionError, OverflowError, ValueError, IndexError):
        return None
    return value if isinstance(value, float) and math.isfinite(value) else None


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.t, self.i = tokens, 0

    def peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.t[self.i]
        if expected is not None and tok != expected:
            raise _Unsupported(tok)
        self.i += 1
        return tok

    def expr(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> float:
        value = self.unary()
        while True:
            tok = self.peek()
            if tok in ("*", "/", r"\cdot", r"\times", r"\div"):
                self.take()
                rhs = self.unary()
                value = value / rhs if tok in ("/", r"\div") else value * rhs
            elif tok is not None and (tok[0].isdigit() or tok[0] == "." or tok in ("(", "{", r"\pi", r"\sqrt", r"\frac")):
                value *= self.power()  # implicit multiplication: 2\sqrt{3}, 3\pi
            else:
                return value

    def unary(self) -> float:
        if self.peek() in ("-", "+"):
            return -self.unary() if self.take() == "-" else self.unary()
        return self.power()

    def power(self) -> float:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            exponent = self.atom() if self.peek() != "-" else -(self.take() and self.atom())
            if abs(exponent) > 64 or abs(base) > 1e12:
                raise _Unsupported("large power")  # towers are sympy's (and the budget's) business
            return float(base**exponent)
        return base

    def group(self) -> float:
        tok = self.peek()
        if tok == "{":
            self.take()
            value = self.expr()
            self.take("}")
            return value
        if tok is not None and tok.isdigit():  # \frac94, \sqrt3: one digit per argument
            self.take()
            if len(tok) > 1:
                self.t.insert(self.i, tok[1:])
            return float(tok[0])
        return self.atom()

    def atom(self) -> float:
        tok = self.take()
        if tok[0].isdigit() or tok[0] == ".":
            return float(tok)
        if tok in ("(", "{"):
            value = self.expr()
            self.take(")" if tok == "(" else "}")
            return value
        if tok == r"\pi":
            return math.pi
        if tok == r"\frac":
            return self.group() / self.group()
        if tok == r"\sqrt":
            root = 2.0
            if self.peek() == "[":
                self.take()
                root = self.expr()
                self.take("]")
            radicand = self.group()
            if radicand < 0:
                raise _Unsupported("sqrt of a negative")
            return radicand ** (1.0 / root)
        raise _Unsupported(tok)

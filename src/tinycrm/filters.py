"""The filter language of ``--where`` and saved segments: tokenizer, parser and AST.

Pure Python: no SQLAlchemy here. :func:`parse` turns text into a tree of the node
classes below; ``tinycrm.store.filter_sql.compile_filter`` turns the tree into a
query with bound parameters, checking field names and values for a record kind.

Grammar (keywords are case-insensitive)::

    filter     := or_expr END
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*          -- "and" binds tighter than "or"
    not_expr   := "not" not_expr | atom
    atom       := "(" or_expr ")" | predicate
    predicate  := "tag" ":" value
                | "field" ":" value [op value]
                | "activity" ":" value ["within" value] [op value]
                | "campaign" ":" value [op value]
                | NAME op value                    -- lifecycle=lead, score>=10
                | NAME                             -- a flag: unsubscribed
    op         := "=" | "!=" | "<" | ">" | "<=" | ">=" | "~"
    value      := WORD | "double-quoted" | 'single-quoted'

A WORD is a run of characters other than spaces, quotes, parentheses and
``= ! < > ~ :`` (``jm@acme.de``, ``2026-01-01``, ``30d``, ``-5``, ``Lead-in``). In
quoted strings a backslash takes the next character literally. The keywords
``and``, ``or``, ``not`` and ``within`` are only values when quoted.

Errors raise :class:`FilterError` (a ``ValueError``) whose message is one line:
``bad filter at position 27: expected a value after '>=' (lifecycle=lead and score>=)``.
Positions count characters from 1; the end of the text is its length plus one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from tinycrm.errors import TinyCrmError

__all__ = [
    "OPERATORS",
    "ActivityTest",
    "And",
    "CampaignTest",
    "Comparison",
    "FieldTest",
    "FilterError",
    "Flag",
    "Node",
    "Not",
    "Or",
    "TagTest",
    "Value",
    "parse",
    "parse_age",
    "parse_number",
    "unparse",
]

OPERATORS = ("=", "!=", "<", ">", "<=", ">=", "~")
KEYWORDS = frozenset({"and", "or", "not", "within"})
PREFIXES = ("tag", "field", "activity", "campaign")

MAX_LENGTH = 10_000  # characters of filter text
MAX_DEPTH = 50  # nested parentheses and "not"s
MAX_TERMS = 200  # conditions in one filter (SQLite refuses very deep expressions)

_SPECIAL = frozenset("()=!<>~:\"'")
_AGE = re.compile(r"([0-9]{1,6}) ?(d|w|m|y)", re.IGNORECASE)


class FilterError(TinyCrmError, ValueError):
    """A filter that cannot be read or used, with where: ``position`` counts from 1."""

    def __init__(self, text: str, offset: int, reason: str) -> None:
        self.text = text
        self.offset = max(0, min(offset, len(text)))  # 0-based index into text
        self.position = self.offset + 1
        self.reason = reason
        shown = f" ({_shown(text)})" if text.strip() else ""
        super().__init__(f"bad filter at position {self.position}: {reason}{shown}")


def _shown(text: str) -> str:
    """The filter on one line (each space-like character becomes one space)."""
    flat = "".join(" " if c.isspace() else c for c in text)
    return flat if len(flat) <= 200 else flat[:197] + "..."


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Value:
    """A literal as typed: what it means (text, number, date, age) depends on the field."""

    text: str
    offset: int
    quoted: bool = False


@dataclass(frozen=True)
class Comparison:
    """``field op value``: ``score>=10``, ``city=Berlin``, ``last_contacted>30d``."""

    field: str  # lowercased, '-' read as '_'
    op: str
    value: Value
    offset: int
    op_offset: int


@dataclass(frozen=True)
class Flag:
    """A bare name: ``unsubscribed``, ``do_not_contact``."""

    name: str
    offset: int


@dataclass(frozen=True)
class TagTest:
    """``tag:enterprise``: the record carries that tag."""

    tag: Value
    offset: int


@dataclass(frozen=True)
class FieldTest:
    """``field:plan`` (set), ``field:plan=pro``, ``field:plan~pr``."""

    key: Value
    op: str | None
    value: Value | None
    offset: int
    op_offset: int | None = None


@dataclass(frozen=True)
class ActivityTest:
    """``activity:email [within 30d] [>= 3]``: how many such activities (default: any)."""

    kind: Value
    within: Value | None
    op: str | None
    count: Value | None
    offset: int
    op_offset: int | None = None


@dataclass(frozen=True)
class CampaignTest:
    """``campaign:NAME`` (a member) or ``campaign:NAME=responded`` (with that status)."""

    name: Value
    op: str | None
    status: Value | None
    offset: int
    op_offset: int | None = None


@dataclass(frozen=True)
class Not:
    operand: Node
    offset: int


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node: TypeAlias = (
    Comparison | Flag | TagTest | FieldTest | ActivityTest | CampaignTest | Not | And | Or
)


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # word | string | op | lparen | rparen | colon | end
    text: str  # the value (strings unescaped), the operator, or the punctuation
    offset: int
    raw: str  # as typed, for error messages

    def keyword(self) -> str | None:
        if self.kind == "word" and self.text.lower() in KEYWORDS:
            return self.text.lower()
        return None

    def shown(self) -> str:
        return "the end" if self.kind == "end" else repr(self.raw)


def tokenize(text: str) -> list[Token]:
    """Split filter text into tokens (the last one is ``end``)."""
    if len(text) > MAX_LENGTH:
        raise FilterError(text[:200], 0, f"filter is too long (at most {MAX_LENGTH} characters)")
    for i, char in enumerate(text):
        if not char.isspace() and unicodedata.category(char) in ("Cc", "Cs"):
            raise FilterError(text, i, f"unexpected character {char!r}")
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            tokens.append(Token("lparen", "(", i, "("))
            i += 1
        elif char == ")":
            tokens.append(Token("rparen", ")", i, ")"))
            i += 1
        elif char == ":":
            tokens.append(Token("colon", ":", i, ":"))
            i += 1
        elif char in "=!<>~":
            two = text[i : i + 2]
            if two in ("!=", "<=", ">=", "=="):
                tokens.append(Token("op", "=" if two == "==" else two, i, two))
                i += 2
            elif char == "!":
                raise FilterError(text, i, "expected '=' after '!' (use != or not)")
            else:
                tokens.append(Token("op", char, i, char))
                i += 1
        elif char in "\"'":
            tokens.append(_string(text, i))
            i += len(tokens[-1].raw)
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            tokens.append(Token("word", text[start:i], start, text[start:i]))
    tokens.append(Token("end", "", n, ""))
    return tokens


def _string(text: str, start: int) -> Token:
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif char == quote:
            return Token("string", "".join(out), start, text[start : i + 1])
        else:
            out.append(char)
            i += 1
    raise FilterError(text, start, f"unterminated string: no closing {quote}")


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.terms = 0

    # -- helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != "end":
            self.i += 1
        return token

    def error(self, token: Token | int, reason: str) -> FilterError:
        offset = token if isinstance(token, int) else token.offset
        return FilterError(self.text, offset, reason)

    def is_keyword(self, word: str) -> bool:
        return self.tok.keyword() == word

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(token, f"nested too deeply (at most {MAX_DEPTH} levels)")

    # -- grammar

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error(self.tok, "the filter is empty (expected a condition)")
        node = self.or_expr()
        if self.tok.kind == "rparen":
            raise self.error(self.tok, "unmatched ')'")
        if self.tok.kind != "end":
            raise self.error(self.tok, f"expected 'and', 'or' or the end, not {self.tok.shown()}")
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.is_keyword("or"):
            operands.append(self.and_expr_after(self.advance()))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.is_keyword("and"):
            operands.append(self.not_expr_after(self.advance()))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def and_expr_after(self, keyword: Token) -> Node:
        self.need_condition(keyword)
        return self.and_expr()

    def not_expr_after(self, keyword: Token) -> Node:
        self.need_condition(keyword)
        return self.not_expr()

    def need_condition(self, after: Token) -> None:
        if self.tok.kind in ("end", "rparen") or self.tok.keyword() in ("and", "or"):
            raise self.error(self.tok, f"expected a condition after '{after.raw}'")

    def not_expr(self) -> Node:
        if self.is_keyword("not"):
            keyword = self.advance()
            self.need_condition(keyword)
            self.nest(keyword)
            operand = self.not_expr()
            self.depth -= 1
            return Not(operand, keyword.offset)
        return self.atom()

    def atom(self) -> Node:
        token = self.tok
        if token.kind == "lparen":
            self.advance()
            self.nest(token)
            if self.tok.kind in ("end", "rparen"):
                raise self.error(self.tok, "expected a condition after '('")
            node = self.or_expr()
            if self.tok.kind != "rparen":
                where = f"position {token.offset + 1}"
                raise self.error(
                    self.tok, f"expected ')' to close the '(' at {where}, not {self.tok.shown()}"
                )
            self.advance()
            self.depth -= 1
            return node
        if token.kind == "word" and token.keyword() is None:
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise self.error(token, f"too many conditions (at most {MAX_TERMS})")
            return self.predicate()
        if token.kind == "end":
            raise self.error(token, "expected a condition")
        if token.kind == "op":
            raise self.error(token, f"expected a field name before '{token.raw}'")
        if token.kind == "string":
            raise self.error(token, "expected a field name, not a quoted string")
        raise self.error(token, f"expected a condition, not {token.shown()}")

    def predicate(self) -> Node:
        name = self.advance()
        if self.tok.kind == "colon":
            return self.prefixed(name, self.advance())
        if self.tok.kind == "op":
            op = self.advance()
            value = self.value(after=op)
            return Comparison(_field_name(name.text), op.text, value, name.offset, op.offset)
        return Flag(_field_name(name.text), name.offset)

    def prefixed(self, name: Token, colon: Token) -> Node:
        prefix = name.text.lower()
        if prefix not in PREFIXES:
            known = ", ".join(f"{p}:" for p in PREFIXES)
            raise self.error(name, f"unknown prefix '{name.text}:' (use {known})")
        subject = self.value(after=colon, what=_PREFIX_SUBJECT[prefix], shown=f"{name.raw}:")
        if prefix == "tag":
            return TagTest(subject, name.offset)
        if prefix == "field":
            op, value = self.optional_comparison()
            return FieldTest(subject, _text(op), value, name.offset, _offset(op))
        if prefix == "campaign":
            op, value = self.optional_comparison()
            return CampaignTest(subject, _text(op), value, name.offset, _offset(op))
        within = None
        if self.is_keyword("within"):
            keyword = self.advance()
            within = self.value(after=keyword, what="an age such as 30d")
        op, count = self.optional_comparison()
        return ActivityTest(subject, within, _text(op), count, name.offset, _offset(op))

    def optional_comparison(self) -> tuple[Token | None, Value | None]:
        if self.tok.kind != "op":
            return None, None
        op = self.advance()
        return op, self.value(after=op)

    def value(self, *, after: Token, what: str = "a value", shown: str | None = None) -> Value:
        token = self.tok
        label = shown or after.raw
        if token.kind == "string":
            self.advance()
            return Value(token.text, token.offset, quoted=True)
        if token.kind == "word":
            if token.keyword() is not None:
                raise self.error(
                    token,
                    f"expected {what} after '{label}', not the keyword '{token.raw}' "
                    "(quote it to use it as a value)",
                )
            self.advance()
            return Value(token.text, token.offset)
        if token.kind == "op" and after.kind == "op":
            raise self.error(token, f"expected {what} after '{label}', not '{token.raw}'")
        raise self.error(token, f"expected {what} after '{label}'")


_PREFIX_SUBJECT = {
    "tag": "a tag name",
    "field": "a custom field name",
    "activity": "an activity kind",
    "campaign": "a campaign name",
}


def _field_name(text: str) -> str:
    return text.lower().replace("-", "_")


def _text(token: Token | None) -> str | None:
    return token.text if token is not None else None


def _offset(token: Token | None) -> int | None:
    return token.offset if token is not None else None


def parse(text: str) -> Node:
    """Parse filter text into a tree; raise :class:`FilterError` with the position."""
    return _Parser(text).parse()


# --------------------------------------------------------------------------- literals


def parse_age(text: str) -> tuple[int, str] | None:
    """``"30d"`` → ``(30, "d")``; units d(ays), w(eeks), m(onths), y(ears). None otherwise."""
    match = _AGE.fullmatch(text.strip())
    if match is None:
        return None
    return int(match.group(1)), match.group(2).lower()


def parse_number(text: str) -> Decimal | None:
    """A plain decimal number (``10``, ``-2.5``), or None."""
    clean = text.strip()
    if not re.fullmatch(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})", clean):
        return None
    try:
        return Decimal(clean)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None


# --------------------------------------------------------------------------- unparse


def unparse(node: Node) -> str:
    """The filter as canonical text (fully parenthesised where precedence matters).

    ``parse(unparse(node))`` gives back the same tree, positions aside.
    """
    if isinstance(node, Or):
        return " or ".join(_wrapped(n) for n in node.operands)
    if isinstance(node, And):
        return " and ".join(_wrapped(n) for n in node.operands)
    if isinstance(node, Not):
        inner = node.operand
        text = unparse(inner)
        return f"not ({text})" if isinstance(inner, And | Or) else f"not {text}"
    if isinstance(node, Comparison):
        return f"{node.field}{node.op}{_literal(node.value)}"
    if isinstance(node, Flag):
        return node.name
    if isinstance(node, TagTest):
        return f"tag:{_literal(node.tag)}"
    if isinstance(node, FieldTest | CampaignTest):
        prefix = "field" if isinstance(node, FieldTest) else "campaign"
        subject = node.key if isinstance(node, FieldTest) else node.name
        value = node.value if isinstance(node, FieldTest) else node.status
        tail = f"{node.op}{_literal(value)}" if node.op and value is not None else ""
        return f"{prefix}:{_literal(subject)}{tail}"
    if isinstance(node, ActivityTest):
        text = f"activity:{_literal(node.kind)}"
        if node.within is not None:
            text += f" within {_literal(node.within)}"
        if node.op and node.count is not None:
            text += f" {node.op} {_literal(node.count)}"
        return text
    raise TypeError(f"not a filter node: {node!r}")


def _wrapped(node: Node) -> str:
    text = unparse(node)
    return f"({text})" if isinstance(node, And | Or) else text


def _literal(value: Value) -> str:
    text = value.text
    bare = (
        text
        and not any(c.isspace() or c in _SPECIAL or c == "\\" for c in text)
        and text.lower() not in KEYWORDS
    )
    if bare:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

"""The filter language of ``--where`` and saved segments: tokenizer, parser and AST.

Pure Python: no SQLAlchemy here. :func:`parse` turns text into a tree of the node
classes below; ``tinycrm.store.filter_sql.compile_filter`` turns the tree into a
query with bound parameters, checking field names and values for a record kind.

Grammar (keywords are case-insensitive)::

    filter     := or_expr END
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr (["and"] not_expr)*       -- side by side is "and" too;
                                                     -- "and" binds tighter than "or"
    not_expr   := "not" not_expr | atom
    atom       := "(" or_expr ")" | predicate
    predicate  := "tag" ":" value | "#" WORD         -- tag:vip, #vip (tag=vip, tag!=vip:
                                                     -- a comparison the store reads so)
                | "owner" ":" value | "@" WORD       -- owner:sam, @sam: owner=sam
                | "contact" ":" value                -- a contact's name or email contains it
                | "segment" ":" value                -- a saved segment (segment!=NAME: not in it)
                | "field" ":" value [op value]
                | "activity" ":" value ["within" value] [op value]
                | "campaign" ":" value [op value]
                | NAME op value                      -- lifecycle=lead, score>=10
                | WORD                               -- a flag (unsubscribed), else a search
                | "quoted text"                      -- a search
    op         := "=" | "!=" | "<" | ">" | "<=" | ">=" | "~"
    value      := WORD | "double-quoted" | 'single-quoted'

A WORD is a run of characters other than spaces, parentheses and ``= ! < > ~ :``,
not starting with a quote (``jm@acme.de``, ``2026-01-01``, ``30d``, ``-5``,
``Lead-in``, ``o'brien``). In quoted strings a backslash takes the next character
literally. The keywords ``and``, ``or``, ``not`` and ``within`` are only values when
quoted.

The quick forms of the board's filter bar are part of the language: ``acme #vip
@sam contact:müller`` reads as ``acme and tag:vip and owner=sam and contact:müller``.
A bare word that is not a field name searches the record's name (a deal's title,
company or contact; a contact's name, email, phone or title; a company's name,
domain or city). In an expression (text with an operator, a parenthesis, ``and``,
``or``, ``not`` or a ``field:``, ``segment:``, ``activity:`` or ``campaign:`` prefix:
:func:`is_expression`) a bare word that starts a field name or keyword is taken as
being typed and refused (``amount>5 and sta`` is half of ``stage=…``, not a search).

Errors raise :class:`FilterError` (a ``ValueError``) whose message is one line:
``bad filter at position 27: expected a value after '>=' (lifecycle=lead and score>=)``.
Positions count characters from 1; the end of the text is its length plus one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
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
    "ContactTest",
    "FieldTest",
    "FilterError",
    "Node",
    "Not",
    "Or",
    "SegmentTest",
    "TagTest",
    "Value",
    "Word",
    "is_expression",
    "parse",
    "parse_age",
    "parse_number",
    "unparse",
]

OPERATORS = ("=", "!=", "<", ">", "<=", ">=", "~")
KEYWORDS = frozenset({"and", "or", "not", "within"})
PREFIXES = ("tag", "field", "activity", "campaign", "owner", "contact", "segment")

MAX_LENGTH = 10_000  # characters of filter text
MAX_DEPTH = 50  # nested parentheses and "not"s
MAX_TERMS = 200  # conditions in one filter (SQLite refuses very deep expressions)

_SPECIAL = frozenset("()=!<>~:\"'")
_WORD_END = frozenset("()=!<>~:")
_AGE = re.compile(r"([0-9]{1,6}) ?(d|w|m|y)", re.IGNORECASE)
_QUOTED = re.compile(r"\"(?:\\.|[^\"\\])*\"?|'(?:\\.|[^'\\])*'?")
_EXPRESSION_CHARS = frozenset("=!<>~()")
_EXPRESSION_PREFIXES = ("field:", "segment:", "activity:", "campaign:")


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
class Word:
    """A bare word or a quoted text on its own: a yes/no field (``unsubscribed``,
    ``do-not-contact``) or, when it names no field, a search (``acme``, ``"big deal"``).

    ``expression``: the filter it stands in is an expression (:func:`is_expression`),
    where a word that starts a field name or keyword is refused as half-typed.
    """

    text: str  # as typed (a quoted text without its quotes)
    offset: int
    quoted: bool = False
    expression: bool = True

    @property
    def name(self) -> str:
        """The word read as a field name: lowercased, '-' read as '_'."""
        return _field_name(self.text)


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
class ContactTest:
    """``contact:müller``: the record's contact (a contact: the record itself; a company:
    one of its contacts) has a name or email containing the text."""

    text: Value
    offset: int


@dataclass(frozen=True)
class SegmentTest:
    """``segment:NAME`` (``segment=NAME``): the saved segment's filter; ``!=``: its opposite."""

    name: Value
    op: str
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
    Comparison
    | Word
    | TagTest
    | FieldTest
    | ActivityTest
    | CampaignTest
    | ContactTest
    | SegmentTest
    | Not
    | And
    | Or
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


def tokenize(text: str, *, max_length: int = MAX_LENGTH) -> list[Token]:
    """Split filter text into tokens (the last one is ``end``)."""
    if len(text) > max_length:
        reason = f"the filter is too long: {len(text):,} characters (at most {max_length:,})"
        raise FilterError(text[:max_length], max_length, reason)
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
            start = i  # a quote inside a word is part of it: o'brien
            while i < n and not text[i].isspace() and text[i] not in _WORD_END:
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
    def __init__(self, text: str, max_length: int) -> None:
        self.text = text
        self.tokens = tokenize(text, max_length=max_length)
        self.expression = is_expression(text)
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
            before = self.tokens[self.i - 1]
            hint = ""
            if self.tok.kind == "colon" and before.offset + len(before.raw) == self.tok.offset:
                hint = " (quote a value holding ':', as in created>'2026-01-01 10:00')"
            raise self.error(
                self.tok, f"expected 'and', 'or' or the end, not {self.tok.shown()}{hint}"
            )
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.is_keyword("or"):
            operands.append(self.and_expr_after(self.advance()))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while True:
            if self.is_keyword("and"):
                operands.append(self.not_expr_after(self.advance()))
            elif self.starts_condition():  # side by side: acme #vip
                operands.append(self.not_expr())
            else:
                break
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def starts_condition(self) -> bool:
        token = self.tok
        if token.kind == "word":
            return token.keyword() in (None, "not")
        return token.kind in ("string", "lparen")

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
        if token.kind in ("word", "string") and token.keyword() is None:
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise self.error(token, f"too many conditions (at most {MAX_TERMS})")
            if token.kind == "string":
                return self.search(self.advance())
            return self.predicate()
        if token.kind == "end":
            raise self.error(token, "expected a condition")
        if token.kind == "op":
            raise self.error(token, f"expected a field name before '{token.raw}'")
        raise self.error(token, f"expected a condition, not {token.shown()}")

    def search(self, string: Token) -> Node:
        if self.tok.kind in ("op", "colon"):
            raise self.error(string, "expected a field name, not a quoted string")
        return Word(string.text, string.offset, quoted=True, expression=self.expression)

    def predicate(self) -> Node:
        name = self.advance()
        if self.tok.kind == "colon":
            return self.prefixed(name, self.advance())
        if name.text[0] in "#@":
            return self.short_form(name)
        if self.tok.kind == "op":
            op = self.advance()
            value = self.value(after=op)
            if name.text.lower() == "segment":
                return SegmentTest(value, op.text, name.offset, op.offset)
            return Comparison(_field_name(name.text), op.text, value, name.offset, op.offset)
        return Word(name.text, name.offset, expression=self.expression)

    def short_form(self, word: Token) -> Node:
        """``#vip`` is ``tag:vip``; ``@sam`` is ``owner=sam``."""
        rest = Value(word.text[1:], word.offset + 1)
        if not rest.text:
            what = "a tag" if word.text[0] == "#" else "an owner"
            raise self.error(word.offset + 1, f"expected {what} after '{word.text[0]}'")
        if word.text[0] == "#":
            return TagTest(rest, word.offset)
        return Comparison("owner", "=", rest, word.offset, word.offset)

    def prefixed(self, name: Token, colon: Token) -> Node:
        prefix = name.text.lower()
        if prefix not in PREFIXES:
            known = ", ".join(f"{p}:" for p in PREFIXES)
            raise self.error(name, f"unknown prefix '{name.text}:' (use {known})")
        subject = self.value(after=colon, what=_PREFIX_SUBJECT[prefix], shown=f"{name.raw}:")
        if prefix == "tag":
            return TagTest(subject, name.offset)
        if prefix == "owner":
            return Comparison("owner", "=", subject, name.offset, colon.offset)
        if prefix == "contact":
            return ContactTest(subject, name.offset)
        if prefix == "segment":
            return SegmentTest(subject, "=", name.offset, colon.offset)
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
            hint = ""
            if token.offset == after.offset + len(after.raw):  # <> =~ => typed as one
                meant = _MIXED_OPERATORS.get(after.raw + token.raw)
                hint = f" (did you mean '{meant}'?)" if meant else ""
            raise self.error(token, f"expected {what} after '{label}', not '{token.raw}'{hint}")
        raise self.error(token, f"expected {what} after '{label}'")


_MIXED_OPERATORS = {"<>": "!=", "=~": "~", "~=": "~", "=<": "<=", "=>": ">="}
"""Operators of other languages, or ours the wrong way round, and what they are here."""

_PREFIX_SUBJECT = {
    "tag": "a tag name",
    "owner": "an owner",
    "contact": "a name or email",
    "segment": "a segment name",
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


def parse(text: str, *, max_length: int = MAX_LENGTH) -> Node:
    """Parse filter text into a tree; raise :class:`FilterError` with the position.

    Text longer than ``max_length`` characters is refused (a filter bar may allow less).
    """
    return _Parser(text, max_length).parse()


def is_expression(text: str) -> bool:
    """Whether ``text`` is an expression rather than a quick search: outside quotes it has
    an operator (``= != < > <= >= ~``), a parenthesis, ``and`` / ``or`` / ``not``, or a
    ``field:``, ``segment:``, ``activity:`` or ``campaign:`` prefix. ``acme #vip @sam
    tag:x owner:y contact:z`` is a quick search. Never raises."""
    bare = _QUOTED.sub(" ", text)
    if any(char in _EXPRESSION_CHARS for char in bare):
        return True
    return any(
        word.lower() in ("and", "or", "not") or word.lower().startswith(_EXPRESSION_PREFIXES)
        for word in bare.split()
    )


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


# --------------------------------------------------------------------------- tag renames


def renamed_tag(text: str, old: str, new: str, reads: Callable[[str], str | None]) -> str | None:
    """``text`` with each test of tag ``old`` (``tag:old``, ``#old``, ``tag=old``,
    ``tag!=old``) naming ``new`` instead, the rest as typed; None when it tests no such
    tag. ``reads`` is how a typed tag name reads (lowercased, say: ``#VIP`` is ``vip``),
    or None for what is no tag."""
    tokens = {t.offset: t for t in tokenize(text)}
    edits: list[tuple[int, int, str]] = []
    for node in walk(parse(text)):
        if isinstance(node, TagTest):
            value = node.tag
        elif isinstance(node, Comparison) and node.field in ("tag", "tags"):
            value = node.value
        else:
            continue
        if reads(value.text) != old:
            continue
        own = tokens.get(value.offset)
        if own is not None:  # tag:old, tag=old: the value's own token
            edits.append((own.offset, own.offset + len(own.raw), _literal(Value(new, 0))))
            continue
        word = tokens[value.offset - 1]  # #old: the value is inside its word
        shown = f"#{new}" if _bare_word(new) else f"tag:{_literal(Value(new, 0))}"
        edits.append((word.offset, word.offset + len(word.raw), shown))
    if not edits:
        return None
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def renamed_campaign(
    text: str, old: str, new: str, reads: Callable[[str], str | None]
) -> str | None:
    """``text`` with each ``campaign:NAME`` whose name ``reads`` as ``old`` (its key)
    naming ``new`` instead, the rest as typed; None when it names no such campaign."""
    tokens = {t.offset: t for t in tokenize(text)}
    edits = [
        (own.offset, own.offset + len(own.raw), _literal(Value(new, 0)))
        for node in walk(parse(text))
        if isinstance(node, CampaignTest) and reads(node.name.text) == old
        if (own := tokens.get(node.name.offset)) is not None
    ]
    if not edits:
        return None
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def renamed_value(
    text: str, field: str, old: str, new: str, reads: Callable[[str], str | None]
) -> str | None:
    """``text`` with each ``FIELD=OLD`` and ``FIELD!=OLD`` (the value ``reads`` as
    ``old``, its key) naming ``new`` instead, the rest as typed; None when there is none.
    ``~`` (a part of the text) is left as typed."""
    tokens = {t.offset: t for t in tokenize(text)}
    edits = [
        (own.offset, own.offset + len(own.raw), _literal(Value(new, 0)))
        for node in walk(parse(text))
        if isinstance(node, Comparison) and node.field == field and node.op in ("=", "!=")
        if reads(node.value.text) == old and (own := tokens.get(node.value.offset)) is not None
    ]
    if not edits:
        return None
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def walk(node: Node) -> Iterator[Node]:
    """``node`` and every node inside it."""
    yield node
    if isinstance(node, And | Or):
        for operand in node.operands:
            yield from walk(operand)
    elif isinstance(node, Not):
        yield from walk(node.operand)


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
    if isinstance(node, Word):
        if node.quoted or not _bare_word(node.text):
            return _quoted(node.text)
        return node.text
    if isinstance(node, TagTest):
        return f"tag:{_literal(node.tag)}"
    if isinstance(node, ContactTest):
        return f"contact:{_literal(node.text)}"
    if isinstance(node, SegmentTest):
        if node.op == "=":
            return f"segment:{_literal(node.name)}"
        return f"segment{node.op}{_literal(node.name)}"
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
    return _quoted(text)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _bare_word(text: str) -> bool:
    """Whether ``text`` reads back as one bare word (not a keyword, prefix or short form)."""
    return bool(
        text
        and text[0] not in "\"'#@"
        and not any(c.isspace() or c in _WORD_END for c in text)
        and text.lower() not in KEYWORDS
    )

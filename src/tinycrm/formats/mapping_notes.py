"""What an import's summary says about a file's columns: those of no field (with the
rows that held a value), those that name a field another column gives first, and the
refusal of a file none of whose columns is a field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from tinycrm.formats import FormatError, printable
from tinycrm.formats.synonyms import SYNONYMS, normalize
from tinycrm.vocab import plural


class _Column(Protocol):
    index: int
    header: str
    how: str


class Mapping(Protocol):
    """What these notes read of a ``formats.mapping.Mapping`` (which imports them)."""

    kind: str
    filled: dict[int, int]

    @property
    def columns(self) -> Sequence[_Column]: ...

    @property
    def targets(self) -> set[str]: ...

    def lost(self) -> list[Lost]: ...


FIELD_PREFIX = "field:"  # a target naming a custom field (formats.mapping's too)


@dataclass
class Lost:
    """A column that names a field another column gives first (``Given Name`` beside
    ``First Name``), with what became of its values over the rows read."""

    header: str
    number: int  # its column, from 1
    target: str
    winner: str  # the header of the column that gives the field
    winner_number: int
    filled: int  # rows with a value in it
    taken: int  # of those, rows where the winner was empty: its value is the field's
    differed: int  # rows where the winner had another value: not imported
    keep: str | None  # the custom field that keeps those (--keep-extra)
    same_name: bool = False  # a second column named as the winner (--map cannot pick it)

    @property
    def field(self) -> str:
        """The field as a summary names it: ``first_name``, ``custom field plan``."""
        if self.target.startswith(FIELD_PREFIX):
            return f"custom field {self.target[len(FIELD_PREFIX) :]}"
        return self.target

    @property
    def not_imported(self) -> int:
        """Rows whose value in this column was not the field's."""
        return self.filled - self.taken

    def _where(self, noun: str, header: str, number: int) -> str:
        return short_header(header) + (f" ({noun} {number:,})" if noun == "column" else "")

    def note(self, noun: str = "column") -> str:
        """The summary's line: ``Given Name (column 2) not imported where First Name
        (column 1) gives the first_name: 2 rows, 1 of them another value (…); taken in
        1 row where First Name was empty``."""
        this = self._where(noun, self.header, self.number)
        winner = self._where(noun, self.winner, self.winner_number)
        if not self.filled:
            return f"{this}: empty; {winner} gives the {self.field}"
        taken = f"taken in {plural(self.taken, 'row')} where {short_header(self.winner)} was empty"
        if not self.not_imported:
            return f"{this} names the {self.target} too, as {winner} does: {taken}"
        text = (
            f"{this} not imported where {winner} gives the {self.field}: "
            f"{plural(self.not_imported, 'row')}, {self._differed()}"
        )
        if self.differed and self.keep:
            text += f" (kept as custom field {self.keep})"
        elif self.differed and self.same_name:
            text += " (--keep-extra keeps those as a custom field)"
        elif self.differed:
            text += (
                f" (--keep-extra keeps those as a custom field, --map "
                f"'{self.header.strip()}={self.target}' takes this {noun} first)"
            )
        return text + (f"; {taken}" if self.taken else "")

    def reason(self, noun: str = "column") -> str:
        """Why it was not imported, for ``--json``'s ``not_imported``."""
        winner = self._where(noun, self.winner, self.winner_number)
        text = f"{winner} gives the {self.field}: {self._differed()}"
        if self.differed and self.keep:
            text += f", kept as custom field {self.keep}"
        if self.taken:
            where = short_header(self.winner)
            text += f"; taken in {plural(self.taken, 'more row')} where {where} was empty"
        return text

    def _differed(self) -> str:
        if not self.differed:
            return f"each the same value as {short_header(self.winner)}'s"
        if self.differed == self.not_imported:
            return "each another value" if self.differed > 1 else "another value"
        return f"{self.differed:,} of them another value"


def lost_columns(mappings: Sequence[Mapping]) -> list[Lost]:
    """The lost columns of ``mappings`` (a JSON file's several sets of keys), each once
    by its name, the field and the winner's name, with their counts added up."""
    found: dict[tuple[str, str, str], Lost] = {}
    for mapping in mappings:
        for lost in mapping.lost():
            key = (lost.header, lost.target, lost.winner)
            if key not in found:
                found[key] = lost
                continue
            seen = found[key]
            seen.filled += lost.filled
            seen.taken += lost.taken
            seen.differed += lost.differed
    return list(found.values())


def unmapped_report(mappings: Sequence[Mapping], noun: str = "column") -> str:
    """The columns of no field in ``mappings`` (a JSON file's several sets of keys, with
    ``noun="key"``), each once in the order first seen, with the rows that held a
    value: ``City (3 rows), Fax (1 row); 12 more columns empty``, or when none held one
    ``2 columns, all empty: Fax, Pager``. Past ``UNMAPPED_NAMED`` columns with values
    the others are counted, not named."""
    filled: dict[tuple[str, int], int] = {}  # (header, its nth column of that name)
    for mapping in mappings:
        seen: dict[str, int] = {}
        for c in mapping.columns:
            if c.how == "unmapped":
                key = (c.header, seen.setdefault(c.header, 0))
                seen[c.header] += 1
                filled[key] = filled.get(key, 0) + mapping.filled.get(c.index, 0)
    shown = [
        f"{short_header(header)} ({rows:,} row{'s' if rows != 1 else ''})"
        for (header, _), rows in filled.items()
        if rows
    ]
    empty = [header for (header, _), rows in filled.items() if not rows]
    count = len(empty)
    text = ", ".join(shown[:UNMAPPED_NAMED])
    if len(shown) > UNMAPPED_NAMED:  # (a JSON file whose every record has a key of its own)
        others = len(shown) - UNMAPPED_NAMED
        text += f" and {others:,} more {noun}{'s' if others != 1 else ''} with values"
        text += " (--json lists each)"
    nouns = f"{noun}{'s' if count != 1 else ''}"
    if count and text:
        text += f"; {count} more {nouns} empty"
    elif count:  # nothing else to name: name these (a few)
        names = [short_header(h) for h in empty[:EMPTY_NAMED]]
        more = ", …" if count > len(names) else ""
        text = (f"1 {noun}, empty: {names[0]}" if count == 1
                else f"{count} {nouns}, all empty: {', '.join(names)}{more}")  # fmt: skip
    return text


EMPTY_NAMED = 5  # empty unmapped columns a summary names when no other is named
UNMAPPED_NAMED = 20  # unmapped columns with values a summary names (the rest counted)
HEADER_SHOWN = 60  # characters of a column's name a summary shows


def short_header(header: str) -> str:
    """A column's name as a summary lists it: a long one (a file whose header is a
    paragraph, or 200,000 characters) cut to its start and an ellipsis."""
    if len(header) <= HEADER_SHOWN:
        return header
    return header[: HEADER_SHOWN - 1] + "…"


def refuse_unmapped(
    mapping: Mapping,
    name: str,
    *,
    keys: bool = False,
    header_at: tuple[int, list[str]] | None = None,
) -> None:
    """Refuse a file none of whose columns is a field: prose, a log, a file that is not CSV
    (or a CSV from a tool we do not know, which ``--map`` makes readable). ``keys``: the
    columns are the keys of a JSON file's first record. Columns that look like a field's
    name mistyped (``Emial``) are told the field they may mean. ``header_at``: a later
    line that would be the header row (a report's title above it; ``mapping.header_below``
    finds it), named with its cells."""
    if mapping.targets:
        return
    if header_at is not None:
        line, cells = header_at
        shown = ", ".join(printable(repr(short_header(c.strip()))) for c in cells[:6])
        raise FormatError(
            f"no column of {name} is a field of {mapping.kind} (its first line: "
            f"{_first(mapping)}); line {line} looks like the header row ({shown}"
            f"{' …' if len(cells) > 6 else ''}): remove the lines above it"
        )
    header = mapping.columns
    shown = _first(mapping)
    if meant := _meant(mapping.kind, [c.header for c in header[:12]]):
        shown += f"; did you mean {', '.join(repr(m) for m in meant)}?"
    if keys:
        raise FormatError(
            f"no key of the first record of {name} is a field of {mapping.kind} "
            f"({f'its keys: {shown}' if header else 'it has none'}); --map 'KEY=field' says "
            "which field a key holds"
        )
    raise FormatError(
        f"no column of {name} is a field of {mapping.kind} (its first line: {shown}); "
        "is it a CSV file? --map 'Header=field' says which field a column holds"
    )


def _first(mapping: Mapping) -> str:
    """The first line's columns, as a refusal shows them."""
    header = mapping.columns
    shown = ", ".join(printable(repr(short_header(c.header))) for c in header[:6])
    return shown + (" …" if len(header) > 6 else "")


def _meant(kind: str, headers: list[str]) -> list[str]:
    """The fields of ``kind`` that ``headers`` may be mistyped names of (up to three)."""
    from difflib import get_close_matches

    known = {key: target.name for key, (_, _, target) in SYNONYMS[kind].items()}
    meant: list[str] = []
    for header in headers:
        close = get_close_matches(normalize(header, kind), known, n=1, cutoff=0.75)
        if close and known[close[0]] not in meant:
            meant.append(known[close[0]])
    return meant[:3]

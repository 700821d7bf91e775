"""Which column of a file holds which field, and the values of each row by field.

Headers are matched to fields through the synonyms of ``formats.synonyms`` (the
header rows of HubSpot, Pipedrive, Salesforce, Google Contacts, Outlook and tinycrm's
own export).

Some fields take several columns (a contact's email and phone): the first
non-empty one in the order listed wins, and the others are kept as custom fields
(``Mobile Phone`` becomes ``phone.mobile`` when there is a business phone too),
so nothing a row holds is dropped. Google Contacts writes several values into one
cell with `` ::: `` between them (``E-mail 1 - Value`` = ``ada@x.example :::
ada.l@home.example``): the first is the field, the others ``email.2``, ``email.3``…
unless Google's label column beside it names them (``E-mail 1 - Label`` = ``* Work :::
Home``, or ``Type`` in the older export): then they keep their label, ``email.home``
(one label for several values labels them all; ``*`` marks the primary). Outlook's
columns name the kind themselves (``Home Phone`` is ``phone.home``); Apple's labels
come in vCards (``X-ABLabel``, ``formats.vcard``).
Other columns are reported as unmapped, and kept as custom fields with ``keep_extra``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from tinycrm.formats import FormatError
from tinycrm.formats.footer import FOOTER_MARKERS, NUMBER_STARTS, summary_row
from tinycrm.formats.mapping_notes import FIELD_PREFIX, Lost, short_header, unmapped_report
from tinycrm.formats.synonyms import (
    ADDRESS_KEYS,
    BOOKKEEPING,
    EXACT,
    EXTRA,
    KINDS,
    LOOSE,
    OWN_EXPORT,
    SECONDARY,
    SYNONYMS,
    TARGETS,
    field_key,
    normalize,
    target_names,
)
from tinycrm.formats.values import clean_cell, split_values
from tinycrm.vocab import plural

ROW_ERROR = "!error"  # a row's values hold this key when the row itself is broken
IGNORE = "-"
# The first columns (keys) of the report of the rows an import rejects: not the rows' own
REPORT_COLUMNS = ("line", "reason")
# What Outlook writes as a date of a contact that has none (its Birthday column), in
# the United States' and in Germany's formats
NO_DATE = frozenset(("0/0/00", "0/0/0000", "00/00/00", "00/00/0000", "00.00.00", "00.00.0000"))
_LOOSE_RANK = 1_000  # below every synonym's rank (their position in the list)
_FIELD_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


@dataclass
class Column:
    """One column of the file and what it becomes."""

    index: int
    header: str
    target: str | None  # a target name, "field:KEY", or None (not imported)
    # "synonym", "--map", "field", "extra", "address" (a contact's, kept as a vCard's),
    # "ignored" (a column tinycrm sets itself),
    # "unmapped", "label", "report" (the line and reason of a rejected rows' report),
    # "lost" (a field another column gives first, one of another name or a first column
    # of the same name: its value only where that one's is empty)
    how: str
    rank: int = 0
    secondary: str | None = None  # custom field for its value when another column wins
    label: int | None = None  # the column of Google's labels for its values
    meant: str | None = None  # the target its header names, imported or not
    winner: int | None = None  # "lost": the column whose value the target takes first
    repeats: int | None = None  # a second Email (Phone): the first column of its name


@dataclass
class Mapping:
    """How the columns of one file map to the fields of one kind of record."""

    kind: str
    columns: list[Column]
    _plan: list[tuple[str, list[tuple[int, str | None]]]] = field(default_factory=list)
    _extras: list[tuple[int, str]] = field(default_factory=list)
    _unmapped: list[int] = field(default_factory=list)
    _single: list[tuple[str, int]] = field(default_factory=list)
    _several: list[tuple[str, list[tuple[int, str | None]]]] = field(default_factory=list)
    _labels: dict[int, int] = field(default_factory=dict)  # value column -> its label column
    _ignored: list[int] = field(default_factory=list)
    # target -> the columns that lost it (index, custom field for a value of their own)
    _lost: list[tuple[str, list[tuple[int, str | None]]]] = field(default_factory=list)
    taken: dict[int, int] = field(default_factory=dict)  # lost column -> rows it gave
    differed: dict[int, int] = field(default_factory=dict)  # lost column -> rows it lost
    _dates: tuple[str, ...] = ()  # the birthday's target, when a column gives it
    _verbatim: frozenset[int] = frozenset()  # the field.KEY columns of tinycrm's own export
    filled: dict[int, int] = field(default_factory=dict)  # unmapped column -> rows with a value
    own_export: bool = False  # the file is tinycrm's own export (its bookkeeping columns)
    _reach: int = 0  # cells a row needs for every mapped column to be in it
    # the values of the single-column targets from a row's cells, when there are several
    _take: Callable[[Sequence[str]], dict[str, str]] | None = field(
        default=None, repr=False, compare=False
    )
    escaped: bool = True  # cells escaped against formulas with a ' (CSV; not JSON)
    # a second column of a many-column field's name: (its index, the target, the first's)
    _repeats: list[tuple[int, str, int]] = field(default_factory=list)
    # a repeated column -> the custom fields its values were kept as, with rows each
    kept: dict[int, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        groups: dict[str, list[Column]] = {}
        for column in self.columns:
            if column.target is None:
                continue
            if column.target.startswith(FIELD_PREFIX):
                self._extras.append((column.index, column.target))
            else:
                groups.setdefault(column.target, []).append(column)
        self._plan = [
            (target, [(c.index, c.secondary) for c in sorted(cols, key=lambda c: c.rank)])
            for target, cols in groups.items()
        ]
        self._unmapped = [c.index for c in self.columns if c.how == "unmapped"]
        self._ignored = [c.index for c in self.columns if c.how == "ignored"]
        lost: dict[str, list[Column]] = {}
        for column in self.columns:
            if column.how == "lost" and column.meant is not None:
                lost.setdefault(column.meant, []).append(column)
        self._lost = [
            (target, [(c.index, c.secondary) for c in sorted(cols, key=lambda c: c.rank)])
            for target, cols in lost.items()
        ]
        self._verbatim = frozenset(c.index for c in self.columns if c.how == "field")
        self._dates = tuple(  # (not tinycrm's own field.birthday: as stored)
            t for i, t in self._extras if t == FIELD_PREFIX + "birthday" and i not in self._verbatim
        )
        many = {t.name for t in TARGETS.get(self.kind, ()) if t.many}
        self._single = [
            (t, sources[0][0]) for t, sources in self._plan if len(sources) == 1 and t not in many
        ]
        self._several = [(t, sources) for t, sources in self._plan if len(sources) > 1 or t in many]
        targets = [t for t, _ in self._single]
        if len(targets) > 1:  # (an itemgetter of one index gives a cell, not a tuple)
            pick = itemgetter(*(i for _, i in self._single))
            self._take = lambda cells: dict(zip(targets, pick(cells), strict=True))
        self._reach = 1 + max((i for _, sources in self._plan for i, _ in sources), default=-1)
        self._labels = {c.index: c.label for c in self.columns if c.label is not None}
        self._repeats = [
            (c.index, c.target, c.repeats)
            for c in self.columns
            if c.repeats is not None and c.target is not None
        ]

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def unmapped(self) -> list[str]:
        return [c.header for c in self.columns if c.how == "unmapped"]

    def unmapped_report(self) -> str:
        """``City (3 rows), Country/Region (3 rows); 12 more columns empty``, or when none
        held a value ``2 columns, all empty: Fax, Pager``, from what ``apply`` saw."""
        return unmapped_report([self])

    def ignored_report(self) -> str:
        """The columns tinycrm sets itself that held values (a vendor's ``score`` column;
        in tinycrm's own export its bookkeeping: ids of another database, the time of the
        latest change, the recomputed score), as ``score (3 rows)``, from what ``apply``
        saw; empty when there are none. Named for every file: nothing goes unsaid; the
        ``id`` of tinycrm's own export with why it is taken for one of another database."""
        return ignored_report([self])

    def own_id(self) -> str:
        """Why the ``id`` column of tinycrm's own export is not imported, and how to keep
        it: a vendor who writes tinycrm's header writes what tinycrm's export is."""
        text = (
            f"the {self.kind}' ids in the database the file was exported from, as its header "
            f"is the one tinycrm export {self.kind} writes"
        )
        if self.kind == "deals":
            text += "; --map 'id=external_id' keeps them as the deals' external ids"
        return text

    @property
    def targets(self) -> set[str]:
        return {c.target for c in self.columns if c.target}

    def apply(self, cells: Sequence[str]) -> dict[str, str]:
        """The values of one row, by target. A mapped column that is blank gives ``""``
        (so ``--overwrite`` can clear the field, custom fields too); extra values of a
        many-column field become custom fields."""
        n = len(cells)
        values: dict[str, str] = {}
        # Most rows have no cell that ``clean_cell`` would change (a space at either end,
        # a quote at the start, a carriage return): a few string operations over the
        # row say so, and their cells are taken as they are.
        clean = n >= self._reach and list(map(str.strip, cells)) == cells
        if clean:
            joined = "\x00" + "\x00".join(cells)  # (NUL: no record holds one)
            clean = "\r" not in joined and "\x00'" not in joined
        if clean and self._take is not None:
            values = self._take(cells)
        elif clean:
            for target, index in self._single:
                values[target] = cells[index]
        else:
            for target, index in self._single:
                value = cells[index] if index < n else ""
                if value and (
                    value[0] == "'" or value[0].isspace() or value[-1].isspace() or "\r" in value
                ):
                    value = clean_cell(value, escaped=self.escaped)
                values[target] = value
        for target, sources in self._several:
            chosen = ""
            for index, secondary in sources:
                if clean:
                    value = cells[index]
                else:
                    value = clean_cell(cells[index], escaped=self.escaped) if index < n else ""
                parts = split_values(value)
                labels = self._labels and self._labels_of(cells, index, target, len(parts))
                for position, part in enumerate(parts):
                    if not chosen:
                        chosen = part
                    elif part != chosen:
                        own = secondary if position == 0 else None
                        _keep(values, target, part, (labels and labels[position]) or own)
            values[target] = chosen
        for index, target in self._extras:
            if index >= n:
                values[target] = ""
            else:  # tinycrm's own field.KEY columns: the value as stored, spaces and all
                strip = index not in self._verbatim
                values[target] = clean_cell(cells[index], escaped=self.escaped, strip=strip)
        for target in self._dates:  # Outlook's date of none ("0/0/00"): no birthday
            if values.get(target) in NO_DATE:
                values[target] = ""
        if self._lost:  # (a file with First Name and Given Name: rare)
            self._fall_back(cells, values)
        if self._repeats:  # (two Email columns: rare)
            self._count_repeats(cells, values)
        filled = self.filled
        for indexes in (self._unmapped, self._ignored):
            for index in indexes:
                if index < n and cells[index] and not cells[index].isspace():
                    filled[index] = filled.get(index, 0) + 1
        return values

    def _fall_back(self, cells: Sequence[str], values: dict[str, str]) -> None:
        """A lost column's value is the field's where the winner's cell is empty; where
        the winner has another, it is counted (and kept as a custom field with
        ``--keep-extra``): never dropped unsaid."""
        n = len(cells)
        for target, losers in self._lost:
            for index, keep in losers:
                value = clean_cell(cells[index], escaped=self.escaped) if index < n else ""
                if not value:
                    continue
                self.filled[index] = self.filled.get(index, 0) + 1
                current = values.get(target, "")
                if not current.strip():
                    values[target] = value
                    self.taken[index] = self.taken.get(index, 0) + 1
                elif value != current.strip():
                    self.differed[index] = self.differed.get(index, 0) + 1
                    if keep is not None:
                        values[FIELD_PREFIX + keep] = value

    def _count_repeats(self, cells: Sequence[str], values: dict[str, str]) -> None:
        """Count what became of a repeated column's value (the ``apply`` above kept it):
        the field where the first column of its name was empty, else the custom field that
        keeps it when it differs."""
        n = len(cells)
        for index, target, first in self._repeats:
            parts = split_values(
                clean_cell(cells[index], escaped=self.escaped) if index < n else ""
            )
            if not parts:
                continue
            value, chosen = parts[0], values.get(target, "")
            if value == chosen:
                if first >= n or not split_values(clean_cell(cells[first], escaped=self.escaped)):
                    self.taken[index] = self.taken.get(index, 0) + 1
                continue
            key = next(
                (k for k, v in values.items() if v == value and k.startswith(FIELD_PREFIX)), None
            )
            if key is not None:
                kept = self.kept.setdefault(index, {})
                key = key[len(FIELD_PREFIX) :]
                kept[key] = kept.get(key, 0) + 1

    def repeated(self) -> list[str]:
        """The summary's lines on second columns of a many-column field's name (two
        Email): where their values went, from what ``apply`` saw."""
        notes = []
        for index, target, first in self._repeats:
            kept, taken = self.kept.get(index, {}), self.taken.get(index, 0)
            if not kept and not taken:
                continue
            this = f"{short_header(self.columns[index].header)} (column {index + 1})"
            winner = short_header(self.columns[first].header)
            where = f"taken in {plural(taken, 'row')} where {winner} was empty"
            if not kept:
                notes.append(f"{this} gives the {target}: {where}")
                continue
            keys = ", ".join(kept)
            text = (
                f"{this} kept as custom field{'s' if len(kept) > 1 else ''} {keys} where "
                f"{winner} (column {first + 1}) gives the {target}: "
                f"{plural(sum(kept.values()), 'row')}"
            )
            notes.append(text + (f"; {where}" if taken else ""))
        return notes

    def lost(self) -> list[Lost]:
        """The columns that name a field another column gives first, with what became of
        their values in the rows ``apply`` saw."""
        by_index = {c.index: c for c in self.columns}
        return [
            Lost(
                c.header,
                c.index + 1,
                c.meant or "",
                by_index[c.winner].header,
                c.winner + 1,
                self.filled.get(c.index, 0),
                self.taken.get(c.index, 0),
                self.differed.get(c.index, 0),
                c.secondary,
                by_index[c.winner].header.strip().casefold() == c.header.strip().casefold(),
            )
            for c in self.columns
            if c.how == "lost" and c.winner is not None
        ]

    def _labels_of(self, cells: Sequence[str], index: int, target: str, n: int) -> list[str | None]:
        """The custom field key each of ``n`` values in column ``index`` gets from Google's
        label column beside it (``* Work ::: Home`` → ``email.work``, ``email.home``):
        one label for each value, or one for all; None where there is none."""
        label = self._labels.get(index)
        if label is None or label >= len(cells) or not cells[label].strip():
            return [None] * n
        names = [part.lstrip("*").strip() for part in split_values(clean_cell(cells[label]))]
        if len(names) == 1:
            names *= n
        names += [""] * (n - len(names))
        return [f"{target}.{field_key(name)}" if name else None for name in names[:n]]

    def describe(self) -> list[tuple[str, str, str]]:
        """(column, what it becomes, why) for ``--show-mapping``."""
        rows = []
        first = {target: sources[0][0] for target, sources in self._plan if len(sources) > 1}
        for column in self.columns:
            if column.how == "label":
                what = "labels of " + next(
                    c.header for c in self.columns if c.label == column.index
                )
            elif column.how == "lost" and column.winner is not None:
                winner = self.columns[column.winner].header
                what = f"{_field_name(column.meant)} where {winner} is empty"
                if column.secondary:
                    what += f" (custom field {column.secondary} when it differs)"
                gives = f"{winner} gives {_field_name(column.meant)} first"
                rows.append((column.header, what, gives))
                continue
            elif column.target is None:
                what = "(not imported)"
            elif column.target.startswith(FIELD_PREFIX):
                what = f"custom field {column.target[len(FIELD_PREFIX) :]}"
            else:
                what = column.target
                if column.target in first and first[column.target] == column.index:
                    what += " (first of several)"
                elif column.target in first and column.secondary:
                    what += f" (custom field {column.secondary} when another column has one)"
            why = {
                "synonym": "header",
                "--map": "--map",
                "field": "tinycrm export",
                "extra": "--keep-extra",
                "address": "header (an address or birthday)",
                "ignored": "set by tinycrm",
                "unmapped": "unmapped",
                "label": "Google's label column",
                "report": "the rejected rows' report",
            }[column.how]
            rows.append((column.header, what, why))
        return rows


def _field_name(target: str | None) -> str:
    """A target as ``--show-mapping`` names it: ``name``, ``custom field plan``."""
    target = target or ""
    if target.startswith(FIELD_PREFIX):
        return f"custom field {target[len(FIELD_PREFIX) :]}"
    return target


def _keep(values: dict[str, str], target: str, value: str, key: str | None) -> None:
    """Keep one more value of a many-column field as a custom field: under the column's own
    key (``phone.mobile``, ``email.2``) when it is free, else the next free ``email.N``;
    a value kept already is not kept twice."""
    prefix = f"{FIELD_PREFIX}{target}."
    if any(k.startswith(prefix) and v == value for k, v in values.items()):
        return
    if key is None or FIELD_PREFIX + key in values:
        number = 2
        while f"{FIELD_PREFIX}{target}.{number}" in values:
            number += 1
        key = f"{target}.{number}"
    values[FIELD_PREFIX + key] = value


def parse_map_options(values: Iterable[str]) -> list[tuple[str, str]]:
    """``["E-Mail=email", "Plan=field.plan"]`` → pairs, checked for form only."""
    out = []
    for item in values:
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip():
            raise FormatError(f"--map {item!r} must look like 'Header=field'")
        out.append((header.strip(), target.strip()))
    return out


def _map_target(kind: str, target: str) -> str | None:
    clean = target.strip()
    if clean in ("", IGNORE, "ignore", "skip", "none"):
        return None
    lowered = clean.lower()
    for prefix in ("field.", "field:"):
        if lowered.startswith(prefix):
            key = clean[len(prefix) :].strip()
            if not _FIELD_KEY.match(key):
                raise FormatError(
                    f"invalid custom field name {key!r} in --map (letters, digits, '_', '.', "
                    "'-'; starting with a letter)"
                )
            return FIELD_PREFIX + key
    names = target_names(kind)
    normalised = lowered.replace("-", "_").replace(" ", "_")
    if normalised in names:
        return normalised
    raise FormatError(
        f"unknown field {clean!r} for {kind} in --map (choose from {', '.join(names)}, "
        "field.KEY for a custom field, or - to skip the column)"
    )


def ignored_report(mappings: Sequence[Mapping]) -> str:
    """``Mapping.ignored_report`` of several mappings (a JSON file's sets of keys): each
    column once, in the order first seen, with the rows of every mapping added up."""
    found: dict[str, tuple[int, str]] = {}
    for mapping in mappings:
        for c in mapping.columns:
            rows = mapping.filled.get(c.index)
            if c.how != "ignored" or not rows:
                continue
            why = f": {mapping.own_id()}" if c.header == "id" and mapping.own_export else ""
            before, said = found.get(c.header, (0, ""))
            found[c.header] = (before + rows, said or why)
    return ", ".join(f"{header} ({plural(n, 'row')}{why})" for header, (n, why) in found.items())


def build_mapping(
    kind: str,
    header: Sequence[str],
    *,
    overrides: Sequence[tuple[str, str]] = (),
    keep_extra: bool = False,
) -> Mapping:
    """Map each column of ``header`` to a field of ``kind``.

    ``overrides`` are ``--map`` pairs (header, target); a header that is not in
    the file, or a target that ``kind`` does not have, is an error.
    """
    if kind not in TARGETS:
        raise FormatError(f"cannot import {kind!r} (choose from {', '.join(KINDS)})")
    synonyms = SYNONYMS[kind]
    normalised = [normalize(h, kind) for h in header]
    exact = EXACT[kind]
    columns: list[Column] = []
    best: dict[str, Column] = {}
    report = list(header[:2]) == list(REPORT_COLUMNS)  # a rejected rows' report, fixed
    own_export = is_own_export(kind, header[2:] if report else header)
    for index, (text, key) in enumerate(zip(header, normalised, strict=True)):
        if report and index < 2:
            columns.append(Column(index, text, None, "report"))
            continue
        if text.lower().startswith("field.") and _FIELD_KEY.match(text[6:].strip()):
            custom = FIELD_PREFIX + text[6:].strip()
            if all(c.target != custom for c in columns):  # the first keeps it (a later: unmapped)
                columns.append(Column(index, text, custom, "field"))
                continue
        if text.strip() in BOOKKEEPING or (own_export and key == "id"):
            columns.append(Column(index, text, None, "ignored"))
            continue
        if text.strip() in exact:
            own = exact[text.strip()]
            if own.name in best:  # tinycrm's own column wins over a vendor's synonym
                best[own.name].target, best[own.name].how = None, "unmapped"
            best[own.name] = Column(index, text, own.name, "field", -1, meant=own.name)
            columns.append(best[own.name])
            continue
        found = synonyms.get(key)
        if found is None and key in LOOSE[kind]:  # its own column spelled otherwise: after
            found = (-1, _LOOSE_RANK, LOOSE[kind][key])  # any synonym, and as written
        if found is None:
            columns.append(Column(index, text, None, "unmapped"))
            continue
        _position, rank, target = found
        if best.get(target.name) is not None and best[target.name].rank < 0:
            columns.append(Column(index, text, None, "unmapped", rank, meant=target.name))
            continue
        column = Column(index, text, target.name, "synonym", rank, meant=target.name)
        if target.many:
            column.secondary = SECONDARY[kind].get(key) or f"{target.name}.{field_key(text)}"
        elif target.name in best:
            if best[target.name].rank <= rank:
                column.target, column.how = None, "unmapped"
            else:
                best[target.name].target, best[target.name].how = None, "unmapped"
                best[target.name] = column
        else:
            best[target.name] = column
        columns.append(column)
    for wanted, target_text in overrides:
        mapped = _map_target(kind, target_text)
        matches = [c for c in columns if c.header.casefold() == wanted.casefold()] or [
            c for c in columns if normalize(c.header) == normalize(wanted)
        ]
        if not matches:
            shown = ", ".join(repr(h) for h in header[:12]) + (" …" if len(header) > 12 else "")
            raise FormatError(f"--map: no column {wanted!r} in the file (columns: {shown})")
        chosen = matches[0]
        if mapped is not None:
            many = any(t.many for t in TARGETS[kind] if t.name == mapped)
            for other in columns:  # one column a field (a custom one too), named
                if other is not chosen and other.target == mapped and not many:
                    other.target, other.how, other.meant = None, "unmapped", mapped
        chosen.target, chosen.how, chosen.rank = mapped, "--map", -1
        if mapped is not None and mapped.startswith(FIELD_PREFIX):
            chosen.secondary = None
    _pair_labels(columns)
    _mark_repeats(kind, columns)
    _mark_duplicates(columns)
    _mark_lost(columns)
    _keep_extra(kind, columns, keep_extra)
    return Mapping(kind, columns, own_export=own_export)


def _keep_extra(kind: str, columns: list[Column], keep_extra: bool) -> None:
    """The columns no field takes as custom fields: a contact's address and birthday
    (``synonyms.ADDRESS_KEYS``: ``street``, ``home.city``, ``birthday``, as a vCard's are)
    always, the others with ``keep_extra`` (under a key made of the header)."""
    extra_keys = EXTRA.get(kind, {})
    taken = {c.target for c in columns if c.target}
    for column in columns:
        known = extra_keys.get(normalize(column.header, kind))
        if column.how == "unmapped" and known in ADDRESS_KEYS and FIELD_PREFIX + known not in taken:
            column.target, column.how = FIELD_PREFIX + known, "address"
            taken.add(column.target)
    if not keep_extra:
        return
    for column in columns:
        if column.how not in ("unmapped", "lost"):
            continue
        header = re.sub(r"(?i)^\s*field\.", "", column.header)  # a 2nd field.KEY: KEY_N
        key = extra_keys.get(normalize(column.header, kind)) or field_key(header)
        while FIELD_PREFIX + key in taken:
            key = f"{key}_{column.index + 1}"
        taken.add(FIELD_PREFIX + key)
        if column.how == "lost":  # the field where the winner is empty, else this
            column.secondary = key
        else:
            column.target, column.how = FIELD_PREFIX + key, "extra"


def is_own_export(kind: str, header: Sequence[str]) -> bool:
    """Whether ``header`` is tinycrm's own export of ``kind``: ``id`` first, then columns
    as its export writes them (``synonyms.OWN_EXPORT``: spelling, case and order; an older
    export had fewer), with ``created_at`` among them, and ``field.KEY`` columns anywhere.
    A vendor's ``ID, Deal Name, …, created_at`` is not: its ID is the vendor's own."""
    own = OWN_EXPORT.get(kind, ())
    names = [h for h in header if not (h.startswith("field.") and _FIELD_KEY.match(h[6:]))]
    if not names or names[0] != "id" or "created_at" not in names:
        return False
    place = {name: n for n, name in enumerate(own)}
    positions = [place.get(name, -1) for name in names]
    return -1 not in positions and positions == sorted(set(positions))


def _mark_repeats(kind: str, columns: list[Column]) -> None:
    """A second column of the same name giving a many-column field (two ``Email``
    columns): its value, when the first's differs, is kept as ``email.other``, a third's
    ``email.other.2``, as a vCard's second and third EMAIL of no type are
    (``formats.vcard``), not under a key made of its header (``email.email``)."""
    many = {t.name for t in TARGETS[kind] if t.many}
    first: dict[tuple[str, str], Column] = {}
    for column in columns:
        if column.target not in many or column.how == "label":
            continue
        seen = first.setdefault((column.target, column.header.strip().casefold()), column)
        if seen is column:
            continue
        repeat = sum(1 for c in columns if c.repeats == seen.index) + 1
        column.repeats = seen.index
        column.secondary = f"{column.target}.other" + (f".{repeat}" if repeat > 1 else "")


def _mark_duplicates(columns: list[Column]) -> None:
    """A column not imported whose header is an imported column's (ignoring case and
    spaces at either end: two ``Name`` columns, two ``field.plan``) gives that column's
    field where the first one's cell is empty, as a column losing its field to another
    does (``_mark_lost``): its values are never dropped unsaid. Not when the field its
    header names is given by no column (``--map`` gave the first another): then it is
    that field's (``_mark_lost``)."""
    giving = {c.target for c in columns if c.target is not None}
    first: dict[str, Column] = {}
    for column in columns:
        if column.target is not None:
            first.setdefault(column.header.strip().casefold(), column)
    for column in columns:
        winner = first.get(column.header.strip().casefold())
        if column.how != "unmapped" or winner is None:
            continue
        if column.meant is not None and column.meant not in giving:
            continue
        column.how, column.winner, column.meant = "lost", winner.index, winner.target


def _mark_lost(columns: list[Column]) -> None:
    """A column not imported whose header names a field another column gives (``Given
    Name`` when ``First Name`` comes first, a vendor's column beside tinycrm's own, one
    that ``--map`` gave another column's field) is that field's where the other's cell
    is empty, not a column of no matching field. A field no column gives any more (its
    column mapped elsewhere with ``--map``) goes to the best of those that name it."""
    giving = {c.target: c for c in columns if c.target is not None}
    named: dict[str, list[Column]] = {}
    for column in columns:
        if column.how == "unmapped" and column.meant is not None:
            named.setdefault(column.meant, []).append(column)
    for target, losers in named.items():
        losers.sort(key=lambda c: (c.rank, c.index))
        winner = giving.get(target)
        if winner is None:
            winner = losers.pop(0)
            winner.target, winner.how = target, "synonym"
        for column in losers:
            column.how, column.winner = "lost", winner.index


_LABEL_COLUMN = re.compile(r"^\s*(e-?mail|phone)\s*(\d+)\s*-\s*(label|type)\s*$", re.IGNORECASE)


def _pair_labels(columns: list[Column]) -> None:
    """Google's ``E-mail 1 - Label`` (``Type`` in the older export) and ``Phone 1 -
    Label`` columns: each is the labels of the values in the column beside it of the
    same number (``E-mail 1 - Value``), when that one is imported."""
    values = {normalize(c.header): c for c in columns if c.target is not None}
    for column in columns:
        found = _LABEL_COLUMN.match(column.header)
        if column.how != "unmapped" or found is None:
            continue
        kind, number = found[1], found[2]
        value = values.get(normalize(f"{kind} {number} - Value"))
        if value is not None and not (value.target or "").startswith(FIELD_PREFIX):
            value.label = column.index
            column.how = "label"


def header_below(
    kind: str, records: Iterable[tuple[int, list[str]]], look: int = 10
) -> tuple[int, list[str]] | None:
    """The first of the first ``look`` records that would be a header row of ``kind`` (a
    column of it a field; a report's title above it made the first line the header),
    with its line; None when none would."""
    for line, cells in itertools.islice(records, look):
        if len(cells) > 1 and build_mapping(kind, [c.strip() for c in cells]).targets:
            return line, cells
    return None


def mapped_rows(
    records: Iterable[tuple[int, list[str]]],
    mapping: Mapping,
    footer: list[int] | None = None,
) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    """(line, values by target, raw cells) for each record.

    A record with more non-empty cells than the header has columns is not
    guessed at: its values carry ``ROW_ERROR``, as do broken records (a quote never
    closed) with their reason. Lines at the end of the file that hold a single cell
    starting with "Generated By", "Copyright (c)" and the like (the footer of a
    Salesforce report), and the lines after it, or a count or total ("Total: 1
    contacts", ``footer.summary_row``), are not records: they are left out, and their
    line numbers appended to ``footer``. Such a line with records after it is a record.
    """
    width = mapping.width
    pending: list[tuple[int, list[str]]] = []
    for line, cells in records:
        reason = getattr(cells, "reason", None)  # a csvfile.BrokenRecord
        if reason is not None:
            for held in pending:
                yield _one(held[0], held[1], mapping, width)
            pending.clear()
            yield line, {ROW_ERROR: reason}, cells
            continue
        single = (
            width > 2
            and not (len(cells) > 1 and cells[1].strip())  # (most rows: a look at one cell)
            and cells[0].strip()
            and not any(c.strip() for c in cells[2:])
        )
        if (single and (pending or cells[0].strip().lower().startswith(FOOTER_MARKERS))) or (
            (len(cells) < 2 or not cells[1] or cells[1][0] in NUMBER_STARTS) and summary_row(cells)
        ):
            pending.append((line, cells))
            continue
        for held in pending:
            yield _one(held[0], held[1], mapping, width)
        pending.clear()
        yield _one(line, cells, mapping, width)
    if footer is not None:
        footer.extend(line for line, _ in pending)


def _one(line: int, cells: list[str], mapping: Mapping, width: int) -> tuple[int, dict, list]:
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        extra = len(cells) - width
        return (
            line,
            {ROW_ERROR: f"{len(cells)} cells but the header has {width} columns "
                        f"({extra} too many: a delimiter inside an unquoted value?)"},
            cells,
        )  # fmt: skip
    return line, mapping.apply(cells), cells

"""CSV cells and rows as every CSV tinycrm writes them (``output.RowWriter``, exports,
``--csv``): text a spreadsheet would take for a formula escaped with a leading ``'``
(``csv_safe``), rows written fast (``write_csv_rows``) by a writer that quotes a cell
holding a line end of either kind (``csv_writer``); and a record's columns: custom
fields spread into ``field.KEY`` (``flatten``), the header a CSV of no records has
(``model_columns``)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from tinycrm.formats import jsonnumbers
from tinycrm.formats.formulas import FORMULA_PREFIXES as FORMULA_PREFIXES


def csv_safe(value: Any) -> str:
    """A cell value for CSV, escaped against spreadsheet formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return jsonnumbers.text(value)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    if text[:1] == "'" and text.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + text  # import takes one ' off: a text that starts so keeps its own
    return text


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _is_number(text: str) -> bool:
    """Whether a spreadsheet reads ``text`` as a number: digits, a sign, a point, an
    exponent. Not what else Python's ``Decimal`` takes (``-Infinity``, ``+NaN``,
    ``-1_000``): a spreadsheet takes those for formulas."""
    return _NUMBER.fullmatch(text) is not None


def write_csv_rows(
    write: Callable[[list[Any]], Any],
    rows: Iterable[list[Any]],
    *,
    spread: tuple[int, Sequence[str]] | None = None,
) -> None:
    """Rows (lists of values) to ``write`` (a csv writer's ``writerow``) as cells by
    ``csv_safe``'s rules, quickly: plain text, whole numbers and empty cells pass as they
    are, times, flags and tags are written here, and anything else (text a spreadsheet
    would take for a formula, amounts) goes through ``csv_safe``. ``spread=(at, keys)``:
    the mapping at position ``at`` becomes the values of ``keys`` (custom fields). An
    export of 100,000 contacts spends its time in this loop."""
    prefixes, safe = FORMULA_PREFIXES, csv_safe
    at, names = spread if spread is not None else (-1, ())
    for row in rows:
        if at >= 0:
            row = row[:at] + [row[at].get(k) for k in names] + row[at + 1 :]
        write(
            [
                c
                if c is None
                or (c.__class__ is str and not c.startswith(prefixes) and c[:1] != "'")
                or c.__class__ is int
                else c.isoformat()
                if c.__class__ is datetime
                else ("true" if c else "false")
                if c.__class__ is bool
                else ", ".join(c)  # tags: csv_safe's join, when the first starts plainly
                if c.__class__ is list
                and (
                    not c
                    or (c[0].__class__ is str and not c[0].startswith(prefixes) and c[0][:1] != "'")
                )
                else safe(c)
                for c in row
            ]
        )


def csv_cell(value: Any) -> str:
    """One value as ``write_csv_rows`` and a CSV writer write it as a cell, quotes and all
    (what a line built by the database hands back for the cells it cannot judge)."""
    import io

    buffer = io.StringIO()
    write_csv_rows(csv_writer(buffer).writerow, [[value, None]])
    return buffer.getvalue()[:-2]  # a lone empty cell would be written as ""


def csv_writer(stream: Any) -> Any:
    """A csv writer to ``stream`` whose rows end in ``\\n`` and that quotes a cell holding
    ``\\r`` as well as ``\\n``: with ``lineterminator="\\n"`` it leaves a lone ``\\r`` bare,
    and a CSV reader (Python's, Excel, LibreOffice) ends the row there. So it ends rows
    in ``\\r\\n`` (it quotes what holds either), written as ``\\n`` (one write a row)."""
    put = stream.write
    ends = SimpleNamespace(write=lambda line: put(line[:-2] + "\n"))
    return csv.writer(ends, lineterminator="\r\n")


def csv_quoted() -> str:
    """The characters that make this Python's CSV writer quote a cell."""
    return "".join(c for c in ',"\n\r' if csv_cell("a" + c) != "a" + c)


# --------------------------------------------------------------------------- columns


def flatten(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV row: custom ``fields`` spread into ``field.KEY`` columns, any other mapping
    into ``KEY.SUB`` columns (per-currency amounts: ``value.EUR``), and one within it
    into ``KEY.SUB.SUB`` (a campaign report's ``first_touch.won_revenue.EUR``, which was
    left out); lists of records left out (a list of values stays, for ``csv_safe`` to
    join)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            prefix = "field" if key == "fields" else key
            for sub, sub_value in flatten(value).items():
                out[f"{prefix}.{sub}"] = sub_value
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            continue
        else:
            out[key] = value
    return out


def model_columns(model: str | type | Sequence[str]) -> list[str]:
    """The CSV columns of ``model``'s records (a read model of tinycrm.api.models, by name,
    a read model class, or, for rows that are plain dicts, their keys in order) that a
    CSV of none has as its header: those of a CSV with
    records, without custom fields (``fields``) and other mappings (no record gives their
    keys) or lists of records (CSV leaves those out), so that it is a header that imports
    as nothing, not an empty line that is refused."""
    if isinstance(model, list | tuple):
        return list(model)
    if not isinstance(model, str):
        return columns_of(model)
    from tinycrm.api import models

    return columns_of(getattr(models, model))


def columns_of(model: Any) -> list[str]:
    """The CSV columns of the records of ``model`` (a pydantic model class) that a CSV of
    none has as its header (see ``model_columns``)."""
    import types
    import typing

    from pydantic import BaseModel

    columns = []
    for name, info in model.model_fields.items():
        if info.exclude_if is not None:  # in a record only when set (``unreadable``)
            continue
        kind = info.annotation
        if typing.get_origin(kind) in (typing.Union, types.UnionType):
            kind = next((a for a in typing.get_args(kind) if a is not type(None)), kind)
        args = typing.get_args(kind)
        if typing.get_origin(kind) is dict or (
            typing.get_origin(kind) is list
            and args
            and isinstance(args[0], type)
            and issubclass(args[0], BaseModel)
        ):
            continue
        columns.append(name)
    return columns

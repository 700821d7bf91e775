"""Amounts as exact JSON numbers: ``999999999999999.99`` is written as it is, not as a float.

tinycrm keeps amounts exactly (``Decimal``); JSON has numbers of any length, but Python's
and pydantic's writers only write ``int`` and ``float`` as numbers (a ``Decimal`` becomes a
string), and a float bends everything past its 15th-17th digit. So every JSON tinycrm
writes (``--json``, ``--jsonl``, exports, reports, hook and webhook payloads) goes
through here:

- A read model's amounts are typed ``tinycrm.store.types.Number``: an exact ``Decimal``
  that ``serialize`` writes. In JSON mode inside ``exact()`` (where ``dumps`` and
  ``jsonable`` serialise) each becomes a *marker*: a string holding a random
  per-process nonce around the amount's text. Without that context (a script's
  ``model_dump(mode="json")``) it is an ``int`` or a ``float`` as before: a Python
  value cannot be an exact JSON number.
- Plain data holding ``Decimal`` values (a report's ``model_dump()``) is marked with
  ``marked``.
- ``dumps``, ``dumps_lines`` (many records, one pass) and ``dumps_plain`` write the JSON
  (pydantic's fast writer, or the standard library's for callers that need its
  spacing), then put each marker's digits in place
  of the marker and its quotes. A user's text can never hold the nonces, and inside a
  JSON string every ``"`` is escaped, so only markers are replaced.

The text of an amount (``text``): a whole one as an integer (``18500``), any other with
its significant decimals (``12.5``), never in exponent notation: for every amount a
float holds exactly, the same text a float wrote. ``json.loads`` reads it as a float;
``json.loads(text, parse_float=Decimal)`` reads the exact amount.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_OPEN = f"tinycrm-number:{secrets.token_hex(8)}:"
_CLOSE = f":{secrets.token_hex(8)}"
_exact: ContextVar[bool] = ContextVar("tinycrm_exact_numbers", default=False)


@contextmanager
def exact() -> Iterator[None]:
    """Inside, read models' amounts serialise as markers (``model_dump(mode="json")``
    too: data for ``dumps``, ``dumps_plain`` or ``unmark`` to write, never to show)."""
    token = _exact.set(True)
    try:
        yield
    finally:
        _exact.reset(token)


def text(value: Decimal) -> str:
    """An amount as JSON writes it: ``18500``, ``12.5``, ``-0.01``; never ``1E+3`` or ``1e-05``."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value, "f").rstrip("0")


def number(value: Decimal) -> Any:
    """``value`` as a marker for ``dumps`` (an infinity or NaN as the float it is)."""
    if not value.is_finite():
        return float(value)
    return f"{_OPEN}{text(value)}{_CLOSE}"


def serialize(value: Decimal | None) -> Any:
    """An amount in a read model's JSON (a ``PlainSerializer``): a marker inside
    ``exact()``, else an ``int`` or a ``float`` (a Python value for a script's
    ``model_dump(mode="json")``). Read from a context variable, not pydantic's
    serialisation context: an ``info`` argument made each call a third slower."""
    if value is None:
        return None
    if _exact.get():
        return number(value)
    return int(value) if value == value.to_integral_value() else float(value)


def marked(value: Any) -> Any:
    """Plain data (dicts, lists, values) with its ``Decimal`` values as markers."""
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dict):
        return {k: marked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [marked(v) for v in value]
    return value


def _fallback(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def jsonable(data: Any) -> Any:
    """Read models (or lists and dicts of them) as plain JSON values, amounts as markers:
    data to write later with ``dumps`` or ``dumps_plain`` (a hook's payload)."""
    from pydantic_core import to_jsonable_python

    with exact():
        return to_jsonable_python(data, fallback=_fallback)


def unmark(written: str) -> str:
    """JSON text with each marker, quotes and all, replaced by its amount's digits."""
    return written.replace('"' + _OPEN, "").replace(_CLOSE + '"', "")


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Read models, lists and dicts of them (markers too) as JSON, amounts exact; fast
    (pydantic's writer). Non-ASCII text is written as it is."""
    from pydantic_core import to_json

    with exact():
        written = to_json(data, indent=indent, fallback=_fallback)
    return unmark(written.decode())


def dumps_lines(items: Iterable[Any], separator: str = "\n") -> str:
    """Each item as ``dumps(item)`` writes it, joined by ``separator``: many records
    (JSON lines) written at once, their markers replaced in one pass."""
    from pydantic_core import to_json

    with exact():
        written = separator.join([to_json(i, fallback=_fallback).decode() for i in items])
    return unmark(written)


def dumps_plain(data: Any, *, default: Callable[[Any], Any] | None = None, **options: Any) -> str:
    """Plain data (markers too) as ``json.dumps(data, **options)`` writes it, amounts exact:
    for bytes that must stay as they were (a signed webhook body, a hook's input).
    ``default`` serialises what is neither JSON, a ``Decimal`` nor a date."""

    def fallback(value: Any) -> Any:
        if default is None or isinstance(value, Decimal | datetime | date):
            return _fallback(value)
        return default(value)

    return unmark(json.dumps(data, default=fallback, **options))

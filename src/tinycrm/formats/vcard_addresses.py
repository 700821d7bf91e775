"""The addresses of a vCard (ADR: the contact's own as ``street``, ``city``, …, the others
as ``home.city``, ``home.2.city``) and their printed labels (vCard 4's ``ADR;LABEL=…``).
Read by :mod:`tinycrm.formats.vcard`, written back by :mod:`tinycrm.formats.vcard_write`.
"""

from __future__ import annotations

import re
from typing import Any

from tinycrm.formats.mapping import FIELD_PREFIX
from tinycrm.formats.vcard_types import _TYPE_TOKEN, _label, _most_preferred, _named, _types

_ADDRESS_PARTS = (
    ("pobox", "box"),
    ("street2", "extended"),  # a suite, an apartment, a building
    ("street", "street"),
    ("city", "city"),
    ("region", "region"),
    ("postcode", "code"),
    ("country", "country"),
)
ADDRESS_TYPE = "address_type"  # the TYPE of the contact's own address, when not work


def _addresses(card: Any, values: dict[str, str]) -> None:
    props = card.contents.get("adr", [])
    if not props:
        return
    # tinycrm names the key of an address that is not the contact's own when reading
    # would not find it: ADR;TYPE=HOME;X-TINYCRM-KEY=home of a contact with no other
    props = [p for p in props if _has_parts(p)]  # one of no parts: a label's (4.0) alone
    candidates = [p for p in props if not _named(p)]
    primary = _most_preferred(candidates)
    if primary is None and candidates:
        primary = next((p for p in candidates if "work" in _types(p)), candidates[0])
    kind = _label(primary, card) if primary is not None else "work"
    if kind not in ("work", "other") and _TYPE_TOKEN.match(kind):
        values[FIELD_PREFIX + ADDRESS_TYPE] = kind  # a home address the contact's own

    taken = {k.lower() for k in values}  # a card of thousands: each lookup, not a scan
    numbered: dict[str, int] = {}  # the number the next home address starts from

    def used(prefix: str) -> bool:
        return any((FIELD_PREFIX + prefix + key).lower() in taken for key, _ in _ADDRESS_PARTS)

    for prop in props:
        label = _label(prop, card)
        prefix = "" if prop is primary else f"{label}."
        n = numbered.get(label, 2)
        while prefix and used(prefix):
            prefix = f"{label}.{n}."  # a second home address: home.2.city
            n += 1
        numbered[label] = max(n - 1, 2)  # the numbers before it are all taken
        if _named(prop) and not used(_named(prop) + "."):
            prefix = _named(prop) + "."
        adr = prop.value
        for key, attr in _ADDRESS_PARTS:
            part = getattr(adr, attr, "")
            text = _joined(part)
            text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
            if text and FIELD_PREFIX + prefix + key not in values:
                values[FIELD_PREFIX + prefix + key] = text
                taken.add((FIELD_PREFIX + prefix + key).lower())


def _has_parts(prop: Any) -> bool:
    """Whether an ADR holds any part of an address (vCard 4 writes a label alone on an
    ADR of none)."""
    return any(_joined(getattr(prop.value, attr, "")).strip() for _, attr in _ADDRESS_PARTS)


LABEL = "label"  # an address as printed: 3.0's LABEL, vCard 4's ADR;LABEL=…


def _address_labels(card: Any, values: dict[str, str]) -> None:
    """vCard 4's address labels (``ADR;LABEL=…``) as ``label``, ``label.2``, … in the
    card's order (after a 3.0 LABEL kept so), each ADR's TYPEs in ``label_type``; a line
    break written ``\\n`` (RFC 6350) or ``^n`` (RFC 6868, with ``^'`` a double quote)."""
    n = 2
    for prop in card.contents.get("adr", []):
        text = _param_text(",".join(map(str, prop.params.get("LABEL", []))))
        if not text.strip():
            continue
        key = LABEL
        while FIELD_PREFIX + key in values:
            key, n = f"{LABEL}.{n}", n + 1
        values[FIELD_PREFIX + key] = text
        kinds = [k for k in _types(prop) if k != "pref" and _TYPE_TOKEN.match(k)]
        if kinds:
            values[f"{FIELD_PREFIX}{LABEL}_type{key.removeprefix(LABEL)}"] = ",".join(kinds)


_PARAM_ESCAPES = {"\\\\": "\\", "\\n": "\n", "\\N": "\n", "^^": "^", "^n": "\n", "^'": '"'}


def _param_text(raw: str) -> str:
    """A parameter's value as text: its escapes read (``_PARAM_ESCAPES``)."""
    return re.sub(r"\\[\\nN]|\^[\^n']", lambda m: _PARAM_ESCAPES[m[0]], raw)


def _joined(part: Any) -> str:
    """A component of N, ADR or ORG as text: vobject splits one at a comma the card did
    not escape (``ORG:Smith, Jones & Co``, as vCard 2.1 and many 3.0 writers have it),
    which is put back."""
    return ",".join(map(str, part)) if isinstance(part, list) else str(part or "")

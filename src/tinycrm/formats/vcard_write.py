"""Contacts written as vCards 3.0 and 4.0 (``tinycrm export contacts --format vcard``),
the reverse of :mod:`tinycrm.formats.vcard`, which reads them and whose docstring says
what goes where. A card is built as a :class:`~tinycrm.formats.vcard_text.Card` (what
vobject's parser gives, less its cost), then read back by the reader: what would not
come back as stored (a custom field a vCard property would bend) is written again as
``X-TINYCRM-FIELD``; then written as vobject writes one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from tinycrm.formats import FormatError
from tinycrm.formats.mapping import FIELD_PREFIX
from tinycrm.formats.vcard import (
    _TINYCRM,
    JOB_ROLE,
    KEPT_PROPERTIES,
    NAME_PARTS,
    PRODID,
    VERSIONS,
    _card_name,
    _categories,
    card_values,
)
from tinycrm.formats.vcard_addresses import _ADDRESS_PARTS, ADDRESS_TYPE, LABEL
from tinycrm.formats.vcard_text import Card, Line
from tinycrm.formats.vcard_types import (
    _TYPE_FIELD,
    _TYPE_TOKEN,
    APPLE_LABELS,
    KEY_PARAM,
    TYPE_WORDS,
    _clean_label,
    _main_types,
    _type_label,
    _type_of,
)


def _typed(
    card: Any,
    prop: str,
    value: str,
    types: list[str],
    label: str | None,
    version: str,
    rank: str | None,
    key: str | None = None,
) -> None:
    """One EMAIL or TEL; a ``label`` vCard has no TYPE for (``2``, ``work2``) goes the way
    Apple writes its own labels: the property in a group with an ``X-ABLabel`` beside it;
    ``key``, the custom field's, when reading would spell it otherwise (``phone.Work``,
    ``phone.a_b``), as ``X-TINYCRM-KEY``."""
    group = None
    if label:
        group = f"item{len(card.contents.get('x-ablabel', [])) + 1}"
    item = card.add(prop, group=group)
    item.value = value
    if group:
        card.add("x-ablabel", group=group).value = label
    if key:
        item.params[KEY_PARAM] = [key]
    if version == "4.0":
        if types:
            item.params["TYPE"] = [t.lower() for t in types]  # not "work,cell", quoted
        if rank:
            item.params["PREF"] = [rank]
    else:
        shown = [t.upper() for t in types] + (["PREF"] if rank == "1" else [])
        if shown:
            item.params["TYPE"] = shown


def _apple(text: str, own: frozenset[str] = APPLE_LABELS) -> str:
    """A label as Apple writes it: one of its ``own`` as ``_$!<HomeFAX>!$_``, another
    as is."""
    return f"_$!<{text}>!$_" if text in own else text


# Apple's own labels of dates and related names (X-ABDATE, X-ABRELATEDNAMES).
_APPLE_NAMES = frozenset(
    ("Anniversary", "Other", "Spouse", "Partner", "Child", "Father", "Mother", "Parent",
     "Brother", "Sister", "Friend", "Assistant", "Manager")
)  # fmt: skip


def _apple_or(word: str) -> str:
    """A key's word as a label: Apple's own of that name (homefax: ``_$!<HomeFAX>!$_``),
    else the word."""
    return _apple(next((a for a in APPLE_LABELS if a.lower() == word.lower()), word))


def _kinds(fields: dict[str, str], key: str, what: str) -> tuple[list[str], str | None]:
    """The TYPEs and label to write on the email or phone of custom field ``key``
    (``phone.work.2``: the second work phone, a TYPE=WORK like the first). TYPEs: its
    companion ``phone_type.work`` (taken out of ``fields``; one that is not a list of
    TYPE words stays, written as a field), else the TYPE word of its key, else none. The
    label: its ``phone_label.KEY`` (taken out: Рабочий, Büro, Assistant, as the card
    wrote it), else the word of a key that is no TYPE word (``email.2``,
    ``phone.assistant``), the way Apple writes a label of one's own, else none."""
    written = re.sub(r"\.\d+$", "", key.split(".", 1)[1])  # work.2: work
    said = written.lower()  # the TYPE of phone.Work is WORK
    label: str | None = None
    text = fields.get(what + "_label" + key.removeprefix(what), "").strip()
    if text and _clean_label(text) in ("", said):
        label = _apple(fields.pop(what + "_label" + key.removeprefix(what)))
    elif said not in TYPE_WORDS:
        label = _apple_or(written)
    companion = _TYPE_FIELD[what] + key.removeprefix(what)
    kinds = [k.strip().lower() for k in fields.get(companion, "").split(",") if k.strip()]
    if not kinds or not all(_TYPE_TOKEN.match(k) for k in kinds):
        if said not in TYPE_WORDS or (label is not None and said == "other"):
            return [], label  # Apple's label alone; no TYPE=OTHER the card did not give
        return _type_of(f"{what}.{said}"), label
    del fields[companion]
    if label is None and _type_label(kinds) != said:
        label = said
    return kinds, label


class _Keys(set[str]):
    """The keys of the values written so far, and the number the next key of each label
    is looked for from (numbers before it all taken: a contact of thousands of emails
    is not a scan from email.other.2 for each)."""

    def __init__(self) -> None:
        super().__init__()
        self.numbered: dict[str, int] = {}


def _placed(
    what: str, key: str, kinds: list[str], label: str | None, taken: _Keys
) -> tuple[str | None, str | None]:
    """(the label, the key to name) of the value of custom field ``key``, written with
    ``kinds`` and ``label`` after the keys ``taken``: a numbered key reading would number
    otherwise (``home.2`` without a ``home``) labelled with its number; the key named
    when reading would still spell it otherwise (``phone.Work``, ``phone.a_b``)."""
    read = _read_key(what, kinds, label, taken)
    if read.lower() != key.lower():
        label = _apple_or(key.split(".", 1)[1])
        read = _read_key(what, kinds, label, taken)
    taken.add(key)
    return label, (key if read != key else None)


def _read_key(what: str, kinds: list[str], label: str | None, taken: _Keys) -> str:
    """The key reading gives a value written with ``kinds`` and ``label`` after the
    keys ``taken`` (as ``_multi`` files it: work, then work.2)."""
    text = re.sub(r"^_\$!<(.*)>!\$_$", r"\1", label or "").strip()
    said = _clean_label(text) or _type_label(kinds)
    key, n = f"{what}.{said}", taken.numbered.get(said, 2)
    while key in taken:
        key, n = f"{what}.{said}.{n}", n + 1
    taken.numbered[said] = max(n - 1, 2)
    return key


def _in_order(keys: Iterable[str]) -> list[str]:
    """Custom field keys (or prefixes, ``home.2.``) in the order their numbers say (work,
    work.2, …, work.10)."""
    return sorted(keys, key=lambda k: [(0, int(p), "") if p.isdigit() else (1, 0, p)
                                        for p in k.rstrip(".").split(".")])  # fmt: skip


def _rank(fields: dict[str, str], key: str, version: str) -> str | None:
    """vCard 4's PREF of the email or phone of custom field ``key`` (``email.other``): its
    companion ``email_pref.other`` (taken out of ``fields``) when that is 1 to 100;
    vCard 3 has no rank, so there it stays a field."""
    what, _, rest = key.partition(".")
    rank = fields.get(f"{what}_pref.{rest}", "").strip()
    if version != "4.0" or not rank.isdigit() or not 1 <= int(rank) <= 100:
        return None
    return fields.pop(f"{what}_pref.{rest}")


def contact_card(contact: Any, *, version: str = "3.0") -> str:
    """One contact (a ``ContactRead``, or a dict with its keys) as a vCard."""
    import vobject

    if isinstance(contact, dict):
        from types import SimpleNamespace

        contact = SimpleNamespace(**contact)
    if version not in VERSIONS:
        raise FormatError(f"vCard version must be one of {', '.join(VERSIONS)}")
    card = Card()
    card.add("version").value = version
    card.add("prodid").value = PRODID
    card.add("uid").value = _uid(contact)
    card.add("fn").value = contact.name
    stored = dict(contact.fields or {})
    fields = dict(stored)
    if _is_organisation(contact, fields):  # no person's name: N:;;;; as Apple writes it
        card.add("n").value = vobject.vcard.Name()
        shown = ("kind", "org") if version == "4.0" else ("x-abshowas", "COMPANY")
        card.add(shown[0]).value = shown[1]
    else:
        card.add("n").value = _card_name(contact.name, fields)
    for what, prop in (("email", "email"), ("phone", "tel")):
        own = getattr(contact, what)
        if own:
            label = fields.get(f"{what}_label", "").strip() or None  # Рабочий
            if label and _clean_label(label) not in TYPE_WORDS:  # else it reads as a TYPE
                label = _apple(fields.pop(f"{what}_label").strip())
            else:
                label = None
            _typed(card, prop, own, _main_types(fields, what, version), label, version, "1")
        taken = _Keys()
        for key in _in_order(k for k in fields if k.startswith(what + ".")):
            kinds, label = _kinds(fields, key, what)
            label, named = _placed(what, key, kinds, label, taken)
            rank = _rank(fields, key, version)
            _typed(card, prop, fields.pop(key), kinds, label, version, rank, named)
    if contact.company or fields.get("department"):
        org = [contact.company or ""]
        if fields.get("department"):
            org += fields.pop("department").split(";")  # one unit each
        card.add("org").value = org
    if contact.title:
        card.add("title").value = contact.title
    if contact.title and fields.get(JOB_ROLE, "").strip():
        card.add("role").value = fields.pop(JOB_ROLE).strip()
    if contact.notes:
        card.add("note").value = contact.notes
    if contact.tags:
        card.add("categories").value = _categories(list(contact.tags), fields)
    _addresses(card, fields, version)
    if fields.get("website"):
        text = fields.get("website_label", "").strip()  # a TYPE word's stays a field,
        label = None  # as the email's and phone's: it would read as the page's TYPE
        if text and _clean_label(text) not in TYPE_WORDS:
            label = _apple(fields.pop("website_label").strip())
        kinds = [k for k in _main_types(fields, "website", version) if k != "internet"]
        _typed(card, "url", fields.pop("website"), kinds, label, version, None)
        _pages(card, fields, version)
    if fields.get("birthday"):
        _date(card, "bday", fields.pop("birthday"), version)
    for prop, attr in _TINYCRM.items():
        value = getattr(contact, attr, None)
        if isinstance(value, bool):
            if value:  # a flag is written when set: a card without it is not unsubscribed
                card.add(prop.lower()).value = "true"
        elif isinstance(value, datetime):
            card.add(prop.lower()).value = value.astimezone(UTC).isoformat()
        elif value is not None and value != "":
            card.add(prop.lower()).value = str(value)
    _properties(card, fields, version)
    for key, value in sorted(fields.items()):
        item = card.add("x-tinycrm-field")
        item.value = value
        item.params["NAME"] = [key]
    # A field written as a property that reading would not give back as stored (spaces
    # at either end, a second email equal to the first) goes as X-TINYCRM-FIELD too:
    # other apps read the property, tinycrm the field as it was.
    # (a contact whose fields all went as X-TINYCRM-FIELD has nothing to check)
    read = card_values(card) if len(fields) < len(stored) else {}
    for key, value in sorted(stored.items()):
        if key not in fields and read.get(FIELD_PREFIX + key) != value:
            item = card.add("x-tinycrm-field")
            item.value = value
            item.params["NAME"] = [key]
    changed = getattr(contact, "updated_at", None)
    if isinstance(changed, datetime):
        card.add("rev").value = changed.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return card.serialize()


def _is_organisation(contact: Any, fields: dict[str, str]) -> bool:
    """Whether ``contact`` is a company's own card: named as its company, which is what
    a card of no person imports as, and with no N of its own (``name_parts``)."""
    company = (contact.company or "").strip()
    return bool(company) and contact.name == company and NAME_PARTS not in fields


# vCard 4's date-and-or-time (RFC 6350 4.3.4): 19800412, 1980-04-12, --0412, 1980-04,
# ---12, a time after T.
_DATE = re.compile(r"(\d{4}(-?\d\d(-?\d\d)?)?|--\d\d(-?\d\d)?|---\d\d)(T[\dZ:+.-]+)?|T[\dZ:+.-]+")


def _date(card: Any, prop: str, value: str, version: str) -> Any:
    """A BDAY (ANNIVERSARY): in vCard 4 one that is not a date is ``VALUE=text``
    (``circa 1980``), which a date-valued property must say; 3.0 has no such value."""
    item = card.add(prop.lower())
    item.value = value
    if version == "4.0" and not _DATE.fullmatch(value.strip()):
        item.params["VALUE"] = ["text"]
    return item


def _addresses(card: Any, fields: dict[str, str], version: str) -> None:
    """The contact's own address (``street``, ``city``, …; its ``address_type``, taken out)
    and the others (``home.city``, ``home.2.city``) as ADRs, taken out of ``fields``:
    the own one preferred when there are others, and an other one whose key reading would
    not find (``home.city`` of a contact with no own address, ``home.2`` with no ``home``)
    naming it (``X-TINYCRM-KEY=home``)."""
    import vobject

    prefixes = sorted({k.rsplit(".", 1)[0] + "." if "." in k else "" for k in fields})
    written: list[tuple[str, Any]] = []
    taken: set[str] = set()  # the prefixes written (a contact of thousands: no scan each)
    numbered: dict[str, int] = {}  # the number the next home. starts from
    for prefix in _in_order(prefixes):
        parts = {key: fields.pop(prefix + key, "") for key, _ in _ADDRESS_PARTS}
        if not any(parts.values()):
            continue
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(
            box=parts["pobox"],
            extended=parts["street2"],
            street=parts["street"],
            city=parts["city"],
            region=parts["region"],
            code=parts["postcode"],
            country=parts["country"],
        )
        kind = re.sub(r"\.\d+$", "", prefix.rstrip("."))  # home.2: home
        if not prefix:
            own = fields.get(ADDRESS_TYPE, "").strip().lower()
            kind = own if _TYPE_TOKEN.match(own) else "work"
            if kind == own:
                del fields[ADDRESS_TYPE]  # else a field, written as X-TINYCRM-FIELD
        adr.params["TYPE"] = [kind if version == "4.0" else kind.upper()]
        if prefix:  # the prefix reading gives it (home., then home.2.), as _addresses reads
            label = _type_label([kind.lower()])
            read, n = f"{label}.", numbered.get(label, 2)
            while read in taken:
                read, n = f"{label}.{n}.", n + 1
            numbered[label] = max(n - 1, 2)  # the numbers before it are all taken
            if "" not in taken or read != prefix:
                adr.params[KEY_PARAM] = [prefix.rstrip(".")]
        written.append((prefix, adr))
        taken.add(prefix)
    if len(written) > 1 and written[0][0] == "":
        main = written[0][1]
        if version == "4.0":
            main.params["PREF"] = ["1"]
        else:
            main.params["TYPE"] = [*main.params["TYPE"], "PREF"]
    if version == "4.0":
        _labels(card, fields)


def _labels(card: Any, fields: dict[str, str]) -> None:
    """vCard 4's address labels: each ``label`` field (``label.2``, …; 3.0's LABEL kept)
    as the LABEL parameter of an ADR of its type (``label_type``, taken out with it), one
    of no parts of its own when none is left, in the order of their keys, which reading
    numbers them by. One whose type is not TYPE words stays a field, and so does every
    label after a gap in the numbers (``label.2`` without a ``label``): reading would
    number it otherwise."""
    import vobject

    adrs = card.contents.setdefault("adr", [])
    at = 0  # the ADRs before this one are taken, or come before a label already written
    keys = _in_order(k for k in fields if re.fullmatch(rf"{LABEL}(\.\d+)?", k))
    for n, key in enumerate(keys, start=1):
        suffix = key.removeprefix(LABEL)
        kinds = [k.strip().lower() for k in fields.get(f"{LABEL}_type{suffix}", "").split(",")]
        kinds = [k for k in kinds if k]
        if key != (LABEL if n == 1 else f"{LABEL}.{n}"):
            break  # reading would give it the next number: it and the rest stay fields
        if not fields[key].strip() or not all(_TYPE_TOKEN.match(k) for k in kinds):
            break
        found = next((n for n in range(at, len(adrs)) if _adr_types(adrs[n]) == kinds), None)
        if found is None:
            found = at
            adrs.insert(found, Line("adr", None))
            adrs[found].value = vobject.vcard.Address()
            if kinds:
                adrs[found].params["TYPE"] = kinds
        adrs[found].params[LABEL.upper()] = [_label_param(fields.pop(key))]
        fields.pop(f"{LABEL}_type{suffix}", None)
        at = found + 1


def _adr_types(adr: Any) -> list[str]:
    return [t.lower() for t in adr.params.get("TYPE", []) if t.lower() != "pref"]


def _label_param(text: str) -> str:
    """A label as ADR's LABEL parameter: a line break as ``\\n`` (RFC 6350), a double
    quote, which a parameter cannot hold, as ``^'`` (RFC 6868)."""
    text = text.replace("\\", "\\\\").replace("^", "^^").replace('"', "^'")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _pages(card: Any, fields: dict[str, str], version: str) -> None:
    """The other web pages (``website.home``, ``website.blog``), after the contact's own,
    as URLs: a type word as its TYPE, another as an Apple label, as emails go; taken
    out of ``fields``."""
    taken = _Keys()
    for key in _in_order(k for k in fields if k.startswith("website.")):
        kinds, label = _kinds(fields, key, "website")
        label, named = _placed("website", key, kinds, label, taken)
        _typed(card, "url", fields.pop(key), kinds, label, version, None, named)


def _properties(card: Any, fields: dict[str, str], version: str) -> None:
    """The custom fields named after a vCard property (``nickname``, ``impp.2``,
    ``x-skype``: what --keep-extra kept) as that property, taken out of ``fields``; a
    numbered one only after the one before it (reading numbers them in order). KIND,
    GEO, CLASS and LABEL only where ``version`` has them and the value is one the
    property takes (``_VERSIONED``)."""
    written: dict[str, int] = {}
    for key in _in_order(fields):
        name, _, n = key.partition(".")
        prop = name.upper()
        known = prop in KEPT_PROPERTIES or (
            prop.startswith("X-") and not prop.startswith("X-TINYCRM") and prop not in _OWN_X
        )
        raw = None
        if prop in _VERSIONED:
            raw = _VERSIONED[prop](fields[key].strip(), version)
            known = raw is not None
        if not known or not re.fullmatch(r"[A-Z0-9-]+", prop):
            continue
        if (n or "1") != str(written.get(prop, 0) + 1):
            continue  # nickname.2 without a nickname: a field, not the first NICKNAME
        suffix = key.removeprefix(name)  # "" or ".2"
        label = fields.pop(f"{name}_label{suffix}", "").strip()
        group = None
        if label:
            group = f"item{len(card.contents.get('x-ablabel', [])) + 1}"
        if prop in ("ANNIVERSARY", "DEATHDATE"):
            item = _date(card, prop, fields.pop(key), "4.0")  # vCard 4's, dates as BDAY is
        elif raw is not None:
            item = card.add(raw[0].lower())
            item.value = raw[1]
            item.encoded = raw[2]  # GEO: as it stands, its ';' or ',' not escaped
            del fields[key]
        else:
            item = card.add(prop.lower())
            item.value = fields.pop(key)
        if group:
            item.group = group
            card.add("x-ablabel", group=group).value = _apple(label, _APPLE_NAMES)
        kinds = [k.strip() for k in fields.get(f"{name}_type{suffix}", "").split(",")]
        if all(_TYPE_TOKEN.match(k) for k in kinds):
            fields.pop(f"{name}_type{suffix}", None)
            item.params["TYPE"] = kinds
        written[prop] = written.get(prop, 0) + 1


# Apple's and khard's marks of an organisation's card, written from the contact's being
# one (never from a field someone typed, which would make a person's card a company's).
_OWN_X = frozenset(("X-ABLABEL", "X-ABADR", "X-ABSHOWAS", "X-KIND"))
_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
_GEO = (re.compile(rf"({_NUMBER});({_NUMBER})"), re.compile(rf"geo:({_NUMBER}),({_NUMBER})", re.I))


def _kind(value: str, version: str) -> tuple[str, str, bool] | None:
    """KIND (khard's X-KIND in 3.0) of a group or a place, or of a kind of one's own
    (``x-team``); org and individual are said by whether the contact is a company's."""
    ok = value.lower() in ("group", "location") or re.fullmatch(r"(?i)x-[a-z0-9-]+", value)
    return ("KIND" if version == "4.0" else "X-KIND", value, False) if ok else None


def _geo(value: str, version: str) -> tuple[str, str, bool] | None:
    """GEO as the version writes it (3.0 ``37.38;-122.08``, 4.0 ``geo:37.38,-122.08``)
    from either, when it is a latitude and a longitude."""
    found = next((m for pattern in _GEO if (m := pattern.fullmatch(value))), None)
    if found is None or abs(float(found[1])) > 90 or abs(float(found[2])) > 180:
        return None
    return (
        "GEO",
        (f"geo:{found[1]},{found[2]}" if version == "4.0" else f"{found[1]};{found[2]}"),
        True,
    )


def _class(value: str, version: str) -> tuple[str, str, bool] | None:
    """vCard 3's CLASS (vCard 4 has none): PUBLIC, PRIVATE, CONFIDENTIAL or an x-name."""
    ok = re.fullmatch(r"(?i)public|private|confidential|x-[a-z0-9-]+", value)
    return ("CLASS", value, False) if ok and version == "3.0" else None


def _address_label(value: str, version: str) -> tuple[str, str, bool] | None:
    """vCard 3's LABEL, an address as printed (vCard 4's is a parameter of ADR)."""
    return ("LABEL", value, False) if value and version == "3.0" else None


_VERSIONED = {"KIND": _kind, "GEO": _geo, "CLASS": _class, "LABEL": _address_label}


def _uid(contact: Any) -> str:
    """The card's UID: the contact's own; for one without (a dict from elsewhere), one made
    from its id and creation time, the same at every export."""
    own = getattr(contact, "uid", None)
    if own:
        return str(own)
    import uuid

    made = getattr(contact, "created_at", None)
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"tinycrm:contact:{getattr(contact, 'id', None)}:{made}")
    )


def write_vcards(contacts: Iterable[Any], stream: IO[str], *, version: str = "3.0") -> int:
    """Write each contact as a vCard; return how many."""
    count = 0
    for contact in contacts:
        stream.write(contact_card(contact, version=version))
        count += 1
    return count

"""vCard 2.1, 3.0 and 4.0 for contacts, through ``vobject`` (a maintained parser).

Reading splits a file into cards and hands each to vobject, so one broken card
is one rejected record (with its line number) rather than a failed file.
Folded lines, quoted-printable values (with their soft line breaks), charsets
and the TYPE parameters of every version are vobject's business; photos, logos,
sounds and keys are dropped before parsing (they are not kept, and a phone's
photo can be megabytes of base64).

A card becomes the same field names a CSV row maps to: the preferred (else
first) email and phone are the contact's, the others custom fields named by
their type (``email.home``, ``phone.mobile``); the first organisation is the
company; categories are tags; addresses become ``pobox``, ``street2`` (the extended
address: a suite), ``street``, ``city``, ``region``, ``postcode`` and ``country``
custom fields (``home.city`` for a home address next to a work one); the own phone's
and email's TYPE ``phone_type`` and ``email_type``, an N other than the name's split
``name_parts``. Writing (:mod:`tinycrm.formats.vcard_write`) does the reverse, and writes what vCard
has no property for as ``X-TINYCRM-…`` properties that reading takes back: role,
lifecycle, lead status, source, last touch, owner, keep-in-touch cadence, the consent
flags (unsubscribed, do not contact), the creation time, and the other custom fields
(``X-TINYCRM-FIELD;NAME=KEY``). Every card carries the contact's ``UID`` (khard,
vdirsyncer and CardDAV servers refuse a card without one) and its ``REV`` (the time of
its latest change); reading keeps a card's UID, so importing it again updates the contact
it came from.

Emails, phones and web pages are read in :mod:`tinycrm.formats.vcard_types`, addresses
in :mod:`tinycrm.formats.vcard_addresses`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO, Any

from tinycrm.formats.mapping import FIELD_PREFIX, ROW_ERROR, field_key
from tinycrm.formats.vcard_addresses import _address_labels, _addresses, _joined
from tinycrm.formats.vcard_lines import _vobject, qp_mended, qp_named, split_cards
from tinycrm.formats.vcard_types import (
    _GROUPED,
    _TYPE_TOKEN,
    PRODID_PREFIX,
    _is_own,
    _label_text,
    _multi,
    _types,
)

VERSIONS = ("3.0", "4.0")
REJECTED = "X-TINYCRM-REJECTED"  # where and why a card in a rejected rows' report was
PRODID = PRODID_PREFIX + "tinycrm contacts//EN"
JOB_ROLE = "job_role"  # a card's ROLE beside its TITLE (the title's the contact's)
# What vCard has no property for, as X- properties that tinycrm's import reads back.
_TINYCRM = {"X-TINYCRM-ROLE": "role", "X-TINYCRM-LIFECYCLE": "lifecycle",
            "X-TINYCRM-LEAD-STATUS": "lead_status", "X-TINYCRM-SOURCE": "source",
            "X-TINYCRM-LAST-TOUCH": "last_touch", "X-TINYCRM-OWNER": "owner",
            "X-TINYCRM-CADENCE-DAYS": "cadence_days",
            "X-TINYCRM-UNSUBSCRIBED": "unsubscribed",
            "X-TINYCRM-DO-NOT-CONTACT": "do_not_contact",
            "X-TINYCRM-CREATED": "created_at"}  # fmt: skip


# The properties card_values reads (or, for a card's own bookkeeping, means to leave:
# Apple's X-ABADR is the country code of an address's layout, its ADR says the country):
# any other a card holds is named in the import's summary, or kept by --keep-extra.
_READ = frozenset(
    ("VERSION", "PRODID", "REV", "FN", "N", "ORG", "EMAIL", "TEL", "TITLE", "NOTE", "ROLE",
     "CATEGORIES", "ADR", "URL", "BDAY", "UID", "X-ABLABEL", "X-ABADR", "X-TINYCRM-FIELD",
     REJECTED, *_TINYCRM)
)  # fmt: skip


def card_values(
    card: Any, *, keep_extra: bool = False, unread: dict[str, int] | None = None
) -> dict[str, str]:
    """One parsed vCard as field names and values (what a mapped CSV row holds).

    A property it has no field for (``NICKNAME``, ``IMPP``, ``X-SKYPE``) is
    counted in ``unread`` (its name -> cards holding it); with ``keep_extra``, one whose
    value is text is kept instead, as a custom field named after it (``nickname``,
    ``x-skype``; the second of a name as ``nickname.2``)."""
    values: dict[str, str] = {}
    _GROUPED.card = None  # a card built in memory may have changed since it was read
    _extras(card, values, keep_extra or _is_own(card), unread)  # tinycrm's: its fields
    names = _texts(card, "fn")
    name = names[0] if names else ""
    n = card.contents.get("n")
    if not name and n:
        parts = n[0].value
        name = " ".join(
            _joined(p)
            for p in (parts.prefix, parts.given, parts.additional, parts.family, parts.suffix)
            if p
        ).strip()
    org = card.contents.get("org")
    if org:
        parts = [_joined(p) for p in _listed(org[0].value)]  # ORG:Smith, Jones & Co;Sales
        if parts and parts[0].strip():
            values["company"] = parts[0].strip()
        units = ";".join(p.strip() for p in parts[1:]).rstrip(";")
        if units.strip(";"):  # ORG:Acme;Sales;EMEA: Sales;EMEA
            values[FIELD_PREFIX + "department"] = units
    organisation = is_organisation(card) and bool(values.get("company"))
    if organisation:  # named as Apple and khard show it: after its organisation
        name = values["company"]
    values["name"] = " ".join(name.split()) or values.get("company", "")  # a company's card
    _others(names, "name", values, skip=name, start=2)  # in another script (vCard 4's ALTID)
    if n and not organisation:  # an organisation's N names no person
        _name_parts(n[0].value, values)
    _multi(card, "email", values)
    _multi(card, "phone", values)
    props = card.contents.get("title")
    if props and str(props[0].value).strip():
        values["title"] = str(props[0].value).strip()
    notes = [str(p.value).replace("\r\n", "\n").replace("\r", "\n").strip()
             for p in card.contents.get("note", [])]  # fmt: skip
    if any(notes):
        values["notes"] = "\n\n".join(note for note in notes if note)  # one NOTE per note
    for prop_name, key in (("title", "title"), ("org", "company")):
        for n, prop in enumerate(card.contents.get(prop_name, [])[1:], start=2):
            value = prop.value  # a second TITLE or ORG: title.2, company.2
            text = ";".join(map(_joined, _listed(value)))
            if text.strip(" ;"):
                values[f"{FIELD_PREFIX}{key}.{n}"] = text.strip()
    roles = _texts(card, "role")
    if roles and "title" not in values:
        values["title"] = roles.pop(0)
    _others(roles, JOB_ROLE, values, skip=values.get("title", ""))  # beside a TITLE
    tags: list[str] = []
    for prop in card.contents.get("categories", []):
        value = prop.value if isinstance(prop.value, list) else str(prop.value).split(",")
        tags += [str(t).strip() for t in value if str(t).strip()]
    if tags:
        values["tags"] = ",".join(t.replace(",", " ").replace(";", " ") for t in tags)
        kept = [t for t in tags if "," in t or ";" in t]  # a tag holds neither
        if kept:  # Sales, EMEA: the tag 'sales emea', and the category as it was
            values[FIELD_PREFIX + CATEGORIES] = "\n".join(sorted(set(kept)))  # any order
    _addresses(card, values)
    _address_labels(card, values)
    _multi(card, "url", values)
    birthdays = [_no_year(p) for p in card.contents.get("bday", []) if str(p.value).strip()]
    _others(birthdays, "birthday", values)
    uid = card.contents.get("uid")
    if uid and str(uid[0].value).strip():
        values["uid"] = str(uid[0].value).strip()
    for prop in card.getChildren():
        if prop.name in _TINYCRM and str(prop.value).strip():
            values[_TINYCRM[prop.name]] = str(prop.value).strip()
        elif prop.name == "X-TINYCRM-FIELD" and prop.params.get("NAME"):
            key = FIELD_PREFIX + prop.params["NAME"][0]
            for other in [k for k in values if k.lower() == key.lower() and k != key]:
                del values[other]  # as stored (email.Home), not as a TYPE reads (email.home)
            values[key] = str(prop.value)
    return values


def _listed(value: Any) -> list[Any]:
    """A compound value's components (ORG's), a value of one as a list of it."""
    return value if isinstance(value, list) else [value]


def _texts(card: Any, prop_name: str) -> list[str]:
    """The values of a property the card holds, as text, the empty ones left out."""
    found = (str(prop.value).strip() for prop in card.contents.get(prop_name.lower(), []))
    return [text for text in found if text]


def _no_year(prop: Any) -> str:
    """A BDAY as text; Apple's date without a year (``X-APPLE-OMIT-YEAR=1604`` on
    ``1604-04-12``) as the form vCard 4 and Google give one, ``--04-12``."""
    text = str(prop.value).strip()
    omitted = str((prop.params.get("X-APPLE-OMIT-YEAR") or [""])[0]).strip()
    if len(omitted) == 4 and omitted.isdigit() and text.startswith(omitted):
        rest = text[4:]
        if re.fullmatch(r"-?\d\d-?\d\d", rest):
            return "--" + rest.removeprefix("-")
    return text


def _others(
    texts: list[str], key: str, values: dict[str, str], *, skip: str = "", start: int = 1
) -> None:
    """``texts`` as custom fields, the way a second TITLE is kept: ``key`` (or ``key.2``
    when ``start`` is 2), then ``key.2``, ``key.3``; ``skip`` (what the field of the card
    holds already) and a repeat of one kept are not kept again."""
    kept = [skip]
    for text in texts:
        if text not in kept:
            n = len(kept) + start - 1
            values[FIELD_PREFIX + (key if n == 1 else f"{key}.{n}")] = text
            kept.append(text)


# The card's categories holding a comma or semicolon, one a line, as it gave them ('Sales,
# EMEA'): their tags hold a space instead ('sales emea'); export writes them back.
CATEGORIES = "categories"


def _categories(tags: list[str], fields: dict[str, str]) -> list[str]:
    """The CATEGORIES of a contact: its tags, one a category of the ``categories`` field
    (taken out of ``fields``) made into a tag as the category it was."""
    kept = fields.pop(CATEGORIES, "").split("\n")
    was = {" ".join(k.replace(",", " ").replace(";", " ").split()).casefold(): k for k in kept}
    return [was.get(" ".join(tag.split()).casefold(), tag) for tag in tags]


# N as the card gave it (``García Márquez;Gabriel;;Dr.;PhD``), when it is not what the
# name's split gives (the last word the family name): export writes it back.
NAME_PARTS = "name_parts"
_N_ATTRS = ("family", "given", "additional", "prefix", "suffix")


def _name_parts(name: Any, values: dict[str, str]) -> None:
    parts = []
    for attr in _N_ATTRS:
        part = getattr(name, attr, "") or ""
        text = ",".join(str(p).strip() for p in part) if isinstance(part, list) else str(part)
        parts.append(" ".join(text.split()))
    given, family = _split_name(values["name"])
    if any(parts) and parts != [family, given, "", "", ""] and not any(";" in p for p in parts):
        values[FIELD_PREFIX + NAME_PARTS] = ";".join(parts)


def _card_name(name: str, fields: dict[str, str]) -> Any:
    """The N of a card: the ``name_parts`` field (taken out of ``fields``) while the name
    still holds its family and given names, else the name split at its last word."""
    import vobject

    parts = fields.get(NAME_PARTS, "").split(";")
    words = " ".join(parts[:2]).replace(",", " ").split()
    if len(parts) == 5 and words and all(w in name.split() for w in words):
        del fields[NAME_PARTS]
        split = [p.split(",") if "," in p else p for p in parts]
        return vobject.vcard.Name(**dict(zip(_N_ATTRS, split, strict=True)))
    given, family = _split_name(name)
    return vobject.vcard.Name(family=family, given=given)


# What says a card is an organisation's, not a person's: vCard 4's KIND, khard's X-KIND
# in 3.0, Apple's X-ABShowAs (its default, PERSON, said too); read, never left over.
_KIND_OF = {"KIND": ("org", "individual"), "X-KIND": ("org", "individual"),
            "X-ABSHOWAS": ("company", "person")}  # fmt: skip


def is_organisation(card: Any) -> bool:
    """Whether ``card`` is an organisation's (KIND:org, X-KIND:org, X-ABShowAs:COMPANY)."""
    return any(
        str(prop.value).strip().lower() == _KIND_OF[prop.name][0]
        for prop in card.getChildren()
        if prop.name in _KIND_OF
    )


def _extras(
    card: Any, values: dict[str, str], keep_extra: bool, unread: dict[str, int] | None
) -> None:
    """The properties of ``card`` that are not read as fields: kept as custom fields
    (``keep_extra``, text values only; a 2.1 or 3.0 LABEL always) or counted in
    ``unread``, once per card; khard's X-KIND of 3.0 is vCard 4's KIND (``kind``)."""
    seen: set[str] = set()
    numbered: dict[str, int] = {}  # the number the next nickname starts from
    for prop in card.getChildren():
        name = str(prop.name).upper()
        if name in _READ or str(prop.value).strip().lower() in _KIND_OF.get(name, ()):
            continue
        value = prop.value
        kept = keep_extra or name == "LABEL"  # an address as printed: kept as the ADR is
        if kept and isinstance(value, str) and value.strip():
            stem = field_key("KIND" if name == "X-KIND" else name)
            key = FIELD_PREFIX + stem
            n = numbered.get(stem, 2)
            while key in values:
                key = f"{FIELD_PREFIX}{stem}.{n}"
                n += 1
            numbered[stem] = max(n - 1, 2)  # the numbers before it are all taken
            values[key] = value.strip()
            _kept_with(prop, card, key.removeprefix(FIELD_PREFIX), values)
        elif unread is not None and name not in seen:
            unread[name] = unread.get(name, 0) + 1
        seen.add(name)


def _kept_with(prop: Any, card: Any, key: str, values: dict[str, str]) -> None:
    """The TYPEs and Apple label of a property kept as the custom field ``key``
    (``related``: ``related_type`` spouse; ``x-abdate``: ``x-abdate_label``
    Anniversary), which export writes back with it."""
    name, dot, n = key.partition(".")
    kinds = [k for k in _types(prop) if _TYPE_TOKEN.match(k)]
    if kinds:
        values[f"{FIELD_PREFIX}{name}_type{dot}{n}"] = ",".join(dict.fromkeys(kinds))
    label = _label_text(prop, card)
    if label:
        values[f"{FIELD_PREFIX}{name}_label{dot}{n}"] = label


# Properties --keep-extra keeps as custom fields (``nickname``, ``impp.2``) that export
# writes back as themselves, as do the X- properties of other apps (``x-skype``); KIND,
# GEO, CLASS and LABEL only when the value is one they take in the version written
# (vcard_write._VERSIONED): a field of that name someone typed (KIND:customer, GEO:EMEA)
# would bend the card.
KEPT_PROPERTIES = frozenset(
    ("NICKNAME", "ANNIVERSARY", "IMPP", "RELATED", "GENDER", "LANG", "TZ", "FBURL",
     "CALURI", "CALADRURI", "EXPERTISE", "HOBBY", "INTEREST", "ORG-DIRECTORY",
     "BIRTHPLACE", "DEATHPLACE", "DEATHDATE", "SOCIALPROFILE")
)  # fmt: skip


def read_vcards(
    stream: IO[bytes],
    *,
    name: str,
    keep_extra: bool = False,
    unread: dict[str, int] | None = None,
    outside: dict[str, int] | None = None,
    cut: list[str] | None = None,
) -> Iterator[tuple[int, dict[str, str], str]]:
    """(line, values, card text) for each card; a card vobject cannot read carries
    ``ROW_ERROR`` in its values instead (so it is reported, not fatal). ``keep_extra``
    and ``unread``: as ``card_values`` takes them; ``outside``: as ``split_cards``;
    ``cut`` lists the quoted-printable values read up to a character cut short."""
    vobject = _vobject()

    read = None if keep_extra else _READ  # a property over the limit: rejects its card
    cards = split_cards(stream, name=name, dropped=unread, read=read, outside=outside)
    for line, text, broken in cards:
        if broken:
            yield line, {ROW_ERROR: f"cannot read this vCard: {broken}"}, text
            continue
        try:
            named, mended = qp_mended(qp_named(text))
            if cut is not None:
                cut.extend(f"{prop} (card on line {line:,})" for prop in mended)
            try:
                card = vobject.readOne(named, allowQP=True)
            except UnicodeDecodeError:
                card = vobject.readOne(_qp_charset(named), allowQP=True)
            values = card_values(card, keep_extra=keep_extra, unread=unread)
        except Exception as exc:  # vobject raises many kinds; any means "cannot read this card"
            reason = " ".join(str(exc).split()) or type(exc).__name__
            values = {ROW_ERROR: f"cannot read this vCard: {reason[:200]}"}
        yield line, values, text


def _qp_charset(text: str) -> str:
    """``text`` with a charset on each quoted-printable property that names none: UTF-8
    when its bytes are (Android's), else ``windows-1252`` (what Outlook and older phones
    write), each value in its own, where vobject reads them all as UTF-8."""
    lines = text.split("\r\n")
    for at, line in enumerate(lines):
        head, colon, rest = line.partition(":")
        upper = head.upper()
        if colon and "QUOTED-PRINTABLE" in upper and "CHARSET" not in upper:
            after = at  # its soft breaks, as vobject joins them
            while rest.endswith("=") and after + 1 < len(lines):
                after += 1
                rest = rest[:-1] + lines[after]
            data = codecs.decode(rest.encode("utf-8", "replace"), "quopri")
            charset = "UTF-8" if _is_utf8(data) else "windows-1252"
            lines[at] = f"{head};CHARSET={charset}:{line.partition(':')[2]}"
    return "\r\n".join(lines)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ------------------------------------------------ shared with writing (vcard_write)


def _split_name(name: str) -> tuple[str, str]:
    """(given, family): the last word is the family name."""
    words = name.split()
    if len(words) < 2:
        return name, ""
    return " ".join(words[:-1]), words[-1]


def rejected_card(line: int, reason: str, text: str) -> str:
    """A rejected card for the rows' report: the card as the file held it (``text``,
    from ``split_cards``), with an ``X-TINYCRM-REJECTED;LINE=N:reason`` property after
    its BEGIN line (an earlier report's replaced), which reading passes over: the
    report, once fixed, imports again."""
    escaped = "".join(_ESCAPES.get(c, c) for c in reason)
    lines: list[str] = []
    dropping = False
    for card_line in text.rstrip("\r\n").split("\r\n"):
        if dropping and card_line[:1] in (" ", "\t"):
            continue  # the folded rest of an earlier report's property
        dropping = card_line.split(";", 1)[0].split(":", 1)[0].strip().upper() == REJECTED
        if not dropping:
            lines.append(card_line)
    at = 1  # after the BEGIN line and its folded rest: a fold there stays BEGIN's
    while at < len(lines) and lines[at][:1] in (" ", "\t"):
        at += 1
    lines.insert(at, f"{REJECTED};LINE={line}:{escaped}")
    return "\r\n".join(lines) + "\r\n"


_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "", ",": "\\,", ";": "\\;"}

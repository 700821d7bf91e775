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
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterator
from typing import IO, Any

from tinycrm.formats.mapping import FIELD_PREFIX, ROW_ERROR, field_key
from tinycrm.formats.vcard_lines import _vobject, qp_mended, qp_named, split_cards
from tinycrm.search_text import fold

VERSIONS = ("3.0", "4.0")
REJECTED = "X-TINYCRM-REJECTED"  # where and why a card in a rejected rows' report was
PRODID_PREFIX = "-//tinycrm//"
PRODID = PRODID_PREFIX + "tinycrm contacts//EN"
_ADDRESS_PARTS = (
    ("pobox", "box"),
    ("street2", "extended"),  # a suite, an apartment, a building
    ("street", "street"),
    ("city", "city"),
    ("region", "region"),
    ("postcode", "code"),
    ("country", "country"),
)
JOB_ROLE = "job_role"  # a card's ROLE beside its TITLE (the title's the contact's)
ADDRESS_TYPE = "address_type"  # the TYPE of the contact's own address, when not work
_IGNORED_TYPES = frozenset({"internet", "voice", "pref", "x400", "msg", "text", "other"})
_TYPE_NAMES = {"cell": "mobile", "iphone": "mobile", "mobile": "mobile", "main": "main"}
# What vCard has no property for, as X- properties that tinycrm's import reads back.
_TINYCRM = {"X-TINYCRM-ROLE": "role", "X-TINYCRM-LIFECYCLE": "lifecycle",
            "X-TINYCRM-LEAD-STATUS": "lead_status", "X-TINYCRM-SOURCE": "source",
            "X-TINYCRM-LAST-TOUCH": "last_touch", "X-TINYCRM-OWNER": "owner",
            "X-TINYCRM-CADENCE-DAYS": "cadence_days",
            "X-TINYCRM-UNSUBSCRIBED": "unsubscribed",
            "X-TINYCRM-DO-NOT-CONTACT": "do_not_contact",
            "X-TINYCRM-CREATED": "created_at"}  # fmt: skip


def _types(prop: Any) -> list[str]:
    found: list[str] = []
    for value in prop.params.get("TYPE", []):
        found += [t.strip().strip('"').lower() for t in value.split(",") if t.strip()]
    found += [p.lower() for p in getattr(prop, "singletonparams", [])]
    return found


def _preference(prop: Any) -> int | None:
    """How preferred a value is, 1 the most (vCard 4's ``PREF=1``..``100``; 2.1's and
    3.0's ``TYPE=pref`` is 1); None when the card does not say."""
    for value in prop.params.get("PREF", []):
        if str(value).strip().isdigit():
            return int(str(value).strip())
    return 1 if "pref" in _types(prop) else None


def _most_preferred(props: list[Any]) -> Any | None:
    """The value the card prefers most (the first of equals), None when it prefers none."""
    ranked = [(rank, n) for n, p in enumerate(props) if (rank := _preference(p)) is not None]
    return props[min(ranked)[1]] if ranked else None


def _label_text(prop: Any, card: Any) -> str:
    """The text of the Apple label of a value in a group (``item1.X-ABLabel:Büro``;
    ``_$!<Home>!$_``: Home), else ''."""
    group = getattr(prop, "group", None)
    if group:
        for other in _grouped(card).get(group, ()):
            text = str(other.value).strip()
            text = re.sub(r"^_\$!<(.*)>!\$_$", r"\1", text)
            if text:
                return text
    return ""


_GROUPED = threading.local()  # the card card_values reads, and its labels by group


def _grouped(card: Any) -> dict[str, list[Any]]:
    """The X-ABLabel properties of ``card`` by group, found once a card (a card of
    thousands of labelled values: not a scan for each); card_values starts afresh."""
    if getattr(_GROUPED, "card", None) is not card:
        found: dict[str, list[Any]] = {}
        for other in card.contents.get("x-ablabel", []):
            if getattr(other, "group", None):
                found.setdefault(other.group, []).append(other)
        _GROUPED.card, _GROUPED.found = card, found
    return _GROUPED.found  # type: ignore[no-any-return]


# The TYPE words of an email or phone (RFC 2426, RFC 6350, Apple's main and iphone; mobile
# is cell): a key of one (phone.work, phone.work.2) goes out as that TYPE; a key of any
# other word (phone.assistant, email.2) as an Apple label, since a TYPE of it is one
# nobody wrote and address books show as 'other'.
TYPE_WORDS = frozenset(
    ("home", "work", "voice", "fax", "msg", "cell", "mobile", "pager", "bbs", "modem", "car",
     "isdn", "video", "pcs", "text", "textphone", "main", "iphone", "other", "internet", "x400")
)  # fmt: skip
# Apple's own labels, written _$!<HomeFAX>!$_ (Contacts shows each in the reader's language).
APPLE_LABELS = frozenset(
    ("Home", "Work", "Other", "Mobile", "iPhone", "Main", "Pager", "HomeFAX", "WorkFAX",
     "OtherFAX", "HomePage", "School")
)  # fmt: skip


def _kept_label(text: str, key_label: str) -> bool:
    """Whether an Apple label's ``text`` is kept beside the value it labels: unless it is
    a TYPE word (``_$!<Home>!$_``, which export writes as TYPE=HOME) or the very word of
    its key (``2`` of ``email.2``, which export writes as the label again, as it does
    Apple's own of it: homefax, ``_$!<HomeFAX>!$_``)."""
    if text in APPLE_LABELS and _clean_label(text) == key_label:
        return False
    return bool(text) and _clean_label(text) not in TYPE_WORDS and text != key_label


def _clean_label(text: str) -> str:
    """A label as a custom field's name takes it (a-z, digits), its letters as search
    folds them (Büro: buro, Straße: strasse); '' for one of another script."""
    return re.sub(r"[^a-z0-9.]+", "-", fold(text)).strip("-.")


def _group_label(prop: Any, card: Any) -> str | None:
    """The Apple label of a value in a group (``item1.X-ABLabel:_$!<Home>!$_``: home)."""
    return _clean_label(_label_text(prop, card)) or None


def _label(prop: Any, card: Any) -> str:
    """The type a value is filed under: mobile, home, work, fax, an Apple label, …"""
    return _group_label(prop, card) or _type_label(_types(prop))


def _type_label(kinds: list[str]) -> str:
    """The label TYPEs give a value (``work,cell``: work; ``home,fax``: fax)."""
    types = [t for t in kinds if t not in _IGNORED_TYPES]
    if "fax" in types:
        return "fax"
    for t in types:
        if t.startswith("x-"):
            t = t[2:]
        if t:
            return _TYPE_NAMES.get(t, re.sub(r"[^a-z0-9]+", "-", fold(t)).strip("-") or "other")
    return "other"


_MULTI = {"email": ("email", "email"), "phone": ("tel", "phone"), "url": ("url", "field:website")}


def _multi(card: Any, what: str, values: dict[str, str]) -> None:
    """Emails, phones or web pages: the preferred one is the contact's (its email, phone,
    ``website``), the rest custom fields by type (``email.home``, ``website.other``). A
    card that prefers none gives its first; one tinycrm wrote marks the contact's email and
    phone as preferred, so when it prefers none of them the contact had none."""
    prop_name, field = _MULTI[what]
    what = field.removeprefix(FIELD_PREFIX)
    props = [p for p in card.contents.get(prop_name, [])]
    items = []
    for prop in props:
        value = str(prop.value).strip()
        if what == "phone":
            value = _tel_text(value)
        if value:
            items.append((prop, value))
    if not items:
        return
    preferred = _most_preferred([prop for prop, _ in items])
    primary: tuple[Any, str] | None = next((i for i in items if i[0] is preferred), items[0])
    if preferred is None and what != "website" and _is_own(card):
        primary = None
    if primary is not None:
        values[field] = primary[1]
        kinds = _own_types(primary[0], card)
        if kinds:
            values[FIELD_PREFIX + _TYPE_FIELD[what]] = ",".join(kinds)
        text = _label_text(primary[0], card)
        if _kept_label(text, ""):  # Рабочий, Büro, Assistant: as Apple wrote it
            values[FIELD_PREFIX + what + "_label"] = text
    said = set(_said_types(primary[0]) + _own_types(primary[0], card)) if primary else set()
    lowered = {k.lower() for k in values}  # a card of thousands: each lookup, not a scan
    numbered: dict[str, int] = {}  # the number the next home starts from (home.2, …)

    def put(key: str, text: str) -> None:
        values[FIELD_PREFIX + key] = text
        lowered.add((FIELD_PREFIX + key).lower())

    for prop, value in items:
        if primary is not None and (prop, value) is primary:
            continue
        if primary is not None and value == primary[1] and set(_said_types(prop)) <= said:
            continue  # the contact's own again; not the same number as its fax
        label = _label(prop, card)
        key = f"{what}.{label}"
        n = numbered.get(label, 2)
        while FIELD_PREFIX + key in values:
            key = f"{what}.{label}.{n}"
            n += 1
        numbered[label] = max(n - 1, 2)  # the numbers before it are all taken
        named = str((prop.params.get(KEY_PARAM) or [""])[0])  # tinycrm's: phone.Work
        ours = _KEY.fullmatch(named) and named.lower().startswith(what + ".")
        if ours and (FIELD_PREFIX + named).lower() not in lowered:
            key, label = named, re.sub(r"\.\d+$", "", named.split(".", 1)[1])
        put(key, value)
        kinds = _other_types(prop, key)
        if kinds:  # work,cell: the key says work, phone_type.work says both
            put(_TYPE_FIELD[what] + key.removeprefix(what), ",".join(kinds))
        rank = str((prop.params.get("PREF") or [""])[0]).strip()
        if what != "website" and rank.isdigit() and 1 <= int(rank) <= 100:
            put(what + "_pref" + key.removeprefix(what), rank)  # PREF=2
        text = _label_text(prop, card)
        if _kept_label(text, label):  # Рабочий (filed as other), Büro (as buro): as it was
            put(what + "_label" + key.removeprefix(what), text)


def _tel_text(value: str) -> str:
    """A TEL as a person writes it: a ``tel:`` URI (vCard 4, RFC 3966) without its
    scheme, its extension as ``ext. N`` (``tel:+1-555-555-5555;ext=5555``:
    ``+1-555-555-5555 ext. 5555``, which ``phones`` reads as that number's extension),
    a local number's ``phone-context`` of digits before it (``tel:863-1234;phone-context=
    +1-914-555``: ``+1-914-555 863-1234``), any other parameter (``isub=7``) kept after."""
    if value[:4].lower() != "tel:":
        return value
    number, *params = (part.strip() for part in value[4:].split(";"))
    ext, rest = "", []
    for param in params:
        name, _, given = param.partition("=")
        if name.lower() == "ext" and given and not ext:
            ext = given
        elif name.lower() == "phone-context" and given.startswith("+"):
            number = f"{given} {number}"
        elif param:
            rest.append(param)
    return number + (f" ext. {ext}" if ext else "") + "".join(f";{p}" for p in rest)


# The custom field key of an email, phone or web page tinycrm wrote, when its TYPE or
# label would read back as another (phone.Work, phone.a_b): TEL;X-TINYCRM-KEY=phone.Work.
KEY_PARAM = "X-TINYCRM-KEY"
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


# Where the type of the contact's own email and phone (``home``, ``cell``) is kept: a
# custom field whose key does not start ``email.``/``phone.`` (those are the other values).
_TYPE_FIELD = {"email": "email_type", "phone": "phone_type", "website": "website_type"}
_TYPE_TOKEN = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def _own_types(prop: Any, card: Any) -> list[str]:
    """The TYPEs of the contact's own email or phone as the card gave them, less ``pref``
    (its being the contact's says so) and ``internet`` (what every email is); an Apple
    label of a TYPE word (``_$!<Mobile>!$_``) is one more (``cell``), another label is
    kept as its text (``phone_label``), not as a TYPE."""
    kinds: list[str] = []
    label = _group_label(prop, card)
    label = label if label in TYPE_WORDS else None
    label = "cell" if label == "mobile" else label
    for kind in [*_types(prop), *([label] if label else [])]:
        if kind not in ("pref", "internet") and _TYPE_TOKEN.match(kind) and kind not in kinds:
            kinds.append(kind)
    return kinds


def _other_types(prop: Any, key: str) -> list[str]:
    """The TYPEs of an email or phone that is not the contact's own (``email.home``,
    ``phone.work``) when its key does not say them all (``TYPE=work,cell``, filed as
    ``phone.work`` as it always was), else none; ``pref``, ``internet`` and ``voice``
    (what every email and phone is) left out."""
    kinds = _said_types(prop)
    return [] if set(kinds) <= set(_type_of(key)) else kinds


def _said_types(prop: Any) -> list[str]:
    """The TYPEs of an email or phone, less ``pref``, ``internet`` and ``voice``."""
    kinds: list[str] = []
    for kind in _types(prop):
        if kind not in ("pref", "internet", "voice") and _TYPE_TOKEN.match(kind):
            kinds += [] if kind in kinds else [kind]
    return kinds


def _main_types(fields: dict[str, str], what: str, version: str) -> list[str]:
    """The TYPEs to write on the contact's own email or phone: its ``email_type`` /
    ``phone_type`` field (taken out of ``fields``; one that is not a list of TYPE words
    stays, written as a field), else none: a phone of unknown kind is not said to be
    WORK (a TYPE-less TEL is a voice number, RFC 2426). An email is INTERNET in 3.0."""
    key = _TYPE_FIELD[what]
    kinds = [k.strip().lower() for k in fields.get(key, "").split(",") if k.strip()]
    if kinds and all(_TYPE_TOKEN.match(k) for k in kinds):
        fields.pop(key)
    else:
        kinds = []
    kinds = [k for k in kinds if k not in ("pref", "internet")]
    if what == "email" and version == "3.0":
        kinds.insert(0, "internet")
    return kinds


def _is_own(card: Any) -> bool:
    """Whether tinycrm wrote ``card``: its PRODID, or (an export before cards had one)
    the ``X-TINYCRM-CREATED`` every contact's card carries."""
    prodid = card.contents.get("prodid")
    if prodid and str(prodid[0].value).startswith(PRODID_PREFIX):
        return True
    return bool(card.contents.get("x-tinycrm-created"))


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


def _named(prop: Any) -> str:
    """The custom field key tinycrm's card names on a value (``X-TINYCRM-KEY``), else ''."""
    text = str((prop.params.get(KEY_PARAM) or [""])[0])
    return text if _KEY.fullmatch(text) else ""


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


def _joined(part: Any) -> str:
    """A component of N, ADR or ORG as text: vobject splits one at a comma the card did
    not escape (``ORG:Smith, Jones & Co``, as vCard 2.1 and many 3.0 writers have it),
    which is put back."""
    return ",".join(map(str, part)) if isinstance(part, list) else str(part or "")


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
    (``keep_extra``, text values only) or counted in ``unread``, once per card; khard's
    X-KIND of 3.0 is vCard 4's KIND (``kind``)."""
    seen: set[str] = set()
    numbered: dict[str, int] = {}  # the number the next nickname starts from
    for prop in card.getChildren():
        name = str(prop.name).upper()
        if name in _READ or str(prop.value).strip().lower() in _KIND_OF.get(name, ()):
            continue
        value = prop.value
        if keep_extra and isinstance(value, str) and value.strip():
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


def _type_of(key: str) -> list[str]:
    """The TYPEs the key of an email, phone or web page says (``phone.mobile``: cell);
    none for ``other``, what a value the card gave no TYPE is filed as."""
    label = key.split(".", 1)[1].lower() if "." in key else ""
    label = label.split(".")[0]
    return {"mobile": ["cell"], "": [], "other": []}.get(label, [label] if label.isalpha() else [])


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

"""The emails, phones and web pages of a vCard, and how a card files each value: its
TYPEs (``work,cell``), its preference (``PREF=1``, 3.0's ``TYPE=pref``), Apple's label
in a group (``item1.X-ABLabel:_$!<Home>!$_``) and the custom field key tinycrm names on
it (``X-TINYCRM-KEY``). Read by :mod:`tinycrm.formats.vcard`, written back by
:mod:`tinycrm.formats.vcard_write`.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from tinycrm.formats.mapping import FIELD_PREFIX
from tinycrm.search_text import fold

PRODID_PREFIX = "-//tinycrm//"  # how a card of tinycrm's own is told (_is_own)
_IGNORED_TYPES = frozenset({"internet", "voice", "pref", "x400", "msg", "text", "other"})
_TYPE_NAMES = {"cell": "mobile", "iphone": "mobile", "mobile": "mobile", "main": "main"}


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


def _named(prop: Any) -> str:
    """The custom field key tinycrm's card names on a value (``X-TINYCRM-KEY``), else ''."""
    text = str((prop.params.get(KEY_PARAM) or [""])[0])
    return text if _KEY.fullmatch(text) else ""


def _type_of(key: str) -> list[str]:
    """The TYPEs the key of an email, phone or web page says (``phone.mobile``: cell);
    none for ``other``, what a value the card gave no TYPE is filed as."""
    label = key.split(".", 1)[1].lower() if "." in key else ""
    label = label.split(".")[0]
    return {"mobile": ["cell"], "": [], "other": []}.get(label, [label] if label.isalpha() else [])

"""Validation and normalisation of values before they are stored.

Each function returns the clean value or raises ``Invalid`` with one line a user
can act on. The CLI and the board share these rules by going through the store.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tinycrm import money, safetext
from tinycrm.safetext import quoted
from tinycrm.search_text import MAX_SEARCH, fold
from tinycrm.store.errors import Invalid
from tinycrm.vocab import ACTIVITY_KINDS, LIFECYCLES, ROLES

_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)
_FIELD_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
MAX_TEXT = 10_000
# An activity's body: a mail's (mail_log keeps 100,000 characters of its text, with its
# From, To and Cc lines above), a logged note's or a task's; import takes as long a one.
MAX_BODY = 1_000_000
MAX_SIZE = 2**31 - 1  # PostgreSQL's INTEGER: a larger size would not fit its column


def _field(what: str) -> str:
    """The input a message's subject names: "deal title" -> "title", "phone" -> "phone"."""
    return what.split()[-1].replace("-", "_") if what.strip() else what


def filters_given(**filters: object) -> None:
    """A filter given blank is refused, not read as no filter: ``--owner "$WHO"`` with WHO
    unset listed every record (and a script went on to act on them all)."""
    for name, value in filters.items():
        if isinstance(value, str) and not value.strip():
            what = name.replace("_", " ")
            said = f"the {what} must not be empty: leave it out to list them all"
            raise Invalid(said, field=name)


def key(text: str) -> str:
    """The case-insensitive comparison key of a name: casefolded, spaces collapsed, and
    one spelling of what Unicode holds to be one text (NFC: "Café" typed with é, or with
    e and a combining accent as macOS file names and some keyboards give it, is one name).
    Migration 0028 keeps a copy: change both or neither."""
    if text.isascii():
        return " ".join(text.split()).casefold()
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold())
    return " ".join(text.split())


def folded(text: str) -> str:
    """How a list's search compares text, stored and typed alike: ``search_text.fold`` (the
    folding of ``tinycrm search``: case, accents, and letters as a reader takes them, so
    "Søren Straße" is "soren strasse"), spaces collapsed. In SQL: ``sql_folded``."""
    return " ".join(fold(text).split())


def sql_folded(column: Any) -> Any:
    """``column`` folded by the database as ``folded`` folds (``tinycrm_fold_text``: every
    tinycrm connection to SQLite has it, PostgreSQL's is made by migration 0026), for a
    LIKE with ``contains_pattern``. (SQLAlchemy loads here: this module stays light.)"""
    from sqlalchemy import func

    return func.tinycrm_fold_text(column)


def contains_pattern(text: str) -> str:
    """A LIKE pattern (with ``ESCAPE '\\'``) matching values that contain ``folded(text)``:
    for a column stored folded (a contact's ``search_key``) or folded in SQL (``sql_folded``).
    Text over ``MAX_SEARCH`` characters is refused (SQLite: "pattern too complex")."""
    if len(text) > MAX_SEARCH:
        raise Invalid(
            f"search text is too long: {len(text):,} characters (at most {MAX_SEARCH:,})",
            field="search",
        )
    searchable(text)
    escaped = folded(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def searchable(value: str, what: str = "search") -> str:
    """Text to look for: anything goes but NUL, which neither SQLite's full-text search nor
    PostgreSQL can take (refused here so that both say the same)."""
    text(value, what)
    if "\x00" in value:
        raise Invalid(f"{what}: {safetext.problem(value)}", field=_field(what))
    return value


def plain(value: str, what: str, *, multiline: bool = False) -> str:
    r"""``value`` if it holds no control character, DEL, NUL or bidi control, else ``Invalid``.

    Every text the store writes passes here first, so SQLite and PostgreSQL (which
    cannot store NUL) refuse the same input with the same message. Line breaks
    (``\r\n`` and ``\r`` read as ``\n``) and tabs pass: a one-line field folds them
    into spaces afterwards, a ``multiline`` one (notes, bodies) keeps them.
    """
    text(value, what)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    why = safetext.problem(value, multiline=True)
    if why is not None:
        raise Invalid(f"{what}: {why}", field=_field(what))
    return value


def line(value: str, what: str) -> str:
    """A one-line text as stored: checked by ``plain``, whitespace runs folded to one space."""
    return " ".join(plain(value, what).split())


MAX_INT = 2**63 - 1
"""The largest whole number SQLite's INTEGER and PostgreSQL's BIGINT hold."""


def text(value: object, what: str, *, field: str | None = None) -> str:
    """``value`` if it is a ``str``; anything else (a number, None, bytes, a list) is
    ``Invalid``, never a TypeError from the checks after this."""
    if not isinstance(value, str):
        raise Invalid(
            f"{what} must be text, not {type(value).__name__}", field=field or _field(what)
        )
    return value


def integer(value: object, what: str) -> int:
    """``value`` as an ``int`` if it is one (or what stands for one, such as numpy's),
    never a bool, a float or text: those are ``Invalid`` (``field=what``)."""
    if isinstance(value, bool):
        raise Invalid(f"{what} must be a whole number, not a bool", field=what)
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise Invalid(
            f"{what} must be a whole number, not {type(value).__name__}", field=what
        ) from None


def flag(value: object, what: str) -> bool:
    """A yes/no: ``True`` or ``False`` (None: no, as cleared). Text or a number is
    ``Invalid``, never read as true because it is not empty (``bool("no")``)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{what} must be True or False, not {type(value).__name__}", field=what)
    return value


def whole(value: object, what: str, *, low: int = 0, high: int = MAX_INT) -> int:
    """A whole number (``integer``) from ``low`` to ``high``; ``Invalid`` otherwise, so
    that no value reaches the database as a driver's OverflowError or DataError."""
    number = integer(value, what)
    if number < low:
        raise Invalid(f"{what} must be at least {low:,}, not {number:,}", field=what)
    if number > high:
        raise Invalid(f"{what} is too large (at most {high:,})", field=what)
    return number


def limit(value: object, what: str = "limit") -> int | None:
    """How many rows a list returns at most: None for all of them, else a whole number
    from 1 to ``MAX_INT``. 0, a negative number, one past 64 bits, a bool, a float or
    text is ``Invalid`` (every list and search, on SQLite and PostgreSQL alike)."""
    return None if value is None else whole(value, what, low=1)


def offset(value: object, what: str = "offset") -> int | None:
    """Where a page starts: None (the first row), else a whole number from 0 to ``MAX_INT``."""
    return None if value is None else whole(value, what)


# Characters that draw nothing though they are not spaces (Unicode's format characters,
# category Cf, are checked by category): fillers, a blank braille pattern, and the
# combining marks that draw nothing on their own.
_DRAW_NOTHING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def visible(value: str) -> bool:
    """Whether ``value`` (already folded by ``line``) has a character that draws
    something: not only zero-width spaces, joiners, fillers or a blank braille pattern."""
    if value.isascii():
        return bool(value.strip())
    return any(
        not c.isspace() and c not in _DRAW_NOTHING and unicodedata.category(c) != "Cf"
        for c in value
    )


def name(value: str | None, what: str = "name") -> str:
    """A required, non-empty single-line name, with a character that draws something."""
    clean = line(value or "", what)
    if not clean:
        raise Invalid(f"{what} must not be empty", field=_field(what))
    if not visible(clean):
        shown = "".join(c if c == " " else safetext.escaped(c) for c in clean[:20])
        raise Invalid(f"{what} has no visible character ('{shown}')", field=_field(what))
    if len(clean) > 300:
        raise Invalid(f"{what} is too long (at most 300 characters)", field=_field(what))
    return clean


def optional_text(
    value: str | None, what: str, *, multiline: bool = False, limit: int = MAX_TEXT
) -> str | None:
    """Optional text: blank becomes None."""
    if value is None:
        return None
    clean = plain(value, what, multiline=True).strip() if multiline else line(value, what)
    if not clean:
        return None
    if len(clean) > limit:
        raise Invalid(f"{what} is too long (at most {limit:,} characters)", field=_field(what))
    return clean


def body(value: str | None) -> str | None:
    """An activity's body (blank: None), as ``log``, ``task add`` and import take it."""
    return optional_text(value, "body", multiline=True, limit=MAX_BODY)


# Addresses most people have (ASCII, a dot-atom local part, ordinary domain labels) are
# taken without email-validator's full check, which costs a millisecond an address on a
# 100,000-row import; everything else (international addresses, anything unusual) goes to
# it. The quick path only takes what email-validator accepts (a test checks).
_PLAIN_EMAIL = re.compile(
    r"^(?=.{1,64}@)[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:(?!-)(?!xn--)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}\Z"
)
_SPECIAL_USE = frozenset(("arpa", "invalid", "local", "localhost", "onion", "test"))


def email(value: str | None) -> str | None:
    """An email address as the store compares it (``contact.email_key``); blank is None.

    Its syntax is checked by email-validator (no network): ``a@b..c.de``, ``a,b@c.de`` and
    ``a@-b.de`` are refused, international addresses (``jürgen@müller.de``, ``.рф``) taken.
    ``mailto:`` and blanks around it are dropped; the key is email-validator's normalised
    form in lower case: Unicode as typed (NFC), a domain typed in its ASCII form
    (``xn--mller-kva.de``) in Unicode, so that both spellings are one address for
    uniqueness, duplicates and lookups. What the store shows is ``typed_email``'s.
    """
    pair = typed_email(value)
    return pair[1] if pair else None


EMAIL_CHARS = 254
"""The longest an address can be (RFC 5321's path, less its brackets)."""


def typed_email(value: str | None) -> tuple[str, str] | None:
    """``(as typed, key)``: the address checked as ``email`` checks it, kept as typed
    (without ``mailto:`` and blanks around it) for display and export, and its key
    (``email``) for comparing; None when blank."""
    clean = plain(value or "", "email").strip()
    if not clean:
        return None
    if clean[:7].lower() == "mailto:":
        clean = clean[7:].strip()
    if len(clean) > EMAIL_CHARS:  # email-validator took 4 s to refuse 5,000,000
        said = f"(too long: {len(clean):,} characters; at most {EMAIL_CHARS})"
        raise Invalid(f"invalid email address {quoted(value)} {said}", field="email")
    lowered = clean.lower()
    if is_plain_email(lowered):
        return clean, lowered
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(clean, check_deliverability=False)
    except EmailNotValidError:
        said = f"invalid email address {quoted(value)}"
        named = _NAMED_ADDRESS.fullmatch(clean)  # 'Ada <ada@x.io>', as mail programs copy it
        if named and named["address"] != clean and typed_email_or_none(named["address"]):
            said += f": give the address alone ({named['address'].strip()})"
        raise Invalid(said, field="email") from None
    return clean, checked.normalized.lower()


_NAMED_ADDRESS = re.compile(r"[^<>]*<(?P<address>[^<>]+)>\s*")


def typed_email_or_none(value: str) -> tuple[str, str] | None:
    """``typed_email``'s answer, or None for an address it refuses."""
    try:
        return typed_email(value)
    except Invalid:
        return None


def stored_email_key(stored: str | None) -> str | None:
    """The key (``email``) of an address already in the database or a dump; one that
    fails today's check (kept by an older version) is compared lowered as it is."""
    if not stored:
        return None
    try:
        return email(stored) or stored.lower()
    except Invalid:
        return stored.lower()


def is_plain_email(lowered: str) -> bool:
    """Whether an address (in lower case) is one the quick path takes as it is (then
    ``email`` gives it back unchanged as the key)."""
    if len(lowered) > 254 or not _PLAIN_EMAIL.match(lowered):
        return False
    domain = lowered.rsplit("@", 1)[1]
    return "--" not in domain and domain.rsplit(".", 1)[1] not in _SPECIAL_USE


def uid(value: str | None) -> str | None:
    """A vCard UID as given (``urn:uuid:…``, a UUID, any text an address book made): one
    line, at most 255 characters; blank is None."""
    clean = line(value or "", "UID")
    if not clean:
        return None
    if len(clean) > 255:
        raise Invalid("UID is too long (at most 255 characters)", field="uid")
    return clean


def domain_key(value: str | None) -> str | None:
    """A web domain as the store keeps it: lowercased, without scheme, ``www.``, port, path,
    query or trailing dot (``https://WWW.Acme.DE./about`` is ``acme.de``); None when
    nothing is left. No check of its shape (see :func:`domain`)."""
    clean = re.sub(r"^[a-z][a-z0-9+.-]*://", "", (value or "").strip().lower())
    clean = re.split(r"[/?#]", clean, maxsplit=1)[0]
    clean = re.sub(r":\d*$", "", clean).rstrip(".").removeprefix("www.")
    return clean or None


def domain(value: str | None) -> str | None:
    """A company's web domain as stored, and unique (:func:`domain_key`); blank is None.

    An internationalised domain is kept as typed, in Unicode (``müller.de``, as IDNA maps
    it: lower case, NFC, full-width letters made plain) or in its ASCII form
    (``xn--mller-kva.de``); :func:`domain_forms` gives both spellings,
    which name one company (as ``jm@müller.de`` and ``jm@xn--mller-kva.de`` are one
    address)."""
    if not (value or "").strip():
        return None
    clean = domain_key(value)
    if clean is not None:
        clean = unicodedata.normalize("NFC", clean)
    ascii_form = _ascii_domain(clean) if clean is not None else None
    if clean is None or ascii_form is None:
        raise Invalid(
            f"invalid domain {quoted(value)} (expected something like example.com)", field="domain"
        )
    if not clean.isascii():  # as IDNA maps it: ｍüller．de (full width) is müller.de
        import idna

        clean = idna.decode(ascii_form)
    return clean


def _ascii_domain(clean: str) -> str | None:
    """The ASCII (xn--) form of a lowercased domain, None when it is not a domain: labels
    of letters, digits and inner hyphens, a top-level domain of letters (or its xn--
    form), and an xn-- label that is real Punycode."""
    import idna  # email-validator's own (IDNA 2008, as addresses are checked)

    try:
        ascii_form = clean if clean.isascii() else idna.encode(clean, uts46=True).decode()
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    if not _DOMAIN.match(ascii_form):
        return None
    if "xn--" in ascii_form:
        try:
            idna.decode(ascii_form)
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    return ascii_form


def domain_forms(value: str | None) -> tuple[str, ...]:
    """The spellings of a domain that name the same company: as :func:`domain` keeps it,
    then its other form (``müller.de`` and ``xn--mller-kva.de``, either way round); one
    for a plain ASCII domain, none for what is not a domain."""
    try:
        clean = domain(value)
    except Invalid:
        return ()
    if clean is None:
        return ()
    import idna

    ascii_form = _ascii_domain(clean)
    if ascii_form is None or ("xn--" not in ascii_form and clean == ascii_form):
        return (clean,)
    other = ascii_form if clean != ascii_form else idna.decode(ascii_form)
    return (clean, other) if other != clean else (clean,)


def domain_other_form(value: str | None) -> str | None:
    """A domain's other spelling (:func:`domain_forms`), None when it has none."""
    forms = domain_forms(value)
    return forms[1] if len(forms) > 1 else None


def domain_ascii(value: str) -> str:
    """A stored domain in its ASCII form (``müller.de`` is ``xn--mller-kva.de``): the one
    key both spellings share; a value that is not a domain is given back as it is."""
    return _ascii_domain(value) or value


def domain_unicode(value: str) -> str:
    """A stored domain in Unicode (``xn--bcker-gra.de`` is ``bäcker.de``)."""
    return next((form for form in domain_forms(value) if not form.isascii()), value)


def choice(value: str | None, allowed: Iterable[str], what: str) -> str | None:
    """One of a fixed vocabulary (case-insensitive; '_' and ' ' accepted for '-')."""
    if value is None:
        return None
    if not isinstance(value, str):  # a number for a status: Invalid, not AttributeError
        raise Invalid(f"{what} must be text, not {type(value).__name__}", field=_field(what))
    if not value.strip():
        return None
    options = tuple(allowed)
    clean = value.strip().lower().replace("_", "-").replace(" ", "-")
    if clean not in options:
        raise Invalid(
            f"invalid {what} {quoted(value)}{nearest(clean, options)} "
            f"(choose from {', '.join(options)})",
            field=_field(what),
        )
    return clean


def nearest(typed: str, options: Iterable[str]) -> str:
    """``, did you mean 'accepted'?`` for a typo of one of ``options`` (``acepted``), or
    nothing when none is near."""
    import difflib

    close = difflib.get_close_matches(typed[:40], list(options), n=1, cutoff=0.75)
    return f", did you mean {close[0]!r}?" if close else ""


def role(value: str | None) -> str | None:
    return choice(value, ROLES, "role")


def lifecycle(value: str | None) -> str | None:
    return choice(value, LIFECYCLES, "lifecycle")


def activity_kind(value: str | None, allowed: Iterable[str] = ACTIVITY_KINDS) -> str:
    kind = choice(value, allowed, "activity kind")
    if kind is None:
        raise Invalid("activity kind must not be empty", field="kind")
    return kind


def size(value: int | None) -> int | None:
    if value is None:
        return None
    value = integer(value, "size")
    if value < 0:
        raise Invalid("company size must not be negative", field="size")
    if value > MAX_SIZE:
        raise Invalid(f"company size is too large (at most {MAX_SIZE:,})", field="size")
    return value


def cadence(value: int | None) -> int | None:
    if value is None:
        return None
    value = integer(value, "cadence")
    if not 1 <= value <= 3650:
        raise Invalid("a keep-in-touch cadence must be between 1 and 3650 days", field="cadence")
    return value


def probability(value: int | None) -> int | None:
    if value is None:
        return None
    value = integer(value, "probability")
    if not 0 <= value <= 100:
        raise Invalid(f"probability must be between 0 and 100, not {value}", field="probability")
    return value


def rotting_days(value: int | None) -> int | None:
    if value is None:
        return None
    value = integer(value, "rotting_days")
    if not 1 <= value <= 3650:
        raise Invalid("rotting days must be between 1 and 3650", field="rotting_days")
    return value


def currency(value: str | None) -> str:
    if value is not None:
        text(value, "currency")
    try:
        return money.normalize_currency(value or "")
    except ValueError as exc:
        raise Invalid(str(exc), field="currency") from exc


def money_minor(
    value: Decimal | str | int | None,
    currency_code: str | None,
    *,
    default: str,
    field: str = "amount",
    decimal: str | None = None,
) -> tuple[int | None, str]:
    """An amount as typed (``"$120,000.00"``, ``"500 JPY"``, ``"18500"``) and the currency
    given beside it (None: not given), as minor units and the currency they are in.

    The currency written with the amount wins over ``default``; one that disagrees with
    ``currency_code`` is refused. A blank amount is None (in the currency given, else
    ``default``); a blank currency is none given. ``Invalid`` (with ``field``) for
    anything else wrong.
    """
    if currency_code is not None:
        text(currency_code, "currency")
    given = currency(currency_code) if currency_code and currency_code.strip() else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, given or currency(default)
    try:
        amount, code = money.parse_money_in(value, given, default=default, decimal=decimal)
        assert code is not None
        return money.to_minor(amount, code), code
    except (ValueError, TypeError) as exc:
        message = str(exc) if field == "amount" else f"{field}: {exc}"
        raise Invalid(message, field=field) from exc


def tag(value: str) -> str:
    """A tag: lowercase, trimmed, no commas."""
    text(value, "tag", field="tags")
    clean = line(value, "tag").lower().lstrip("#")
    if not clean.isascii():  # one spelling of one text, as names' keys (``key``)
        clean = unicodedata.normalize("NFC", clean)
    if not clean:
        raise Invalid("tag must not be empty", field="tags")
    if "," in clean or ";" in clean:
        raise Invalid(
            f"tag {quoted(value)} must not contain ',' or ';' (give several --tag options)",
            field="tags",
        )
    if len(clean) > 64:
        raise Invalid(f"tag {quoted(value)} is too long (at most 64 characters)", field="tags")
    return clean


def tags(values: Iterable[str] | None) -> list[str]:
    seen: dict[str, None] = {}
    for value in values or ():
        seen[tag(value)] = None
    return list(seen)


def field_key(value: str) -> str:
    text(value, "custom field name", field="fields")
    clean = plain(value, "custom field name").strip()
    if not _FIELD_KEY.match(clean):
        raise Invalid(
            f"invalid custom field name {quoted(value)} (letters, digits, '_', '.', '-'; "
            "starting with a letter)",
            field="fields",
        )
    return clean


def fields(values: dict[str, str] | None) -> dict[str, str]:
    """Custom fields to write, checked. Names ignore case, so one write naming a field
    under two spellings (``Plan`` and ``plan``) is refused: which value would it keep?"""
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for k, v in (values or {}).items():
        clean_key = field_key(k)
        other = seen.setdefault(clean_key.lower(), clean_key)
        if other != clean_key:
            raise Invalid(
                f"{quoted(other)} and {quoted(clean_key)} are one custom field (names ignore "
                "case): give it once",
                field="fields",
            )
        if v is None:  # never the text "None"
            raise Invalid(
                f"custom field {clean_key} has no value (unset it to remove it)", field="fields"
            )
        text = plain(str(v), f"custom field {clean_key}", multiline=True)
        if len(text) > MAX_TEXT:
            raise Invalid(f"custom field {quoted(k)} is too long", field="fields")
        out[clean_key] = text
    return out

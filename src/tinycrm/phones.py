"""Phone numbers as numbers: ``+49 (0)30 1234567``, ``+49 30 1234567`` and, with
``[phone] region = "DE"``, ``030 1234567`` are all ``+49301234567`` (E.164). There is no
default region: without one a national number cannot be read, is kept as typed, and
``contact dupes`` compares it by its digits (``store.dupe_rules.phone_pairs``).

tinycrm keeps what the user typed and stores this normalised form beside it, so
duplicates and ``contact list --search`` compare numbers, not text. An extension
stays apart from the number: ``030 1234567 ext. 12`` is ``+49301234567;ext=12``
(RFC 3966's spelling), a different line from the switchboard's ``+49301234567``.

Parsing is Google's libphonenumber (the ``phonenumbers`` package). It takes about
0.3 ms a number, so the commonest form, an international number in digits and
spaces, is read without it: an import of 100,000 rows would otherwise spend half a
minute here. The default region is ``[phone] region`` in the config file.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s().\-/]+")
# "+49 30 1234567", "+1 (555) 123-4567": a plus, digits and separators, no group after
# the country code starting with the trunk 0 (those go to libphonenumber, which knows
# where a 0 after the country code is a trunk prefix and where it is part of the number).
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{0,14}(?:[\s.\-/]+\(?[1-9][\d\s().\-/]*)?$")
_MIN_DIGITS = 6  # national significant digits below this are not a phone number
# The commonest of those, "+49 30 1234567" (digits and single spaces, as an import's cells
# are once their spaces are collapsed): read by ``normalise`` before the cache, which
# would only fill with numbers seen once.
_PLAIN = re.compile(r"\+[1-9]\d*(?: [1-9][\d ]*)?")


class PhoneError(ValueError):
    """Not a phone number libphonenumber can read (with the default region given)."""


def normalise(text: str | None, region: str | None = None) -> str | None:
    """The E.164 form of ``text`` (with ``;ext=N`` for an extension), or None when
    ``text`` is blank. Raises ``PhoneError`` when it is not a number that can be read:
    a national number (``030 1234567``) needs ``region``."""
    if text is None or not text.strip():
        return None
    if _PLAIN.fullmatch(text):
        digits = text.replace(" ", "")
        if 9 <= len(digits) <= 16:
            return digits
    return _normalise(text.strip(), (region or "").upper() or None)


@lru_cache(maxsize=4096)
def _normalise(text: str, region: str | None) -> str:
    if _INTERNATIONAL.match(text) and "(0)" not in text:
        digits = _SEPARATORS.sub("", text)
        if 8 <= len(digits) - 1 <= 15:
            return digits
    return _parse(text, region)


def _parse(text: str, region: str | None) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            if region:
                raise PhoneError(f"phone {text!r} has no country code this tinycrm knows") from None
            raise PhoneError(
                f'phone {text!r} has no country code (set [phone] region = "DE" or similar '
                "in the config file, then run tinycrm db normalise)"
            ) from None
        raise PhoneError(f"phone {text!r} is not a phone number") from None
    national = str(number.national_number)
    possible = phonenumbers.is_possible_number(number)
    if not phonenumbers.is_valid_number(number) and not (possible and len(national) >= _MIN_DIGITS):
        raise PhoneError(f"phone {text!r} is not a phone number") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


def try_normalise(text: str | None, region: str | None = None) -> tuple[str | None, str | None]:
    """``(normalised, None)``, or ``(None, why)`` when ``text`` cannot be read."""
    try:
        return normalise(text, region), None
    except PhoneError as exc:
        return None, str(exc)


def check_region(region: str) -> str:
    """``"de"`` → ``"DE"``; a ``ValueError`` naming the choice when no such region."""
    import phonenumbers

    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown region {region!r}: a two-letter country code such as DE")
    return code

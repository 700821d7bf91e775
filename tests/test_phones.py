"""Phone numbers as numbers (E.164), extensions apart."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinycrm.phones import PhoneError, _parse, check_region, normalise, try_normalise


@pytest.mark.parametrize(
    "typed", ["+49 (0)30 1234567", "+49 30 1234567", "030 1234567", "0049 30 123 45 67"]
)
def test_forms_of_one_number_are_one_number(typed: str) -> None:
    assert normalise(typed, "DE") == "+49301234567"


def test_extensions_are_kept_apart() -> None:
    assert normalise("030 1234567 ext. 12", "DE") == "+49301234567;ext=12"
    assert normalise("+49 30 1234567 x13", None) == "+49301234567;ext=13"


def test_a_national_number_needs_a_region() -> None:
    with pytest.raises(PhoneError, match=r"no country code \(set \[phone\] region"):
        normalise("030 1234567")
    assert normalise("+1 (555) 123-4567") == "+15551234567"


@pytest.mark.parametrize("typed", ["12", "abc", "call me", "+49 1"])
def test_what_is_not_a_number_says_so(typed: str) -> None:
    value, why = try_normalise(typed, "DE")
    assert value is None
    assert why is not None and typed in why


def test_blank_is_none() -> None:
    assert normalise(None) is None
    assert normalise("  ", "DE") is None


def test_regions() -> None:
    assert check_region("de") == "DE"
    with pytest.raises(ValueError, match="unknown region 'XX'"):
        check_region("XX")


@given(
    st.sampled_from(["+49", "+1", "+44", "+33"]),
    st.integers(min_value=2, max_value=9),
    st.integers(min_value=1_000_000, max_value=99_999_999),
)
def test_the_quick_path_agrees_with_libphonenumber(code: str, area: int, number: int) -> None:
    typed = f"{code} {area}{area} {number}"
    try:
        slow = _parse(typed, None)
    except PhoneError:
        return  # not a number libphonenumber takes; the quick path may keep it as typed
    assert normalise(typed) == slow


def test_the_region_comes_from_the_config_file(tmp_path) -> None:
    from tinycrm.config import ConfigError, parse_config

    path = tmp_path / "config.toml"
    assert parse_config('[phone]\nregion = "de"\n', path).phone_region == "DE"
    assert parse_config("", path).phone_region is None
    with pytest.raises(ConfigError, match=r"line 2.*phone.region: unknown region 'XY'"):
        parse_config('[phone]\nregion = "XY"\n', path)
    with pytest.raises(ConfigError, match=r"unknown key phone\.country"):
        parse_config('[phone]\ncountry = "DE"\n', path)

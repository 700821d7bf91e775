"""Amounts in JSON are written exactly: the digits kept, the text a float wrote otherwise."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic_core import to_json

from tinycrm.formats import jsonnumbers
from tinycrm.store.types import Number

BIG = Decimal("999999999999999.99")


class Priced(BaseModel):
    amount: Number | None
    lines: list[Number] = []
    at: datetime | None = None


def _as_float_wrote_it(value: Decimal) -> str:
    """What tinycrm wrote before amounts were exact: an int or a float, through pydantic."""
    number = int(value) if value == value.to_integral_value() else float(value)
    return to_json(number).decode()


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (BIG, "999999999999999.99"),
        (Decimal("18500"), "18500"),
        (Decimal("18500.00"), "18500"),
        (Decimal("12.50"), "12.5"),
        (Decimal("-0.01"), "-0.01"),
        (Decimal("-0"), "0"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.00000001"), "0.00000001"),
        (
            Decimal("12345678901234567890123456789.123456789"),
            "12345678901234567890123456789.123456789",
        ),
    ],
)
def test_an_amount_is_written_as_its_exact_number(amount: Decimal, written: str) -> None:
    assert jsonnumbers.text(amount) == written
    assert (
        jsonnumbers.dumps(Priced(amount=amount)) == f'{{"amount":{written},"lines":[],"at":null}}'
    )
    assert jsonnumbers.dumps({"a": jsonnumbers.marked([amount])}) == f'{{"a":[{written}]}}'
    read = json.loads(jsonnumbers.dumps(Priced(amount=amount)), parse_float=Decimal)
    assert Decimal(read["amount"]) == amount


def test_a_reader_gets_a_float_or_with_parse_float_the_exact_amount() -> None:
    text = jsonnumbers.dumps([Priced(amount=BIG, lines=[Decimal("0.1"), Decimal("7")])], indent=2)
    assert json.loads(text)[0]["amount"] == float(BIG)
    assert json.loads(text, parse_float=Decimal)[0] == {
        "amount": BIG,
        "lines": [Decimal("0.1"), 7],
        "at": None,
    }


def test_dumps_plain_writes_as_json_dumps_does_with_the_amounts_exact() -> None:
    payload = {"record": jsonnumbers.jsonable(Priced(amount=BIG)), "text": "é"}
    written = jsonnumbers.dumps_plain(payload, ensure_ascii=False, separators=(",", ":"))
    assert written == '{"record":{"amount":999999999999999.99,"lines":[],"at":null},"text":"é"}'
    when = datetime(2026, 1, 2, tzinfo=UTC)
    assert jsonnumbers.dumps_plain({"d": BIG, "t": when, "x": {1}}, default=str) == (
        '{"d": 999999999999999.99, "t": "2026-01-02T00:00:00+00:00", "x": "{1}"}'
    )


def test_text_that_looks_like_a_marker_stays_text() -> None:
    """Only the markers of this process (a random nonce) turn into numbers."""
    looks = ["tinycrm-number:0123456789abcdef:5:0123456789abcdef", '"tinycrm-number::5:"', "5"]
    assert json.loads(jsonnumbers.dumps({"t": looks})) == {"t": looks}
    assert json.loads(jsonnumbers.dumps_plain({"t": looks})) == {"t": looks}


def test_a_scripts_model_dump_still_has_python_numbers() -> None:
    """``model_dump(mode="json")`` (no context) keeps giving an int or a float, never a marker."""
    dumped = Priced(amount=Decimal("12.50"), lines=[Decimal(3)]).model_dump(mode="json")
    assert dumped == {"amount": 12.5, "lines": [3], "at": None}
    assert Priced(amount=BIG).model_dump()["amount"] == BIG


def _fits_a_float(value: Decimal) -> bool:
    return Decimal(repr(float(value))) == value


@given(
    st.decimals(
        min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=4, allow_nan=False
    ).filter(_fits_a_float)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e17, max_value=1e17).map(
        lambda f: Decimal(repr(f))
    )
)
def test_an_amount_a_float_holds_exactly_is_written_as_before(value: Decimal) -> None:
    before = _as_float_wrote_it(value)
    now = jsonnumbers.dumps(Priced(amount=value))
    number = now.removeprefix('{"amount":').removesuffix(',"lines":[],"at":null}')
    if "e" in before.lower():  # a float wrote 1e-7 and 1.5e+16 : never exponents now
        assert "e" not in number.lower()
        assert Decimal(number) == value
    else:
        assert number == before

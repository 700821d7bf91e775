"""The CSAT file reader (``tinycrm.formats.csat``): which columns it takes, and any bytes
give rows or one ``FormatError`` line, never another exception."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.formats import FormatError
from tinycrm.formats.csat import CsatRow, read_csat


def read(data: bytes) -> list[CsatRow]:
    return read_csat(io.BytesIO(data), name="survey.csv")


def test_headers_are_matched_loosely_and_other_columns_left_alone() -> None:
    data = b"Submitted,Case-ID,  RATING ,Comment\n2026-12-01,#7,5,Quick\n2026-12-02,8,1\n"
    assert read(data) == [
        CsatRow(line=2, case_id=7, score=5, comment="Quick"),
        CsatRow(line=3, case_id=8, score=1, comment=None),
    ]


@pytest.mark.parametrize(
    "score", ["0", "6", "٣", "²", "-1", "1e0", "4.5", "5.01", "5.", ".0", "5.0.0", "five"]
)
def test_only_a_whole_number_1_to_5_is_a_score(score: str) -> None:
    with pytest.raises(FormatError, match=r"line 2: score .* is not a whole number 1-5"):
        read(f"case,csat\n1,{score}\n".encode())


@pytest.mark.parametrize(("cell", "score"), [("5.0", 5), ("3.00", 3), (" 1.0 ", 1)])
def test_a_whole_number_written_with_zero_decimals_is_its_score(cell: str, score: int) -> None:
    """Was: "5.0", as survey tools and spreadsheets export a rating, was refused (line 2:
    score '5.0' is not a whole number 1-5) and the whole file with it."""
    assert read(f"case,csat\n1,{cell}\n".encode())[0].score == score


@settings(max_examples=150, deadline=None)
@given(
    body=st.lists(
        st.lists(
            st.sampled_from(["1", "#2", "5", "", " ", "x", '"', "\x00", "é", "9" * 30]), max_size=4
        ),
        max_size=5,
    ),
    header=st.sampled_from([b"case,csat\n", b"id;score;comment\n", b"sep=;\ncase;rating\n", b""]),
)
def test_any_file_gives_rows_or_one_format_error(body: list[list[str]], header: bytes) -> None:
    delimiter = ";" if b";" in header else ","
    data = header + "".join(delimiter.join(row) + "\n" for row in body).encode()
    try:
        rows = read(data)
    except FormatError as exc:
        assert "\n" not in str(exc)
        return
    assert all(1 <= r.score <= 5 and r.case_id >= 0 for r in rows)

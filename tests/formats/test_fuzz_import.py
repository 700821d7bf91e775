"""Fuzzing the CSV import path: random bytes, ragged rows, huge fields, odd encodings.

Whatever the input, the outcome is a clear one-line error with nothing written, or
an import whose rejected rows were reported: never a traceback, never half an import.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tinycrm.formats import FormatError
from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import TARGETS, build_mapping, mapped_rows
from tinycrm.store import Invalid
from tinycrm.store.engine import Store, open_store
from tinycrm.store.imports import count_rows, import_records
from tinycrm.store.log_models import ImportBatch
from tinycrm.store.models import Event

HEADERS = sorted({s for targets in TARGETS.values() for t in targets for s in t.synonyms[:3]})
KINDS = ("contacts", "companies", "deals", "activities")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1", "utf-32")

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "ada@x.io", "ADA@X.IO", "not-an-email", "1,200.50", "€5", "=1+1",
                     "31.12.2026", "12/31/2026", "Closed Won", "Lead-in", "x" * 20_000,
                     "a\nb", '"', "Call", "Task", "yes", "vip, partner", "* myContacts ::: A"]),
)  # fmt: skip


@st.composite
def csv_files(draw: Callable[..., Any]) -> bytes:
    """A CSV with real and random headers, ragged rows of odd cells, in an odd encoding."""
    header = draw(st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=12)), max_size=8))
    rows = draw(st.lists(st.lists(cell, max_size=len(header) + 2), max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in [header, *rows]:
        writer.writerow(row)
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # damage it
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    return data


inputs = st.one_of(
    st.binary(max_size=3000),
    csv_files(),
    st.builds(lambda b: codecs.BOM_UTF16_LE + b, st.binary(max_size=500)),
    st.builds(lambda n: b'Name,Email\nAda,"' + b"y" * n, st.integers(0, 300_000)),
)


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    opened = open_store(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"), user="fuzz")
    yield opened
    opened.close()


def _state(store: Store) -> dict[str, int]:
    with store.read() as session:
        extra = {
            "events": session.scalar(
                select(func.count()).select_from(Event).where(Event.action == "imported")
            ),
            "batches": session.scalar(select(func.count()).select_from(ImportBatch)),
        }
    return {**count_rows(store), **extra}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=inputs, kind=st.sampled_from(KINDS), strict=st.booleans())
def test_any_input_gives_an_error_or_a_reported_import(
    fuzz_store: Store, data: bytes, kind: str, strict: bool
) -> None:
    before = _state(fuzz_store)
    rejected: list[tuple[int, str]] = []
    try:
        table = open_csv(io.BytesIO(data), name="fuzz.csv")
        mapping = build_mapping(kind, table.header)
        summary = import_records(
            fuzz_store,
            kind=kind,
            rows=mapped_rows(table.records(), mapping),
            source="fuzz.csv",
            strict=strict,
            on_reject=lambda line, reason, raw: rejected.append((line, reason)),
        )
    except (FormatError, Invalid) as exc:
        event(f"refused: {type(exc).__name__}")
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        assert _state(fuzz_store) == before  # nothing written, not even half
        return
    event("imported" + (" with rejected rows" if rejected else ""))
    after = _state(fuzz_store)
    assert summary.rejected == len(rejected)
    assert all(reason and "\n" not in reason for _, reason in rejected)
    assert after["batches"] == before["batches"] + 1
    assert after["events"] == before["events"] + 1
    entity = {"contacts": "contact", "companies": "company", "deals": "deal"}.get(kind, "activity")
    linked = summary.linked_created.get(entity, 0)
    assert after[entity] == before[entity] + summary.created + linked


def test_the_fuzzer_reaches_both_outcomes(fuzz_store: Store, tmp_path: Path) -> None:
    """A sanity check that the property above is not passing vacuously."""
    ok = b"Name,Email\nAda,ada@fuzz.io\nBad,not-an-email\n"
    table = open_csv(io.BytesIO(ok), name="ok.csv")
    summary = import_records(
        fuzz_store,
        kind="contacts",
        rows=mapped_rows(table.records(), build_mapping("contacts", table.header)),
        source="ok.csv",
    )
    assert (summary.created, summary.rejected) == (1, 1)
    with pytest.raises(FormatError):
        open_csv(io.BytesIO(b""), name="empty.csv")


plain = st.text(alphabet=st.characters(categories=("L", "N"), include_characters=" .-"), min_size=1,
                max_size=12).filter(lambda s: s.strip() == s and s)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(plain, min_size=1, max_size=12),
    quotes=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 2)), min_size=1, max_size=3),
    token=st.integers(0, 2**60),
    strict=st.booleans(),
    crlf=st.booleans(),
)
def test_stray_quotes_never_merge_rows_silently(
    fuzz_store: Store,
    names: list[str],
    quotes: list[tuple[int, int]],
    token: object,
    strict: bool,
    crlf: bool,
) -> None:
    """Quotes opened at the start of a value and never properly closed: each row holding
    one is reported at its line, every other row is imported as itself."""
    rows = [[name, f"p{i}.{token}@x.io", "note"] for i, name in enumerate(names)]
    quoted = sorted({r % len(rows) for r, _ in quotes})
    for r, c in quotes:
        rows[r % len(rows)][c] = '"' + rows[r % len(rows)][c].lstrip('"')
    end = "\r\n" if crlf else "\n"
    text = end.join(["Name,Email,Notes", *(",".join(row) for row in rows)]) + end
    table = open_csv(io.BytesIO(text.encode()), name="q.csv")
    rejected: list[tuple[int, str]] = []
    run = lambda: import_records(  # noqa: E731
        fuzz_store,
        kind="contacts",
        rows=mapped_rows(table.records(), build_mapping("contacts", table.header)),
        source="q.csv",
        strict=strict,
        on_reject=lambda line, reason, raw: rejected.append((line, reason)),
    )
    if strict:
        with pytest.raises(Invalid, match=rf"^line {quoted[0] + 2}: .*quote"):
            run()
        return
    summary = run()
    assert [line for line, _ in rejected] == [r + 2 for r in quoted]
    assert all("quote" in reason for _, reason in rejected)
    # every other row read as itself (created, or matched by its email in an earlier example)
    assert summary.created + summary.updated + summary.skipped == len(rows) - len(quoted)

"""CSAT scores from a file (``crm.cases.import_csat``, ``tinycrm case csat-import``): read
as every CSV is, all or nothing, a line named for the first problem, the same ``rated``
event as ``case resolve --csat``; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tinycrm.api import Crm
from tinycrm.formats import FormatError
from tinycrm.store import Invalid
from tinycrm.store.events import list_events
from tinycrm.store.models import Event


@pytest.fixture
def crm(store) -> Crm:
    """Cases 1-2 resolved (1 rated 3/5 "slow"), 3 closed, 4 still open."""
    crm = Crm(store)
    crm.contacts.add("Ada", email="ada@acme.com")
    for n in range(1, 5):
        crm.cases.add(f"Problem {n}", contact="ada@acme.com")
    crm.cases.resolve(1, csat=3, comment="slow")
    crm.cases.resolve(2)
    crm.cases.set_status(3, "closed")
    return crm


def scores(crm: Crm) -> dict[int, tuple[int | None, str | None]]:
    return {c.id: (c.csat, c.csat_comment) for c in crm.cases.list(status=None)}


def events(crm: Crm) -> int:
    with crm._store.read() as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


def load(crm: Crm, text: str | bytes, **options: bool):
    data = text.encode() if isinstance(text, str) else text
    return crm.cases.import_csat(io.BytesIO(data), name="survey.csv", **options)


def test_scores_are_recorded_with_the_event_case_resolve_records(crm: Crm) -> None:
    result = load(crm, "Case ID,Rating,Comment,Email\n2,5,great,ada@acme.com\n#3,4,,x\n1,3,,\n")
    assert (result.recorded, result.replaced, result.unchanged) == (2, 0, 1)
    assert [(c.line, c.case_id, c.csat_before, c.csat) for c in result.changes] == [
        (2, 2, None, 5),
        (3, 3, None, 4),
    ]
    assert scores(crm) == {1: (3, "slow"), 2: (5, "great"), 3: (4, None), 4: (None, None)}
    [rated] = [e for e in list_events(crm._store, entity="case", entity_id=2)][:1]
    assert (rated.action, rated.summary) == ("rated", "CSAT 5/5 for case #2 Problem 2")
    again = load(crm, "case,csat,comment\n2,5,\n3,4,\n1,3,slow\n")
    assert (again.recorded, again.unchanged) == (0, 3)


def test_excel_semicolons_sep_line_bom_and_windows_1252(crm: Crm) -> None:
    text = "sep=;\r\nid;score;comment\r\n2;5;très bien\r\n3;1;\r\n"
    result = load(crm, b"\xef\xbb\xbf" + text.encode())
    assert result.recorded == 2 and scores(crm)[2] == (5, "très bien")
    load(crm, "id;score;comment\r\n2;5;très bien!\r\n".encode("cp1252"), overwrite=True)
    assert scores(crm)[2] == (5, "très bien!")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("case,csat\n2,5\n99,4\n", "line 3: case #99 does not exist"),
        ("case,csat\n2,5\n4,4\n", "line 3: case #4 is new, not resolved or closed"),
        ("case,csat\n2,5\n3,6\n", "line 3: score '6' is not a whole number 1-5"),
        ("case,csat\n2,5\n3,4.5\n", "line 3: score '4.5' is not a whole number 1-5"),
        ("case,csat\n2,5\n3,\n", "line 3: no score"),
        ("case,csat\n2,5\nabc,4\n", "line 3: 'abc' is not a case id"),
        ("case,csat\n2,5\n2,4\n", "line 3: case #2 is on line 2 too"),
        ("case,csat\n2,5\n1,4\n", "line 3: case #1 has CSAT 3/5 already; --overwrite"),
        ("case,csat,comment\n2,5\n1,3,quick\n", "line 3: case #1 has another CSAT comment"),
        ("case,stars\n2,5\n", "header row: no column for the score"),
        ("case,id,csat\n2,2,5\n", "header row: columns 'case' and 'id' both give the case"),
        ("case,csat\n", "has no scores"),
        (f"case,csat\n2,5\n{2**63},4\n", f"line 3: case #{2**63} does not exist"),
        ('case,csat,comment\n2,5,"open\n', "line 2: a quote opened here is never closed"),
    ],
    ids=[
        "unknown-case",
        "not-resolved",
        "score-6",
        "score-4.5",
        "no-score",
        "not-an-id",
        "twice",
        "different-score",
        "different-comment",
        "no-score-column",
        "two-case-columns",
        "header-only",
        "id-past-64-bits",
        "unclosed-quote",
    ],
)
def test_one_bad_line_refuses_the_whole_file(crm: Crm, text: str, message: str) -> None:
    before, count = scores(crm), events(crm)
    with pytest.raises((Invalid, FormatError), match=message.replace("?", r"\?")):
        load(crm, text)
    assert scores(crm) == before and events(crm) == count


def test_overwrite_replaces_a_different_score_and_dry_run_writes_nothing(crm: Crm) -> None:
    count = events(crm)
    dry = load(crm, "case,csat\n1,1\n2,4\n", overwrite=True, dry_run=True)
    assert dry.dry_run and (dry.recorded, dry.replaced) == (2, 1)
    assert [(c.case_id, c.csat_before, c.csat) for c in dry.changes] == [(1, 3, 1), (2, None, 4)]
    assert scores(crm)[1] == (3, "slow") and events(crm) == count
    done = load(crm, "case,csat\n1,1\n2,4\n", overwrite=True)
    assert (done.recorded, done.replaced) == (2, 1)
    assert scores(crm)[1] == (1, None)  # the new score's comment: none given
    [rated] = list_events(crm._store, entity="case", entity_id=1)[:1]
    assert rated.summary == "CSAT 1/5 for case #1 Problem 1 (was 3/5)"
    assert events(crm) == count + 2


def test_a_comment_can_be_added_to_a_score_without_overwrite(crm: Crm) -> None:
    crm.cases.resolve(2, csat=4)
    assert load(crm, "case,csat,comment\n2,4,on second thought: fine\n").recorded == 1
    assert scores(crm)[2] == (4, "on second thought: fine")


def test_a_path_is_read_too(crm: Crm, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("case,csat\n2,2\n")
    assert crm.cases.import_csat(path).source == str(path)
    assert scores(crm)[2] == (2, None)


def test_hooks_see_the_file_once_as_a_list(
    crm: Crm, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    hooks = isolated_user_dirs / "config" / "tinycrm" / "hooks"
    hooks.mkdir(parents=True)
    log = tmp_path / "pre.log"
    (hooks / "pre-write").write_text(f'#!/bin/sh\ncat >> "{log}"\n')
    (hooks / "pre-write").chmod(0o755)
    load(crm, "case,csat\n2,5\n3,4\n")
    [call] = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(i["event"], i["id"], i["record"]["csat"]) for i in call] == [
        ("case.rated", 2, 5),
        ("case.rated", 3, 4),
    ]

"""One clock: the store, the words people type and the tinycrm processes tests start agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tinycrm import dates
from tinycrm.clock import SHIFT_ENV, utcnow
from tinycrm.store.activities import add_task, list_tasks

pytestmark = pytest.mark.dates

MOMENT = datetime(2031, 3, 30, 0, 59, 30, tzinfo=UTC)  # 01:59:30 in Berlin, before the change


def tinycrm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "tinycrm"
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_a_frozen_clock_is_the_stores_and_the_parsers(store, freeze_clock) -> None:
    freeze_clock(MOMENT)
    assert utcnow() == MOMENT
    assert dates.local_today().isoformat() == "2031-03-30"  # Berlin
    assert dates.parse_when("tomorrow 9:00") == datetime(2031, 3, 31, 7, 0, tzinfo=UTC)
    assert dates.parse_date("+1d").isoformat() == "2031-03-31"
    task = add_task(store, text="call", due=dates.parse_when("+2h"))
    (listed,) = list_tasks(store, scope="open")
    assert listed.created_at == MOMENT
    assert task.due_at == MOMENT + timedelta(hours=2)


def test_tinycrm_processes_read_the_same_clock_as_the_tests() -> None:
    """In CI's runs with the clock moved (TINYCRM_TEST_NOW), a tinycrm the tests start is moved
    with them; otherwise both read the real time."""
    before = utcnow()
    run = tinycrm("task", "add", "call", "--due", "+1h", "--json")
    after = utcnow()
    assert run.returncode == 0, run.stderr
    due = datetime.fromisoformat(json.loads(run.stdout)["due_at"])
    assert before + timedelta(hours=1) <= due <= after + timedelta(hours=1)


def test_the_testing_hook_shifts_a_process_clock() -> None:
    year = timedelta(days=365)
    shift = float(os.environ.get(SHIFT_ENV, "0")) + year.total_seconds()  # on top of CI's
    run = tinycrm("task", "add", "call", "--due", "now", "--json", env={SHIFT_ENV: str(shift)})
    assert run.returncode == 0, run.stderr
    due = datetime.fromisoformat(json.loads(run.stdout)["due_at"])
    assert abs(due - (utcnow() + year)) < timedelta(minutes=5)
    bad = tinycrm("task", "list", env={SHIFT_ENV: "a year"})
    assert bad.returncode == 1
    assert bad.stderr.strip() == f"{SHIFT_ENV} must be a number of seconds, not 'a year'"


def test_every_date_sensitive_module_exists() -> None:
    """A module renamed away from conftest's list would lose its ``dates`` mark silently."""
    import ast

    root = Path(__file__).resolve().parent.parent
    tree = ast.parse((root / "tests" / "conftest.py").read_text(encoding="utf-8"))
    (listed,) = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DATE_SENSITIVE"
    ]
    assert len(listed) >= 5  # reminders, activities, reports (store and CLI), remind
    assert [path for path in listed if not (root / path).is_file()] == []


def test_the_files_ci_runs_again_with_the_clock_moved() -> None:
    """``.ci/run`` reruns ``dated_files``: the listed modules and those marking tests
    themselves, read from their text (the test line fails if a marked test is elsewhere)."""
    from tests.conftest import DATE_SENSITIVE, dated_files

    root = Path(__file__).resolve().parent.parent
    listed = dated_files(root)
    assert set(DATE_SENSITIVE) | {"tests/test_clock.py", "tests/test_dates.py"} <= set(listed)
    assert "tests/conftest.py" not in listed
    assert listed == sorted(set(listed))

"""Ctrl-C during one long SQLite statement of an export is answered as it runs."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

ENDLESS = (
    "WITH RECURSIVE n(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
)


@pytest.mark.parametrize("form", ["csv", "json"])
def test_ctrl_c_inside_a_long_statement_of_an_export(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    """An export's first statement over 205,000 contacts (their sort) ran for seconds in
    SQLite's C code, where Python runs no signal handler: Ctrl-C was answered only once it
    ended. Now SQLite hands back to Python as it runs, and the signal ends the statement.
    Here the statement never ends by itself; Ctrl-C comes once SQLite is inside it, and
    only the test's own stop (SQLite's interrupt, after 30 s) would end it otherwise."""
    from tinycrm.store import csv_lines, exports

    cli("contact", "add", "Ada Lovelace", "--email", "ada@x.io")
    started = threading.Event()
    stopped_by_the_test = threading.Event()
    driver: list[Any] = []

    def endless_extras(conn: Any, *_args: Any, **_kw: Any) -> Any:
        raw = conn.connection.driver_connection
        driver.append(raw)
        raw.create_function("started", 0, lambda: started.set() or 1)
        conn.exec_driver_sql(ENDLESS).all()
        raise AssertionError("the endless statement ended")

    def ctrl_c() -> None:
        started.wait(60)
        os.kill(os.getpid(), signal.SIGINT)  # SQLite is in its C code now (the GIL is free)
        if not done.wait(30):
            stopped_by_the_test.set()
            driver[0].interrupt()

    done = threading.Event()
    monkeypatch.setattr(csv_lines, "contact_extras", endless_extras)
    monkeypatch.setattr(exports, "contact_extras", endless_extras)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / f"people.{form}"
    sender = threading.Thread(target=ctrl_c, daemon=True)
    sender.start()
    try:
        result = cli("export", "contacts", "--format", form, "--out", str(out))
    finally:
        done.set()
        sender.join()
    assert not stopped_by_the_test.is_set(), "Ctrl-C was not answered inside the statement"
    assert result.exit_code == 130
    assert "interrupted; nothing was saved" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []

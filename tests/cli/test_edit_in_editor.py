"""``contact|company|deal edit REF --editor`` with a real editor process (a script that
edits the file as a person would), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import tinycrm
from tests.cli.conftest import tinycrm_executable
from tests.conftest import BACKENDS, _reset_pg


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = str(tmp_path / "crm.db")
    else:
        url = request.getfixturevalue("pg_schema_url")
        _reset_pg(url)
    with tinycrm.open(url) as crm:
        crm.contacts.add(
            "Ada Lovelace", email="ada@example.com", company="Analytical Engines",
            tags=["vip"], fields={"plan": "pro"},
        )  # fmt: skip
        crm.deals.add("Engine order", contact="ada@example.com", amount="18500", currency="EUR")
    return url


def editor(tmp_path: Path, script: str) -> str:
    """An editor: a shell script run on the file (``$1``)."""
    path = tmp_path / "editor.sh"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return str(path)


def edit(db: str, tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EDITOR": editor(tmp_path, script), "TMPDIR": str(tmp_path)}
    env.pop("VISUAL", None)
    return subprocess.run(
        [*tinycrm_executable(), "--db", db, *args, "--editor"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip


def left_files(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob("tinycrm-*.toml"))


def test_one_update_with_one_event_listing_the_fields(db: str, tmp_path: Path) -> None:
    done = edit(
        db, tmp_path,
        """sed -i 's/^title = ""/title = "Countess"/; s/^phone = ""/phone = "+44 20 7946 0000"/;"""
        """ s/"vip",/"vip", "math",/; s/^plan = "pro"/plan = "team"/' "$1" """,
        "contact", "edit", "ada@example.com",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Updated contact #1 Ada Lovelace"
    with tinycrm.open(db) as crm:
        ada = crm.contacts.get("ada@example.com")
        assert (ada.title, ada.tags, ada.fields) == ("Countess", ["math", "vip"], {"plan": "team"})
        events = crm.feed(limit=None)
        assert [e.summary for e in events if e.action == "updated"] == [
            "updated contact Ada Lovelace: phone, title, +math, plan"
        ]
    assert left_files(tmp_path) == []


def test_an_empty_text_clears_and_a_deal_keeps_exact_amounts(db: str, tmp_path: Path) -> None:
    done = edit(
        db, tmp_path,
        """sed -i 's/^amount = .*/amount = "20000.50"/; s/^close = ""/close = "2027-01-31"/;"""
        """ s/^contact = .*/contact = ""/' "$1" """,
        "deal", "edit", "Engine order",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with tinycrm.open(db) as crm:
        deal = crm.deals.get("Engine order")
        assert (str(deal.amount), str(deal.close_date), deal.contact) == (
            "20000.50", "2027-01-31", None,
        )  # fmt: skip


def test_a_company_by_its_name(db: str, tmp_path: Path) -> None:
    done = edit(
        db, tmp_path, """sed -i 's/^size = ""/size = 12/' "$1" """,
        "company", "edit", "Analytical Engines",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with tinycrm.open(db) as crm:
        assert crm.companies.get("Analytical Engines").size == 12


def test_nothing_changed_writes_nothing(db: str, tmp_path: Path) -> None:
    done = edit(db, tmp_path, "true", "contact", "edit", "1")
    assert done.returncode == 0
    assert done.stdout.strip() == "Nothing changed: contact #1 Ada Lovelace"
    with tinycrm.open(db) as crm:
        assert [e.action for e in crm.feed(limit=None)].count("updated") == 0
    assert left_files(tmp_path) == []


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("""sed -i 's/^lifecycle = .*/lifecycle = "nonsense"/' "$1" """, "invalid lifecycle"),
        ("""sed -i 's/^name = /name == /' "$1" """, "not valid TOML"),
        ("""sed -i 's/^role = ""/rolle = "x"/' "$1" """, "unknown field 'rolle'"),
        ("""sed -i 's/^email = .*/email = "a,b@c.de"/' "$1" """, "email"),
        ("exit 3", "the editor exited with status 3"),
    ],
)
def test_a_refusal_keeps_the_edited_file_and_names_it(
    db: str, tmp_path: Path, script: str, message: str
) -> None:
    done = edit(db, tmp_path, script, "contact", "edit", "1")
    assert done.returncode == 1
    assert message in done.stderr and done.stderr.count("\n") == 1
    kept = left_files(tmp_path)
    assert len(kept) == 1 and f"your edits are kept in {kept[0]}" in done.stderr
    with tinycrm.open(db) as crm:
        assert crm.contacts.get(1).lifecycle == "lead"
        assert [e.action for e in crm.feed(limit=None)].count("updated") == 0


def test_editor_and_field_options_do_not_mix(db: str, tmp_path: Path) -> None:
    done = edit(db, tmp_path, "true", "contact", "edit", "1", "--name", "X")
    assert done.returncode == 2 and "give it no other field options" in done.stderr


def test_ctrl_c_belongs_to_the_editor_while_it_runs(tmp_path: Path) -> None:
    db = str(tmp_path / "crm.db")
    with tinycrm.open(db) as crm:
        crm.contacts.add("Ada Lovelace")
    started = tmp_path / "started"
    script = f"""touch {started}; sleep 3; sed -i 's/^title = ""/title = "Countess"/' "$1" """
    env = {**os.environ, "EDITOR": editor(tmp_path, script), "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [*tinycrm_executable(), "--db", db, "contact", "edit", "1", "--editor"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # to tinycrm alone: the editor goes on
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    with tinycrm.open(db) as crm:
        assert crm.contacts.get(1).title == "Countess"

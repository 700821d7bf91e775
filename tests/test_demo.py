"""The demo database: size, shape, determinism, reuse, and isolation from the user's data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tinycrm.demo import DemoSummary, demo_path, ensure_demo
from tinycrm.store import activities, companies, contacts, deals, reports, views
from tinycrm.store.engine import Store, data_dir, open_store
from tinycrm.store.feed import list_feed
from tinycrm.vocab import DEFAULT_STAGES, LIFECYCLES, ROLES

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def _isolate(mp: pytest.MonkeyPatch, root: Path) -> Path:
    """Point every place tinycrm could write at ``root``; return the TINYCRM_DB path."""
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        mp.setenv(var, str(root / var.lower()))
    own_db = root / "own.db"
    mp.setenv("TINYCRM_DB", str(own_db))
    mp.setenv("TINYCRM_USER", "tester")
    mp.setenv("TZ", "Europe/Berlin")  # as every test has it (event summaries are local time)
    return own_db


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, DemoSummary, Path]]:
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        own_db = _isolate(mp, root)
        path = root / "demo.db"
        summary = ensure_demo(path, now=NOW)
        yield path, summary, own_db


@pytest.fixture
def store(built: tuple[Path, DemoSummary, Path]) -> Iterator[Store]:
    opened = open_store(str(built[0]), user="tester")
    yield opened
    opened.close()


def _dump(store: Store) -> str:
    """Everything the demo holds, timestamps included (each is placed relative to ``now``)."""
    data = {
        "companies": [c.model_dump(mode="json") for c in companies.list_companies(store)],
        "contacts": [c.model_dump(mode="json") for c in contacts.list_contacts(store)],
        "deals": [d.model_dump(mode="json") for d in deals.list_deals(store, status=None)],
        "activities": sorted(
            (a.model_dump(mode="json") for a in activities.list_activities(store, limit=None)),
            key=lambda a: a["id"],
        ),
        "feed": [e.model_dump(mode="json") for e in list_feed(store, limit=100_000)],
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def test_summary_meets_the_minimums(built: tuple[Path, DemoSummary, Path]) -> None:
    _path, summary, _own = built
    assert summary.created
    assert summary.companies >= 40
    assert summary.contacts >= 200
    assert summary.deals >= 120
    assert summary.deals == summary.open_deals + summary.won + summary.lost
    assert summary.won > 0
    assert summary.lost > 0
    assert summary.activities >= 600
    assert summary.overdue_tasks > 0


def test_summary_counts_match_the_store(
    built: tuple[Path, DemoSummary, Path], store: Store
) -> None:
    summary = built[1]
    assert summary.companies == len(companies.list_companies(store))
    assert summary.contacts == len(contacts.list_contacts(store))
    assert summary.deals == len(deals.list_deals(store, status=None))
    assert summary.open_deals == len(deals.list_deals(store))
    assert summary.won == len(deals.list_deals(store, status="won"))
    assert summary.lost == len(deals.list_deals(store, status="lost"))
    logged = activities.list_activities(
        store, kinds=["call", "email", "meeting", "note"], limit=None
    )
    assert len(logged) >= 600
    assert summary.overdue_tasks == len(activities.list_tasks(store, scope="overdue", now=NOW))


def test_deals_cover_every_stage_and_outcome(store: Store) -> None:
    open_deals = deals.list_deals(store)
    assert {d.stage for d in open_deals} == {name for name, _p, _r in DEFAULT_STAGES}
    lost = deals.list_deals(store, status="lost")
    assert all(d.lost_reason for d in lost)
    assert {"price", "went with competitor"} <= {d.lost_reason for d in lost}
    everything = deals.list_deals(store, status=None)
    assert {d.currency for d in everything} == {"EUR", "USD", "GBP"}
    assert sum(d.currency == "EUR" for d in everything) > len(everything) / 2
    assert all(d.contact_id and d.company_id and d.amount for d in everything)
    assert {d.close_date < NOW.date() for d in open_deals} == {True, False}
    assert {d.owner for d in everything} == {"sam", "alex", "priya"}
    won = deals.list_deals(store, status="won")[0]
    history = views.deal_view(store, won.id).history
    assert [h.to_status for h in history][-1] == "won"
    assert len(history) >= 4  # opened, moved through stages, won


def test_contacts_are_plausible(store: Store) -> None:
    people = contacts.list_contacts(store)
    domains = {c.id: c.domain for c in companies.list_companies(store)}
    names = {p.name for p in people}
    assert {"Jürgen Müller", "Zoë Lefèvre", "Søren Ødegaard", "José Martínez"} <= names
    assert len(names) >= 150
    for person in people:
        assert person.company_id is not None
        assert person.email and person.email.endswith("@" + domains[person.company_id])
        assert person.email.isascii()
        assert person.title
    assert {p.role for p in people} == set(ROLES)
    assert {p.lifecycle for p in people} == set(LIFECYCLES)
    assert {p.source for p in people} == {"referral", "web", "event", "partner", "outbound"}
    assert contacts.list_contacts(store, search="müller")
    assert contacts.list_contacts(store, search="MÜLLER")


def test_lifecycles_agree_with_deals(store: Store) -> None:
    people = {p.id: p for p in contacts.list_contacts(store)}
    for deal in deals.list_deals(store, status=None):
        person = people[deal.contact_id]
        if deal.status == "won":
            assert person.lifecycle in ("customer", "churned")
        if deal.status == "open":
            assert person.lifecycle in ("prospect", "customer")


def test_companies_have_tags_and_fields(store: Store) -> None:
    accounts = companies.list_companies(store)
    assert len({c.country for c in accounts}) >= 10
    assert all(c.domain and c.city and c.industry and c.size for c in accounts)
    for tag in ("enterprise", "smb", "partner"):
        assert companies.list_companies(store, tags=[tag]), tag
    assert companies.list_companies(store, field=("plan", None))


def test_tasks_done_overdue_and_upcoming(store: Store) -> None:
    assert activities.list_tasks(store, scope="done")
    assert activities.list_tasks(store, scope="overdue", now=NOW)
    upcoming = [t for t in activities.list_tasks(store, now=NOW) if t.due_at and t.due_at > NOW]
    assert upcoming
    logged = activities.list_activities(
        store, kinds=["call", "email", "meeting", "note"], limit=None
    )
    assert {a.kind for a in logged} == {"call", "email", "meeting", "note"}
    assert all(a.occurred_at is not None and a.occurred_at < NOW for a in logged)


def test_history_reads_like_a_real_past(store: Store) -> None:
    """Records were written at the moments they happened: ids follow time, nothing is
    stamped after ``now``, and the reports that measure history have one to measure."""
    feed = list_feed(store, limit=100_000)
    moments = [e.at for e in reversed(feed)]  # the feed is newest first, by id
    assert moments == sorted(moments)
    assert moments[0] < NOW - timedelta(days=300) and moments[-1] < NOW
    for deal in deals.list_deals(store, status=None):
        assert deal.created_at < (deal.closed_at or NOW) <= NOW
    won = len(deals.list_deals(store, status="won"))
    cycle = reports.cycle_report(store, now=NOW)
    assert cycle.won == won and cycle.median_days is not None and cycle.median_days > 14
    assert all(row.mean_days for row in cycle.rows)
    funnel = reports.funnel_report(store, now=NOW)
    assert funnel.rows[0].reached == funnel.deals == len(deals.list_deals(store, status=None))
    assert funnel.rows[-1].stage == "won" and funnel.rows[-1].reached == won
    churn = reports.churn_report(store, by="quarter", now=NOW)
    assert all(row.customers_at_start > 0 for row in churn.rows)
    assert 0 < sum(row.churned for row in churn.rows) < churn.rows[0].customers_at_start
    dashboard = reports.dashboard_numbers(store, now=NOW)
    assert dashboard.win_rate and dashboard.median_cycle_days and dashboard.overdue_tasks


def test_reuse_reset_and_determinism(
    built: tuple[Path, DemoSummary, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, first, _own = built
    own_db = _isolate(monkeypatch, tmp_path)

    again = ensure_demo(path, now=NOW)
    assert not again.created
    assert again == DemoSummary(**{**first.__dict__, "created": False})

    # A file that already holds records is reused as it is...
    other = tmp_path / "other.db"
    seeded = open_store(str(other), user="tester")
    companies.add_company(seeded, name="Not The Demo Ltd")
    seeded.close()
    reused = ensure_demo(other, now=NOW)
    assert not reused.created and reused.companies == 1

    # ...until --reset throws it away and builds the same demo again.
    rebuilt = ensure_demo(other, reset=True, now=NOW)
    assert rebuilt.created
    assert rebuilt == first
    stores = [open_store(str(p), user="tester") for p in (path, other)]
    try:
        assert _dump(stores[0]) == _dump(stores[1])
    finally:
        for opened in stores:
            opened.close()
    assert not own_db.exists()


def test_the_api_reuses_the_demo_and_opens_it(built: tuple[Path, DemoSummary, Path]) -> None:
    import tinycrm
    from tinycrm.api.demo import build_demo

    path, first, _own = built
    seen: list[int] = []
    again = build_demo(path, now=NOW, progress=lambda done, total: seen.append(done))
    assert again == DemoSummary(**{**first.__dict__, "created": False}) and seen == []
    with tinycrm.open(path, user="tester") as crm:
        assert len(crm.contacts.list()) == first.contacts


def test_never_touches_the_users_database(built: tuple[Path, DemoSummary, Path]) -> None:
    _path, _summary, own_db = built
    assert not own_db.exists()
    # The default database of the environment the demo was built in was not created either.
    assert not (own_db.parent / "xdg_data_home" / "tinycrm" / "tinycrm.db").exists()


def test_demo_path_is_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _isolate(monkeypatch, tmp_path)
    assert demo_path() == data_dir() / "demo.db"
    assert demo_path().name == "demo.db"


def test_refuses_the_users_own_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tinycrm.store.engine import default_path
    from tinycrm.store.errors import Invalid

    _isolate(monkeypatch, tmp_path)
    with pytest.raises(Invalid):
        ensure_demo(default_path(), reset=True)
    assert not default_path().exists()


def test_a_path_under_the_home_of_no_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'~nouser/d.db' ended in RuntimeError from Path.expanduser (a traceback)."""
    from tinycrm.store.errors import Invalid

    _isolate(monkeypatch, tmp_path)
    with pytest.raises(
        Invalid, match=r"cannot write the demo database ~nosuchuser_tinycrm/d\.db: "
    ):
        ensure_demo(Path("~nosuchuser_tinycrm/d.db"))


def test_refuses_the_database_in_use_and_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A demo ``path`` naming the database in use (``database``, else ``TINYCRM_DB``), one
    of its files or a link to it is refused before anything is written: with ``reset``
    it would delete the user's records and put the demo in their place."""
    import os

    from tinycrm.store.contacts import add_contact
    from tinycrm.store.errors import Invalid

    own = _isolate(monkeypatch, tmp_path)
    store = open_store(str(own))
    add_contact(store, name="Precious Person")
    store.close()
    before = own.read_bytes()
    (tmp_path / "link.db").symlink_to(own)
    os.link(own, tmp_path / "hard.db")
    names = [own.name + end for end in ("", "-wal", "-shm", "-journal")] + ["link.db", "hard.db"]
    for name in names:
        for database in (None, str(own)):  # TINYCRM_DB, then --db (TINYCRM_DB elsewhere)
            if database:
                monkeypatch.setenv("TINYCRM_DB", str(tmp_path / "other.db"))
            with pytest.raises(Invalid, match="is your own tinycrm database"):
                ensure_demo(tmp_path / name, reset=True, database=database)
            assert own.read_bytes() == before
            monkeypatch.setenv("TINYCRM_DB", str(own))


def test_demo_path_onto_the_database_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line: ``tinycrm --db FILE demo --path FILE-wal --reset`` says no."""
    import subprocess

    from tests.cli.conftest import tinycrm_executable

    own = _isolate(monkeypatch, tmp_path)
    open_store(str(own)).close()
    monkeypatch.setenv("TINYCRM_DB", str(tmp_path / "other.db"))
    wal = own.with_name(own.name + "-wal")
    run = subprocess.run(
        [*tinycrm_executable(), "--db", str(own), "demo", "--path", str(wal), "--reset"],
        capture_output=True,
        text=True,
    )
    assert (run.returncode, run.stdout) == (1, ""), run.stderr
    assert run.stderr == (
        f"Error: {wal} is your own tinycrm database (or one of its files); "
        "choose another demo path\n"
    )
    assert not wal.exists() and not (tmp_path / "other.db").exists()


def test_the_demo_is_built_with_its_own_settings_not_the_users_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`TINYCRM_CONFIG=~/typo.toml tinycrm demo` failed ('config file … does not exist')
    after building for seconds, and with a config that exists the build ran the user's
    rules and post-write hooks on the demo's data. The demo is its own data: it is built
    with the default settings, whatever the user's config says or lacks (the board opened
    on it afterwards follows the config, as every command does)."""
    from typer.testing import CliRunner

    import tinycrm.demo
    from tinycrm.cli import app

    def tiny(store: Store, *, now: datetime, progress: object = None) -> None:
        contacts.add_contact(store, name="Ada Demo")  # a write the rules hear

    monkeypatch.setattr(tinycrm.demo, "build_demo", tiny)
    _isolate(monkeypatch, tmp_path)
    runner = CliRunner()
    monkeypatch.setenv("TINYCRM_CONFIG", str(tmp_path / "missing.toml"))
    demo = ["demo", "--no-board", "--path", str(tmp_path / "demo.db")]
    result = runner.invoke(app, demo)
    assert result.exit_code == 0, result.stderr
    assert "Built the demo database" in result.stdout
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text('[[rules]]\nwhen = "contact.created"\ntask = "Call {name}"\n')
    hook = config.parent / "hooks" / "post-write"
    hook.parent.mkdir()
    hook.write_text(f"#!/bin/sh\ntouch {tmp_path / 'hook-ran'}\n")
    hook.chmod(0o755)
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    result = runner.invoke(app, [*demo, "--reset"])
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "hook-ran").exists()
    built = open_store(str(tmp_path / "demo.db"))
    try:
        assert activities.list_tasks(built, scope="open") == []  # the rule's "Call Ada Demo"
    finally:
        built.close()

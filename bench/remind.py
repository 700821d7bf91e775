"""`tinycrm remind --json` cold over 100,000 contacts and 1,000,000 activities.

Target (issue 6): under 1 s, with the queries answered from indexes.

    python bench/remind.py [--runs 5] [--keep DB] [--against PYTHON [--against-keep DB2]]

``--keep DB`` seeds that SQLite file once and reuses it. Timed: cron's first run (the
ledger of told items emptied before each, untimed, so each run claims, records and
prints every item), cron's usual run (nothing new), ``--all``, and two floors: a command
that opens the store and reads one deal, and importing sqlmodel alone. Each figure is the
fastest and median wall time and the least CPU time of ``--runs`` new processes, the runs
of all commands interleaved, with the ratios to the sqlmodel floor. A run that fails
shows its error.

``--against PYTHON`` times another checkout's tinycrm too (its venv's interpreter, e.g.
an older commit's, to see a regression): it seeds its own database (this script run by
that interpreter, so with that tree's schema), and the runs of both alternate, so a
slower minute of the shared machine falls on both; the ratios of this tree to it are
printed last.

The data is seeded straight through SQLAlchemy Core on the store's own tables
(the store's per-record functions would take minutes for a million rows).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).parent))
from _data import contacts
from _timing import (
    FLOOR,
    MINE,
    THEIRS,
    Runner,
    against_options,
    measure,
    print_figures,
    seeded,
    to_file,
)

N_CONTACTS = 100_000
N_DEALS = 5_000
N_ACTIVITIES = 1_000_000
N_TASKS = 20_000
BIN = Path(sys.executable).parent / "tinycrm"


def seed(path: Path) -> None:
    from tinycrm.store.bulk import bulk_add_contacts
    from tinycrm.store.engine import open_store
    from tinycrm.store.log_models import StageChange
    from tinycrm.store.models import Activity, Contact, Deal

    rng = random.Random(6)
    store = open_store(str(path), user="bench")
    bulk_add_contacts(store, contacts(N_CONTACTS))
    now = datetime.now(UTC)
    with store.write() as session:
        conn = session.connection()
        # Customers of some standing: created long ago, so lapsed cadences are due.
        conn.execute(Contact.__table__.update().values(created_at=now - timedelta(days=500)))
        conn.execute(Contact.__table__.update().where(Contact.id % 10 == 0).values(cadence_days=30))
        deals = [
            {
                "title": f"Deal {i}",
                "title_key": f"deal {i}",
                "contact_id": rng.randint(1, N_CONTACTS),
                "pipeline_id": 1,
                "stage_id": rng.randint(1, 4),
                "amount_minor": rng.randint(1, 500) * 100_00,
                "currency": "EUR",
                "close_date": date.today() + timedelta(days=rng.randint(-30, 120)),
                "status": "open",
                "owner": "bench",
                "created_at": now - timedelta(days=rng.randint(0, 200)),
                "updated_at": now,
            }
            for i in range(N_DEALS)
        ]
        conn.execute(insert(Deal), deals)
        conn.execute(
            insert(StageChange),
            [
                {"deal_id": i + 1, "to_stage_id": d["stage_id"], "to_status": "open",
                 "at": d["created_at"], "actor": "bench"}
                for i, d in enumerate(deals)
            ],
        )  # fmt: skip
        kinds = ("call", "email", "meeting", "note")
        batch = []
        for i in range(N_ACTIVITIES):
            when = now - timedelta(minutes=rng.randint(0, 60 * 24 * 400))
            batch.append(
                {
                    "kind": kinds[i % 4],
                    "subject": "bench activity",
                    "contact_id": rng.randint(1, N_CONTACTS),
                    "deal_id": rng.randint(1, N_DEALS) if i % 5 == 0 else None,
                    "occurred_at": when,
                    "owner": "bench",
                    "created_at": when,
                    "updated_at": when,
                }
            )
            if len(batch) == 20_000:
                conn.execute(insert(Activity), batch)
                batch = []
        for i in range(N_TASKS):
            due = now + timedelta(hours=rng.randint(-24 * 30, 24 * 60))
            batch.append(
                {"kind": "task", "subject": f"task {i}", "contact_id": rng.randint(1, N_CONTACTS),
                 "due_at": due, "owner": "bench", "created_at": now, "updated_at": now}
            )  # fmt: skip
        conn.execute(insert(Activity), batch)
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _items(cmd: list[str]) -> int:
    """Run ``cmd`` once (a failure shows its stderr) and count the items it printed."""
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{cmd!r} exited {done.returncode}:\n{done.stderr}")
    return done.stdout.count('"key"')


def _first_run(cmd: list[str], path: Path, env: dict[str, str]) -> Runner:
    """``cmd`` as cron's first run on ``path``: the ledger of told items is emptied
    (untimed) before each run, so each run claims, records and prints every item."""
    timed = to_file(cmd, env)

    def run() -> tuple[float, float]:
        with sqlite3.connect(path) as conn:
            conn.execute("DELETE FROM announcement")
        return timed()

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="seed this SQLite file once and reuse it")
    against_options(parser)
    args = parser.parse_args()
    if args.seed_only:
        seed(args.seed_only)
        return
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"": (sys.executable, args.keep or Path(tmp) / "remind.db")}
        if args.against:
            trees = {
                THEIRS: (args.against, args.against_keep or Path(tmp) / "against.db"),
                MINE: trees[""],
            }
        runners: dict[str, Runner] = {}
        env = dict(os.environ)
        for label, (python, path) in trees.items():
            seeded(python, __file__, path)
            tinycrm = [str(Path(python).parent / "tinycrm"), "--db", str(path)]
            remind = [*tinycrm, "remind", "--json"]
            start = time.perf_counter()
            items = _items(remind)
            took = time.perf_counter() - start
            print(f"{label}first run on this file ({items:,} items told): {took:.3f} s")
            print(f"{label}--all prints {_items([*remind, '--all']):,} items")
            runners |= {
                f"{label}remind --json, first run (tells all)": _first_run(remind, path, env),
                f"{label}remind --json (cron's run, nothing new)": to_file(remind, env),
                f"{label}remind --json --all": to_file([*remind, "--all"], env),
                f"{label}floor: deal list --limit 1 --json": to_file(
                    [*tinycrm, "deal", "list", "--limit", "1", "--json"], env
                ),
            }
        runners[FLOOR] = to_file([sys.executable, "-c", "import sqlmodel"], env)
        print_figures(measure(runners, args.runs), args.runs)


if __name__ == "__main__":
    main()

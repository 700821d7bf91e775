"""Every ``tinycrm report`` cold, as a new process, over 10,000 deals and 1,000,000 activities.

Target (issue 8): each report under 1 s, computed with SQL aggregates.

    python bench/reports.py [--runs 5] [--keep DB] [--pg URL]
                            [--against PYTHON [--against-keep DB2]]

``--keep DB`` seeds that SQLite file once and reuses it; ``--pg URL`` times a PostgreSQL
database too (seeded first when it holds no deals). Each figure is the fastest and median
wall time and the least CPU time of ``--runs`` new processes, the runs of every command
interleaved, with the ratios to ``python -c 'import sqlmodel'`` measured in the same run.
``--against PYTHON`` times another checkout's tinycrm too (its venv's interpreter, e.g. an
older commit's), on a SQLite file seeded by it (this script run by that interpreter, so
with that tree's schema), and prints this tree's ratios to it.

The data is seeded straight through SQLAlchemy Core on the store's own tables
(the store's per-record functions would take minutes for a million rows): 10,000
contacts with sources and lifecycle histories, 10,000 deals in two pipelines and
three currencies with their stage histories (moves, wins, losses, reopenings),
980,000 logged activities (in the order they happened) and 20,000 tasks over the last
400 days. SQLite gets no ANALYZE (a user's file has no planner statistics either);
PostgreSQL gets the VACUUM ANALYZE that autovacuum does soon after a bulk load.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
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

N_CONTACTS = 10_000
N_DEALS = 10_000
N_ACTIVITIES = 1_000_000
N_TASKS = 20_000
OWNERS = ("sam", "alex", "priya", "jo")
SOURCES = ("web", "referral", "event", "ads", "partner", None)
CURRENCIES = ("EUR",) * 16 + ("USD",) * 3 + ("GBP",)
BIN = Path(sys.executable).parent / "tinycrm"

# (report arguments) timed as `tinycrm report …`
COMMANDS: list[list[str]] = [
    ["pipeline"],
    ["forecast"],
    ["forecast", "--by", "quarter"],
    ["winrate", "--by", "source"],
    ["winrate", "--by", "owner"],
    ["cycle"],
    ["funnel"],
    ["sources"],
    ["churn", "--by", "month"],
    ["clv"],
    ["activity"],
    ["activity", "--by", "week"],
    ["activity", "--by", "week", "--from", "-400d"],
]


def _deal_history(
    rng: random.Random, deal_id: int, stages: list[int], created: datetime, now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A deal's final state and its stage changes: forward moves, then maybe a close,
    and for some lost deals a reopening and a second outcome."""
    changes: list[dict[str, Any]] = []
    at = created
    position = 0
    changes.append({"from_stage_id": None, "to_stage_id": stages[0], "from_status": None,
                    "to_status": "open", "at": at})  # fmt: skip
    target = rng.randint(0, len(stages) - 1)
    while position < target:
        step = at + timedelta(days=rng.randint(1, 25), hours=rng.randint(0, 23))
        if step >= now:
            break
        changes.append({"from_stage_id": stages[position], "to_stage_id": stages[position + 1],
                        "from_status": "open", "to_status": "open", "at": step})  # fmt: skip
        at, position = step, position + 1
    status, closed = "open", None
    roll = rng.random()
    outcomes = ["won"] if roll < 0.3 else ["lost"] if roll < 0.6 else []
    if outcomes and rng.random() < 0.08:  # reopened, then maybe closed again
        outcomes = [outcomes[0], "open"] + (
            [rng.choice(("won", "lost"))] if rng.random() < 0.7 else []
        )
    for outcome in outcomes:
        step = at + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 23))
        if step >= now:
            break
        stage = stages[position]
        changes.append({"from_stage_id": stage, "to_stage_id": stage, "from_status": status,
                        "to_status": outcome, "at": step})  # fmt: skip
        at, status = step, outcome
        closed = None if outcome == "open" else step
    for change in changes:
        change.update(deal_id=deal_id, actor="bench")
    return {"stage_id": stages[position], "status": status, "closed_at": closed}, changes


def seed(url: str) -> None:
    from sqlalchemy import insert, select

    from tinycrm.store.engine import open_store
    from tinycrm.store.log_models import StageChange
    from tinycrm.store.models import (
        Activity,
        Contact,
        Deal,
        LifecycleChange,
        Pipeline,
        Stage,
    )

    rng = random.Random(8)
    now = datetime.now(UTC)
    store = open_store(url, user="bench")
    with store.write() as session:
        conn = session.connection()
        conn.execute(insert(Pipeline).values(name="Renewals", name_key="renewals", position=1,
                                             created_at=now))  # fmt: skip
        renewals = conn.execute(select(Pipeline.id).where(Pipeline.name_key == "renewals")).scalar()
        conn.execute(
            insert(Stage),
            [
                {"pipeline_id": renewals, "name": "Due", "name_key": "due", "position": 0,
                 "probability": 60, "rotting_days": 21},
                {"pipeline_id": renewals, "name": "Quoted", "name_key": "quoted", "position": 1,
                 "probability": 85, "rotting_days": 14},
            ],
        )  # fmt: skip
        pipelines: dict[int, list[int]] = {}
        for pipeline_id, stage_id in conn.execute(
            select(Stage.pipeline_id, Stage.id).order_by(Stage.pipeline_id, Stage.position)
        ):
            pipelines.setdefault(pipeline_id, []).append(stage_id)
        sales = min(pipelines)

        contacts, lifecycles = [], []
        for i in range(1, N_CONTACTS + 1):
            created = now - timedelta(minutes=rng.randint(0, 800 * 24 * 60))
            lifecycle = "lead"
            lifecycles.append({"contact_id": i, "from_lifecycle": None, "to_lifecycle": "lead",
                               "at": created, "actor": "bench"})  # fmt: skip
            if rng.random() < 0.35:
                became = created + timedelta(days=rng.randint(5, 200))
                if became < now:
                    lifecycle = "customer"
                    lifecycles.append({"contact_id": i, "from_lifecycle": "lead",
                                       "to_lifecycle": "customer", "at": became,
                                       "actor": "bench"})  # fmt: skip
                    churned = became + timedelta(days=rng.randint(30, 600))
                    if rng.random() < 0.3 and churned < now:
                        lifecycle = "churned"
                        lifecycles.append({"contact_id": i, "from_lifecycle": "customer",
                                           "to_lifecycle": "churned", "at": churned,
                                           "actor": "bench"})  # fmt: skip
            contacts.append(
                {
                    "name": f"Person {i}",
                    "name_key": f"person {i}",
                    "email": f"person{i}@example.com",
                    "lifecycle": lifecycle,
                    "source": rng.choice(SOURCES),
                    "last_touch": rng.choice(SOURCES),
                    "owner": rng.choice(OWNERS),
                    "search_key": f"person {i} person{i}@example.com",
                    "created_at": created,
                    "updated_at": created,
                }
            )
        conn.execute(insert(Contact), contacts)
        conn.execute(insert(LifecycleChange), lifecycles)

        deals, changes = [], []
        for i in range(1, N_DEALS + 1):
            pipeline_id = sales if rng.random() < 0.9 else renewals
            created = now - timedelta(minutes=rng.randint(0, 730 * 24 * 60))
            state, history = _deal_history(rng, i, pipelines[pipeline_id], created, now)
            changes += history
            deals.append(
                {
                    "title": f"Deal {i}",
                    "title_key": f"deal {i}",
                    "contact_id": rng.randint(1, N_CONTACTS),
                    "pipeline_id": pipeline_id,
                    "amount_minor": rng.randint(1, 500) * 100_00 if rng.random() < 0.95 else None,
                    "currency": rng.choice(CURRENCIES),
                    "probability": rng.choice((None,) * 9 + (90,)),
                    "close_date": (created + timedelta(days=rng.randint(10, 150))).date(),
                    "lost_reason": "price" if state["status"] == "lost" else None,
                    "owner": rng.choice(OWNERS),
                    "created_at": created,
                    "updated_at": created,
                    **state,
                }
            )
        conn.execute(insert(Deal), deals)
        conn.execute(insert(StageChange), changes)

        kinds = ("call", "email", "meeting", "note")
        batch: list[dict[str, Any]] = []
        # logged as they happen: the table grows in time order, as a real CRM's does
        minutes = sorted(rng.randint(0, 400 * 24 * 60) for _ in range(N_ACTIVITIES - N_TASKS))
        for i, ago in enumerate(reversed(minutes)):
            when = now - timedelta(minutes=ago)
            deal_id = rng.randint(1, N_DEALS) if i % 5 == 0 else None
            batch.append(
                {
                    "kind": kinds[i % 4],
                    "subject": "bench activity",
                    "contact_id": rng.randint(1, N_CONTACTS),
                    "deal_id": deal_id,
                    "occurred_at": when,
                    "owner": OWNERS[(i // 4) % len(OWNERS)],
                    "created_at": when,
                    "updated_at": when,
                }
            )
            if len(batch) == 20_000:
                conn.execute(insert(Activity), batch)
                batch = []
        for i in range(N_TASKS):
            due = now + timedelta(hours=rng.randint(-24 * 400, 24 * 30))
            done = due + timedelta(hours=rng.randint(-72, 72)) if rng.random() < 0.6 else None
            done = done if done is not None and done < now else None
            batch.append(
                {"kind": "task", "subject": f"task {i}", "contact_id": rng.randint(1, N_CONTACTS),
                 "deal_id": rng.randint(1, N_DEALS) if i % 3 == 0 else None, "due_at": due,
                 "done_at": done, "occurred_at": done, "owner": OWNERS[i % len(OWNERS)],
                 "created_at": due - timedelta(days=7), "updated_at": now}
            )  # fmt: skip
        conn.execute(insert(Activity), batch)
    store.close()
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        from sqlalchemy import create_engine

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        engine.dispose()


def runners(python: str, url: str, label: str = "") -> dict[str, Runner]:
    """The deal-list floor and every report, as a table and as --json, by ``python``'s
    tinycrm on ``url``."""
    tinycrm = [str(Path(python).parent / "tinycrm"), "--db", url]
    env = dict(os.environ)
    out = {
        f"{label}floor: deal list --limit 1 --json": to_file(
            [*tinycrm, "deal", "list", "--limit", "1", "--json"], env
        )
    }
    for args in COMMANDS:
        name = f"{label}report {' '.join(args)}"
        out[name] = to_file([*tinycrm, "report", *args], env)
        out[f"{name} --json"] = to_file([*tinycrm, "report", *args, "--json"], env)
    return out


def _has_deals(url: str) -> bool:
    from sqlalchemy import func, select

    from tinycrm.store.engine import open_store
    from tinycrm.store.models import Deal

    store = open_store(url, user="bench")
    with store.read() as session:
        found = session.execute(select(func.count()).select_from(Deal)).scalar()
    store.close()
    return bool(found)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="seed this SQLite file (reused if it exists)")
    parser.add_argument(
        "--pg", help="also time this PostgreSQL URL (seeded first when it holds no deals)"
    )
    against_options(parser)
    args = parser.parse_args()
    if args.seed_only:
        seed(f"sqlite:///{args.seed_only.absolute()}")
        return
    os.environ.setdefault("COLUMNS", "120")
    floor = {FLOOR: to_file([sys.executable, "-c", "import sqlmodel"], dict(os.environ))}
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp) / "reports.db").absolute()
        seeded(sys.executable, __file__, path)
        timed = dict(floor)
        if args.against:
            other = (args.against_keep or Path(tmp) / "against.db").absolute()
            seeded(args.against, __file__, other)
            timed |= runners(args.against, f"sqlite:///{other}", THEIRS)
            timed |= runners(sys.executable, f"sqlite:///{path}", MINE)
        else:
            timed |= runners(sys.executable, f"sqlite:///{path}")
        print(f"\nSQLite, {args.runs} cold runs each")
        print_figures(measure(timed, args.runs), args.runs)
        if args.pg:
            if not _has_deals(args.pg):
                start = time.perf_counter()
                seed(args.pg)
                print(f"seeded PostgreSQL in {time.perf_counter() - start:.1f} s")
            print(f"\nPostgreSQL, {args.runs} cold runs each")
            timed = floor | runners(sys.executable, args.pg)
            print_figures(measure(timed, args.runs), args.runs)


if __name__ == "__main__":
    main()

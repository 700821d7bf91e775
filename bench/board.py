"""The board at scale: 5,000 open deals and 200,000 activities (issue 4).

Targets: the board opens in under 1.5 s (process start to the first paint of the
loaded board), stays under 300 MiB, and moving a card takes under 100 ms from
the key press to the redrawn board.

    python bench/board.py [--deals 5000] [--activities 200000] [--moves 20] [--keep DB]

Each figure is measured in a fresh process (``--child``) running the real app
headless (Textual's test driver renders every frame as a terminal would, and
discards it): first paint, peak RSS (``ru_maxrss``), then key-to-redraw latency
of moves, and how long until each move is committed to the database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

N_DEALS = 5_000
N_CLOSED = 1_000
N_ACTIVITIES = 200_000
N_COMPANIES = 1_500
N_CONTACTS = 6_000
OWNERS = ("sam", "alex", "priya", "jo")
WORDS = ("renewal", "expansion", "pilot", "upgrade", "rollout", "licence", "support", "audit")
KINDS = ("call", "email", "meeting", "note", "task")


def build(path: Path, deals: int, activities: int, seed: int = 4) -> None:
    """Fill a new database with Core inserts in one transaction (the ORM is too slow here)."""
    from sqlalchemy import insert, select

    from tinycrm.store.engine import open_store
    from tinycrm.store.models import (
        Activity,
        Company,
        Contact,
        Deal,
        Event,
        Stage,
        StageChange,
        Tag,
    )

    rng = random.Random(seed)
    now = datetime.now(UTC)
    store = open_store(str(path), user="bench")
    with store.write() as session:
        conn = session.connection()
        stages = session.execute(select(Stage.id, Stage.probability).order_by(Stage.position)).all()
        conn.execute(
            insert(Company),
            [
                {
                    "name": f"Company {i} GmbH",
                    "name_key": f"company {i} gmbh",
                    "domain": f"company{i}.example",
                    "owner": rng.choice(OWNERS),
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, N_COMPANIES + 1)
            ],
        )
        conn.execute(
            insert(Contact),
            [
                {
                    "name": f"Person {i}",
                    "name_key": f"person {i}",
                    "email": f"person{i}@example.com",
                    "company_id": rng.randint(1, N_COMPANIES),
                    "lifecycle": "lead",
                    "owner": rng.choice(OWNERS),
                    "search_key": f"person {i} person{i}@example.com",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, N_CONTACTS + 1)
            ],
        )
        deal_rows, changes = [], []
        total = deals + N_CLOSED
        for i in range(1, total + 1):
            stage_id, _ = rng.choice(stages)
            status = "open" if i <= deals else rng.choice(("won", "lost"))
            created = now - timedelta(days=rng.randint(1, 365))
            title = f"{rng.choice(WORDS).title()} {i}"
            deal_rows.append(
                {
                    "title": title,
                    "title_key": title.casefold(),
                    "contact_id": rng.randint(1, N_CONTACTS),
                    "company_id": rng.randint(1, N_COMPANIES),
                    "pipeline_id": 1,
                    "stage_id": stage_id,
                    "amount_minor": rng.randint(1_000, 200_000) * 100,
                    "currency": "EUR" if rng.random() < 0.9 else "USD",
                    "close_date": (now + timedelta(days=rng.randint(-20, 120))).date(),
                    "status": status,
                    "lost_reason": "price" if status == "lost" else None,
                    "closed_at": now - timedelta(days=rng.randint(0, 60))
                    if status != "open"
                    else None,
                    "owner": rng.choice(OWNERS),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            changes.append(
                {
                    "deal_id": i,
                    "to_stage_id": stage_id,
                    "to_status": "open",
                    "at": created + timedelta(days=rng.randint(0, 30)),
                    "actor": "bench",
                }
            )
        conn.execute(insert(Deal), deal_rows)
        conn.execute(insert(StageChange), changes)
        conn.execute(
            insert(Tag),
            [
                {"entity": "deal", "entity_id": i, "name": rng.choice(("enterprise", "smb", "q4"))}
                for i in range(1, total + 1, 3)
            ],
        )
        batch, events = [], []
        for i in range(1, activities + 1):
            kind = rng.choice(KINDS)
            at = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            deal_id = rng.randint(1, total)
            row = {
                "kind": kind,
                "subject": f"{kind} {i}",
                "deal_id": deal_id,
                "contact_id": deal_rows[deal_id - 1]["contact_id"],
                "company_id": deal_rows[deal_id - 1]["company_id"],
                "occurred_at": None if kind == "task" else at,
                "due_at": at + timedelta(days=7) if kind == "task" else None,
                "done_at": at + timedelta(days=1)
                if kind == "task" and rng.random() < 0.8
                else None,
                "owner": "bench",
                "created_at": at,
                "updated_at": at,
            }
            batch.append(row)
            events.append(
                {
                    "at": at,
                    "actor": "bench",
                    "action": "logged",
                    "entity": "activity",
                    "entity_id": i,
                    "summary": f"logged {kind} with deal {deal_rows[deal_id - 1]['title']}",
                }
            )
            if len(batch) == 5_000:
                conn.execute(insert(Activity), batch)
                conn.execute(insert(Event), sorted(events, key=lambda e: e["at"]))
                batch, events = [], []
        if batch:
            conn.execute(insert(Activity), batch)
            conn.execute(insert(Event), sorted(events, key=lambda e: e["at"]))
    store.close()
    import sqlite3

    raw = sqlite3.connect(path)
    raw.execute("ANALYZE")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()


# --------------------------------------------------------------------------- child process


def child(db: str, moves: int, started: float) -> None:
    """Run the app headless on ``db``; print one JSON line of figures."""
    import asyncio
    import resource

    from tinycrm.store.engine import open_store
    from tinycrm.tui.app import make_app

    store = open_store(db)
    app = make_app(store, poll_interval=3600)
    figures: dict[str, float] = {}

    async def run() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            board = app.screen
            while not getattr(board, "loaded", False):
                await asyncio.sleep(0.005)
            await pilot.pause()
            figures["first_paint_s"] = time.time() - started
            figures["load_s"] = board.last_load_seconds
            latencies, commits = [], []
            for i in range(moves):
                key = "shift+right" if i % 2 == 0 else "shift+left"
                t0 = time.perf_counter()
                await pilot.press(key)
                latencies.append(time.perf_counter() - t0)
                await app.workers.wait_for_complete()
                commits.append(time.perf_counter() - t0)
                await pilot.press("down")
            figures["move_ms_median"] = statistics.median(latencies) * 1000
            figures["move_ms_max"] = max(latencies) * 1000
            figures["commit_ms_median"] = statistics.median(commits) * 1000
            figures["cards"] = sum(len(c.cards) for c in board.columns_data)

    asyncio.run(run())
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=N_DEALS)
    parser.add_argument("--activities", type=int, default=N_ACTIVITIES)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="build into (or reuse) this database file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.moves, args.started)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.keep) if args.keep else Path(tmp) / "board.db"
        if not db.exists():
            t0 = time.perf_counter()
            build(db, args.deals, args.activities)
            print(f"built {db} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        env = {**os.environ, "TINYCRM_USER": "bench"}
        results = []
        for _ in range(args.runs):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(db),
                    "--moves",
                    str(args.moves),
                    "--started",
                    repr(time.time()),
                ],  # fmt: skip
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{args.deals:,} open deals, {args.activities:,} activities; {args.runs} runs")
    for key in results[0]:
        values = [r[key] for r in results]
        print(f"  {key:18} median {statistics.median(values):9.1f}   max {max(values):9.1f}")


if __name__ == "__main__":
    main()

"""`contact dupes` over 100,000 contacts at companies of every size, inside the store.

Target (issue 15): under 3 s (7.3 s before). Beside it, in the same run:

- the reference: the same name rules on every pair at each company, without blocking
  (what blocking saves, and whether it loses a pair the rules would find);
- with ``--before FILE``, an earlier ``find_duplicates`` on the same database:
  ``git show COMMIT:src/tinycrm/store/dupes.py > /tmp/dupes_before.py``.

    python bench/dupes.py [--runs 5] [--before /tmp/dupes_before.py] [--pg URL] [--no-reference]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _data import FIRST, LAST
from _pg import throwaway_schema

N = 100_000
COMPANIES = 8_000
SYLLABLES = ("ber", "man", "son", "ko", "la", "vic", "ter", "ing", "sch", "ol", "dt", "ra",
             "ne", "wal", "ski", "gar", "lin", "hof", "sen", "tz", "ba", "mi", "rez", "qu")  # fmt: skip
NICKS = (("Bob", "Robert"), ("Bill", "William"), ("Liz", "Elizabeth"), ("Kate", "Katherine"),
         ("Mike", "Michael"), ("Alex", "Alexander"), ("Jon", "Jonathan"), ("Peggy", "Margaret"))  # fmt: skip


def _people(n: int, seed: int = 15) -> tuple[list[dict[str, Any]], list[str]]:
    """Contacts (about 3% of them a variant of another at its company) and company names."""
    from nicknames import name_triplets

    rng = random.Random(seed)
    firsts = list(FIRST) + sorted({a.title() for a, _, _ in name_triplets()})
    lasts = list(LAST) + sorted(
        {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()
         for _ in range(6000)}
    )  # fmt: skip
    companies = [f"Company {i}" for i in range(COMPANIES)]
    # company sizes: most small, a few with thousands (Pareto), 8% of contacts at none
    weights = [1 / (i + 1) ** 0.9 for i in range(COMPANIES)]
    rows: list[dict[str, Any]] = []
    while len(rows) < n:
        company = None if rng.random() < 0.08 else rng.choices(range(COMPANIES), weights)[0]
        if rows and rng.random() < 0.03:
            rows.append(_variant(rng, rng.choice(rows[-500:])))
            continue
        first, last = rng.choice(firsts), rng.choice(lasts)
        if rng.random() < 0.05:
            first, last = rng.choice(NICKS)[1], rng.choice(LAST)
        i = len(rows)
        rows.append(
            {
                "name": f"{first} {last}",
                "email": f"p{i}@example{i % 97}.com" if rng.random() < 0.8 else None,
                "phone": f"+49 30 {rng.randint(1000000, 9999999)}" if rng.random() < 0.6 else None,
                "company_id": None if company is None else company + 1,
            }
        )
    return rows[:n], companies


def _variant(rng: random.Random, row: dict[str, Any]) -> dict[str, Any]:
    first, _, last = row["name"].partition(" ")
    kind = rng.randrange(6)
    if kind == 0:
        name = f"{first[0]}. {last}"
    elif kind == 1:
        name = f"{last}, {first}"
    elif kind == 2:
        name = row["name"].replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
        name = name if name != row["name"] else row["name"].upper()
    elif kind == 3:
        nick = {full: short for short, full in NICKS}.get(first)
        name = f"{nick or first} {last}"
    elif kind == 4:
        name = row["name"][:-2] + row["name"][-1:] if len(last) > 3 else row["name"]
    else:
        name = row["name"]
    phone = row["phone"]
    if phone and rng.random() < 0.5:
        phone = "0" + phone[4:]  # the national form of +49 …
    return {"name": name, "email": None, "phone": phone, "company_id": row["company_id"]}


def load(url: str) -> Any:
    from sqlalchemy import insert

    from tinycrm.store.bulk import bulk_add_contacts
    from tinycrm.store.engine import open_store
    from tinycrm.store.models import Company
    from tinycrm.store.settings import StoreSettings
    from tinycrm.store.types import utcnow

    store = open_store(url, user="bench", given=StoreSettings(phone_region="DE"))
    people, companies = _people(N)
    now = utcnow()
    with store.write() as session:
        session.execute(
            insert(Company),
            [
                {"name": c, "name_key": c.lower(), "owner": "bench", "created_at": now,
                 "updated_at": now}
                for c in companies
            ],
        )  # fmt: skip
    bulk_add_contacts(store, people)
    return store


def reference(store: Any) -> tuple[float, set[tuple[int, int]]]:
    """The name rules on every pair at each company: no blocking."""
    from sqlalchemy import select

    from tinycrm.names import NameKey, compare
    from tinycrm.store.models import Contact

    start = time.perf_counter()
    with store.read() as session:
        rows = session.execute(
            select(Contact.id, Contact.name, Contact.company_id).order_by(Contact.id)
        ).all()
    at: dict[int, list[tuple[int, NameKey]]] = defaultdict(list)
    for cid, name, company in rows:
        if company is not None:
            at[company].append((cid, NameKey.of(name)))
    found = set()
    for members in at.values():
        for (ia, ka), (ib, kb) in combinations(members, 2):
            if compare(ka, kb):
                found.add((ia, ib))
    return time.perf_counter() - start, found


def timed(find: Any, store: Any, runs: int) -> tuple[list[float], list[Any]]:
    """Wall-clock seconds of each run (and, printed, the CPU seconds of the fastest:
    on a shared machine they say what the process itself spent)."""
    times, cpu, found = [], [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        found = find(store)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"  (CPU: fastest {min(cpu):.2f} s, median {statistics.median(cpu):.2f} s; "
          f"load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    return times, found


def measure(url: str, label: str, runs: int, before: Path | None, every_pair: bool) -> None:
    from tinycrm.store.dupes import find_duplicates

    start = time.perf_counter()
    store = load(url)
    print(f"\n{label}: loaded {N:,} contacts at {COMPANIES:,} companies in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    times, pairs = timed(find_duplicates, store, runs)
    print(f"find_duplicates    fastest {min(times):6.2f} s  median "
          f"{statistics.median(times):6.2f} s  {len(pairs):,} pairs")  # fmt: skip
    by_name = {(p.keep_id, p.other_id) for p in pairs if any(" at " in r for r in p.reasons)}
    if before is not None:
        spec = importlib.util.spec_from_file_location("dupes_before", before)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        old_times, old_pairs = timed(module.find_duplicates, store, max(1, runs // 2))
        print(f"before ({before.name})  fastest {min(old_times):6.2f} s  median "
              f"{statistics.median(old_times):6.2f} s  {len(old_pairs):,} pairs  "
              f"(now {statistics.median(old_times) / statistics.median(times):.1f}x faster)")  # fmt: skip
    if not every_pair:
        store.close()
        return
    elapsed, everything = reference(store)
    missed = everything - by_name
    print(f"reference (every pair at a company, names only) {elapsed:6.2f} s  "
          f"{len(everything):,} pairs; blocking missed {len(missed):,}")  # fmt: skip
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="an earlier store/dupes.py to time beside")
    parser.add_argument("--pg", help="PostgreSQL URL (a throwaway schema is used)")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip comparing every pair at each company (minutes on 100,000 contacts)",
    )
    args = parser.parse_args()
    every = not args.no_reference
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/dupes.db", "SQLite", args.runs, args.before, every)
    if args.pg:
        with throwaway_schema(args.pg, "bench_dupes") as url:
            measure(url, "PostgreSQL", args.runs, args.before, every)


if __name__ == "__main__":
    main()

"""Contact search over 100,000 contacts, inside the store, on SQLite and PostgreSQL.

Target (issue 3): under 50 ms, case-insensitive including non-ASCII (MÜLLER finds Müller).

    python bench/search.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import contacts
from _pg import throwaway_schema

QUERIES = ("MÜLLER", "ødegaard", "jürgen.12", "torvalds", "+49 30 55", "zoë lef", "xyzzy")
N = 100_000


def measure(url: str, label: str) -> None:
    from tinycrm.store.bulk import bulk_add_contacts
    from tinycrm.store.contacts import list_contacts
    from tinycrm.store.engine import open_store

    store = open_store(url, user="bench")
    start = time.perf_counter()
    bulk_add_contacts(store, contacts(N))
    load = time.perf_counter() - start
    print(f"\n{label}: loaded {N:,} contacts in {load:.1f} s")
    print(f"{'query':12} {'matches':>8} {'ids ms':>8} {'+limit 50 ms':>13} {'all rows ms':>12}")
    for query in QUERIES:
        from tinycrm.store.contacts import search_ids

        ids_times, page_times, all_times = [], [], []
        for _ in range(7):
            t0 = time.perf_counter()
            with store.read() as session:
                found = list(session.execute(search_ids(store, session, query)))
            ids_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            list_contacts(store, search=query, limit=50)
            page_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            list_contacts(store, search=query)
            all_times.append(time.perf_counter() - t0)
        print(
            f"{query:12} {len(found):8} {statistics.median(ids_times) * 1000:8.1f} "
            f"{statistics.median(page_times) * 1000:13.1f} "
            f"{statistics.median(all_times) * 1000:12.1f}"
        )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", help="PostgreSQL URL (a throwaway schema is used)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/search.db", "SQLite (FTS5 trigram)")
    if args.pg:
        with throwaway_schema(args.pg, "bench_search") as url:
            measure(url, "PostgreSQL (pg_trgm)")


if __name__ == "__main__":
    main()

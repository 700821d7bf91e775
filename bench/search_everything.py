"""Issue 18's one search: ``tinycrm search`` over 100,000 contacts and 1,000,000
activities with realistic bodies answers in under 50 ms inside the store, on SQLite and
PostgreSQL; and the index adds at most 30% to a 100,000-row contact import.

Part 1 (``search``): a database of 100,000 contacts (``bulk_add_contacts``) and
1,000,000 activities (subjects and bodies of 8-120 words from a Zipf-weighted vocabulary
of 4,000 words, names, product codes and mail-like lines), built with bulk SQL inside
``search_deferred`` (the index is filled in one statement per kind at the end) and cached
(SQLite: ``bench/.cache/search-1000000.db``; PostgreSQL: the schema ``bench_search_cache``,
kept between runs; ``--rebuild`` makes them again). Each query runs ``--repeat`` times in
the store (``store.search.search``, limit 20); the median and the slowest are printed.
The reference, in the same run: a ``LIKE '%word%'`` scan of the activity bodies.

Part 2 (``import``): ``tinycrm import contacts`` of bench/import_export.py's 100,000-row
file, into a new database with the index and into one with the index dropped
(``search_index.uninstall``), alternating, ``--runs`` times each.

    python bench/search_everything.py [--part search|import|all] [--pg postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import FIRST, LAST, contacts

CACHE = Path(__file__).resolve().parent / ".cache"
PG_SCHEMA = "bench_search_cache"
ACTIVITIES = 1_000_000
CONTACTS = 100_000

QUERIES: list[tuple[str, str | None]] = [
    ("a surname", "Müller"),
    ("a full name, no accents", "jurgen muller"),
    ("a word prefix", "contr"),
    ("a common word", "meeting"),
    ("two words", "invoice overdue"),
    ("a phrase", '"next steps"'),
    ("a rare word", None),  # the vocabulary's 3,900th word
    ("a short prefix", "pr"),
    ("nothing matches", "qwertyzzz"),
]

COMMON = (
    "the to and a of we for in on you is it that this with be will as are at our your can "
    "have from by an or if me please thanks hi hello regards best let know about next week "
    "call meeting contract proposal quote invoice price pricing discount renewal order "
    "delivery project timeline budget decision team demo trial license support ticket issue "
    "update follow up steps agreement signed draft review legal procurement payment overdue "
    "shipment schedule monday tuesday wednesday thursday friday q1 q2 q3 q4 quarter year "
    "onboarding training feedback requirements integration migration api data security "
    "compliance contact account manager sales marketing finance director ceo cto cfo "
    "attached document presentation slides notes summary agenda minutes action items"
).split()


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """4,000 words, Zipf-weighted: the common business words first, then made-up ones."""
    syllables = ("ka lo mi ter van pro sen dal ri mon qua zel bri tor ex lin gra pha nor vis "
                 "cle und hy").split()  # fmt: skip
    words = list(COMMON)
    while len(words) < 4000:
        words.append("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return words, weights


def bodies(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` (subject, body) pairs: sentences of Zipf words, names, codes, mail lines."""
    rng = random.Random(seed)
    words, weights = vocabulary(rng)
    sentences = []
    for _ in range(20_000):
        picked = rng.choices(words, weights, k=rng.randint(4, 16))
        if rng.random() < 0.15:
            picked.insert(rng.randrange(len(picked)), f"{rng.choice(FIRST)} {rng.choice(LAST)}")
        if rng.random() < 0.01:
            picked.append(f"XK{rng.randint(1000, 9999)}")
        sentence = " ".join(picked)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    subjects = [
        " ".join(rng.choices(words, weights, k=rng.randint(2, 6))).capitalize()
        for _ in range(5_000)
    ]
    out = []
    for i in range(n):
        parts = rng.choices(sentences, k=rng.randint(1, 8))
        if i % 3 == 0:
            parts.insert(0, f"Hi {rng.choice(FIRST)},")
            parts.append(f"Best regards, {rng.choice(FIRST)} {rng.choice(LAST)}")
        out.append((rng.choice(subjects), " ".join(parts)))
    return out


def build(url: str) -> None:
    """Fill the database at ``url`` (migrated, empty): contacts, then activities in bulk."""
    from tinycrm.store.bulk import bulk_add_contacts
    from tinycrm.store.engine import open_store
    from tinycrm.store.search_index import search_deferred

    store = open_store(url, user="bench")
    started = time.perf_counter()
    bulk_add_contacts(store, contacts(CONTACTS))
    print(f"  {CONTACTS:,} contacts: {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    pairs = bodies(ACTIVITIES)
    print(f"  {ACTIVITIES:,} bodies made: {time.perf_counter() - started:.1f} s", flush=True)
    kinds = ("call", "email", "meeting", "note")
    base = datetime(2020, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    with store.engine.begin() as conn, search_deferred(conn):
        sqlite = store.is_sqlite
        rows = []
        for i, (subject, body) in enumerate(pairs):
            at = base + timedelta(minutes=3 * i)
            stamp = at.replace(tzinfo=None).isoformat(sep=" ") if sqlite else at
            rows.append((kinds[i % 4], subject, body, i % CONTACTS + 1, stamp, "bench",
                         stamp, stamp))  # fmt: skip
        columns = "kind, subject, body, contact_id, occurred_at, owner, created_at, updated_at"
        if sqlite:
            conn.exec_driver_sql(f"INSERT INTO activity ({columns}) VALUES "
                                 "(?, ?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
        else:
            raw = conn.connection.driver_connection
            with raw.cursor().copy(f"COPY activity ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        print(f"  rows inserted: {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
    print(f"  index filled (one statement): {time.perf_counter() - started:.1f} s", flush=True)
    with store.engine.begin() as conn:
        if store.is_sqlite:
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
    store.close()


def measure(url: str, repeat: int, label: str) -> None:
    from sqlalchemy import text

    from tinycrm.store.engine import open_store
    from tinycrm.store.search import search

    store = open_store(url, user="bench")
    with store.engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM activity")).scalar()
        size = (
            conn.execute(
                text("SELECT pg_size_pretty(pg_total_relation_size('search_activity'))")
            ).scalar()
            if not store.is_sqlite
            else None
        )
    print(f"\n{label}: {n:,} activities" + (f", search_activity {size}" if size else ""))
    print(f"  {'query':<26} {'text':<18} {'hits':>4} {'fastest':>9} {'median':>9} "
          f"{'slowest':>9} {'CPU med.':>9}")  # fmt: skip
    rare = vocabulary(random.Random(7))[0][3900]
    for what, query in ((w, q or rare) for w, q in QUERIES):
        search(store, query)  # warm
        times, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            hits = search(store, query)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        print(f"  {what:<26} {query:<18} {len(hits):>4} {min(times):>7.1f}ms "
              f"{statistics.median(times):>7.1f}ms {max(times):>7.1f}ms "
              f"{statistics.median(cpu):>7.1f}ms", flush=True)  # fmt: skip
    with store.engine.connect() as conn:
        started = time.perf_counter()
        count = conn.execute(
            text("SELECT count(*) FROM activity WHERE lower(body) LIKE '%contract%'")
        ).scalar()
        took = (time.perf_counter() - started) * 1000
    print(f"  reference: LIKE '%contract%' over the bodies ({count:,} rows): {took:.0f} ms")
    store.close()


def sqlite_database(rebuild: bool) -> str:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"search-{ACTIVITIES}.db"
    if rebuild or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"building {path} …", flush=True)
        build(str(path))
    return str(path)


def pg_database(pg_url: str, rebuild: bool) -> str:
    from _pg import shared_extensions
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url)
    with admin.begin() as conn:
        shared_extensions(conn)
        exists = conn.execute(
            text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": PG_SCHEMA}
        ).scalar()
        if rebuild and exists:
            conn.execute(text(f"DROP SCHEMA {PG_SCHEMA} CASCADE"))
            exists = False
        if not exists:
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    admin.dispose()
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}options=-csearch_path%3D{PG_SCHEMA},public"
    if not exists:
        print(f"building PostgreSQL schema {PG_SCHEMA} …", flush=True)
        build(url)
    return url


def run_import(args: argparse.Namespace) -> None:
    """tinycrm import contacts with and without the index, alternating."""
    from import_export import write_csv

    from tinycrm.store.engine import open_store
    from tinycrm.store.search_index import uninstall

    work = Path(tempfile.mkdtemp(prefix="bench-search-import-"))
    source = work / "contacts.csv"
    write_csv(source, args.rows)
    env = {**os.environ, "TINYCRM_USER": "bench", "XDG_CONFIG_HOME": str(work / "config")}
    tinycrm = [sys.executable, "-m", "tinycrm"]
    targets: list[tuple[str, str]] = [] if args.pg_only else [("SQLite", "")]
    if args.pg:
        targets.append(("PostgreSQL", args.pg))
    for name, pg in targets:
        results: dict[str, list[float]] = {"with the index": [], "without it": []}
        cpu: dict[str, list[float]] = {"with the index": [], "without it": []}
        for run in range(args.runs):
            for label in results:
                if pg:
                    from _pg import throwaway_schema

                    context = throwaway_schema(pg, "bench_search_import")
                else:
                    from contextlib import nullcontext

                    context = nullcontext(f"sqlite:///{work}/run{run}-{len(label)}.db")
                with context as url:
                    store = open_store(url, user="bench")
                    if label == "without it":
                        with store.engine.begin() as conn:
                            uninstall(conn)
                    store.close()
                    started = time.perf_counter()
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    subprocess.run([*tinycrm, "--db", url, "import", "contacts", str(source)],
                                   env=env, check=True, capture_output=True)  # fmt: skip
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    results[label].append(time.perf_counter() - started)
                    cpu[label].append(after.ru_utime + after.ru_stime
                                      - before.ru_utime - before.ru_stime)  # fmt: skip
        with_, without = (statistics.median(v) for v in results.values())
        fastest = [min(v) for v in results.values()]
        print(f"{name}: import of {args.rows:,} contacts: with the index {with_:.2f} s "
              f"(fastest {fastest[0]:.2f}), without {without:.2f} s (fastest {fastest[1]:.2f}): "
              f"+{(with_ / without - 1) * 100:.0f}% by median, "
              f"+{(fastest[0] / fastest[1] - 1) * 100:.0f}% by fastest", flush=True)  # fmt: skip
        with_cpu, without_cpu = (statistics.median(v) for v in cpu.values())
        print(f"  CPU of the import process (median): {with_cpu:.2f} s with, {without_cpu:.2f} s "
              f"without: +{(with_cpu / without_cpu - 1) * 100:.0f}%", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=("search", "import", "all"), default="all")
    parser.add_argument("--pg", help="also on PostgreSQL (the schema bench_search_cache)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--pg-only", action="store_true", help="import: PostgreSQL only")
    args = parser.parse_args()
    print(f"{platform.node()} · {platform.python_implementation()} {platform.python_version()} "
          f"· load {os.getloadavg()[0]:.1f} · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    if args.part in ("search", "all"):
        measure(sqlite_database(args.rebuild), args.repeat, "SQLite")
        if args.pg:
            measure(pg_database(args.pg, args.rebuild), args.repeat, "PostgreSQL")
    if args.part in ("import", "all"):
        run_import(args)


if __name__ == "__main__":
    main()

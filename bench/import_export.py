"""Import, undo and export of 100,000 contacts, each beside its reference in the same run.

Targets (issue 16; hold them as ratios, since this shared machine drifts by 2x):

* a 100,000-contact CSV (the columns of a real export: names, email, phone, company,
  title, city, country, tags, notes) imported with mapping, validation, dedupe, company
  linking, tags, the search index and the undo log in at most 0.5x the time of
  `sqlite-utils insert --csv` loading the same file; peak memory under 300 MiB;
* `export contacts` (CSV) of those 100,000 within 3x the floor, `python -c "import
  sqlmodel"`; `export all` of the same database within 5x the floor.

Every step runs as a new process, as a user would run it (start-up included), timed by
wall clock, with its CPU time (user + system) and peak memory (maximum RSS). Runs
alternate between a step and its reference, so a load that comes and goes hits both;
the fastest run and the median are printed, and the ratio of each to the reference's.

    pip install -e '.[bench]'      # sqlite-utils
    python bench/import_export.py [--runs 5] [--rows 100000] [--pg postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import FIRST, LAST, TITLES

HEADER = ["First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title",
          "City", "Country/Region", "Tags", "Notes"]  # fmt: skip
CITIES = (("Berlin", "Germany"), ("Paris", "France"), ("Wien", "Austria"),
          ("Zürich", "Switzerland"), ("Madrid", "Spain"), ("London", "United Kingdom"),
          ("Boston", "United States"))  # fmt: skip
TAGS = ("vip", "newsletter", "partner", "trade-show", "inbound")


def write_csv(path: Path, rows: int) -> None:
    """A HubSpot-style contacts export: 2,000 companies, some tags, some multi-line notes."""
    rng = random.Random(5)
    companies = [f"{rng.choice(LAST)} {rng.choice(('GmbH', 'AG', 'SAS', 'Ltd', 'Inc.'))} {i}"
                 for i in range(2000)]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            city, country = rng.choice(CITIES)
            local = f"{first}.{last}.{i}".lower().encode("ascii", "ignore").decode()
            tags = ";".join(sorted({rng.choice(TAGS) for _ in range(rng.randint(0, 2))}))
            notes = "Met at the fair.\nFollow up in Q1." if i % 10 == 0 else ""
            writer.writerow([first, last, f"{local}@example{i % 97}.com",
                             f"+49 30 {rng.randint(1000000, 9999999)}", rng.choice(companies),
                             rng.choice(TITLES), city, country, tags, notes])  # fmt: skip


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall-clock seconds, peak RSS (MiB) and CPU seconds (user + system) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def tinycrm() -> list[str]:
    found = shutil.which("tinycrm", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "tinycrm"]


def median(values: list[float]) -> float:
    return statistics.median(values)


FLOOR = "python -c 'import sqlmodel' (floor)"
SQLITE_UTILS = "sqlite-utils insert --csv"
TARGETS = {  # step -> (reference, at most this many times the reference)
    "tinycrm import contacts": (SQLITE_UTILS, 0.5),
    "tinycrm export contacts (CSV)": (FLOOR, 3.0),
    "tinycrm export all (JSON)": (FLOOR, 5.0),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    beside = shutil.which("sqlite-utils", path=str(Path(sys.executable).parent))
    parser.add_argument("--sqlite-utils", default=beside or shutil.which("sqlite-utils"))
    parser.add_argument("--pg", help="also import into PostgreSQL (a throwaway schema)")
    args = parser.parse_args()
    if not args.sqlite_utils:
        raise SystemExit("sqlite-utils not found: pip install sqlite-utils, or --sqlite-utils PATH")
    print(f"{date.today()} · {platform.platform()} · {os.cpu_count()} CPUs · "
          f"Python {platform.python_version()} · SQLite {sqlite3.sqlite_version}")  # fmt: skip
    results: dict[str, list[float]] = {}
    peaks: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}

    def note(name: str, seconds: float, peak: float, cpu: float) -> None:
        results.setdefault(name, []).append(seconds)
        peaks.setdefault(name, []).append(peak)
        cpus.setdefault(name, []).append(cpu)
        print(f"  {name:<40} {seconds:6.2f} s  {cpu:6.2f} s CPU  {peak:6.0f} MiB", flush=True)

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        folder = Path(tmp)
        source = folder / "contacts.csv"
        write_csv(source, args.rows)
        print(f"{args.rows:,} contacts, {source.stat().st_size / 2**20:.1f} MiB of CSV")
        config = folder / "config.toml"
        config.write_text("")  # no rules, no hooks: the import as shipped
        env = {"TINYCRM_USER": "bench", "TINYCRM_CONFIG": str(config)}
        for n in range(args.runs):
            print(f"run {n + 1}:")
            note(FLOOR, *run([sys.executable, "-c", "import sqlmodel"]))
            su_db = folder / f"su{n}.db"
            note(SQLITE_UTILS, *run([args.sqlite_utils, "insert", str(su_db),
                                     "contacts", str(source), "--csv"]))  # fmt: skip
            su_db.unlink()
            db = folder / f"crm{n}.db"
            run([*tinycrm(), "--db", str(db), "db", "upgrade"], env)
            base = [*tinycrm(), "--db", str(db)]
            note("tinycrm import contacts", *run([*base, "import", "contacts", str(source)], env))
            out = folder / f"out{n}.csv"
            note(
                "tinycrm export contacts (CSV)",
                *run([*base, "export", "contacts", "--out", str(out)], env),
            )
            dump = folder / f"all{n}.json"
            note(
                "tinycrm export all (JSON)", *run([*base, "export", "all", "--out", str(dump)], env)
            )
            out.unlink()
            dump.unlink()
            note("tinycrm import undo", *run([*base, "import", "undo"], env))
            note("tinycrm import contacts --keep-extra",
                 *run([*base, "import", "contacts", str(source), "--keep-extra"], env))  # fmt: skip
            note("tinycrm import (again: all duplicates)",
                 *run([*base, "import", "contacts", str(source)], env))  # fmt: skip
            db.unlink()
        if args.pg:
            from sqlalchemy import create_engine, text

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.pg)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in args.pg else "?"
            url = f"{args.pg}{sep}options=-csearch_path%3D{schema},public"
            try:
                base = [*tinycrm(), "--db", url]
                run([*base, "db", "upgrade"], env)
                note(
                    "PostgreSQL: tinycrm import contacts",
                    *run([*base, "import", "contacts", str(source)], env),
                )
                pg_csv = str(folder / "pg.csv")
                note("PostgreSQL: tinycrm export contacts",
                     *run([*base, "export", "contacts", "--out", pg_csv], env))  # fmt: skip
                note("PostgreSQL: tinycrm import undo", *run([*base, "import", "undo"], env))
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print(f"\n{args.runs} runs, load average {os.getloadavg()[0]:.1f} at the end:")
    print("| step | fastest | median | median CPU | peak memory |\n|---|---:|---:|---:|---:|")
    for name, values in results.items():
        print(
            f"| {name} | {min(values):.2f} s | {median(values):.2f} s "
            f"| {median(cpus[name]):.2f} s | {max(peaks[name]):.0f} MiB |"
        )
    print("\n| target | fastest ratio | median ratio | at most | holds (median) |")
    print("|---|---:|---:|---:|---|")
    for name, (reference, limit) in TARGETS.items():
        fast = min(results[name]) / min(results[reference])
        mid = median(results[name]) / median(results[reference])
        print(
            f"| {name} / {reference} | {fast:.2f} | {mid:.2f} | {limit:.1f} "
            f"| {'yes' if mid <= limit else 'no'} |"
        )


if __name__ == "__main__":
    main()

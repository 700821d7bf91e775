"""The exports of issue 16 alone, beside the floor, on the database of import_export.py.

Targets (hold them as ratios, since this shared machine drifts by 2x): `export contacts`
(CSV) of 100,000 contacts within 3x the floor, `python -c "import sqlmodel"`; `export
all` of the same database within 5x the floor. import_export.py measures them too, after
an import each run; this script imports once (or takes --db) and then alternates the
floor and the two exports, each a new process, several runs: wall clock, CPU (user +
system) and peak memory, the fastest and the median, and the ratios to the floor's by
wall clock (median) and by CPU (least).

    python bench/exports.py [--runs 5] [--rows 100000] [--db FILE (kept, not changed)]
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from import_export import run, tinycrm, write_csv

FLOOR = "python -c 'import sqlmodel' (floor)"
STEPS = {  # name -> (arguments after --db, at most this many times the floor)
    "export contacts (CSV)": (["export", "contacts", "--out", "{out}.csv"], 3.0),
    "export all (JSON)": (["export", "all", "--out", "{out}.json"], 5.0),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="a database to export (else one is made)")
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.platform()} · "
          f"{os.cpu_count()} CPUs · Python {platform.python_version()} · "
          f"SQLite {sqlite3.sqlite_version} · load {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        folder = Path(tmp)
        config = folder / "config.toml"
        config.write_text("")  # no rules, no hooks
        env = {"TINYCRM_USER": "bench", "TINYCRM_CONFIG": str(config)}
        db = args.db
        if db is None:
            db = folder / "crm.db"
            source = folder / "contacts.csv"
            write_csv(source, args.rows)
            run([*tinycrm(), "--db", str(db), "import", "contacts", str(source)], env)
            print(f"{args.rows:,} contacts imported")
        wall: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        peak: dict[str, list[float]] = {}
        for n in range(args.runs):
            print(f"run {n + 1}:")
            steps = [(FLOOR, [sys.executable, "-c", "import sqlmodel"])]
            for name, (step, _limit) in STEPS.items():
                out = str(folder / "out")
                command = [*tinycrm(), "--db", str(db), *(a.format(out=out) for a in step)]
                steps.append((name, command))
            for name, command in steps:
                seconds, mib, used = run(command, env)
                wall.setdefault(name, []).append(seconds)
                cpu.setdefault(name, []).append(used)
                peak.setdefault(name, []).append(mib)
                print(f"  {name:<40} {seconds:6.2f} s  {used:6.2f} s CPU  {mib:6.0f} MiB",
                      flush=True)  # fmt: skip
    print(f"\n{args.runs} runs, load average {os.getloadavg()[0]:.1f} at the end:")
    print("| step | wall fastest / median | CPU least / median | peak | ratio to the floor: "
          "median wall / least CPU | at most | holds |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in wall:
        line = (f"| {name} | {min(wall[name]):.2f} / {statistics.median(wall[name]):.2f} s "
                f"| {min(cpu[name]):.2f} / {statistics.median(cpu[name]):.2f} s "
                f"| {max(peak[name]):.0f} MiB |")  # fmt: skip
        if name == FLOOR:
            print(line + " | | |")
            continue
        by_wall = statistics.median(wall[name]) / statistics.median(wall[FLOOR])
        by_cpu = min(cpu[name]) / min(cpu[FLOOR])
        limit = STEPS[name][1]
        holds = "yes" if max(by_wall, by_cpu) <= limit else "no"
        print(f"{line} {by_wall:.1f}x / {by_cpu:.1f}x | {limit:.0f}x | {holds} |")


if __name__ == "__main__":
    main()

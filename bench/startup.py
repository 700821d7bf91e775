"""Cold start of the command line, as new processes, against the sqlmodel import floor.

Targets (issue 3): ``tinycrm --help`` < 0.25 s; ``contact add`` within 0.15 s of
the floor; ``contact list --json`` over 10,000 contacts within 0.3 s of the floor.

    python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import contacts

BIN = Path(sys.executable).parent / "tinycrm"


def timed(cmd: list[str], env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from tinycrm.store.bulk import bulk_add_contacts
    from tinycrm.store.engine import open_store

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.db"
        store = open_store(str(big))
        bulk_add_contacts(store, contacts(10_000))
        store.close()
        small = Path(tmp) / "small.db"
        open_store(str(small)).close()
        env = {**os.environ, "TINYCRM_USER": "bench"}
        counter = iter(range(10**6))
        floor = timed([sys.executable, "-c", "import sqlmodel"], env, args.runs)
        results = {
            "python -c 'import sqlmodel' (floor)": floor,
            "tinycrm --help": timed([str(BIN), "--help"], env, args.runs),
        }
        add_samples = []
        for _ in range(args.runs):
            cmd = [str(BIN), "--db", str(small), "contact", "add", f"Bench {next(counter)}",
                   "--email", f"b{next(counter)}@example.com", "--tag", "bench"]  # fmt: skip
            start = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
            add_samples.append(time.perf_counter() - start)
        results["tinycrm contact add"] = statistics.median(add_samples)
        results["tinycrm contact list --json (10,000)"] = timed(
            [str(BIN), "--db", str(big), "contact", "list", "--json"], env, args.runs
        )
    print(f"{'command':45} {'median s':>9} {'vs floor':>9}")
    for name, value in results.items():
        print(f"{name:45} {value:9.3f} {value - floor:+9.3f}")


if __name__ == "__main__":
    main()

"""Cold start of the command line, as new processes, beside the import floors.

Targets (issue 16): `tinycrm --help` within 2.5x `python -c "import typer"`;
`contact add` and `contact list --limit 50` on a 10,000-contact database within 1.25x
`python -c "import sqlmodel"` (the floor). Issue 3's older targets are printed too:
`--help` imports neither sqlmodel nor textual; `contact list --json` over the 10,000.

    python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import contacts
from _timing import BIN, compile_package, header, measure, to_file, wait


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from tinycrm.store.bulk import bulk_add_contacts
    from tinycrm.store.engine import open_store

    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.db"
        store = open_store(str(big))
        bulk_add_contacts(store, contacts(10_000))
        store.close()
        env = {**os.environ, "TINYCRM_USER": "bench", "TINYCRM_DB": str(big)}
        counter = itertools.count()

        def add() -> tuple[float, float]:
            import subprocess

            n = next(counter)
            cmd = [str(BIN), "contact", "add", f"Bench {n}", "--email", f"b{n}@example.com",
                   "--tag", "bench"]  # fmt: skip
            start = time.perf_counter()
            cpu = wait(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL))
            return time.perf_counter() - start, cpu

        runners = {
            "floor: python -c 'import sqlmodel'": to_file([sys.executable, "-c", "import sqlmodel"], env),
            "reference: python -c 'import typer'": to_file([sys.executable, "-c", "import typer"], env),
            "tinycrm --help": to_file([str(BIN), "--help"], env),
            "tinycrm contact add (10,000 in the database)": add,
            "tinycrm contact list --limit 50 (of 10,000)": to_file([str(BIN), "contact", "list", "--limit", "50"], env),
            "tinycrm contact list --json (10,000)": to_file([str(BIN), "contact", "list", "--json"], env),
        }  # fmt: skip
        figures = measure(runners, args.runs)
    floor = figures["floor: python -c 'import sqlmodel'"]
    typer = figures["reference: python -c 'import typer'"]
    print(f"{args.runs} runs each; {header()}")
    for name, figure in figures.items():
        if figure in (floor, typer):
            print(figure.row(None, None))
        elif "--help" in name:
            print(figure.row(typer, 2.5))
        else:
            print(figure.row(floor, None if "--json" in name else 1.25))


if __name__ == "__main__":
    main()

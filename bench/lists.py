"""`tinycrm contact list` over 10,000 contacts, as a table, cold, beside the sqlmodel floor.

Targets (issue 16): the first screen within 1.5x `python -c "import sqlmodel"`, and the
whole table, to a terminal, a pipe or a file, within 2.5x of it.

    python bench/lists.py [--runs 7] [--rows 10000]

"First screen" runs on a pseudo-terminal of 50 lines whose pager is `head -n 50`: the
time until the pager has a screenful and quits (tinycrm then stops at the broken
pipe), as for someone who reads the first screen and presses q. "Terminal" reads the
whole table from a pseudo-terminal (`--no-pager`); "through a pager" hands it all to
`cat > /dev/null` as the pager. Every list (companies, deals, tasks, leads, …) goes
through the same table writer; contacts are the biggest.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import contacts
from _timing import BIN, compile_package, header, measure, to_file, to_pipe, to_terminal


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    from tinycrm.store.bulk import bulk_add_contacts
    from tinycrm.store.engine import open_store

    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.db"
        store = open_store(str(db))
        bulk_add_contacts(store, contacts(args.rows))
        store.close()
        env = {k: v for k, v in os.environ.items() if k not in ("TINYCRM_PAGER", "PAGER", "LESS")}
        env |= {"TINYCRM_USER": "bench", "TINYCRM_DB": str(db)}
        listing = [str(BIN), "contact", "list"]
        head = {**env, "TINYCRM_PAGER": "head -n 50 > /dev/null"}
        cat = {**env, "TINYCRM_PAGER": "cat > /dev/null"}
        runners = {
            "floor: python -c 'import sqlmodel'": to_file([sys.executable, "-c", "import sqlmodel"], env),
            "contact list: first screen (pager quits)": to_terminal(listing, head),
            "contact list: whole, to a terminal": to_terminal([str(BIN), "--no-pager", *listing[1:]], env),
            "contact list: whole, through a pager": to_terminal(listing, cat),
            "contact list: whole, to a pipe": to_pipe(listing, env),
            "contact list: whole, to a file": to_file(listing, env, str(Path(tmp) / "out.txt")),
            "contact list --json, to a pipe (for comparison)": to_pipe([*listing, "--json"], env),
        }  # fmt: skip
        figures = measure(runners, args.runs)
    floor = figures["floor: python -c 'import sqlmodel'"]
    print(f"{args.rows:,} contacts, {args.runs} runs each; {header()}")
    for name, figure in figures.items():
        target = 1.5 if "first screen" in name else 2.5 if "whole" in name else None
        print(figure.row(None if figure is floor else floor, target))


if __name__ == "__main__":
    main()

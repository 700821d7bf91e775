"""Tab completion on the demo data, as the shell runs it: a new ``tinycrm`` process with
the completion environment, against ``python -c "import typer"`` in the same run.

Target (issue 17): completing a REF from the database feels instant, under 0.3 s on the
demo data.

    python bench/completion.py [--runs 15]
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

BIN = Path(sys.executable).parent / "tinycrm"

LINES = {
    "contact show a<Tab>": "tinycrm contact show a",
    "deal move 1 <Tab> (stages)": "tinycrm deal move 1 ",
    "deal list --company <Tab>": "tinycrm deal list --company ",
    "log call <Tab> (contacts, companies, deals)": "tinycrm log call ",
}


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.db"
        subprocess.run([str(BIN), "demo", "--path", str(demo), "--no-board"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        env = {**os.environ, "TINYCRM_DB": str(demo)}
        print(f"load average: {os.getloadavg()[0]:.2f}")
        floor = timed([sys.executable, "-c", "import typer"], env, args.runs)
        reference = "python -c import typer (reference)"
        print(f"{reference:46} median {floor[0]:.3f} s  fastest {floor[1]:.3f} s")
        for label, line in LINES.items():
            words = line.split() + ([""] if line.endswith(" ") else [])
            shell = {**env, "_TINYCRM_COMPLETE": "complete_bash", "COMP_WORDS": line,
                     "COMP_CWORD": str(len(words) - 1)}  # fmt: skip
            median, fastest = timed([str(BIN)], shell, args.runs)
            print(f"{label:46} median {median:.3f} s  fastest {fastest:.3f} s  "
                  f"({median / floor[0]:.1f}x the typer import)")  # fmt: skip


if __name__ == "__main__":
    main()

"""Tab completion on the demo data, as the shell runs it: a new ``tinycrm`` process with
the completion environment, beside ``python -c "import typer"`` and ``python -c pass``
in the same run (interleaved), with the fastest and median wall time and the least CPU.

Target (issue 17): completing a REF from the database feels instant, under 0.3 s on the
demo data. Lines the quick answer (``tinycrm.tab_completion``) leaves to the command
line are timed too (``--version``: Typer answers those).

    python bench/completion.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import BIN, compile_package, header, measure, to_file

TARGET = 0.3  # seconds

LINES = {
    "contact show a<Tab>": ("bash", "tinycrm contact show a"),
    "deal move 1 <Tab> (stages)": ("bash", "tinycrm deal move 1 "),
    "deal list --company <Tab>": ("bash", "tinycrm deal list --company "),
    "log call <Tab> (contacts, companies, deals)": ("bash", "tinycrm log call "),
    "con<Tab> (commands)": ("bash", "tinycrm con"),
    "zsh: contact list --<Tab> (options, with help)": ("zsh", "tinycrm contact list --"),
    "fish: contact show a<Tab>": ("fish", "tinycrm contact show a"),
    "left to Typer: --version contact show a<Tab>": ("bash", "tinycrm --version contact show a"),
}


def environment(shell: str, line: str, env: dict[str, str]) -> dict[str, str]:
    if shell == "bash":
        words = line.split() + ([""] if line.endswith(" ") else [])
        return {**env, "_TINYCRM_COMPLETE": "complete_bash", "COMP_WORDS": line,
                "COMP_CWORD": str(len(words) - 1)}  # fmt: skip
    extra = {"_TYPER_COMPLETE_FISH_ACTION": "get-args"} if shell == "fish" else {}
    return {**env, "_TINYCRM_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line,
            **extra}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.db"
        subprocess.run([str(BIN), "demo", "--path", str(demo), "--no-board"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        env = {**os.environ, "TINYCRM_DB": str(demo), "COLUMNS": "120"}
        runners = {
            "python -c pass": to_file([sys.executable, "-c", "pass"], env),
            "reference: python -c 'import typer'": to_file([sys.executable, "-c", "import typer"], env),
        }  # fmt: skip
        for label, (shell, line) in LINES.items():
            runners[label] = to_file([str(BIN)], environment(shell, line, env))
        figures = measure(runners, args.runs)
    typer = figures["reference: python -c 'import typer'"]
    print(f"{args.runs} runs each; {header()}")
    for name, figure in figures.items():
        if name in ("python -c pass", typer.name):
            print(figure.row(None, None))
            continue
        median = statistics.median(figure.wall)
        held = "holds" if median < TARGET and min(figure.cpu) < TARGET else "MISSES"
        print(f"{figure.row(typer, None)}  (target < {TARGET} s: {held})")


if __name__ == "__main__":
    main()

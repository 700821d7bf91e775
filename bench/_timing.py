"""Run commands as new processes, several times, beside a reference measured in the
same run: the fastest and the median wall time (and CPU time, user + system, which a
loaded machine disturbs less), and the ratio to the reference."""

from __future__ import annotations

import argparse
import os
import pty
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent / "tinycrm"
Runner = Callable[[], tuple[float, float]]


@dataclass
class Figure:
    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def row(self, ref: Figure | None, target: float | None) -> str:
        fast, median = min(self.wall), statistics.median(self.wall)
        cpu = min(self.cpu)
        text = f"{self.name:52} {fast:7.3f} {median:7.3f} {cpu:7.3f}"
        if ref is not None:
            ratio = median / statistics.median(ref.wall)
            cpu_ratio = cpu / min(ref.cpu)
            held = "" if target is None else ("  holds" if ratio <= target else "  MISSES")
            text += f" {ratio:6.2f}x {cpu_ratio:6.2f}x"
            if target is not None:
                text += f"  (target {target}x){held}"
        return text


def wait(proc: subprocess.Popen[bytes]) -> float:
    """Wait for ``proc``; its CPU time (user + system)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{proc.args!r} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime


def to_file(cmd: Sequence[str], env: dict[str, str], out: str = os.devnull) -> Runner:
    """``cmd`` with its stdout into ``out`` (a file, or /dev/null)."""

    def run() -> tuple[float, float]:
        with open(out, "wb") as sink:
            start = time.perf_counter()
            proc = subprocess.Popen(list(cmd), env=env, stdout=sink)
            cpu = wait(proc)
        return time.perf_counter() - start, cpu

    return run


def to_pipe(cmd: Sequence[str], env: dict[str, str]) -> Runner:
    """``cmd`` with its stdout into a pipe that is read to the end."""

    def run() -> tuple[float, float]:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.PIPE)
        assert proc.stdout is not None
        while proc.stdout.read(1 << 16):
            pass
        cpu = wait(proc)
        return time.perf_counter() - start, cpu

    return run


def to_terminal(cmd: Sequence[str], env: dict[str, str], rows: int = 50, cols: int = 160) -> Runner:
    """``cmd`` with its stdout on a pseudo-terminal of ``rows`` x ``cols``, read to the end."""
    import fcntl
    import struct
    import termios

    def run() -> tuple[float, float]:
        main, sub = pty.openpty()
        fcntl.ioctl(sub, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), env={**env, "COLUMNS": str(cols), "LINES": str(rows)},
            stdin=subprocess.DEVNULL, stdout=sub, start_new_session=True,
        )  # fmt: skip
        os.close(sub)
        try:
            while os.read(main, 1 << 16):
                pass
        except OSError:  # EIO: the other side has closed
            pass
        cpu = wait(proc)
        elapsed = time.perf_counter() - start
        os.close(main)
        return elapsed, cpu

    return run


def measure(runners: dict[str, Runner], runs: int) -> dict[str, Figure]:
    """Each runner ``runs`` times, interleaved (one of each per round), so that a
    slower minute of the machine falls on all of them alike."""
    figures = {name: Figure(name) for name in runners}
    for _ in range(runs):
        for name, run in runners.items():
            wall, cpu = run()
            figures[name].wall.append(wall)
            figures[name].cpu.append(cpu)
    return figures


def header() -> str:
    load = os.getloadavg()
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, Python {sys.version.split()[0]}\n"
        f"{'':52} {'fastest':>7} {'median':>7} {'cpu min':>7} {'ratio':>7} {'cpu':>7}\n"
        f"{'':52} {'s':>7} {'s':>7} {'s':>7} {'median':>7} {'ratio':>7}"
    )


def compile_package() -> None:
    """Byte-compile tinycrm as ``pip install`` does (PYTHONDONTWRITEBYTECODE may be set
    here, and then every run would compile the sources again)."""
    import compileall

    import tinycrm

    compileall.compile_dir(Path(tinycrm.__file__).parent, quiet=1)


# --------------------------------------------------------------------------- against
# Another checkout's tinycrm (an older commit's, say) timed beside this one, each on a
# database of its own seeded by its own code, so a regression shows as a ratio measured
# in the same run.

FLOOR = "floor: python -c 'import sqlmodel'"
MINE, THEIRS = "this tree: ", "reference: "


def against_options(parser: argparse.ArgumentParser) -> None:
    """``--against PYTHON``, ``--against-keep DB`` (and the hidden ``--seed-only DB``)."""
    parser.add_argument(
        "--against",
        metavar="PYTHON",
        help="also time the tinycrm of this interpreter (another checkout's venv, e.g. an "
        "older commit's), on a database of its own seeded by it, interleaved with this one",
    )
    parser.add_argument("--against-keep", type=Path, help="that database (kept, reused)")
    parser.add_argument("--seed-only", type=Path, help=argparse.SUPPRESS)


def seeded(python: str, script: str, path: Path) -> None:
    """Seed ``path`` unless it exists, by ``script --seed-only`` run by ``python`` (so with
    that interpreter's tinycrm and schema), and byte-compile that tinycrm as ``pip
    install`` does."""
    if not path.exists():
        start = time.perf_counter()
        subprocess.run([python, script, "--seed-only", str(path)], check=True)
        print(f"seeded {path} with {python} in {time.perf_counter() - start:.1f} s")
    code = "import compileall, pathlib, tinycrm; "
    code += "compileall.compile_dir(pathlib.Path(tinycrm.__file__).parent, quiet=1)"
    subprocess.run([python, "-c", code], check=True)


def print_figures(figures: dict[str, Figure], runs: int) -> None:
    """Every figure with its ratios to ``FLOOR``; then, when a reference was timed, this
    tree's figures with their ratios to the reference's."""
    print(f"\n{runs} runs each, interleaved; {header()}")
    floor = figures[FLOOR]
    for figure in figures.values():
        print(figure.row(None if figure is floor else floor, None))
    pairs = [
        (f, figures.get(n.replace(MINE, THEIRS))) for n, f in figures.items() if n.startswith(MINE)
    ]
    if pairs:
        print("\nthis tree against the reference (median, least CPU):")
        for mine, theirs in pairs:
            print(mine.row(theirs, None))

"""The README's "Scripting tinycrm from Python" example runs, and prints what it says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _example() -> str:
    section = README.split("## Scripting tinycrm from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs_and_prints_its_comments(tmp_path: Path) -> None:
    code = _example()
    expected = [
        line.split("# ", 1)[1].strip()
        for line in code.splitlines()
        if "print(" in line and "# " in line
    ]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == expected
    assert (tmp_path / "crm.db").exists()

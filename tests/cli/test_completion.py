"""Shell completion as the shells ask for it: the installed script, run with the
environment bash, zsh and fish set on Tab (Typer's protocol), over a real database."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

import tinycrm
from tests.cli.conftest import tinycrm_executable


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        crm.contacts.add("Ada Lovelace", email="ada@example.com", company="Analytical Engines")
        crm.contacts.add("Adam Smith", tags=["vip"])
        crm.deals.add("Engine order", contact="ada@example.com")
        crm.segments.save("VIPs", "tag:vip")
    return path


def tab(line: str, shell: str = "zsh", **env: str) -> list[str]:
    """What ``shell`` offers for the command ``line`` (the cursor at its end)."""
    extra = {"_TINYCRM_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    if shell == "bash":
        words = shlex.split(line) + ([""] if line.endswith(" ") else [])
        extra = {
            "_TINYCRM_COMPLETE": "complete_bash",
            "COMP_WORDS": line,  # bash joins its words with spaces, quotes kept
            "COMP_CWORD": str(len(words) - 1),
        }
    if shell == "fish":
        extra["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    done = subprocess.run(
        tinycrm_executable(), env={**os.environ, **extra, **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [offered for offered in done.stdout.splitlines() if offered]


def test_refs_complete_from_the_database_in_every_shell(db: Path) -> None:
    env = {"TINYCRM_DB": str(db)}
    assert tab("tinycrm contact show ad", "bash", **env) == ["Adam Smith", "ada@example.com"]
    zsh = tab("tinycrm contact show ad", "zsh", **env)
    assert '"ada@example.com":"Ada Lovelace"' in "\n".join(zsh)
    fish = tab("tinycrm contact show ad", "fish", **env)
    assert "ada@example.com\tAda Lovelace" in fish
    assert tab("tinycrm deal show E", "bash", **env) == ["Engine order"]
    assert tab("tinycrm deal move 'Engine order' Pro", "bash", **env) == ["Proposal"]
    assert tab("tinycrm contact list --company Ana", "bash", **env) == ["Analytical Engines"]
    assert tab("tinycrm contact list --tag v", "bash", **env) == ["vip"]
    assert tab("tinycrm contact list --segment ", "bash", **env) == ["VIPs"]
    assert "ada@example.com" in tab("tinycrm log call a", "bash", **env)


def test_db_on_the_command_line_is_the_one_completed_from(db: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    assert tab(f"tinycrm --db {db} contact show ad", "bash", TINYCRM_DB=str(empty)) == [
        "Adam Smith",
        "ada@example.com",
    ]
    assert tab("tinycrm contact show ad", "bash", TINYCRM_DB=str(empty)) == []
    assert not empty.exists()  # a Tab creates nothing


def test_commands_and_options_complete_too(db: Path) -> None:
    assert "contact" in tab("tinycrm con", "bash", TINYCRM_DB=str(db))
    assert "--company" in tab("tinycrm contact list --comp", "bash", TINYCRM_DB=str(db))


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_shells_script(shell: str) -> None:
    done = subprocess.run(
        [*tinycrm_executable(), "--show-completion", shell],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0
    assert "_TINYCRM_COMPLETE" in done.stdout


def test_install_completion_writes_to_the_users_shell_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [*tinycrm_executable(), "--install-completion", "bash"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(home)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "completion installed" in done.stdout
    assert "tinycrm" in (home / ".bashrc").read_text()

"""Shell completion as the shells ask for it: the installed script, run with the
environment bash, zsh and fish set on Tab (Typer's protocol), over a real database."""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

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


def test_show_completion_prints_the_script_of_the_shell_it_runs_in() -> None:
    """Typer (with shellingham) takes no shell name here: ``--show-completion`` is a flag
    and the script is that of the shell tinycrm runs in, found from its parent processes
    (run from bash here, so found even when the test run has no shell above it)."""
    command = " ".join(shlex.quote(part) for part in tinycrm_executable())
    done = subprocess.run(
        ["bash", "-c", f"{command} --show-completion; true"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "_TINYCRM_COMPLETE" in done.stdout
    assert "complete -o default -F _tinycrm_completion tinycrm" in done.stdout  # bash's


def test_install_completion_takes_an_optional_shell_name(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    done = cli("--install-completion", "fish")
    assert done.exit_code == 0, done.stderr
    assert "fish completion installed" in done.stdout
    assert (tmp_path / ".config/fish/completions/tinycrm.fish").exists()
    assert not (tmp_path / ".bashrc").exists()
    refused = cli("--install-completion", "nope")
    assert refused.exit_code == 2 and "takes bash, zsh, fish" in refused.stderr


def test_show_completion_takes_an_optional_shell_name(cli) -> None:
    """``--show-completion zsh`` printed the script of the shell tinycrm ran in (bash) and
    dropped the word: the shell named is the one given its script; one tinycrm has no
    script for is one line and exit 2."""
    zsh = cli("--show-completion", "zsh")
    assert zsh.exit_code == 0, zsh.stderr
    assert "#compdef tinycrm" in zsh.stdout and "complete -o default" not in zsh.stdout
    fish = cli("--show-completion=fish")
    assert fish.exit_code == 0 and "complete --command tinycrm" in fish.stdout
    assert (
        "complete -o default -F _tinycrm_completion tinycrm"
        in cli("--show-completion", "/bin/BASH").stdout
    )  # $SHELL works too
    for shell in ("tcsh", "contact"):
        refused = cli("--show-completion", shell)
        assert refused.exit_code == 2
        assert refused.stderr == (
            f"Error: --show-completion takes bash, zsh, fish, powershell or pwsh, not "
            f"'{shell}' (see tinycrm --help)\n"
        )
        assert refused.stdout == ""
    # the root's options: a group's copies (which ignored the name) are gone
    group = cli("contact", "--show-completion", "zsh")
    assert group.exit_code == 2 and group.stderr == (
        "Error: --show-completion is tinycrm's own option: tinycrm --show-completion "
        "(see tinycrm --help)\n"
    )
    assert "completion" not in cli("contact", "--help").stdout


def test_install_completion_writes_to_the_users_shell_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    command = " ".join(shlex.quote(part) for part in tinycrm_executable())
    done = subprocess.run(  # from bash: the shell it installs for is the one it runs in
        ["bash", "-c", f"{command} --install-completion; true"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(home)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "completion installed" in done.stdout
    assert "tinycrm" in (home / ".bashrc").read_text()


# ------------------------------------------------------------------ the quick answer
# tinycrm.tab_completion answers a Tab from command_tree.json without loading Typer.


@functools.cache
def _command_line() -> Any:
    import typer.main
    from typer._completion_classes import completion_init

    from tinycrm.cli import app

    completion_init()
    return typer.main.get_command(app)


def _slow_answer(shell: str) -> tuple[str | None, int]:
    """What the command line (Typer and click) prints for the request in os.environ."""
    from typer._click.shell_completion import get_completion_class

    cli = _command_line()
    cls = get_completion_class(shell)
    assert cls is not None
    comp = cls(cli, {}, "tinycrm", "_TINYCRM_COMPLETE")
    try:
        return comp.complete(), 0
    except SystemExit as exc:  # fish's is-args answers by its exit status
        return None, int(exc.code or 0)


def _help_in_order(answer: tuple[str | None, int]) -> tuple[str | None, int]:
    """click lists the help option's names in the order of a set (``-h``, ``--help`` or
    the other way round, by the run's hash seed); the quick answer says ``--help`` first."""
    text, status = answer
    if text is None:
        return answer
    start, end = "_arguments '*: :((", "))'"  # zsh's items come wrapped
    wrapped = text.startswith(start) and text.endswith(end)
    lines = (text[len(start) : -len(end)] if wrapped else text).split("\n")
    for i in range(len(lines) - 1):
        first, second = (re.sub(r'^"|["\t:].*$', "", line) for line in lines[i : i + 2])
        if (first, second) == ("-h", "--help"):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    joined = "\n".join(lines)
    return (f"{start}{joined}{end}" if wrapped else joined), status


def _request(monkeypatch: pytest.MonkeyPatch, shell: str, line: str) -> None:
    for name in ("COMP_WORDS", "COMP_CWORD", "_TYPER_COMPLETE_ARGS",
                 "_TYPER_COMPLETE_WORD_TO_COMPLETE", "_TYPER_COMPLETE_FISH_ACTION"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    from tinycrm.tab_completion import split_arg_string

    monkeypatch.setenv("_TINYCRM_COMPLETE", f"complete_{shell}")
    if shell == "bash":
        words = split_arg_string(line) + ([""] if line.endswith(" ") else [])
        monkeypatch.setenv("COMP_WORDS", line)
        monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
        return
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", line)
    if shell in ("powershell", "pwsh"):
        word = "" if line.endswith(" ") else split_arg_string(line)[-1]
        monkeypatch.setenv("_TYPER_COMPLETE_WORD_TO_COMPLETE", word)
    if shell == "fish":
        monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")


def _lines(db: Path) -> list[str]:
    """Lines a person types, for every command of the tree: sub-commands, option names,
    option values (as the next word and after =), arguments, and lines the quick
    answer leaves to the command line."""
    from tinycrm.tab_completion import _tree

    lines = [f"tinycrm --db {db} contact show a", f"tinycrm --db={db} deal move 1 ",
             "tinycrm --no-pager con", "tinycrm -h c", "tinycrm --version con",
             "tinycrm contact -- a", "tinycrm bogus a", "tinycrm contact show -",
             "tinycrm contact list --company", "tinycrm contact list --tag x --t",
             "tinycrm contact list --limit 5 --", "tinycrm 'contact' sh", "tinycrm \"log",
             "tinycrm --db", "tinycrm --db ", "tinycrm log call ",
             "tinycrm log call a"]  # fmt: skip
    for path, node in _tree().items():
        base = f"tinycrm {path} ".replace("  ", " ")
        lines += [base, f"{base}-", f"{base}--", f"{base}{path[:1] or 'c'}"]
        values = [p for p in node["params"] if p["kind"] == "option" and not p["flag"]]
        for param in values[:3]:
            lines += [f"{base}{param['opts'][0]} ", f"{base}{param['opts'][0]}=a"]
        if any(p["kind"] == "argument" for p in node["params"]):
            lines += [f"{base}a", f"{base}x ", f"{base}x y -"]
    return lines


def test_the_quick_answer_is_the_command_lines_answer(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinycrm import tab_completion

    monkeypatch.setenv("TINYCRM_DB", str(db))
    monkeypatch.setenv("COLUMNS", "100")
    answered = left = 0
    lines = _lines(db)
    for shell, some in (("bash", lines[::4]), ("zsh", lines[1::7]), ("fish", lines[2::7]),
                        ("pwsh", lines[3::17])):  # fmt: skip
        for line in some:
            _request(monkeypatch, shell, line)
            quick = tab_completion.answer()
            if quick is None:
                left += 1
                continue
            answered += 1
            assert quick == _help_in_order(_slow_answer(shell)), (shell, line)
    assert answered > 10 * left  # nearly every line is answered without Typer


def test_common_lines_are_answered_without_typer(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tinycrm import tab_completion

    monkeypatch.setenv("TINYCRM_DB", str(db))
    monkeypatch.setenv("COLUMNS", "300")
    for shell in ("bash", "zsh", "fish"):
        for line in ("tinycrm contact show a", "tinycrm deal move 1 ", "tinycrm con",
                     "tinycrm deal list --company ", "tinycrm log call ", "tinycrm contact ",
                     "tinycrm contact list --",
                     "tinycrm --db x.db contact list --tag v"):  # fmt: skip
            _request(monkeypatch, shell, line)
            assert tab_completion.answer() is not None, (shell, line)


def test_help_that_rich_would_change_is_rendered_as_typer_renders_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Markup, emoji codes, text wider than the terminal, non-ASCII: the quick answer
    renders these with Rich as Typer does, or leaves them to the command line."""
    from tinycrm import tab_completion

    path = tmp_path / "odd.db"
    with tinycrm.open(path) as crm:
        crm.contacts.add("Zed [bold]Bold[/bold]", email="z1@example.com")
        crm.contacts.add("Zoë :smile: Emoji", email="z2@example.com")
        crm.contacts.add("Zoë Müller 山田", email="z5@example.com")
        crm.contacts.add("Zack " + "very long name " * 8, email="z3@example.com")
    monkeypatch.setenv("TINYCRM_DB", str(path))
    for columns in ("12", "40", "200"):
        monkeypatch.setenv("COLUMNS", columns)
        for shell in ("zsh", "fish"):
            _request(monkeypatch, shell, "tinycrm contact show z")
            quick = tab_completion.answer()
            if quick is not None:
                assert quick == _help_in_order(_slow_answer(shell))
            _request(monkeypatch, shell, "tinycrm contact list --")
            assert tab_completion.answer() == _help_in_order(_slow_answer(shell))


def test_the_command_tree_file_is_the_command_lines_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """command_tree.json is what the quick answer reads: made from the sources as they
    are, it is the real tree. Out of date (a command changed since; refresh it with
    python -c 'from tinycrm.cli.completion import write_tree; write_tree()'), it is not
    used: the first Tab writes the user's own copy, and the next ones read that."""
    import json

    import typer.main

    from tinycrm import command_tree as table
    from tinycrm import tab_completion
    from tinycrm.cli import app
    from tinycrm.cli.completion import cache_tree, command_tree

    real = command_tree(typer.main.get_command(app))
    shipped = json.loads(table.PATH.read_text(encoding="utf-8"))
    if shipped["fingerprint"] == table.fingerprint():
        assert shipped["tree"] == real
    sources = tmp_path / "cli"
    sources.mkdir()
    (sources / "contacts.py").write_text("# an option added since the table was made\n")
    monkeypatch.setattr(table, "_SOURCES", sources)
    _request(monkeypatch, "bash", "tinycrm con")
    try:
        assert tab_completion.stale()
        assert tab_completion.answer() is None  # the command line answers
        cache_tree()
        assert table.cached().is_file()
        assert not tab_completion.stale()
        assert table.load() == real
        answered = tab_completion.answer()
        assert answered is not None and "contact" in str(answered[0]).split("\n")
    finally:
        tab_completion._tree.cache_clear()

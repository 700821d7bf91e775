"""Every whole number a person types is read by one rule (``cli.common.whole``).

Click reads an int option with Python's int(), which takes ``1_0`` (Python's digit
grouping) for ten and ``５`` (a fullwidth five) for five: ``task done 1_0`` finished
task #10 and ``remind --closing-days 1_0`` looked ten days ahead, while amounts,
quantities and --limit refused both.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from tinycrm.cli import app


def _params() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    root = typer.main.get_command(app)

    def walk(command: Any, path: str, parent: Any) -> None:
        ctx = command.make_context(path, [], parent=parent, resilient_parsing=True)
        found.extend((path, p) for p in command.params)
        for name in getattr(command, "list_commands", lambda _ctx: [])(ctx):
            walk(command.get_command(ctx, name), f"{path} {name}", ctx)

    walk(root, "tinycrm", None)
    return found


def test_no_option_or_argument_is_read_by_python_int() -> None:
    params = _params()
    assert len(params) > 300  # every command was walked
    ints = [(path, p) for path, p in params if p.type_descriptor.annotation in (int, int | None)]
    assert len(ints) > 20
    plain = [f"{path} {p.name}" for path, p in ints if p.type_descriptor.parameter_info.parser
             is None]  # fmt: skip
    assert plain == []


@pytest.mark.parametrize(
    "args",
    [
        ["task", "done", "1_0"],
        ["task", "done", "５"],
        ["remind", "--closing-days", "1_0"],
        ["pipeline", "stage-move", "Won", "1_0"],
        ["webhooks", "deliver", "--watch", "--interval", "1_0"],
        ["score", "rule", "add", "Big", "--points", "1_0", "--when", "size>10"],
        ["score", "rule", "add", "Big", "--points", "-99999999999999999999", "--when", "x"],
    ],
)
def test_an_underscore_or_another_scripts_digit_is_refused(cli, tmp_path, args) -> None:
    result = cli("--db", str(tmp_path / "crm.db"), *args)
    assert result.exit_code == 2, result.stderr
    said = ("underscore", "is not a whole number", "is too small")
    assert any(words in result.stderr for words in said), result.stderr


def test_an_id_is_taken_as_tinycrm_prints_it_with_a_hash(cli, tmp_path) -> None:
    """`task add` says "Added task #1", and a REF takes `#12`; `task done '#1'` (the id
    as printed, pasted) said "'#1' is not a whole number". Every id argument takes it."""
    db = ("--db", str(tmp_path / "crm.db"))
    assert cli(*db, "task", "add", "Call Ada", "--due", "tomorrow").stdout.startswith(
        "Added task #1:"
    )
    for args in (["activity", "show", "#1"], ["task", "done", "#1"], ["task", "reopen", " #1"]):
        result = cli(*db, *args)
        assert result.exit_code == 0, result.stderr
    for typed, said in (("##1", "'##1' is not a whole number"), ("#-1", "is too small")):
        result = cli(*db, "task", "done", typed)
        assert result.exit_code == 2
        assert said in result.stderr, result.stderr


@pytest.mark.parametrize("stage", ["A:1_0", "A:５０", "A:10:1_4", "A:10:١٤", "A:50%%"])
def test_a_stage_spec_reads_its_numbers_by_the_same_rule(cli, stage: str) -> None:
    """`pipeline add P --stage A:1_0` made a stage of 10% (Python's int() reads 1_0 as
    ten, and ５ as five), where `--probability 1_0` is refused; now the same refusal."""
    r = cli("pipeline", "add", "P", "--stage", stage)
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        f"Error: stage {stage!r} must look like NAME:PROBABILITY[:ROTTING_DAYS], e.g. Demo:30:14\n"
    )
    assert [p["name"] for p in cli("pipeline", "list", "--json").json()] == ["Sales"]


def test_a_stage_spec_takes_a_percent_sign_and_spaces(cli) -> None:
    r = cli("pipeline", "add", "P", "--stage", "A: 50% ", "--stage", "B:60:14")
    assert r.exit_code == 0, r.stderr
    (pipe,) = [p for p in cli("pipeline", "list", "--json").json() if p["name"] == "P"]
    assert [(s["probability"], s["rotting_days"]) for s in pipe["stages"]] == [(50, None), (60, 14)]

"""Configuration is handed to ``tinycrm.open()``: the store follows it, not the file."""

from __future__ import annotations

from pathlib import Path

import pytest

import tinycrm
from tinycrm.config import parse_config

RULES = """
[[rules]]
when = "contact.created"
lifecycle = "lead"
task = "First touch: {contact}"
due = "+1d"
"""


def _tasks(crm: tinycrm.Crm) -> list[str]:
    return [t.subject for t in crm.tasks.list("all")]


def test_a_config_object_is_what_the_rules_follow(tmp_path: Path) -> None:
    config = parse_config(RULES, tmp_path / "given.toml")
    with tinycrm.open(tmp_path / "crm.db", config=config) as crm:
        crm.contacts.add("Ada")
    with tinycrm.open(tmp_path / "crm.db", config=parse_config("", tmp_path / "none.toml")) as crm:
        crm.contacts.add("Bob")
        assert _tasks(crm) == ["First touch: Ada"]


def test_a_config_path_is_read_at_open_and_not_again(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(RULES)
    with tinycrm.open(tmp_path / "crm.db", config=path) as crm:
        path.write_text("[[rules]]\nwhen = 'deal.moved'\n")  # broken, after open: not read
        crm.contacts.add("Ada")
        assert _tasks(crm) == ["First touch: Ada"]


def test_a_missing_or_broken_config_path_is_refused_at_open(tmp_path: Path) -> None:
    with pytest.raises(tinycrm.TinyCrmError, match="does not exist"):
        tinycrm.open(tmp_path / "crm.db", config=tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[rules]]\nwhen = 'deal.moved'\ntask = 'x'\n")
    with pytest.raises(tinycrm.TinyCrmError, match="line 2"):
        tinycrm.open(tmp_path / "crm.db", config=broken)


def test_the_users_broken_config_refuses_writes_that_need_it_and_reads_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[[rules]]\nwhen = 'deal.moved'\ntask = 'x'\n")
    monkeypatch.setenv("TINYCRM_CONFIG", str(path))
    with tinycrm.open(tmp_path / "crm.db") as crm:
        assert crm.contacts.list() == []
        with pytest.raises(tinycrm.Invalid, match="config file error"):
            crm.contacts.add("Ada")
        assert crm.contacts.list() == []


def test_the_command_line_reads_the_config_once_at_its_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI hands the file it read to the store: the same rules as before, and a
    broken file still refuses a write (with the file's error) while reads work."""
    from typer.testing import CliRunner

    from tinycrm.cli import app

    path = tmp_path / "config.toml"
    path.write_text(RULES)
    monkeypatch.setenv("TINYCRM_CONFIG", str(path))
    runner = CliRunner()
    assert runner.invoke(app, ["contact", "add", "Ada"]).exit_code == 0
    listed = runner.invoke(app, ["task", "list", "--json"])
    assert "First touch: Ada" in listed.output
    path.write_text("[[rules]]\nwhen = 'deal.moved'\ntask = 'x'\n")
    refused = runner.invoke(app, ["contact", "add", "Bob"])
    assert refused.exit_code == 1
    assert runner.invoke(app, ["contact", "list"]).exit_code == 0

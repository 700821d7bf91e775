"""tinycrm.editing: the TOML a record is edited as, the editor it opens, what came back."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from tinycrm import editing

BEFORE = {
    "name": "Ada \x1b]0;x\x07Lovelace",
    "size": "",
    "notes": "line one\nline two",
    "unsubscribed": False,
    "tags": ["vip"],
    "fields": {"plan": "pro"},
}


def test_the_file_round_trips_every_value_and_escapes_controls() -> None:
    text = editing.render(BEFORE, "Editing #1\nsecond line")
    assert text.startswith("# Editing #1\n# second line\n")
    assert "\x1b" not in text and "\\u001b" in text  # nothing drives the editor's terminal
    assert tomllib.loads(text) == BEFORE
    assert editing.changes(BEFORE, tomllib.loads(text)) == {}


def test_changes_are_the_fields_that_differ() -> None:
    after = {**BEFORE, "size": 12, "tags": ["vip", "math"], "unsubscribed": True}
    del after["notes"]  # a deleted line keeps its value
    assert editing.changes(BEFORE, after) == {
        "size": 12,
        "tags": ["vip", "math"],
        "unsubscribed": True,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rolle", "x", "unknown field 'rolle'"),
        ("unsubscribed", "yes", "true or false"),
        ("tags", "vip", "a list of texts"),
        ("tags", [1], "a list of texts"),
        ("fields", {"plan": 3}, "a table of texts"),
        ("name", ["a"], "a text in quotes or a number"),
        ("name", True, "a text in quotes or a number"),
    ],
)
def test_wrong_kinds_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        editing.changes(BEFORE, {**BEFORE, field: value})


def test_the_editor_is_visual_then_editor_then_the_systems(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VISUAL", "code --wait")
    monkeypatch.setenv("EDITOR", "nano")
    assert editing.editor_command() == ["code", "--wait"]
    monkeypatch.setenv("VISUAL", "  ")
    assert editing.editor_command() == ["nano"]
    monkeypatch.delenv("VISUAL")
    monkeypatch.delenv("EDITOR")
    fallback = tmp_path / "vi"
    fallback.write_text("#!/bin/sh\n")
    fallback.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert editing.editor_command() == [str(fallback)]
    monkeypatch.setenv("PATH", str(tmp_path / "none"))
    with pytest.raises(editing.EditorError, match="no editor found"):
        editing.editor_command()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(editing.EditorError, match="not on a terminal"):
        editing.editor_command()
    monkeypatch.setenv("EDITOR", "'unclosed")
    with pytest.raises(editing.EditorError, match=r"\$EDITOR cannot be read"):
        editing.editor_command()


def test_the_file_is_private() -> None:
    path = editing.write_private("x = 1\n", "contact-1")
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.name.startswith("tinycrm-contact-1-") and path.suffix == ".toml"
    finally:
        path.unlink()


def test_an_edited_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """An editor set to write UTF-8 with a byte order mark (Notepad, vim's 'bomb'): before,
    "the edited file is not valid TOML (Invalid statement (at line 1, column 1))"."""
    path = tmp_path / "edit.toml"
    path.write_bytes(b'\xef\xbb\xbfname = "Ada"\r\n')
    assert editing.read_back(path) == {"name": "Ada"}

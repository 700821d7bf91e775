"""Configuration is handed to ``tinycrm.open()``: the store follows it, not the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import tinycrm
from tinycrm.config import ConfigError, load_config, parse_config

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
    with pytest.raises(ConfigError) as caught:  # was RuntimeError from Path.expanduser
        tinycrm.open(tmp_path / "crm.db", config="~nosuchuser_tinycrm/c.toml")
    assert str(caught.value) == (
        "cannot read config file ~nosuchuser_tinycrm/c.toml: there is no user "
        "nosuchuser_tinycrm whose home folder ~nosuchuser_tinycrm is (did you mean ~/?)"
    )
    assert not (tmp_path / "crm.db").exists()


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


def test_a_missing_config_file_is_refused_in_the_same_words_by_every_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TINYCRM_CONFIG naming no file: company add said 'config file … does not exist',
    contact add and deal add 'config file error (tinycrm rules check): config file …
    does not exist', the words twice and a command that cannot help. Now each says the
    first; a file that is there but wrong still names tinycrm rules check."""
    missing = tmp_path / "nope.toml"
    monkeypatch.setenv("TINYCRM_CONFIG", str(missing))
    said = f"config file {missing} does not exist (named by TINYCRM_CONFIG)"
    with tinycrm.open(tmp_path / "crm.db") as crm:
        for write in (lambda: crm.companies.add("Acme"), lambda: crm.contacts.add("Ada")):
            with pytest.raises(tinycrm.TinyCrmError) as refused:
                write()
            assert str(refused.value) == said


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


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), r"cannot read config file .*config\.toml: it is a directory$"),
        (
            lambda p: p.write_bytes(b'[phone]\nregion = "D\xfc"\n'),
            r"cannot read config file .*config\.toml: line 2 is not UTF-8 text "
            r"\(byte 0xfc\); save it as UTF-8$",
        ),
        (
            lambda p: p.write_text("[phone]\nregion = 49\n"),
            r"config\.toml, line 2: phone\.region must be a two-letter country code "
            r'in quotes, such as "DE" \(not 49\)$',
        ),
        (
            lambda p: p.write_text("[contracts]\ndefault_term = 12\n"),
            r"config\.toml, line 2: contracts\.default_term must be a length of time "
            r'in quotes, such as "12m" \(not 12\)$',
        ),
        (
            lambda p: p.write_bytes(b"# " * (1 << 20)),
            r"config file .*config\.toml is larger than 1 MiB: is it the right file\? "
            r"\(check TINYCRM_CONFIG\)$",
        ),
    ],
    ids=["directory", "latin-1", "region-number", "term-number", "huge"],
)
def test_a_config_file_that_cannot_be_used_is_refused_in_words(
    tmp_path: Path, make: Any, message: str
) -> None:
    """Before: 'cannot read config file …: [Errno 21] Is a directory: '…'', ''utf-8' codec
    can't decode byte 0xfc in position 19: invalid continuation byte', and a number where
    text belongs was told as the empty text ('unknown region ''')."""
    path = tmp_path / "config.toml"
    make(path)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_config_path_that_never_ends_is_refused(tmp_path: Path) -> None:
    """TINYCRM_CONFIG=/dev/zero read until memory ran out (a MemoryError's traceback);
    /dev/null is an empty config, as before."""
    with pytest.raises(ConfigError, match="/dev/zero is larger than 1 MiB"):
        load_config(Path("/dev/zero"))
    assert load_config(Path("/dev/null")).rules == ()


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Windows Notepad saves UTF-8 with a byte order mark: before, the file was refused
    with "Invalid statement (at line 1, column 1)", naming nothing the user could see."""
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbf[phone]\r\nregion = "DE"\r\n')
    assert load_config(path).phone_region == "DE"


@pytest.mark.parametrize("timeout", ["0", "-1", "3601", "nan", "true", '"10"'])
def test_a_hook_timeout_out_of_range_is_refused_saying_the_range(
    tmp_path: Path, timeout: str
) -> None:
    """[hooks] timeout = 0 was refused as 'hooks.timeout must be a number of seconds,
    0-3600': 0 is in that range. The range now says what is taken."""
    with pytest.raises(ConfigError) as refusal:
        parse_config(f"[hooks]\ntimeout = {timeout}\n", tmp_path / "config.toml")
    assert str(refusal.value).endswith(
        "hooks.timeout must be a number of seconds, more than 0 and at most 3600"
    ), str(refusal.value)
    assert parse_config("[hooks]\ntimeout = 0.5\n", tmp_path / "c.toml").hook_timeout == 0.5


def test_contract_add_takes_the_configs_default_term(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[contracts]\ndefault_term = "6m"\n')
    monkeypatch.setenv("TINYCRM_CONFIG", str(path))
    with tinycrm.open(tmp_path / "crm.db") as crm:
        crm.deals.add("Sale", amount="100")
        crm.deals.win("Sale")
        made = crm.contracts.add(deal="Sale", start="2026-01-01")
        assert (made.term, str(made.end_date)) == ("6m", "2026-06-30")


HOOK = '[[webhooks]]\nurl = "https://example.com/h"\nevents = ["*"]\ntimeout = 1\n\n'


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('[support]\ndays = "mon-fri"\nwarn = "soon"\n', 3, "support.warn"),
        ('[support]\ntimezone = "Nowhere/Land"\n', 2, "timezone"),
        ('[support]\nholidays = ["x"]\n', 2, "holidays"),
        ('[support]\nhours = "9-5"\n', 2, "support.hours"),
        (
            '[support]\nwarn = "1h"\n\n[support.response]\nurgent = "1h"\nhigh = "never"\n',
            6,
            "support.response.high",
        ),
        ('[support]\nwarn = "1h"\n\n[support.response]\nsoon = "1h"\n', 5, "soon"),
        ('[support]\nresponse = { urgent = "x" }\n', 2, "support.response.urgent"),
        ("[support]\nwarn = 5\n", 2, "support.warn must be text"),
        (HOOK + '[hooks]\n\n# each hook\ntimeout = "x"\n', 9, "hooks.timeout"),
        ("[remind]\n\n\nclosing_days = -1\n", 4, "closing_days"),
        ("[contracts]\n\nremind_days = -1\n", 3, "contracts.remind_days"),
        ("[contracts]\n\nsize = 1\n", 3, "contracts.size"),
    ],
)
def test_a_config_error_names_its_own_keys_line(
    tmp_path: Path, text: str, line: int, says: str
) -> None:
    """'[support]\\nwarn = "soon"' was told at [support]'s line: every mistake inside the
    table was, whichever key it was in, and a key was looked for in the whole file (the
    first 'timeout =' anywhere, a webhook's, for [hooks]'). Now the line is the key's."""
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=rf"config\.toml, line {line}: .*{re.escape(says)}"):
        load_config(path)


def test_remind_and_next_follow_the_configs_look_aheads_given_by_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``due_items`` read ``[remind] closing_days``, the ``remind_days`` of
    ``[contracts]`` and ``[quotes]`` and ``[support]`` from the config itself (config
    below the API layer); now crm.reminders and crm.next pass them, and the store reads
    none."""
    from tinycrm.store.reminders import due_items

    config = parse_config("[remind]\nclosing_days = 30\n", tmp_path / "given.toml")
    with tinycrm.open(tmp_path / "crm.db", config=config) as crm:
        crm.deals.add("Soon", amount="100", close="+20d")
        assert [i.title for i in crm.reminders.due() if i.group == "closing"] == ["Soon"]
        assert any(a.title == "Soon" for a in crm.next())
        store = crm._store
        assert not hasattr(store, "settings")  # the store has no config to read
        assert [i.title for i in due_items(store) if i.group == "closing"] == []  # 7 days

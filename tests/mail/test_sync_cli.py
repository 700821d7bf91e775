"""``tinycrm mail sync`` on the command line (in-process), and ``mail install``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.mail.conftest import ImapAccount
from tinycrm.cli import app


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


MAIL = (
    b"From: Ann <ann@acme.example>\r\nTo: me@my.example\r\nSubject: Quote\r\n"
    b"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <quote@acme.example>\r\n\r\nHi\r\n"
)


def test_sync_says_what_it_read_per_folder_and_refuses_in_one_line(
    imap_account: ImapAccount,
) -> None:
    assert _run("contact", "add", "Ann Lee", "--email", "ann@acme.example").exit_code == 0
    imap_account.append("INBOX", MAIL)
    imap_account.append("Sent", MAIL.replace(b"quote@", b"other@"))  # From Ann: "in"
    dry = _run("mail", "sync", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.splitlines()[-1].startswith("Dry run: Read 2 messages; would log 2 emails")
    first = _run("mail", "sync")
    assert first.stdout.splitlines() == [
        "Sent: 1 new message",
        "INBOX: 1 new message",
        "Read 2 messages; logged 2 emails for 1 contact",
    ]
    again = _run("mail", "sync", "--json", "--folder", "INBOX")
    data = json.loads(again.stdout)
    assert data["folders"] == [{"folder": "INBOX", "new": 0, "reread": False, "from_start": False}]
    assert data["account"] == f"imap://{imap_account.user}@127.0.0.1:{imap_account.server.tls_port}"
    assert (data["read"], data["logged"]) == (0, 0)

    imap_account.append("INBOX", MAIL.replace(b"Ann <ann@", b"Bo <bo@").replace(b"quote@", b"b@"))
    assert _run("mail", "sync").stdout.splitlines()[-1].endswith("1 without a known contact")
    everything = _run("mail", "sync", "--from-start", "--folder", "INBOX", "--create-contacts")
    assert everything.stdout.splitlines() == [
        "INBOX: 2 messages",
        "Read 2 messages; logged 1 email for 1 contact; created 1 contact; 1 already logged",
    ]
    assert _run("mail", "sync").stdout.splitlines()[1] == "INBOX: 0 new messages"

    missing = _run("mail", "sync", "--folder", "Archive\x1b[31m")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("Error: IMAP folder 'Archive\\x1b[31m' not found")
    assert "\x1b" not in missing.stderr and missing.stderr.count("\n") == 1
    imap_account.configure(password_cmd=["sh", "-c", "echo 'pass: no such entry' >&2; exit 2"])
    failing = _run("mail", "sync")
    assert failing.exit_code == 1 and failing.stdout == ""
    assert failing.stderr == (
        "Error: mail.imap.password_cmd: sh exited with status 2: pass: no such entry\n"
    )
    assert _run("mail", "sync", "--batch", "0").exit_code == 2


def test_the_progress_line_on_a_terminal_shows_a_folder_name_escaped(
    imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server names its folders: a bidi override (or a C1 control, which Dovecot
    allows) in one reached the terminal raw in the progress line."""
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    name = "Evil\u202eTXT\x9b31m"
    with imap_account.client() as client:
        client.create_folder(name)
    imap_account.append(name, MAIL, MAIL.replace(b"quote@", b"other@"))
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    app(["mail", "sync", "--batch", "1", "--folder", name], standalone_mode=False)
    shown = terminal.getvalue()
    assert "of 2 new messages" in shown and "Evil\\u202eTXT\\x9b31m" in shown
    assert "\u202e" not in shown and "\x9b" not in shown
    assert "\u202e" not in capsys.readouterr().out


def test_keyring_asked_but_not_installed_is_one_line(
    imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    imap_account.configure(password_cmd=None, keyring=True)
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring: ImportError
    result = _run("mail", "sync")
    assert result.exit_code == 1
    assert "needs the keyring package: pip install 'tinycrm[keyring]'" in result.stderr


def test_install_prints_adds_and_removes_the_mail_sync_schedule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_schedule import fake_crontab

    table = fake_crontab(tmp_path, monkeypatch)
    table.write_text("0 3 * * * /usr/bin/backup\n")

    printed = _run("mail", "install", "--every", "10")
    line = printed.stdout.strip()
    assert line.startswith("*/10 * * * * ") and line.endswith(
        "mail sync >> "
        + str(Path(os.environ["XDG_STATE_HOME"]) / "tinycrm" / "log" / "mail-sync.log")
        + " 2>&1 # tinycrm mail sync"
    )
    assert "tinycrm mail install --apply" in printed.stderr
    assert _run("mail", "install", "--apply").exit_code == 0
    assert _run("remind", "install", "--apply").exit_code == 0
    assert "# tinycrm mail sync" in table.read_text() and "# tinycrm remind" in table.read_text()
    systemd = _run("mail", "install", "--systemd")
    units = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user"
    timer = (units / "tinycrm-mail-sync.timer").read_text()
    assert "OnCalendar=*:0/15" in timer and "Unit=tinycrm-mail-sync.service" in timer
    assert " mail sync\n" in (units / "tinycrm-mail-sync.service").read_text()
    assert "enable --now tinycrm-mail-sync.timer" in systemd.stdout

    removed = _run("mail", "uninstall")
    assert removed.exit_code == 0
    assert (
        "# tinycrm mail sync" not in table.read_text() and "# tinycrm remind" in table.read_text()
    )
    assert not (units / "tinycrm-mail-sync.timer").exists()
    assert "disable --now tinycrm-mail-sync.timer" in removed.stdout
    assert "Nothing to remove: tinycrm mail sync" in _run("mail", "uninstall").stdout


@pytest.mark.parametrize("systemd", [False, True])
@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TINYCRM_DB", "a\nb.db", "the database path holds a line break"),
        ("TINYCRM_CONFIG", "c\r.toml", "the config file's path holds a line break"),
    ],
)
def test_install_refuses_what_a_crontab_line_or_unit_cannot_hold_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, systemd: bool, variable: str, value: str,
    says: str,
) -> None:  # fmt: skip
    """A database or config path with a line break was a ValueError traceback ('db
    must not contain a line break'; with --systemd, 'value must ...'): one line now,
    nothing written, for mail install as for remind install."""
    from tests.test_schedule import fake_crontab

    table = fake_crontab(tmp_path, monkeypatch)
    table.write_text("0 3 * * * /usr/bin/backup\n")
    monkeypatch.setenv(variable, str(tmp_path / value))
    for command in ("mail", "remind"):
        args = [command, "install", "--systemd" if systemd else "--apply"]
        result = _run(*args)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: cannot schedule ") and says in result.stderr
        assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert table.read_text() == "0 3 * * * /usr/bin/backup\n"
    assert not (Path(os.environ["XDG_CONFIG_HOME"]) / "systemd").exists()


def test_sync_create_contacts_adds_no_one_from_a_message_to_thousands(
    imap_account: ImapAccount,
) -> None:
    """A newsletter sent To 3,000 addresses (no List-Id) made 3,000 leads."""
    crowd = ", ".join(f"p{n}@else.example" for n in range(3000)).encode()
    blast = MAIL.replace(b"To: me@my.example", b"To: me@my.example, " + crowd).replace(
        b"quote@", b"blast@"
    )
    imap_account.append("INBOX", blast, MAIL)
    result = _run("mail", "sync", "--create-contacts")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "Read 2 messages; logged 1 email for 1 contact; created 1 contact; "
        "3,001 people on 1 bulk message not added as contacts (over 15 people on it, "
        "or list mail); 1 without a known contact"
    )
    assert [c["email"] for c in json.loads(_run("contact", "list", "--json").stdout)] == [
        "ann@acme.example"
    ]
    data = json.loads(_run("mail", "sync", "--from-start", "--create-contacts", "--json").stdout)
    # Ann is a contact now: the newsletter is logged for her, still adding no one
    assert (data["logged"], data["created"], data["not_added"], data["bulk"]) == (1, 0, 3000, 1)


def test_the_sync_summary_says_what_became_of_each_message(
    imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bo's contact is deleted (a colleague's ``contact rm``) while the sync runs: his mail
    was counted "1 already logged", though it never was; Ann's, dated 2100, was logged when
    the server received it and the summary did not say so."""
    from tinycrm.store import mail_log
    from tinycrm.store.errors import NotFound

    keep = mail_log.keep_contact

    def deleted_meanwhile(session: Any, contact: Any) -> Any:
        if contact.name == "Bo Roe":
            raise NotFound(f"contact #{contact.id} 'Bo Roe' was deleted just now")
        return keep(session, contact)

    monkeypatch.setattr(mail_log, "keep_contact", deleted_meanwhile)
    assert _run("contact", "add", "Ann Lee", "--email", "ann@acme.example").exit_code == 0
    assert _run("contact", "add", "Bo Roe", "--email", "bo@acme.example").exit_code == 0
    future = MAIL.replace(b"Fri, 04 Dec 2026", b"Fri, 01 Jan 2100")
    imap_account.append("INBOX", future, MAIL.replace(b"Ann <ann@", b"Bo <bo@"))
    result = _run("mail", "sync")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "Read 2 messages; logged 1 email for 1 contact; 1 whose contact was deleted during "
        "the run; 1 with no usable Date header (dated when received)"
    )
    data = json.loads(_run("mail", "sync", "--from-start", "--json").stdout)
    assert (data["read"], data["logged"], data["already"]) == (2, 0, 1)
    skipped = {k: v for k, v in data["skipped"].items() if v}  # every reason is there
    assert skipped == {"whose contact was deleted during the run": 1}
    assert data["dated_when_received"] == 0  # nothing logged this time


def test_the_csv_of_a_sync_has_the_same_columns_whatever_it_found(
    imap_account: ImapAccount,
) -> None:
    """mail sync --csv had a column per reason a message was skipped, only those this
    run met: a script reading the CSV of the next run found other columns."""
    import csv
    import io

    assert _run("contact", "add", "Ann Lee", "--email", "ann@acme.example").exit_code == 0
    headers, rows = [], []
    for mail in (None, MAIL, MAIL.replace(b"Ann <ann@", b"Bo <bo@").replace(b"quote@", b"b@")):
        if mail is not None:
            imap_account.append("INBOX", mail)
        result = _run("mail", "sync", "--csv", "--folder", "INBOX")
        assert result.exit_code == 0, result.stderr
        header, row = csv.reader(io.StringIO(result.stdout))
        headers.append(header)
        rows.append(dict(zip(header, row, strict=True)))
    assert headers[0] == headers[1] == headers[2]
    assert "skipped.without a known contact" in headers[0]
    assert [r["skipped.without a known contact"] for r in rows] == ["0", "0", "1"]
    assert [r["logged"] for r in rows] == ["0", "1", "0"]


def test_a_synced_email_deleted_stays_deleted_until_imported_with_undelete(
    imap_account: ImapAccount, tmp_path: Path
) -> None:
    """activity rm of a synced email, then the folder read again (--from-start) and the
    message imported from a file: neither logs it again, each says so; mail import
    --undelete does, and the next sync knows it as logged."""
    assert _run("contact", "add", "Ann Lee", "--email", "ann@acme.example").exit_code == 0
    imap_account.append("INBOX", MAIL)
    assert _run("mail", "sync", "--folder", "INBOX").exit_code == 0
    import tinycrm

    with tinycrm.open() as crm:
        (logged,) = crm.activities.list()
    removed = _run("activity", "rm", str(logged.id), "--yes")
    assert removed.exit_code == 0, removed.stderr
    assert "it will not be logged again from the mailbox" in removed.stdout
    again = _run("mail", "sync", "--from-start", "--folder", "INBOX", "--json")
    data = json.loads(again.stdout)
    assert (data["read"], data["logged"], data["already"], data["deleted"]) == (1, 0, 0, 1)
    eml = tmp_path / "quote.eml"
    eml.write_bytes(MAIL)
    imported = _run("mail", "import", str(eml))
    assert imported.stdout.splitlines()[-1] == (
        "Read 1 message; logged 0 emails for 0 contacts; 1 deleted from tinycrm before, "
        "not logged again (mail import --undelete logs them)"
    )
    with tinycrm.open() as crm:
        assert crm.activities.list() == []
    undone = _run("mail", "import", "--undelete", str(eml))
    assert undone.stdout.splitlines()[-1] == "Read 1 message; logged 1 email for 1 contact"
    last = json.loads(_run("mail", "sync", "--from-start", "--folder", "INBOX", "--json").stdout)
    assert (last["logged"], last["already"], last["deleted"]) == (0, 1, 0)

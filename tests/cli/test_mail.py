"""``tinycrm mail import``: Maildir folders, mbox files and .eml files, once each."""

from __future__ import annotations

import csv
import mailbox
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CONFIG = """
[mail]
own_addresses = ["me@mycompany.example"]
own_domains = ["mycompany.example"]
"""


def _mail(n: int, sender: str = "ann@acme.example", **headers: str) -> bytes:
    extra = "".join(f"{k.replace('_', '-')}: {v}\n" for k, v in headers.items())
    return (
        f"From: {sender}\nTo: me@mycompany.example\nSubject: number {n}\n"
        f"Date: Tue, 01 Dec 2026 1{n}:00:00 +0000\nMessage-ID: <m{n}@acme.example>\n{extra}"
        "Content-Type: text/plain; charset=windows-1252\n"
        "Content-Transfer-Encoding: quoted-printable\n\nCaf=E9 at 10=3F\n"
    ).encode()


@pytest.fixture
def mail_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    monkeypatch.setenv("TINYCRM_CONFIG", str(path))
    return path


def test_import_maildir_mbox_and_eml_once(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path
) -> None:
    cli("contact", "add", "Ann Lee", "--email", "ann@acme.example")
    box = mailbox.Maildir(tmp_path / "INBOX", create=True)
    box.add(_mail(1))
    box.add(_mail(2, List_Id="<news.acme.example>"))
    mbox = mailbox.mbox(tmp_path / "sent.mbox")
    mbox.add(_mail(1))  # the same message in a second place
    mbox.add(_mail(3, sender="boss@mycompany.example"))
    mbox.flush()
    (tmp_path / "one.eml").write_bytes(_mail(4, sender="who@else.example"))
    paths = [str(tmp_path / "INBOX"), str(tmp_path / "sent.mbox"), str(tmp_path / "one.eml")]

    dry = cli("mail", "import", *paths, "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.startswith("Dry run: Read 5 messages; would log 1 email for 1 contact")
    run = cli("mail", "import", *paths)
    assert run.stdout.strip() == (
        "Read 5 messages; logged 1 email for 1 contact; 1 already logged; "
        "1 internal or own; 1 list or automated; 1 without a known contact"
    )
    again = cli("mail", "import", *paths, "--create-contacts", "--include-lists", "--json")
    assert again.json()["logged"] == 2 and again.json()["created"] == 1
    assert again.json()["already"] == 2
    shown = cli("contact", "show", "Ann Lee").stdout
    assert "number 1" in shown and "number 2" in shown
    assert "imported 1 email for 1 contact" in cli("feed").stdout


def test_refusals_are_one_line_and_write_nothing(
    sh: Callable[..., Any], tmp_path: Path, mail_config: Path
) -> None:
    sh("contact", "add", "Ann Lee", "--email", "ann@acme.example")
    good = tmp_path / "good.eml"
    good.write_bytes(_mail(1))
    binary = tmp_path / "image.eml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" * 50)
    for args, message in (
        ([str(tmp_path / "nope")], "nope: no such file or folder"),
        ([str(good), str(binary)], "image.eml: not a mail message (no header lines)"),
        ([str(good), "x" * 300], "File name too long"),  # was OSError's traceback
    ):
        result = sh("mail", "import", *args)
        assert result.exit_code == 1
        assert result.stderr.strip().endswith(message)
        assert len(result.stderr.strip().splitlines()) == 1
    assert "number 1" not in sh("contact", "show", "Ann Lee").stdout


def test_a_message_file_that_is_no_file_is_counted_not_passed_over_or_waited_on(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path
) -> None:
    """A message file of a Maildir that is a symlink to nothing (its target moved or
    deleted: a backup restored without it) was left out, the summary saying nothing of
    it; so was one in a folder of .eml files, which refused the whole import."""
    cli("contact", "add", "Ann Lee", "--email", "ann@acme.example")
    box = mailbox.Maildir(tmp_path / "INBOX", create=True)
    box.add(_mail(1))
    (tmp_path / "INBOX" / "cur" / "1700000000.lost:2,S").symlink_to(tmp_path / "gone")
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "two.eml").write_bytes(_mail(2))
    (tmp_path / "saved" / "three.eml").symlink_to(tmp_path / "gone")
    # a pipe or a device where a message file should be: the import waited for ever
    os.mkfifo(tmp_path / "INBOX" / "cur" / "1700000001.pipe:2,S")
    (tmp_path / "INBOX" / "cur" / "1700000002.zero:2,S").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "saved" / "four.eml")
    run = cli("mail", "import", str(tmp_path / "INBOX"), str(tmp_path / "saved"))
    assert run.exit_code == 1, run.stderr  # something was left out: each is named
    assert run.stdout.strip() == (
        "Read 7 messages; logged 2 emails for 1 contact; "
        "5 unreadable on disk (a link to no file, a pipe or a device)"
    )
    assert len(run.stderr.splitlines()) == 5
    assert f"Skipped {tmp_path / 'saved' / 'three.eml'}: unreadable on disk" in run.stderr
    data = cli("mail", "import", str(tmp_path / "INBOX"), "--json").json()
    assert data["skipped"]["unreadable on disk (a link to no file, a pipe or a device)"] == 3


def test_one_broken_file_in_a_folder_is_named_and_skipped_the_rest_imported(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A junk file under a folder refused the whole import: none of the thousands of
    good messages beside it were logged. Now each such file is named on stderr with its
    reason, counted in the summary, the rest logged, and the exit is 1 (something was
    left out); a junk file given on its own is still refused. An .eml over 50 MB is
    logged from its header alone, as a Maildir's, an mbox's or IMAP's is, whether in a
    folder or named on its own (it was skipped, 'over 50 MB', or refused the import)."""
    from tinycrm.mail import message

    monkeypatch.setattr(message, "MAX_MESSAGE", 2000)  # 50 MB, made small for the test
    monkeypatch.setattr(message, "HEAD_MAX", 1000)
    cli("contact", "add", "Ann Lee", "--email", "ann@acme.example")
    box = mailbox.Maildir(tmp_path / "INBOX", create=True)
    box.add(_mail(1))
    (tmp_path / "INBOX" / "cur" / "1700000000.junk:2,S").write_bytes(b"\x89PNG\r\n\x1a\n\x00" * 9)
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "two.eml").write_bytes(_mail(2))
    (tmp_path / "saved" / "photo.eml").write_bytes(b"\x89PNG\r\n\x1a\n\x00" * 9)
    (tmp_path / "saved" / "huge.eml").write_bytes(_mail(3) + b"x" * 3000)
    run = cli("mail", "import", str(tmp_path / "INBOX"), str(tmp_path / "saved"))
    assert run.exit_code == 1
    assert run.stdout.strip() == (
        "Read 5 messages; logged 3 emails for 1 contact; 2 not a mail message (no header lines)"
    )
    assert run.stderr.splitlines() == [
        f"Skipped {tmp_path / 'INBOX'}:1700000000.junk: not a mail message (no header lines)",
        f"Skipped {tmp_path / 'saved' / 'photo.eml'}: not a mail message (no header lines)",
    ]
    shown = cli("contact", "show", "Ann Lee").stdout
    assert all(f"number {n}" in shown for n in (1, 2, 3))
    data = cli("mail", "import", str(tmp_path / "saved"), "--json")
    assert data.exit_code == 1
    assert data.json()["skipped"]["not a mail message (no header lines)"] == 1
    assert "over 50 MB" not in data.json()["skipped"]
    alone = cli("mail", "import", str(tmp_path / "saved" / "huge.eml"))
    assert alone.exit_code == 0 and "1 already logged" in alone.stdout, alone.stderr
    alone = cli("mail", "import", str(tmp_path / "saved" / "photo.eml"))
    assert alone.exit_code == 1 and "not a mail message" in alone.stderr


def test_many_skipped_files_are_named_ten_then_counted(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path
) -> None:
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "good.eml").write_bytes(_mail(1))
    for n in range(14):
        (tmp_path / "saved" / f"junk{n:02}.eml").write_bytes(b"\x00junk")
    run = cli("mail", "import", str(tmp_path / "saved"))
    assert run.exit_code == 1
    lines = run.stderr.splitlines()
    assert len(lines) == 11 and lines[-1] == "… and 4 more"
    assert (
        lines[0]
        == f"Skipped {tmp_path / 'saved' / 'junk00.eml'}: not a mail message (no header lines)"
    )
    assert "14 not a mail message (no header lines)" in run.stdout


def test_an_mbox_message_over_the_limit_is_logged_by_its_header_the_rest_whole(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An mbox message over 50 MB is read for its header alone (as a Maildir's): it and
    the messages on either side of it are logged."""
    from tinycrm.mail import message

    monkeypatch.setattr(message, "MAX_MESSAGE", 4000)  # 50 MB, made small for the test
    monkeypatch.setattr(message, "HEAD_MAX", 1000)
    cli("contact", "add", "Ann Lee", "--email", "ann@acme.example")
    mbox = mailbox.mbox(tmp_path / "archive.mbox")
    for raw in (_mail(1), _mail(2).replace(b"Caf=E9", b"x" * 70 + b"\n") * 200, _mail(3)):
        mbox.add(raw)
    mbox.flush()
    run = cli("mail", "import", str(tmp_path / "archive.mbox"))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == "Read 3 messages; logged 3 emails for 1 contact"
    shown = cli("contact", "show", "Ann Lee").stdout
    assert all(f"number {n}" in shown for n in (1, 2, 3))


def test_apple_mail_folders_are_imported_from_their_emlx_files(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path
) -> None:
    """``mail import ~/Library/Mail/V10`` said 'no Maildir, mbox or .eml file in this
    folder'. Now each ``.emlx`` is logged; a ``.partial.emlx`` from its header, its
    activity saying so; a broken one named on stderr in one line, the rest logged."""
    cli("contact", "add", "Ann Lee", "--email", "ann@acme.example")
    plist = b'<?xml version="1.0"?>\n<plist version="1.0"><dict/></plist>\n'
    messages = tmp_path / "V10" / "ACCOUNT" / "INBOX.mbox" / "UUID" / "Data" / "Messages"
    messages.mkdir(parents=True)
    for name, raw in (("1.emlx", _mail(1)), ("2.partial.emlx", _mail(2))):
        (messages / name).write_bytes(f"{len(raw)}       \n".encode() + raw + plist)
    (messages / "3.emlx").write_bytes(b"not a count\n" + _mail(3))
    run = cli("mail", "import", str(tmp_path / "V10"))
    assert run.exit_code == 1
    assert run.stdout.strip() == (
        "Read 3 messages; logged 2 emails for 1 contact; 1 not an Apple Mail message (.emlx)"
    )
    assert run.stderr.splitlines() == [
        f"Skipped {messages / '3.emlx'}: not an Apple Mail message (.emlx) "
        "(its first line is no byte count)"
    ]
    activities = cli("contact", "show", "Ann Lee", "--json").json()["activities"]
    bodies = {a["subject"]: a["body"] for a in activities}
    assert bodies["number 1"].endswith("\n\nCafé at 10?")
    assert "plist" not in bodies["number 1"]
    assert "part of this message only (a .partial.emlx file)" in bodies["number 2"]
    alone = cli("mail", "import", str(messages / "3.emlx"))
    assert alone.exit_code == 1 and "Traceback" not in alone.stderr
    assert alone.stderr.strip() == (
        f"Error: {messages / '3.emlx'}: not an Apple Mail message (.emlx) "
        "(its first line is no byte count)"
    )


def test_mail_import_of_a_home_folder_is_refused_in_one_line_nothing_logged(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mail import ~`` walked every folder of the home folder for .emlx files (minutes
    of disk); now it stops after WITHOUT_MAIL_MAX files and folders without a message,
    in one line, nothing logged (its Maildir's message neither: named, it is read)."""
    from tinycrm.mail import sources

    monkeypatch.setattr(sources, "WITHOUT_MAIL_MAX", 20)
    cli("contact", "add", "Ann Lee", "--email", "ann@acme.example")
    home = tmp_path / "home"
    home.mkdir()
    mailbox.Maildir(home / "Maildir", create=True).add(_mail(1))
    for n in range(30):
        (home / "code" / f"p{n}").mkdir(parents=True)
    run = cli("mail", "import", str(home))
    assert run.exit_code == 1, run.stdout
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"Error: {home}: no mail in the first 20 files and folders")
    assert "number 1" not in cli("contact", "show", "Ann Lee").stdout
    named = cli("mail", "import", str(home / "Maildir"))
    assert named.stdout.strip() == "Read 1 message; logged 1 email for 1 contact"


def test_an_activities_export_re_imported_skips_a_mail_deleted_and_says_so(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path
) -> None:
    """export activities, activity rm of a mailbox email, import activities of the
    export: the email came back. It is skipped now, as mail import skips it, saying so."""
    assert cli("contact", "add", "Ann Lee", "--email", "ann@acme.example").exit_code == 0
    (tmp_path / "one.eml").write_bytes(_mail(1))
    assert cli("mail", "import", str(tmp_path / "one.eml")).exit_code == 0
    export = tmp_path / "activities.csv"
    assert cli("export", "activities", "-o", str(export)).exit_code == 0
    assert "mail_key" in export.read_text().splitlines()[0]
    (mail,) = csv.DictReader(export.read_text().splitlines())
    assert cli("activity", "rm", mail["id"], "--yes").exit_code == 0
    run = cli("import", "activities", str(export))
    assert run.exit_code == 0, run.stderr
    assert "0 created, 0 updated, 1 skipped, 0 rejected" in run.stdout
    assert (
        "Skipped 1 mailbox email deleted from tinycrm before, not logged again "
        "(tinycrm mail import --undelete logs it again)\n"
    ) in run.stdout
    assert cli("activity", "show", mail["id"]).exit_code == 1  # not brought back

"""tinycrm.mail.sources: a folder is searched for mail only as deep as mail is kept.
``mail import ~`` walked the whole home folder (caches, projects, node_modules) looking
for Apple Mail's .emlx files: minutes of disk, then maybe one stray message logged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mail.test_sources import _mail
from tinycrm.mail import sources
from tinycrm.mail.message import parse_message
from tinycrm.mail.sources import MailSourceError, read_messages


def _emlx(raw: bytes) -> bytes:
    return f"{len(raw)}\n".encode() + raw


def _unrelated_tree(root: Path, folders: int) -> None:
    for n in range(folders):
        (root / "Documents" / f"project{n:03}" / "src").mkdir(parents=True)
        (root / "Documents" / f"project{n:03}" / "src" / "main.py").write_text("print(1)\n")


def test_a_big_tree_that_holds_no_mail_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "WITHOUT_MAIL_MAX", 50)
    home = tmp_path / "home"
    _unrelated_tree(home, 40)
    (home / "Maildir" / "cur").mkdir(parents=True)  # a Maildir beside it does not save it
    for sub in ("new", "tmp"):
        (home / "Maildir" / sub).mkdir()
    (home / "Maildir" / "cur" / "1:2,S").write_bytes(_mail(1))
    with pytest.raises(MailSourceError) as refused:
        list(read_messages([home]))
    said = str(refused.value)
    assert "\n" not in said
    assert said == (
        f"{home}: no mail in the first 50 files and folders under {home / 'Documents'}; "
        "name the mail folder itself (a Maildir, an mbox file, a folder of .eml files, "
        "Apple Mail's ~/Library/Mail/V10)"
    )


def test_hidden_folders_and_node_modules_are_not_searched(tmp_path: Path) -> None:
    top = tmp_path / "export"
    for hidden in (".git/objects/ab", ".cache/mail", "node_modules/x"):
        (top / "2019" / hidden).mkdir(parents=True)
        (top / "2019" / hidden / "9.emlx").write_bytes(_emlx(_mail(9)))
    (top / "2019" / "1.emlx").write_bytes(_emlx(_mail(1)))
    (top / ".Trash" / "deep").mkdir(parents=True)  # one level down: a Maildir++ folder's
    (top / ".Trash" / "deep" / "8.emlx").write_bytes(_emlx(_mail(8)))  # name, not searched
    found = [Path(where).name for where, _ in read_messages([top])]
    assert found == ["1.emlx"]


def test_apple_mail_s_tree_is_read_however_many_folders_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An Apple Mail tree holds a folder per attachment ('Attachments/12/2/photo.jpg'),
    thousands before a mailbox's Messages folder: none of them counts, and a message
    found starts the count again."""
    monkeypatch.setattr(sources, "WITHOUT_MAIL_MAX", 30)
    v10 = tmp_path / "V10"
    for box in ("A.mbox", "B.mbox"):
        data = v10 / "ACCOUNT" / box / "UUID" / "Data"
        for n in range(40):
            (data / "Attachments" / str(n) / "2").mkdir(parents=True)
            (data / "Attachments" / str(n) / "2" / "photo.jpg").write_bytes(b"\xff\xd8")
        (data / "Messages").mkdir()
        for n in range(20):
            (data / "Messages" / f"{n}.emlx").write_bytes(_emlx(_mail(n)))
    read = [raw for _, raw in read_messages([v10])]
    assert len(read) == 40
    assert parse_message(read[0]).subject == "number 0"  # type: ignore[arg-type]


def test_a_maildir_without_its_empty_tmp_folder_is_a_maildir(tmp_path: Path) -> None:
    """git, zip and some backups keep no empty folder: a Maildir copied so has cur and
    new alone, and was refused ('no Maildir, mbox, .eml or .emlx file in this folder'),
    as a folder of them was passed over."""
    for box in ("INBOX", "Sent"):
        (tmp_path / "mail" / box / "cur").mkdir(parents=True)
        (tmp_path / "mail" / box / "new").mkdir()
    (tmp_path / "mail" / "INBOX" / "cur" / "1.host:2,S").write_bytes(_mail(1))
    (tmp_path / "mail" / "Sent" / "new" / "2.host").write_bytes(_mail(2))
    alone = [raw for _, raw in read_messages([tmp_path / "mail" / "INBOX"])]
    assert [parse_message(r).subject for r in alone] == ["number 1"]  # type: ignore[arg-type]
    both = [raw for _, raw in read_messages([tmp_path / "mail"])]
    assert sorted(parse_message(r).subject for r in both) == ["number 1", "number 2"]  # type: ignore[arg-type]


def test_a_maildir_plus_plus_root_is_read_with_its_folders(tmp_path: Path) -> None:
    """Dovecot's and Courier's ~/Maildir is the INBOX, its folders Maildirs inside it
    (.Sent, .Archive.2019): 'mail import ~/Maildir' read the INBOX alone, and said
    nothing of the rest."""
    root = tmp_path / "Maildir"
    for n, folder in enumerate((root, root / ".Sent", root / ".Archive.2019"), start=1):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True)
        (folder / "cur" / f"{n}.host:2,S").write_bytes(_mail(n))
    (root / ".notes").mkdir()  # a hidden folder that is no Maildir: not read
    (root / ".notes" / "x.eml").write_bytes(_mail(9))
    read = [raw for _, raw in read_messages([root])]
    subjects = [parse_message(r).subject for r in read]  # type: ignore[arg-type]
    assert subjects == ["number 1", "number 3", "number 2"]


def test_a_folder_of_folders_of_eml_files_is_read(tmp_path: Path) -> None:
    """An export of each mail folder as a folder of .eml files (Thunderbird's
    ImportExportTools, Outlook add-ins: 'Export/Inbox/*.eml', 'Export/Sent/2019/*.eml')
    was refused: 'no Maildir, mbox, .eml or .emlx file in this folder'."""
    (tmp_path / "Export" / "Inbox").mkdir(parents=True)
    (tmp_path / "Export" / "Sent" / "2019").mkdir(parents=True)
    (tmp_path / "Export" / "Inbox" / "a.eml").write_bytes(_mail(1))
    (tmp_path / "Export" / "Sent" / "2019" / "b.EML").write_bytes(_mail(2))
    read = [raw for _, raw in read_messages([tmp_path / "Export"])]
    assert [parse_message(r).subject for r in read] == ["number 1", "number 2"]  # type: ignore[arg-type]

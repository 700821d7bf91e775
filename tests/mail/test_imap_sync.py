"""``crm.mail.sync()`` against a real Dovecot (tests/mail/conftest.py): checkpoints, the
Sent folder found by its flag, UIDVALIDITY, STARTTLS, read-only reading, and the same
logging as ``mail import``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.mail.conftest import ImapAccount
from tests.mail.samples import BOUNCE, HTML_ONLY, PLAIN_QP_1252, multipart
from tinycrm.api.crm import Crm
from tinycrm.mail.imap import MailSyncError
from tinycrm.store.log_models import MailCheckpoint
from tinycrm.store.models import Activity


def _mail(n: int, sender: str = "juergen@mueller.example", to: str = "me@my.example") -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: number {n}\r\n"
        f"Date: Thu, 03 Dec 2026 1{n % 10}:00:00 +0000\r\nMessage-ID: <n{n}@mueller.example>\r\n"
        "\r\nHello\r\n"
    ).encode()


REPLY_SENT = (
    b"From: Me <me@my.example>\nTo: Ana <ana@client.example>\nSubject: Re: Offer\n"
    b"Date: Thu, 3 Dec 2026 09:00:00 +0000\nMessage-ID: <re-offer@my.example>\n"
    b"In-Reply-To: <offer-1@client.example>\n\nThanks, Ana.\n"
)
NO_MESSAGE_ID = PLAIN_QP_1252.replace(b"Message-ID: <abc.123@mueller.example>\n", b"").replace(
    b"Subject: =?iso", b"Subject: Again =?iso"
)


def _crm(store: Any) -> Crm:
    return Crm(store)


def _count(store: Any) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Activity)) or 0)


def test_first_sync_logs_the_second_reads_nothing_new_then_only_new_mail(
    store: Any, imap_account: ImapAccount, tmp_path: Path
) -> None:
    crm = _crm(store)
    crm.contacts.add(name="Jürgen Müller", email="Juergen@Mueller.example", company="Müller")
    crm.contacts.add(name="Ana Díaz", email="ana@client.example")
    offer = multipart("<p>HTML</p>", utf8_body="Grüße,\r\nAna\r\n", attachment=b"%PDF" * 10)
    imap_account.append("INBOX", PLAIN_QP_1252, offer, HTML_ONLY, BOUNCE, NO_MESSAGE_ID)
    imap_account.append("Sent", REPLY_SENT)

    first = crm.mail.sync(batch=2)
    assert [(f.folder, f.new, f.reread) for f in first.folders] == [
        ("Sent", 1, False),
        ("INBOX", 5, False),
    ]
    run = first.run
    assert (run.read, run.logged, len(run.contacts)) == (6, 4, 2)
    assert run.skipped == {"list or automated": 2}
    juergen = crm.activities.list(contact="Jürgen Müller")
    assert sorted(a.subject for a in juergen) == [
        "Again Résumé and 👋\u200b hi",
        "Résumé and 👋\u200b hi",
    ]
    assert all(a.kind == "email" and a.company == "Müller" for a in juergen)
    assert "the price is €5." in (juergen[0].body or "")
    ana = {a.subject: a for a in crm.activities.list(contact="Ana Díaz")}
    assert "Attachment: offer 2026.pdf (application/pdf, 40 B)" in (ana["Offer"].body or "")
    with store.read() as session:
        directions = dict(session.execute(select(Activity.subject, Activity.direction)).all())
        checkpoints = session.execute(
            select(MailCheckpoint.folder, MailCheckpoint.last_uid).order_by(MailCheckpoint.folder)
        ).all()
    assert directions["Re: Offer"] == "out" and directions["Offer"] == "in"
    assert [tuple(c) for c in checkpoints] == [("INBOX", 5), ("Sent", 1)]
    feed = [e.summary for e in crm.feed(limit=5) if e.action == "synced"]
    assert feed == ["synced 4 emails for 2 contacts"]

    # Read-only: nothing was marked as read, no flag changed.
    with imap_account.client() as client:
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags(client.search(["ALL"]))
    assert all(b"\\Seen" not in f for f in flags.values())

    again = crm.mail.sync()
    assert [f.new for f in again.folders] == [0, 0] and again.run.read == 0
    assert _count(store) == 4

    imap_account.append("INBOX", _mail(1), PLAIN_QP_1252)  # new, and a copy of one logged
    later = crm.mail.sync()
    assert [f.new for f in later.folders] == [0, 2]
    assert (later.run.logged, later.run.already) == (1, 1)
    assert _count(store) == 5

    # A file holding a synced message adds nothing (one key across IMAP and files).
    (tmp_path / "copy.eml").write_bytes(PLAIN_QP_1252)
    assert crm.mail.import_paths([tmp_path / "copy.eml"]).already == 1
    assert len([e for e in crm.feed(limit=10) if e.action == "synced"]) == 2


def test_a_changed_uidvalidity_reads_the_folder_again_logging_only_what_is_new(
    imap_account: ImapAccount,
) -> None:
    import tinycrm

    imap_account.configure(folders=["Clients"])
    imap_account.append("Clients", _mail(1), _mail(2))
    with tinycrm.open() as crm:
        crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
        assert crm.mail.sync().run.logged == 2
        with imap_account.client() as client:  # the folder made again: new UIDVALIDITY
            client.delete_folder("Clients")
            client.create_folder("Clients")
        imap_account.append("Clients", _mail(2), _mail(3), _mail(1))
        result = crm.mail.sync()
        assert [(f.folder, f.new, f.reread) for f in result.folders] == [("Clients", 3, True)]
        assert (result.run.logged, result.run.already) == (1, 2)
        assert crm.mail.sync().folders[0].new == 0


def test_a_folder_numbered_anew_under_the_same_uidvalidity_is_read_again(
    imap_account: ImapAccount,
) -> None:
    """A server restored from a backup, or moved by a tool that keeps UIDVALIDITY but
    numbers the messages from 1 again (RFC 3501 says it must not): the checkpoint was
    ahead of every UID the folder had, and its new mail was 'Clients: 0 new messages'
    until a UID passed the old last one, the mail below it never logged. A checkpoint
    at or beyond the folder's UIDNEXT reads the folder again from the start."""
    import tinycrm

    imap_account.configure(folders=["Clients"])
    imap_account.append("Clients", *(_mail(n) for n in range(1, 6)))
    with tinycrm.open() as crm:
        crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
        assert crm.mail.sync().run.logged == 5
        # Dovecot's Maildir as a restored backup leaves it: no messages, UIDs from 1 on,
        # the same UIDVALIDITY
        folder = imap_account.server.root / "mail" / imap_account.user.split("@")[0] / ".Clients"
        uidlist = folder / "dovecot-uidlist"
        validity = uidlist.read_text().split()[1]
        for old in [*folder.glob("cur/*"), *folder.glob("new/*"), *folder.glob("dovecot.index*")]:
            old.unlink()
        uidlist.write_text(f"3 {validity} N1\n")
        imap_account.append("Clients", _mail(6), _mail(1), _mail(7))
        with imap_account.client() as client:
            state = client.select_folder("Clients", readonly=True)
            assert state[b"UIDNEXT"] == 4 and f"V{state[b'UIDVALIDITY']}" == validity
        result = crm.mail.sync()
        assert [(f.folder, f.new, f.reread) for f in result.folders] == [("Clients", 3, True)]
        assert (result.run.logged, result.run.already) == (2, 1)
        assert result.folders[0].renumbered
        imap_account.append("Clients", _mail(8))
        again = crm.mail.sync()
        assert (again.folders[0].new, again.folders[0].reread, again.run.logged) == (1, False, 1)


def _sync(**options: Any) -> Any:
    """A sync by a freshly opened CRM (``tinycrm.open()`` reads the config file once)."""
    import tinycrm

    with tinycrm.open() as crm:
        return crm.mail.sync(**options)


def test_a_sync_goes_on_behind_another_that_keeps_moving_the_checkpoint(
    store: Any, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cron's sync and the user's at once: each batch the other commits first moves the
    checkpoint under this one, which reads on from there, however many times that
    happens (it stopped after three: 'another mail sync keeps reading INBOX')."""
    from tinycrm.mail.imap import Account
    from tinycrm.mail.message import parse_message
    from tinycrm.store.mail_sync import Checkpoint, MailSync, read_checkpoint

    imap_account.configure(folders=["INBOX"])
    imap_account.append("INBOX", *[_mail(n) for n in range(1, 11)])  # UIDs 1 to 10
    crm = _crm(store)
    crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
    other = MailSync(store, own_addresses=["me@my.example"])
    fetch = Account.fetch

    def raced(self: Account, uids: Any, batch: int) -> Any:
        validity = self.examine("INBOX").uidvalidity
        for last, raws in fetch(self, uids, batch):
            since = read_checkpoint(store, account=self.key, folder="INBOX")
            reached = since.last_uid if since is not None else 0
            if 2 <= reached < 6:  # the other sync logs the next message first
                other.log_batch([parse_message(_mail(reached + 1))], account=self.key,
                                folder="INBOX", since=since,
                                until=Checkpoint(validity, reached + 1))  # fmt: skip
            yield last, raws

    monkeypatch.setattr(Account, "fetch", raced)
    result = crm.mail.sync(batch=2)
    # this sync logged 1-2, the other 3-6 (four times in a row first), this one 7-10
    assert (other.run.logged, result.run.logged, result.folders[0].new) == (4, 6, 6)
    assert _count(store) == 10
    assert read_checkpoint(store, account=result.account, folder="INBOX") is not None


def test_sent_is_found_by_its_flag_else_by_a_usual_name() -> None:
    from tinycrm.config import ImapSettings
    from tinycrm.mail.imap import Account

    class Lister:
        def __init__(self, folders: list[tuple[tuple[bytes, ...], bytes, str]]) -> None:
            self.listed = folders

        def list_folders(self) -> list[tuple[tuple[bytes, ...], bytes, str]]:
            return self.listed

    settings = ImapSettings(host="h", user="u")
    flagged = Lister([((), b"/", "INBOX"), ((b"\\Sent",), b"/", "Gesendet"), ((), b"/", "Sent")])
    assert Account(flagged, settings).folders(None) == ["Gesendet", "INBOX"]  # type: ignore[arg-type]
    named = Lister([((), b".", "INBOX"), ((), b".", "INBOX.Sent Items")])
    assert Account(named, settings).folders(None) == ["INBOX"]  # type: ignore[arg-type]
    named.listed.append(((), b".", "sent items"))
    assert Account(named, settings).folders(None) == ["sent items", "INBOX"]  # type: ignore[arg-type]
    assert Account(named, settings).folders(["inbox", "INBOX"]) == ["INBOX"]  # type: ignore[arg-type]


def test_what_reacts_to_a_logged_email_reacts_to_a_synced_one(
    imap_account: ImapAccount,
) -> None:
    """The reply stops the sequence, the scoring rule counts it, keep-in-touch sees it."""
    import tinycrm
    from tinycrm.clock import utcnow

    now = utcnow()
    date = (now - timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    reply = (
        f"From: Ana <ana@client.example>\r\nTo: me@my.example\r\nSubject: Re: hello\r\n"
        f"Date: {date}\r\nMessage-ID: <reply-1@client.example>\r\n\r\nYes, let's talk.\r\n"
    ).encode()
    imap_account.append("INBOX", reply)
    with tinycrm.open() as crm:
        crm.contacts.add(name="Ana Díaz", email="ana@client.example", cadence=7)
        crm.log("call", "Ana Díaz", "First call", at=now - timedelta(days=30))
        crm.sequences.add("Onboard", [(0, "Say hello"), (3, "Follow up")])
        crm.sequences.enroll("Onboard", ["Ana Díaz"], start=now - timedelta(days=2))
        crm.scoring.add_rule("Writes back", "activity:email within 30d >= 1", 5)
        due_before = [i for i in crm.reminders.due(closing_days=7) if i.key.startswith("cadence:")]
        assert [i.title for i in due_before] == ["Ana Díaz"]
        assert crm.contacts.list(where="last_contacted<7d") == []

        result = crm.mail.sync()
        assert result.run.stopped == 1
        assert [e.stop_reason for e in crm.sequences.enrollments("Onboard")] == ["replied"]
        assert crm.contacts.get("Ana Díaz").score == 5
        due_after = [i for i in crm.reminders.due(closing_days=7) if i.key.startswith("cadence:")]
        assert due_after == []  # in touch again: the keep-in-touch reminder is gone
        assert [c.name for c in crm.contacts.list(where="last_contacted<7d")] == ["Ana Díaz"]


def test_a_connection_lost_mid_sync_keeps_the_batches_before_it(
    imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tinycrm
    from tinycrm.mail.imap import Account

    imap_account.configure(folders=["INBOX"])
    imap_account.append("INBOX", *[_mail(n) for n in range(1, 6)])
    with tinycrm.open() as crm:
        crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
    fetch = Account.fetch

    def drops(self: Account, uids: Any, batch: int) -> Any:
        batches = fetch(self, uids, batch)
        yield next(batches)
        raise MailSyncError(f"connection to {self.where} failed: Connection reset by peer")

    monkeypatch.setattr(Account, "fetch", drops)
    with pytest.raises(MailSyncError) as lost:
        _sync(batch=2)
    assert str(lost.value).endswith(
        "Connection reset by peer (before it: read 2 messages; logged 2 emails for 1 contact)"
    )
    monkeypatch.setattr(Account, "fetch", fetch)
    rest = _sync(batch=2)
    assert (rest.folders[0].new, rest.run.logged) == (3, 3)
    with tinycrm.open() as crm:
        assert [e.summary for e in crm.feed() if e.action == "synced"] == [
            "synced 3 emails for 1 contact",
            "synced 2 emails for 1 contact",
        ]


def test_a_database_failure_mid_sync_still_writes_the_event_of_what_was_logged(
    imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second batch refused by the store (a database locked by another writer past
    its timeout, say): the first batch's emails stay logged, and the feed says so."""
    import tinycrm
    from tinycrm.errors import Unavailable
    from tinycrm.store.mail_sync import MailSync

    imap_account.configure(folders=["INBOX"])
    imap_account.append("INBOX", *[_mail(n) for n in range(1, 6)])
    with tinycrm.open() as crm:
        crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
    log_batch, calls = MailSync.log_batch, []

    def locked(self: MailSync, messages: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise Unavailable("database is busy (locked by another tinycrm): database is locked")
        return log_batch(self, messages, **kwargs)

    monkeypatch.setattr(MailSync, "log_batch", locked)
    with pytest.raises(Unavailable):
        _sync(batch=2)
    with tinycrm.open() as crm:
        assert [e.summary for e in crm.feed() if e.action == "synced"] == [
            "synced 2 emails for 1 contact"
        ]
    monkeypatch.setattr(MailSync, "log_batch", log_batch)
    assert _sync(batch=2).run.logged == 3


def test_mail_without_a_date_header_is_dated_by_the_servers_internaldate(
    store: Any, imap_account: ImapAccount
) -> None:
    from datetime import UTC, datetime

    imap_account.configure(folders=["INBOX"])
    crm = _crm(store)
    crm.contacts.add(name="Ana Díaz", email="ana@client.example")
    arrived = datetime(2026, 11, 30, 7, 45, tzinfo=UTC)
    with imap_account.client() as client:
        client.append(
            "INBOX",
            b"From: ana@client.example\r\nTo: me@my.example\r\nSubject: undated\r\n\r\nHi\r\n",
            msg_time=arrived,
        )
    run = crm.mail.sync().run
    assert (run.logged, run.undated) == (1, 0)
    [logged] = crm.activities.list(contact="ana@client.example")
    assert logged.occurred_at == arrived


def test_the_imap_user_is_one_of_the_users_own_addresses(
    store: Any, imap_account: ImapAccount, tmp_path: Path
) -> None:
    """Logging in as u…@mycompany.example (not in own_addresses): mail from it is the
    user's own (out), mail to it is not about a contact of that name, and
    --create-contacts does not make the user a lead."""
    imap_account.configure(folders=["INBOX", "Sent"])
    me = imap_account.user
    crm = _crm(store)
    crm.contacts.add(name="Ana Díaz", email="ana@client.example")
    sent = f"From: Me <{me}>\nTo: ana@client.example\nSubject: Offer\nMessage-ID: <s1@x>\n\nHi"
    got = f"From: ana@client.example\nTo: {me.upper()}\nSubject: Re: Offer\nMessage-ID: <r@x>\n\nOk"
    note = f"From: {me}\nTo: {me}\nSubject: note to self\nMessage-ID: <n1@x>\n\nMilk"
    imap_account.append("Sent", sent.encode(), note.encode())
    imap_account.append("INBOX", got.encode())
    run = crm.mail.sync(create_contacts=True).run
    assert (run.logged, run.created, run.skipped) == (2, 0, {"internal or own": 1})
    with store.read() as session:
        directions = dict(session.execute(select(Activity.subject, Activity.direction)).all())
    assert directions == {"Offer": "out", "Re: Offer": "in"}
    assert [c.email for c in crm.contacts.list()] == ["ana@client.example"]
    # a file of the same account's mail knows the login as the user's too
    (tmp_path / "self.eml").write_text(note.replace("n1@x", "n2@x"))
    assert crm.mail.import_paths([tmp_path / "self.eml"], create_contacts=True).skipped == {
        "internal or own": 1
    }


def test_a_folder_is_found_whatever_the_unicode_form_and_one_that_holds_only_folders_is_refused(
    store: Any, imap_account: ImapAccount
) -> None:
    """A Mac client names its folders in NFD ('u' and a combining diaeresis): the name
    typed in NFC was 'not found' beside it in the list. A folder that only holds folders
    (\\Noselect) failed at EXAMINE after the folders before it were read."""
    import unicodedata

    crm = _crm(store)
    crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
    with imap_account.client() as client:
        client.create_folder(unicodedata.normalize("NFD", "Entwürfe"))
        client.create_folder("Kunden/Müller")
    imap_account.append(unicodedata.normalize("NFD", "Entwürfe"), _mail(1))
    imap_account.append("INBOX", _mail(2))
    run = crm.mail.sync(folders=["entwürfe"])
    assert (run.folders[0].new, run.run.logged) == (1, 1)
    with pytest.raises(MailSyncError) as refused:
        crm.mail.sync(folders=["INBOX", "Kunden"])
    assert str(refused.value).startswith("IMAP folder 'Kunden' on 127.0.0.1:") and str(
        refused.value
    ).endswith("holds only other folders, no mail (Kunden/Müller)")
    assert _count(store) == 1  # INBOX was not read before the refusal


def test_a_message_the_server_cannot_give_is_skipped_and_told_not_a_sync_stuck_for_good(
    store: Any, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken message on the server ('NO [SERVERBUG]' to its FETCH) failed its whole
    batch, and every later sync failed at the same place: nothing after it was ever
    logged again."""
    from imapclient import IMAPClient
    from imapclient.exceptions import IMAPClientError

    imap_account.configure(folders=["INBOX"])
    imap_account.append("INBOX", *[_mail(n) for n in range(1, 6)])
    crm = _crm(store)
    crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
    fetch = IMAPClient.fetch

    def broken(self: IMAPClient, messages: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        if 3 in list(messages) and "BODY.PEEK[]" in data:
            raise IMAPClientError("fetch failed: [SERVERBUG] Internal error occurred.")
        return fetch(self, messages, data, *args, **kwargs)

    monkeypatch.setattr(IMAPClient, "fetch", broken)
    run = crm.mail.sync(batch=2).run
    assert (run.read, run.logged, run.skipped) == (5, 4, {"unreadable on the server": 1})
    assert "1 unreadable on the server" in run.summary()
    assert _count(store) == 4
    monkeypatch.setattr(IMAPClient, "fetch", fetch)
    assert crm.mail.sync().run.read == 0  # behind the checkpoint now: --from-start reads it
    assert crm.mail.sync(from_start=True).run.logged == 1


def test_two_messages_without_message_id_or_date_are_both_logged_and_each_once(
    store: Any, imap_account: ImapAccount, tmp_path: Path
) -> None:
    """A script's two alerts, no Message-ID, no Date, one sender and subject: both are
    logged; a copy in another folder, a sync from the start and a file of one add none."""
    imap_account.configure(folders=["INBOX", "Clients"])
    crm = _crm(store)
    crm.contacts.add(name="Ops", email="ops@client.example")
    head = b"From: ops@client.example\r\nTo: me@my.example\r\nSubject: alert\r\n\r\n"
    full, ok = head + b"Disk full\r\n", head + b"Disk ok\r\n"
    imap_account.append("INBOX", full, ok)
    imap_account.append("Clients", ok)
    run = crm.mail.sync().run
    assert (run.read, run.logged, run.already) == (3, 2, 1)
    assert _count(store) == 2
    again = crm.mail.sync(from_start=True).run
    assert (again.read, again.logged, again.already) == (3, 0, 3)
    (tmp_path / "ok.eml").write_bytes(ok.replace(b"\r\n", b"\n"))
    assert crm.mail.import_paths([tmp_path / "ok.eml"]).already == 1
    assert _count(store) == 2


def test_two_messages_with_one_message_id_and_no_date_are_both_logged_and_each_once(
    store: Any, imap_account: ImapAccount, tmp_path: Path
) -> None:
    """A list re-sending with one Message-ID and no Date, other text: both are logged; a
    copy in another folder, a sync from the start and a file of one add none."""
    imap_account.configure(folders=["INBOX", "Clients"])
    crm = _crm(store)
    crm.contacts.add(name="Ops", email="ops@client.example")
    head = b"From: ops@client.example\r\nTo: me@my.example\r\nMessage-ID: <one@client.example>\r\n"
    full, ok = head + b"Subject: alert\r\n\r\nDisk full\r\n", head + b"Subject: ok\r\n\r\nok\r\n"
    imap_account.append("INBOX", full, ok)
    imap_account.append("Clients", ok)
    run = crm.mail.sync().run
    assert (run.read, run.logged, run.already) == (3, 2, 1)
    again = crm.mail.sync(from_start=True).run
    assert (again.read, again.logged, again.already) == (3, 0, 3)
    (tmp_path / "ok.eml").write_bytes(ok.replace(b"\r\n", b"\n"))
    assert crm.mail.import_paths([tmp_path / "ok.eml"]).already == 1
    assert _count(store) == 2


def test_a_message_without_message_id_holding_a_nul_or_a_bare_cr_is_one_from_a_file_and_imap(
    store: Any, imap_account: ImapAccount, tmp_path: Path
) -> None:
    """Dovecot gives a stored message's NUL bytes as 0x80 and its bare CRs as line
    ends: such a message without Message-ID, imported from a file and synced (or the
    other way round), had two keys and was logged twice. Its key is made of it as
    Dovecot gives it now; one logged before under the key of it as stored is known."""
    crm = _crm(store)
    crm.contacts.add(name="Ops", email="ops@client.example")
    head = b"From: ops@client.example\r\nTo: me@my.example\r\n"
    nul = head + b"Subject: nul \x00 here\r\n\r\nnul\x00body\r\n"
    cr = head + b"Subject: bare cr\r\n\r\nline1\rline2\r\n"
    for number, raw in enumerate((nul, cr)):
        (tmp_path / f"{number}.eml").write_bytes(raw)
    assert crm.mail.import_paths([tmp_path]).logged == 2
    with imap_account.client() as client:  # as stored: append() makes LFs CRLFs
        for raw in (nul, cr):
            client.append("INBOX", raw)
    run = crm.mail.sync().run
    assert (run.read, run.logged, run.already) == (2, 0, 2)
    assert _count(store) == 2


def test_bcc_recipients_of_a_sent_message_get_it_logged(
    store: Any, imap_account: ImapAccount
) -> None:
    """The Sent folder's copy of a message keeps its Bcc header: those contacts get the
    email on their timeline too (out), once, however often it is synced."""
    crm = _crm(store)
    crm.contacts.add(name="Ana Díaz", email="ana@client.example")
    crm.contacts.add(name="Bo Berg", email="bo@x.example")
    sent = (
        b"From: Me <me@my.example>\r\nTo: Ana <ana@client.example>\r\n"
        b"Bcc: Bo Berg <bo@x.example>\r\nSubject: Offer\r\n"
        b"Date: Thu, 3 Dec 2026 09:00:00 +0000\r\nMessage-ID: <offer-bcc@my.example>\r\n"
        b"\r\nHere is the offer.\r\n"
    )
    imap_account.append("Sent", sent)
    run = crm.mail.sync().run
    assert (run.logged, run.activities, len(run.contacts)) == (1, 2, 2)
    (bo,) = crm.activities.list(contact="Bo Berg")
    assert bo.subject == "Offer" and "Bcc: Bo Berg <bo@x.example>" in (bo.body or "")
    with store.read() as session:
        assert set(session.scalars(select(Activity.direction))) == {"out"}
    assert crm.mail.sync(from_start=True).run.already == 1


def test_a_message_too_large_to_read_whole_has_one_key_from_imap_and_from_a_file(
    store: Any, imap_account: ImapAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message over 50 MB (the limit lowered here) without a Message-ID: IMAP reads its
    header alone, a Maildir or an mbox gave the whole of it, and its key (a hash of what
    it says, text and attachments included) differed, so importing it both ways logged
    it twice. Such a message is known by its header alone from either."""
    from tests.mail.samples import multipart
    from tinycrm.mail import message

    monkeypatch.setattr(message, "MAX_MESSAGE", 8000)
    scan = multipart("<p>scan</p>", utf8_body="The scan.\n", attachment=b"%PDF" * 3000)
    scan = scan.replace(b"Message-ID: <offer-1@client.example>\n", b"")
    assert len(scan) > 8000 and b"Message-ID" not in scan
    maildir = tmp_path / "Mail"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(scan)
    crm = _crm(store)
    crm.contacts.add(name="Ana Díaz", email="ana@client.example")
    imap_account.configure(folders=["INBOX"])
    imap_account.append("INBOX", scan)

    assert crm.mail.import_paths([maildir]).logged == 1
    run = crm.mail.sync().run
    assert (run.read, run.logged, run.already) == (1, 0, 1)
    (logged,) = crm.activities.list(contact="Ana Díaz")
    assert logged.subject == "Offer"


def test_mail_dated_ahead_of_its_arrival_is_logged_when_the_server_received_it(
    store: Any, imap_account: ImapAccount, freeze_clock: Any
) -> None:
    """A Date hours ahead (a broken client's zone) was believed when it was less than a
    day after the server's INTERNALDATE, so the mail sat in the future on top of the
    timeline; one years ahead was dated by the server, but its Date was dropped. Both
    are logged at their INTERNALDATE now, with the Date they claim in the text."""
    from datetime import UTC, datetime

    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    freeze_clock(now)
    imap_account.configure(folders=["INBOX"])
    crm = _crm(store)
    crm.contacts.add(name="Ana Díaz", email="ana@client.example")
    arrived = datetime(2026, 12, 6, 11, 59, tzinfo=UTC)
    head = "From: ana@client.example\r\nTo: me@my.example\r\n"
    claims = {
        "skewed": "Sun, 06 Dec 2026 18:00:00 +0000",
        "spam": "Fri, 01 Jan 2100 00:00:00 +0000",
    }
    with imap_account.client() as client:
        for subject, date in claims.items():
            raw = f"{head}Subject: {subject}\r\nDate: {date}\r\n\r\nHi\r\n".encode()
            client.append("INBOX", raw, msg_time=arrived)
    assert crm.mail.sync().run.logged == 2
    by_subject = {a.subject: a for a in crm.activities.list(contact="ana@client.example")}
    for subject, date in claims.items():
        assert by_subject[subject].occurred_at == arrived
        assert f"Date: {date} (not a date it can have been sent on; dated when it was " \
            "received)" in (by_subject[subject].body or "")  # fmt: skip


def test_a_message_deleted_on_the_server_while_a_sync_reads_is_counted_not_lost(
    store: Any, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message expunged on the server after the sync listed it (UID SEARCH) and before
    it fetched it vanished from the totals: 'INBOX: 6 new messages' above 'Read 4
    messages'. Now it is counted as read and skipped, 'deleted on the server before it
    was read', whether it went before the size was asked or between size and body."""
    from imapclient import IMAPClient

    from tinycrm.mail.imap import Account

    imap_account.configure(folders=["INBOX"])
    imap_account.append("INBOX", *[_mail(n) for n in range(1, 7)])  # UIDs 1 to 6
    crm = _crm(store)
    crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
    new_uids, fetch = Account.new_uids, IMAPClient.fetch

    def expunge(uid: int) -> None:
        with imap_account.client() as other:
            other.select_folder("INBOX")
            other.delete_messages([uid])
            other.expunge()

    def listed(self: Account, after: int) -> list[int]:
        uids = new_uids(self, after)
        expunge(2)  # gone before its size is asked
        return uids

    def sized(self: IMAPClient, messages: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        got = fetch(self, messages, data, *args, **kwargs)
        if "RFC822.SIZE" in data and 5 in got:
            expunge(5)  # gone between its size and its body
        return got

    monkeypatch.setattr(Account, "new_uids", listed)
    monkeypatch.setattr(IMAPClient, "fetch", sized)
    result = crm.mail.sync(batch=3)
    gone = "deleted on the server before it was read"
    assert result.folders[0].new == 6
    assert (result.run.read, result.run.logged, result.run.skipped) == (6, 4, {gone: 2})
    assert result.run.summary() == (f"read 6 messages; logged 4 emails for 1 contact; 2 {gone}")
    assert _count(store) == 4


def test_a_batch_of_large_messages_is_fetched_a_few_megabytes_at_a_time(
    store: Any, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch (100 messages by default) was fetched in one FETCH, held whole in memory:
    100 messages of 40 MB with their attachments asked for 4 GB at once, and the sync was
    killed for want of memory. A batch is now cut so that one FETCH asks for at most
    ``imap.FETCH_BYTES`` (the limit lowered here), each part logged with its checkpoint."""
    from tinycrm.mail import imap

    monkeypatch.setattr(imap, "FETCH_BYTES", 250_000)
    crm = _crm(store)
    crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
    imap_account.configure(folders=["INBOX"])
    big = [_mail(n).replace(b"\r\nHello\r\n", b"\r\n" + b"x" * 99_000 + b"\r\n") for n in range(5)]
    imap_account.append("INBOX", *big)
    seen: list[int] = []
    result = crm.mail.sync(batch=100, progress=lambda _folder, done, _total: seen.append(done))
    assert seen == [2, 4, 5]
    assert (result.run.read, result.run.logged) == (5, 5)
    assert crm.mail.sync().run.read == 0


def test_a_bounce_synced_is_logged_for_the_contact_whose_address_bounced(
    store: Any, imap_account: ImapAccount
) -> None:
    """A bounce in the INBOX (From MAILER-DAEMON) is logged on the contact whose
    address bounced, with which address and its status; no contact is made from it.
    The mail it returns, in the Sent folder, is read first, on the first sync too."""
    crm = _crm(store)
    crm.contacts.add(name="Gone Person", email="gone@client.example")
    imap_account.append("INBOX", BOUNCE)
    imap_account.append("Sent", REPLY_SENT.replace(b"ana@client", b"gone@client"))
    run = crm.mail.sync(create_contacts=True).run
    assert (run.logged, run.created) == (2, 0), run.summary()
    [activity] = [a for a in crm.activities.list(contact="Gone Person") if a.subject != "Re: Offer"]
    assert "Bounced: gone@client.example (5.1.1 (permanent failure: bad destination mailbox" in (
        activity.body or ""
    )
    assert crm.mail.sync(from_start=True).run.already == 2

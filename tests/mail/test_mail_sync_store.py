"""store.mail_sync: a batch and its checkpoint's advance are one transaction; a checkpoint
moved by another sync refuses the batch; one event per run. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tinycrm.mail.message import MailMessage, parse_message
from tinycrm.store.contacts import add_contact
from tinycrm.store.events import list_events
from tinycrm.store.mail_sync import Checkpoint, CheckpointMoved, MailSync, read_checkpoint
from tinycrm.store.models import Activity

OWN = {"own_addresses": ["me@my.example"], "own_domains": ["my.example"]}
ACCOUNT = "imap://me@my.example@imap.my.example:993"


def _msg(n: int) -> MailMessage:
    return parse_message(
        f"From: ann@acme.example\nTo: me@my.example\nSubject: n{n}\n"
        f"Date: Tue, 01 Dec 2026 10:0{n % 10}:00 +0000\nMessage-ID: <{n}@acme.example>\n"
        "\nhi\n".encode()
    )


def _count(store: Any) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Activity)) or 0)


def test_a_batch_and_its_checkpoint_commit_together_or_not_at_all(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    sync = MailSync(store, **OWN)
    assert read_checkpoint(store, account=ACCOUNT, folder="INBOX") is None
    first = Checkpoint(uidvalidity=4_294_967_295, last_uid=2)  # 32-bit unsigned: BIGINT
    sync.log_batch([_msg(1), _msg(2)], account=ACCOUNT, folder="INBOX", since=None, until=first)
    assert read_checkpoint(store, account=ACCOUNT, folder="INBOX") == first
    assert _count(store) == 2

    def dies_after_one() -> Iterator[MailMessage]:
        yield _msg(3)
        raise KeyboardInterrupt  # Ctrl-C in the middle of the batch

    with pytest.raises(KeyboardInterrupt):
        sync.log_batch(dies_after_one(), account=ACCOUNT, folder="INBOX", since=first,
                       until=Checkpoint(first.uidvalidity, 4))  # fmt: skip
    assert read_checkpoint(store, account=ACCOUNT, folder="INBOX") == first
    assert _count(store) == 2 and sync.run.logged == 2

    second = Checkpoint(first.uidvalidity, 4)
    batch = sync.log_batch([_msg(3), _msg(4), _msg(2)], account=ACCOUNT, folder="INBOX",
                           since=first, until=second)  # fmt: skip
    assert (batch.logged, batch.already) == (2, 1)  # _msg(3) was rolled back: logged now
    assert (sync.run.logged, sync.run.already, len(sync.run.contacts)) == (4, 1, 1)
    sync.finish()
    sync.finish()  # once
    assert [e.summary for e in list_events(store, limit=5) if e.action == "synced"] == [
        "synced 4 emails for 1 contact"
    ]


def test_a_checkpoint_another_sync_moved_refuses_the_batch(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    one, other = MailSync(store, **OWN), MailSync(store, **OWN)
    start = Checkpoint(7, 1)
    one.log_batch([_msg(1)], account=ACCOUNT, folder="Sent", since=None, until=start)
    with pytest.raises(CheckpointMoved):  # it read "no checkpoint" before the first wrote one
        other.log_batch([_msg(2)], account=ACCOUNT, folder="Sent", since=None, until=start)
    one.log_batch([_msg(2)], account=ACCOUNT, folder="Sent", since=start,
                  until=Checkpoint(7, 2))  # fmt: skip
    with pytest.raises(CheckpointMoved):  # it read 7/1, the folder is at 7/2 now
        other.log_batch([_msg(3)], account=ACCOUNT, folder="Sent", since=start,
                        until=Checkpoint(7, 3))  # fmt: skip
    assert _count(store) == 2 and other.run.logged == 0
    other.finish()
    assert not [e for e in list_events(store, limit=5) if e.action == "synced"]


def test_a_dry_run_moves_no_checkpoint_and_logs_nothing(store: Any) -> None:
    add_contact(store, name="Ann Lee", email="ann@acme.example")
    sync = MailSync(store, dry_run=True, **OWN)
    sync.log_batch([_msg(1)], account=ACCOUNT, folder="INBOX", since=None, until=Checkpoint(1, 1))
    sync.log_batch([_msg(1), _msg(2)], account=ACCOUNT, folder="Sent", since=None,
                   until=Checkpoint(1, 2))  # fmt: skip
    assert (sync.run.logged, sync.run.already) == (2, 1)  # seen across its batches
    sync.finish()
    assert read_checkpoint(store, account=ACCOUNT, folder="INBOX") is None
    assert _count(store) == 0
    assert not [e for e in list_events(store, limit=5) if e.action == "synced"]


def test_a_dry_run_creates_each_new_contact_once_across_its_batches(store: Any) -> None:
    """With --create-contacts, a dry run's batches each roll back: the person a first
    batch would create was created again by the next, 'would create 2 contacts' for one
    (and their mail counted as two people's)."""

    def new(n: int) -> MailMessage:
        return parse_message(
            f"From: New Person <new@else.example>\nTo: me@my.example\nSubject: n{n}\n"
            f"Message-ID: <new-{n}@else.example>\n\nhi\n".encode()
        )

    dry = MailSync(store, dry_run=True, create_contacts=True, **OWN)
    for n in (1, 2):
        dry.log_batch([new(n)], account=ACCOUNT, folder="INBOX", since=None,
                      until=Checkpoint(1, n))  # fmt: skip
    real = MailSync(store, create_contacts=True, **OWN)
    since = None
    for n in (1, 2):
        real.log_batch([new(n)], account=ACCOUNT, folder="INBOX", since=since,
                       until=Checkpoint(1, n))  # fmt: skip
        since = Checkpoint(1, n)
    assert (dry.run.created, dry.run.logged, len(dry.run.contacts)) == (1, 2, 1)
    assert (real.run.created, real.run.logged, len(real.run.contacts)) == (1, 2, 1)


def test_two_syncs_logging_one_message_at_once_log_it_once_without_an_error(store: Any) -> None:
    """Two people's syncs (cron runs them at the same minute) both get Ann's mail to
    them: on PostgreSQL the second one's insert waited for the first's commit, then
    failed the whole sync ('an activity with that mail_key … already exists')."""
    import threading
    import time

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    first = MailSync(store, **OWN)
    second = MailSync(store, **OWN)
    results: list[Any] = []

    def other() -> None:
        try:
            results.append(second.log_batch([_msg(1), _msg(2)], account="imap://bo@x:993",
                                            folder="INBOX", since=None,
                                            until=Checkpoint(7, 2)))  # fmt: skip
        except Exception as exc:  # the test reports it
            results.append(exc)

    log = first._logger.log
    started = threading.Event()

    def log_then_wait(message: MailMessage) -> None:
        log(message)
        if not started.is_set():  # the first message written, not committed: the other runs
            started.set()
            thread.start()
            time.sleep(1.0)

    thread = threading.Thread(target=other)
    first._logger.log = log_then_wait  # type: ignore[method-assign]
    first.log_batch([_msg(1)], account=ACCOUNT, folder="INBOX", since=None,
                    until=Checkpoint(7, 1))  # fmt: skip
    thread.join(30)
    assert [type(r).__name__ for r in results] == ["MailRun"], results
    assert (results[0].logged, results[0].already) == (1, 1)
    assert _count(store) == 2


def test_two_syncs_creating_one_contact_at_once_create_it_once_without_an_error(
    store: Any,
) -> None:
    """--create-contacts in two syncs at once, the same new person on both: the second
    one's insert met the first's email key (on PostgreSQL) and failed the whole sync."""
    import threading
    import time

    def new(n: int) -> MailMessage:
        return parse_message(
            f"From: Zoe <zoe@new.example>\nTo: me@my.example\nSubject: z{n}\n"
            f"Date: Tue, 01 Dec 2026 10:00:00 +0000\nMessage-ID: <z{n}@new.example>\n\n"
            "hi\n".encode()
        )

    first = MailSync(store, create_contacts=True, **OWN)
    second = MailSync(store, create_contacts=True, **OWN)
    results: list[Any] = []

    def other() -> None:
        try:
            results.append(second.log_batch([new(2)], account="imap://bo@x:993", folder="INBOX",
                                            since=None, until=Checkpoint(7, 2)))  # fmt: skip
        except Exception as exc:  # the test reports it
            results.append(exc)

    log = first._logger.log
    thread = threading.Thread(target=other)

    def log_then_wait(message: MailMessage) -> None:
        log(message)
        thread.start()
        time.sleep(1.0)

    first._logger.log = log_then_wait  # type: ignore[method-assign]
    first.log_batch([new(1)], account=ACCOUNT, folder="INBOX", since=None,
                    until=Checkpoint(7, 1))  # fmt: skip
    thread.join(30)
    assert [type(r).__name__ for r in results] == ["MailRun"], results
    assert (first.run.created, results[0].created, results[0].logged) == (1, 0, 1)
    assert _count(store) == 2


def test_mail_logged_while_its_contact_company_or_deal_is_deleted_never_fails(store: Any) -> None:
    """A mail sync logging Ann's mail while ``contact rm``, ``company rm`` or ``deal rm``
    deletes her, her company or her open deal: the mail is logged first (the delete
    unlinks it after) or logged without what is gone, never the database's foreign-key
    error failing the whole sync."""
    from tests.store.races import at_once
    from tinycrm.store.companies import add_company, remove_company
    from tinycrm.store.contacts import remove_contact
    from tinycrm.store.deals import add_deal, remove_deal
    from tinycrm.store.mail_log import log_messages

    removals = [
        lambda n: remove_contact(store, f"Ann {n}"),
        lambda n: remove_company(store, f"Acme {n}"),
        lambda n: remove_deal(store, f"Deal {n}"),
    ]
    rounds = 6
    for n in range(rounds):
        add_company(store, name=f"Acme {n}")
        add_contact(store, name=f"Ann {n}", email=f"ann{n}@acme.example", company=f"Acme {n}")
        add_deal(store, title=f"Deal {n}", contact=f"Ann {n}")

    def mail(n: int) -> MailMessage:
        return parse_message(
            f"From: ann{n}@acme.example\nTo: me@my.example\nSubject: n{n}\n"
            f"Message-ID: <race-{n}@acme.example>\n\nhi\n".encode()
        )

    for n in range(rounds):
        at_once(
            lambda n=n: log_messages(store, [mail(n)], **OWN),
            lambda n=n: removals[n % len(removals)](n),
        )


def test_ctrl_c_during_a_batch_s_commit_counts_the_batch_it_committed(store: Any) -> None:
    """Ctrl-C while a batch commits is held until the commit is done, then stops the
    sync (mail sync is interruptible between batches): the batch was logged, and its
    checkpoint moved, but the run left it out, so the summary said fewer emails were
    logged than were, and the run's feed event too (the next run does not read them
    again, so no event ever told them)."""
    import os
    import signal

    from sqlalchemy import event

    from tinycrm import interrupts

    add_contact(store, name="Ann Lee", email="ann@acme.example")
    sync = MailSync(store, **OWN)
    until = Checkpoint(uidvalidity=7, last_uid=2)

    def signal_now(_connection: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)

    event.listen(store.engine, "commit", signal_now)
    try:
        with interrupts.watch(), interrupts.interruptible(), pytest.raises(KeyboardInterrupt):
            sync.log_batch([_msg(1), _msg(2)], account=ACCOUNT, folder="INBOX", since=None,
                           until=until)  # fmt: skip
    finally:
        event.remove(store.engine, "commit", signal_now)
    assert read_checkpoint(store, account=ACCOUNT, folder="INBOX") == until
    assert _count(store) == 2
    assert (sync.run.read, sync.run.logged) == (2, 2)
    sync.finish()
    assert [e.summary for e in list_events(store) if e.action == "synced"] == [
        "synced 2 emails for 1 contact"
    ]

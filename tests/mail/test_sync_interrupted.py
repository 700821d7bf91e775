"""A real ``tinycrm mail sync`` process stopped in the middle of a batch: by Ctrl-C (it
keeps what it logged, says so, writes the run's event, exits 130) and by ``kill -9``
(nothing to say, but nothing lost): the next run logs the rest, nothing twice."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from select import select as wait_readable

from sqlalchemy import select

from tests.mail.conftest import ImapAccount

# Runs `tinycrm mail sync --batch 2` and stops for good in the middle of a batch: after
# logging the STOP-th message this process sees (a batch's write, not yet committed).
DRIVER = """
import sys, time
from tinycrm.store import mail_log
stop, seen, log = int(sys.argv[1]), [0], mail_log.MailLogger.log
def slow_log(self, message):
    log(self, message)
    seen[0] += 1
    if seen[0] == stop:
        print("MID-BATCH", flush=True)
        time.sleep(60)
mail_log.MailLogger.log = slow_log
sys.argv = ["tinycrm", "mail", "sync", "--batch", "2"]
from tinycrm.cli import main
main()
"""


def _mail(n: int) -> bytes:
    return (
        f"From: Ann <ann@acme.example>\r\nTo: me@my.example\r\nSubject: note {n}\r\n"
        f"Date: Fri, 04 Dec 2026 10:{n:02d}:00 +0000\r\nMessage-ID: <note-{n}@acme.example>\r\n"
        f"\r\nNote {n}\r\n"
    ).encode()


def _stopped(stop: int, signum: int) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    ready, _, _ = wait_readable([proc.stdout], [], [], 120)  # mid-batch, or dead, or hung
    if not ready:
        proc.kill()
    line = proc.stdout.readline() if ready else ""
    assert line.strip() == "MID-BATCH", proc.communicate(timeout=60)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def test_ctrl_c_and_kill_9_mid_batch_lose_nothing_and_log_nothing_twice(
    imap_account: ImapAccount,
) -> None:
    import tinycrm
    from tinycrm.store.log_models import MailCheckpoint
    from tinycrm.store.models import Activity

    imap_account.configure(folders=["INBOX"])
    imap_account.append("INBOX", *[_mail(n) for n in range(1, 11)])
    with tinycrm.open() as crm:
        crm.contacts.add(name="Ann Lee", email="ann@acme.example")

    def state() -> tuple[list[str], int | None, list[str]]:
        with tinycrm.open() as crm, crm._store.read() as session:
            keys = list(session.scalars(select(Activity.mail_key)))
            last = session.scalar(select(MailCheckpoint.last_uid))
            events = [e.summary for e in crm.feed() if e.action == "synced"]
        return keys, last, events

    # Ctrl-C in the third batch: two batches stay logged, the third is rolled back.
    interrupted = _stopped(5, signal.SIGINT)
    assert interrupted.returncode == 130, interrupted.stderr
    # the folder it was reading is told too (its line was missing: only the summary)
    assert interrupted.stdout.splitlines() == [
        "INBOX: 10 new messages",
        "Read 4 messages; logged 4 emails for 1 contact",
    ]
    assert "interrupted after logging" in interrupted.stderr
    assert "Traceback" not in interrupted.stderr
    keys, last, events = state()
    assert (len(keys), last, events) == (4, 4, ["synced 4 emails for 1 contact"])

    # kill -9 in the second batch of the next run: its first batch stays.
    killed = _stopped(3, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    keys, last, events = state()
    assert (len(keys), last) == (6, 6)

    with tinycrm.open() as crm:
        rest = crm.mail.sync()
    assert (rest.run.read, rest.run.logged, rest.run.already) == (4, 4, 0)
    keys, last, events = state()
    assert last == 10 and len(keys) == 10
    assert Counter(keys) == Counter(f"note-{n}@acme.example" for n in range(1, 11))
    assert events == ["synced 4 emails for 1 contact", "synced 4 emails for 1 contact"]
    with imap_account.client() as client:  # and still unread on the server
        client.select_folder("INBOX", readonly=True)
        assert all(b"\\Seen" not in f for f in client.get_flags(client.search()).values())

"""A server that never ends its answer: one sending a byte now and then (each within
the read timeout) or untagged responses without end was never stopped, the answer held
in memory as it grew. Each answer now has a time and a size it may take in all; past
either, one line. A fake server in a thread plays the misbehaving one; Dovecot the
normal path (test_imap_sync.py, and below)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.mail.conftest import ImapAccount
from tinycrm.config import ImapSettings
from tinycrm.mail import imap
from tinycrm.mail.imap import MailSyncError, connect


class _Endless:
    """An IMAP server that answers LOGIN, LIST, EXAMINE and UID SEARCH and never ends
    its answer to UID FETCH: ``how`` is "trickle" (a byte now and then) or "flood"
    (untagged responses); "login" floods the answer to LOGIN, "capability" the one to
    the CAPABILITY asked before it, and "greeting" trickles its greeting."""

    def __init__(self, how: str) -> None:
        self.how = how
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self.listener.accept()
            with conn, conn.makefile("rb") as lines:
                if self.how == "greeting":  # a byte now and then, never a whole line
                    while not self.stop.is_set():
                        conn.sendall(b"*")
                        time.sleep(0.05)
                conn.sendall(b"* OK fake\r\n" if self.how == "capability" else
                             b"* OK [CAPABILITY IMAP4rev1] fake\r\n")  # fmt: skip
                for line in lines:
                    tag, command, *rest = line.rstrip(b"\r\n").split(b" ")
                    said = b" ".join(rest[:1]).upper() if command.upper() == b"UID" else b""
                    conn.sendall(self._answer(tag, command.upper() + b" " + said, conn))

    def _answer(self, tag: bytes, command: bytes, conn: socket.socket) -> bytes:
        done = tag + b" OK done\r\n"
        if command.startswith(b"CAPABILITY") and self.how != "capability":
            return b"* CAPABILITY IMAP4rev1\r\n" + done
        if command.startswith(b"LIST"):
            return b'* LIST () "/" INBOX\r\n' + done
        if command.startswith((b"EXAMINE", b"SELECT")):
            return b"* 1 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 2] n\r\n" + done
        if command.startswith(b"UID SEARCH"):
            return b"* SEARCH 1\r\n" + done
        if (
            command.startswith(b"UID FETCH")
            or (self.how == "login" and b"LOGIN" in command)
            or (self.how == "capability" and b"CAPABILITY" in command)
        ):
            while not self.stop.is_set():
                if self.how in ("trickle", "greeting"):
                    conn.sendall(b"*")
                    time.sleep(0.05)
                else:
                    conn.sendall(b"* 1 EXISTS\r\n" * 1000)
            return b""
        if command.startswith(b"LOGOUT"):
            return b"* BYE bye\r\n" + done
        return done  # LOGIN, NOOP, …

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def endless(request: pytest.FixtureRequest) -> Iterator[_Endless]:
    server = _Endless(request.param)
    yield server
    server.close()


@pytest.mark.parametrize(
    ("endless", "said"),
    [
        ("trickle", "its answer went on past 0.4 s"),
        ("flood", "its answer went past 0.25 MB"),
    ],
    indirect=["endless"],
)
def test_an_answer_without_end_is_stopped_in_one_line(
    endless: _Endless, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imap, "ANSWER_TIME", 0.4)
    monkeypatch.setattr(imap, "ANSWER_BYTES", 2**18)
    settings = ImapSettings(host="127.0.0.1", user="ann", port=endless.port, tls="none")
    account = connect(settings, "secret")
    try:
        assert account.folders(["INBOX"]) == ["INBOX"]
        account.examine("INBOX")
        assert account.new_uids(0) == [1]
        started = time.monotonic()
        with pytest.raises(MailSyncError) as stopped:
            list(account.fetch([1], 10))
        assert time.monotonic() - started < 5
    finally:
        account.close()  # no LOGOUT on a connection left mid-answer: no wait
    assert str(stopped.value) == f"IMAP UID FETCH on 127.0.0.1:{endless.port} stopped: {said}"


def test_a_sync_within_the_limits_is_not_stopped(
    imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dovecot's answers, each well within the limits (set low here), end as they
    should: every message is read."""
    import tinycrm

    monkeypatch.setattr(imap, "ANSWER_TIME", 20.0)
    monkeypatch.setattr(imap, "ANSWER_BYTES", 2**20)
    imap_account.append(
        "INBOX",
        *[
            f"From: ann@acme.example\r\nTo: me@my.example\r\nSubject: n{n}\r\n"
            f"Message-ID: <l{n}@acme.example>\r\n\r\nHello\r\n".encode()
            for n in range(5)
        ],
    )
    imap_account.configure(folders=["INBOX"])
    with tinycrm.open() as crm:
        crm.contacts.add(name="Ann Lee", email="ann@acme.example")
        result = crm.mail.sync(batch=2)
    assert (result.folders[0].new, result.run.logged) == (5, 5)


def test_a_login_answer_without_end_is_stopped_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imap, "ANSWER_BYTES", 2**18)
    server = _Endless("login")
    try:
        settings = ImapSettings(host="127.0.0.1", user="ann", port=server.port, tls="none")
        with pytest.raises(MailSyncError) as stopped:
            connect(settings, "secret")
    finally:
        server.close()
    assert str(stopped.value) == (
        f"IMAP login to 127.0.0.1:{server.port} stopped: its answer went past 0.25 MB"
    )


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("greeting", "its greeting and login went on past 0.4 s"),
        ("capability", "its answer went past 0.25 MB"),
    ],
)
def test_a_greeting_without_end_is_stopped_in_one_line(
    how: str, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server whose greeting trickles (a byte every few seconds, each within the
    read timeout) held the sync for as long as it trickled, and one flooding its first
    answers held them in memory: the greeting and login have a time and a size they may
    take in all, as each command's answer has."""
    monkeypatch.setattr(imap, "LOGIN_TIME", 0.4)
    monkeypatch.setattr(imap, "ANSWER_BYTES", 2**18)
    server = _Endless(how)
    started = time.monotonic()
    try:
        settings = ImapSettings(host="127.0.0.1", user="ann", port=server.port, tls="none")
        with pytest.raises(MailSyncError) as stopped:
            connect(settings, "secret")
        assert time.monotonic() - started < 5
    finally:
        server.close()
    assert str(stopped.value) == f"IMAP login to 127.0.0.1:{server.port} stopped: {said}"

"""``mail sync`` against a real Dovecot behind a proxy that hangs up in the middle of
an answer: what was logged stays, the error is one line, the next run logs the rest."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from tests.mail.conftest import ImapAccount
from tinycrm.mail.imap import MailSyncError


class _Dropper:
    """A TCP proxy to the server that closes both ends once the server has sent
    ``after`` bytes on a connection (None: never)."""

    def __init__(self, port: int, after: int | None, *, stall: bool = False) -> None:
        self.port, self.after, self.stall = port, after, stall
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listen_port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.port))
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(server, client, self.after), daemon=True
            ).start()

    def _pipe(self, source: socket.socket, target: socket.socket, after: int | None) -> None:
        sent = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if after is not None and sent + len(data) >= after:
                    target.sendall(data[: after - sent])
                    if self.stall:  # silent from here on, the connection up
                        while source.recv(65536):
                            pass
                    break
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.listener.close()


def _mail(n: int) -> bytes:
    return (
        f"From: ann@acme.example\r\nTo: me@my.example\r\nSubject: number {n}\r\n"
        f"Date: Thu, 03 Dec 2026 10:{n:02d}:00 +0000\r\nMessage-ID: <d{n}@acme.example>\r\n"
        "\r\n" + "Hello there\r\n" * 2500
    ).encode()


def test_a_server_hanging_up_mid_answer_is_one_line_and_the_next_run_logs_the_rest(
    imap_account: ImapAccount,
) -> None:
    """A real hang-up in the middle of a FETCH answer (not a mocked one): the batches
    before it stay logged, the error says the server closed the connection (a hang-up
    in the middle of a line was told as imaplib's 'socket error: unterminated line:'
    and the half line), and the next run logs the rest, nothing twice."""
    from sqlalchemy import func, select

    import tinycrm
    from tinycrm.store.models import Activity

    imap_account.append("INBOX", *[_mail(n) for n in range(1, 9)])
    with tinycrm.open() as crm:
        crm.contacts.add(name="Ann Lee", email="ann@acme.example")
    proxy = _Dropper(imap_account.server.port, 90_000)  # in the second batch's answer
    try:
        imap_account.configure(tls="none", port=proxy.listen_port, folders=["INBOX"])
        with tinycrm.open() as crm, pytest.raises(MailSyncError) as lost:
            crm.mail.sync(batch=2)
        said = str(lost.value)
        assert "the server closed the connection" in said
        assert said.endswith("(before it: read 2 messages; logged 2 emails for 1 contact)")
        proxy.after = None
        with tinycrm.open() as crm:
            rest = crm.mail.sync(batch=2)
            with crm._store.read() as session:
                logged = session.scalar(select(func.count()).select_from(Activity))
    finally:
        proxy.close()
    assert (rest.folders[0].new, rest.run.logged, logged) == (6, 6, 8)


def test_a_server_that_stops_answering_mid_sync_is_no_answer_not_cannot_reach(
    imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server silent in the middle of a sync was told as 'cannot reach HOST: no
    answer within 30 s', as if it had never been reached; now it names what it was
    asked, and the batches before it stay logged."""
    import tinycrm
    from tinycrm.mail import imap

    monkeypatch.setattr(imap, "TIMEOUT", 0.5)
    imap_account.append("INBOX", *[_mail(n) for n in range(1, 5)])
    with tinycrm.open() as crm:
        crm.contacts.add(name="Ann Lee", email="ann@acme.example")
    proxy = _Dropper(imap_account.server.port, 90_000, stall=True)
    try:
        imap_account.configure(tls="none", port=proxy.listen_port, folders=["INBOX"])
        with tinycrm.open() as crm, pytest.raises(MailSyncError) as stalled:
            crm.mail.sync(batch=2)
    finally:
        proxy.close()
    assert str(stalled.value) == (
        f"IMAP UID FETCH on 127.0.0.1:{proxy.listen_port} failed: no answer within 0.5 s "
        "(before it: read 2 messages; logged 2 emails for 1 contact)"
    )

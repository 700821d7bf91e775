"""Connecting and logging in to the IMAP server: TLS, passwords and user names, and every failure
of the network or the server in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.mail.conftest import ImapAccount
from tinycrm.mail.imap import MailSyncError

from .test_imap_sync import _mail, _sync


def test_starttls_and_plain_connections_and_refusals_are_one_line(
    imap_account: ImapAccount, dovecot_server: Any
) -> None:
    import tinycrm

    imap_account.append("INBOX", _mail(4))
    with tinycrm.open() as crm:
        crm.contacts.add(name="Jürgen Müller", email="juergen@mueller.example")
    imap_account.configure(tls="starttls")
    assert _sync(folders=["inbox"]).run.logged == 1
    imap_account.configure(tls="none")
    assert [f.folder for f in _sync().folders] == ["Sent", "INBOX"]

    def refused(**imap: Any) -> str:
        imap_account.configure(**imap)
        with pytest.raises(MailSyncError) as caught:
            _sync()
        assert "\n" not in str(caught.value)
        return str(caught.value)

    untrusted = refused(cafile=None)
    assert untrusted.startswith(f"TLS with 127.0.0.1:{dovecot_server.tls_port} failed: ")
    assert "set mail.imap.cafile" in untrusted
    assert "set mail.imap.cafile" in refused(tls="starttls", cafile=None)
    # a cafile of another certificate (a renewed one, another server's): said so
    other = imap_account.password_file.parent / "other.pem"
    _self_signed(other)
    assert refused(cafile=str(other)).endswith(
        f"self-signed certificate (not mail.imap.cafile's {other}, nor signed by it)"
    )
    assert "does not speak TLS" in refused(port=dovecot_server.port)
    wrong = imap_account.password_file.parent / "wrong"
    wrong.write_text("nope\n")
    assert f"login to 127.0.0.1:{dovecot_server.tls_port} as {imap_account.user} refused: " in (
        refused(password_cmd=["cat", str(wrong)])
    )
    assert "IMAP folder 'Nowhere' not found on 127.0.0.1" in refused(folders=["Nowhere"])
    assert "password_cmd: cat exited with status 1: cat: /nonexistent" in refused(
        password_cmd=["cat", "/nonexistent"]
    )
    assert "no-such-program could not run: command not found" in refused(
        password_cmd="no-such-program --x"
    )
    assert "printed no password" in refused(password_cmd=["true"])
    assert "needs password_cmd" in refused(password_cmd=None)
    from tests.mail.dovecot import _free_port

    assert "connection refused" in refused(port=_free_port())
    imap_account.config_path.write_text("[mail]\nown_domains = ['my.example']\n")
    with pytest.raises(MailSyncError, match=r"^no \[mail.imap\] in the config file"):
        _sync()
    with tinycrm.open() as crm:
        assert len(crm.activities.list()) == 1


def _self_signed(path: Path) -> None:
    """A new self-signed certificate for 127.0.0.1 in ``path`` (its key thrown away)."""
    import subprocess

    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-keyout", str(path.with_suffix(".key")), "-out", str(path)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def test_a_user_name_beyond_ascii_logs_in_with_sasl_plain(imap_account: ImapAccount) -> None:
    user = imap_account.user.replace("u", "jürgen-", 1)
    imap_account.user = user
    with imap_account.client() as client:  # a folder name in modified UTF-7 on the wire
        client.create_folder("Aufträge")
    imap_account.append("Aufträge", _mail(5))
    imap_account.configure(user=user, folders=["INBOX", "Aufträge"])
    assert [(f.folder, f.new) for f in _sync().folders] == [("INBOX", 0), ("Aufträge", 1)]
    imap_account.configure(user=user, password_cmd=["echo", "pässwort"])
    with pytest.raises(MailSyncError, match=r"login to .* as jürgen-.* refused"):
        _sync()


def test_a_password_that_is_not_utf_8_is_sent_as_it_is_not_a_traceback(
    imap_account: ImapAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A password_cmd printing a Latin-1 password ('pässwort' from an old keyring or a
    file saved so) crashed the sync with a UnicodeEncodeError traceback: its bytes,
    kept as surrogates, went to SASL PLAIN as UTF-8 text. Its bytes are sent as they
    came (the server compares bytes), and a refusal is one line."""
    from imapclient import IMAPClient

    sent: list[bytes] = []

    secret = tmp_path / "latin-1"
    secret.write_bytes("pässwort\n".encode("latin-1"))
    imap_account.configure(password_cmd=["cat", str(secret)])
    original = IMAPClient._command_and_check

    def spy(self: IMAPClient, command: str, *args: Any, **kwargs: Any) -> Any:
        if command == "authenticate":
            answer = args[1](b"")
            sent.append(answer if isinstance(answer, bytes) else answer.encode())
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(IMAPClient, "_command_and_check", spy)
    with pytest.raises(MailSyncError, match=r"login to .* refused"):
        _sync()
    assert sent and sent[-1].endswith(b"\0p\xe4sswort")


def test_the_password_from_the_system_keyring(imap_account: ImapAccount) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        stored: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.stored.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.stored[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.stored.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        imap_account.configure(password_cmd=None, keyring=True)
        with pytest.raises(MailSyncError, match=r"no password for u.* in the system keyring"):
            _sync()
        keyring.set_password("tinycrm", imap_account.user, imap_account.password)
        assert [f.folder for f in _sync().folders] == ["Sent", "INBOX"]
        imap_account.configure(keyring=True)  # and password_cmd: which one is meant?
        with pytest.raises(MailSyncError, match="set password_cmd or keyring = true, not both"):
            _sync()
    finally:
        keyring.set_keyring(previous)


def test_network_failures_are_one_line_naming_the_host() -> None:
    import socket
    import ssl

    from tinycrm.config import ImapSettings
    from tinycrm.mail.imap import _network_error

    imap = ImapSettings(host="imap.example.com", user="u")
    said = {
        str(_network_error(imap, exc))
        for exc in (
            socket.gaierror(-2, "Name or service not known"),
            TimeoutError("timed out"),
            ConnectionResetError(104, "Connection reset by peer"),
            ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"),
        )
    }
    assert said == {
        "cannot reach imap.example.com:993: Name or service not known",
        "cannot reach imap.example.com:993: no answer within 30 s",
        "connection to imap.example.com:993 failed: Connection reset by peer",
        "TLS with imap.example.com:993 failed: [SSL: WRONG_VERSION_NUMBER] wrong version number"
        ' (the port does not speak TLS: is it a STARTTLS port? tls = "starttls")',
    }


@pytest.mark.parametrize(
    ("greeting", "said"),
    [
        (b"* BYE too many connections from your IP\r\n",
         "the server ended the connection: too many connections from your IP"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n",
         "it does not speak IMAP (it said: HTTP/1.1 400 Bad Request)"),
        (b"", "the server closed the connection"),
        (b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS",
         "the server closed the connection in the middle of an answer"),
        (b"\x16\x03\x01\x1b[31mjunk\r\n",
         "it does not speak IMAP (it said: \x16\x03\x01\x1b[31mjunk)"),
    ],
)  # fmt: skip
def test_a_server_that_is_not_an_imap_server_or_hangs_up_is_one_plain_line(
    greeting: bytes, said: str
) -> None:
    """They were told as Python saw them: "IMAP error from …: b'* BYE too many …'",
    "socket error: EOF", "unexpected response: b'HTTP/1.1 400 …'"."""
    import socket
    import threading

    from tinycrm.config import ImapSettings
    from tinycrm.mail.imap import connect

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer() -> None:
        client, _ = server.accept()
        with client:
            client.sendall(greeting)

    thread = threading.Thread(target=answer)
    thread.start()
    try:
        with pytest.raises(MailSyncError) as refused:
            connect(ImapSettings(host="127.0.0.1", user="u", port=port, tls="none"), "pw")
    finally:
        thread.join(10)
        server.close()
    assert str(refused.value) == f"IMAP server 127.0.0.1:{port}: {said}"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (b"", "the server closed the connection"),
        (
            b"* CAPABILITY IMAP4rev1 SASL-IR",
            "the server closed the connection in the middle of an answer",
        ),
    ],
)
def test_a_server_hanging_up_on_the_login_is_no_refused_login(answer: bytes, said: str) -> None:
    """A hang-up in the answer to LOGIN was told as 'IMAP login … refused: command:
    LOGIN => socket error: unterminated line: b'* CAPABILITY…'', as if the password
    were wrong."""
    import socket
    import threading

    from tinycrm.config import ImapSettings
    from tinycrm.mail.imap import connect

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def hang_up() -> None:
        client, _ = server.accept()
        with client:
            client.sendall(b"* OK ready\r\n")
            tag = client.recv(4096).split()[0]  # imaplib asks for the CAPABILITY
            client.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
            assert b"LOGIN" in client.recv(4096)
            client.sendall(answer)

    thread = threading.Thread(target=hang_up)
    thread.start()
    try:
        with pytest.raises(MailSyncError) as lost:
            connect(ImapSettings(host="127.0.0.1", user="u", port=port, tls="none"), "pw")
    finally:
        thread.join(10)
        server.close()
    assert str(lost.value) == f"IMAP server 127.0.0.1:{port}: {said}"

"""tinycrm.delivery's mail against a real local aiosmtpd server: settings, login, TLS,
refusals, servers that stall. Webhooks: tests/test_webhook_post.py; the desktop
notification: tests/test_delivery_desktop.py.

Nothing in smtplib is mocked. TLS tests use a throwaway self-signed certificate (made with
the ``openssl`` command, skipped without it) that the client is told to trust through
``SSL_CERT_FILE``.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from tinycrm.delivery import (
    DeliveryError,
    MailSettings,
    send_mail,
)

USER = "me@example.com"
PASSWORD = "s3cr€t pass"  # non-ASCII: smtplib.login() cannot send it, tinycrm must
ASCII_USER = "plain@example.com"
ASCII_PASSWORD = "Plain-Pass-123"
CREDENTIALS = {USER: PASSWORD, ASCII_USER: ASCII_PASSWORD}
LOGINS = pytest.mark.parametrize(("user", "password"), list(CREDENTIALS.items()))

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings(port: int, **changes: Any) -> MailSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "user": None,
        "password_env": None,
        "password_command": None,
        "sender": "tinycrm <crm@example.com>",
        "timeout": 5,
    }
    values.update(changes)
    return MailSettings(**values)


# --- SMTP servers ------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses some recipients."""

    refuse: set[str] = field(default_factory=set)
    mails: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.content.replace(b"\r\n", b"\n")  # SMTP's CRLF, as a local file has it
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def check_password(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    """aiosmtpd authenticator: only the CREDENTIALS get in (UTF-8, as RFC 4616 says)."""
    ok = isinstance(auth_data, LoginPassword) and CREDENTIALS.get(
        auth_data.login.decode("utf-8")
    ) == auth_data.password.decode("utf-8")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """SMTP without TLS or login on 127.0.0.1."""
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost"
    )
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def auth_server() -> Iterator[tuple[Inbox, int]]:
    """SMTP that requires login (allowed without TLS here, for the test)."""
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="localhost",
        authenticator=check_password,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (cert.pem, key.pem)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl,
            *("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def tls_servers(certificate: tuple[Path, Path]) -> Iterator[tuple[Inbox, int, int]]:
    """One inbox behind two servers: STARTTLS (first port) and implicit TLS (second)."""
    inbox = Inbox()
    starttls = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="localhost",
        tls_context=_server_context(certificate),
        require_starttls=True,
        authenticator=check_password,
        auth_required=True,
    )
    implicit = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        server_hostname="localhost",
        ssl_context=_server_context(certificate),
        authenticator=check_password,
        auth_required=True,
        auth_require_tls=False,  # aiosmtpd counts only STARTTLS as TLS; this socket is TLS
    )
    starttls.start()
    try:
        implicit.start()
        try:
            yield inbox, starttls.port, implicit.port
        finally:
            implicit.stop()
    finally:
        starttls.stop()


# --- MailSettings.from_config ------------------------------------------------------------


def test_from_config_defaults() -> None:
    mail = MailSettings.from_config(
        {"host": "smtp.example.com", "user": USER, "password_env": "SMTP_PASSWORD"}
    )
    assert mail == MailSettings(
        host="smtp.example.com",
        port=587,
        security="starttls",
        user=USER,
        password_env="SMTP_PASSWORD",
        password_command=None,
        sender=USER,
        timeout=30,
    )
    ssl_mail = MailSettings.from_config(
        {"host": "mx", "security": "ssl", "from": "CRM <crm@example.com>"}
    )
    assert (ssl_mail.port, ssl_mail.sender, ssl_mail.user) == (465, "CRM <crm@example.com>", None)
    assert MailSettings.from_config({"host": "mx", "security": "none", "from": "a@b.c"}).port == 25
    assert MailSettings.from_config({"host": "mx", "port": 2525, "from": "a@b.c"}).port == 2525


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({}, "smtp.host is required"),
        ({"host": ""}, "smtp.host must be a non-empty string"),
        ({"host": "mx", "from": "a@b.c", "passwd": "x"}, "smtp.passwd is not a known key"),
        ({"host": "mx", "from": "a@b.c", "security": "tls"}, "smtp.security must be one of"),
        ({"host": "mx", "from": "a@b.c", "port": "587"}, "smtp.port must be a whole number"),
        ({"host": "mx", "from": "a@b.c", "port": 0}, "smtp.port must be a whole number"),
        ({"host": "mx", "from": "a@b.c", "port": True}, "smtp.port must be a whole number"),
        ({"host": "mx", "from": "a@b.c", "timeout": -1}, "smtp.timeout must be a positive"),
        # was: an OverflowError's traceback when remind mailed (the socket's limit)
        ({"host": "mx", "from": "a@b.c", "timeout": 1e10}, "smtp.timeout must be a positive"),
        ({"host": "mx", "from": "a@b.c", "timeout": float("nan")}, "smtp.timeout must be"),
        ({"host": "mx", "from": "a@b.c", "timeout": float("inf")}, "smtp.timeout must be"),
        ({"host": "mx", "user": USER}, "smtp.password_env or smtp.password_command is required"),
        ({"host": "mx", "from": "a@b.c", "password_env": "P"}, "smtp.password_env needs smtp.user"),
        ({"host": "mx"}, "smtp.from is required when smtp.user is not set"),
        ({"host": "mx", "from": "nobody"}, "smtp.from must be an email address"),
        (
            {"host": "mx", "user": "jdoe", "password_env": "P"},
            "smtp.from is required: smtp.user is not an email address",
        ),
        ({"host": "mx", "user": 42, "password_env": "P"}, "smtp.user must be a non-empty string"),
        (
            {"host": "mx", "user": USER, "password_env": "MY PASSWORD"},
            "smtp.password_env must be the name of an environment variable",
        ),
    ],
)
def test_from_config_errors_name_the_key(section: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        MailSettings.from_config(section)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_security_error_lists_the_choices() -> None:
    with pytest.raises(ValueError, match=r"^smtp.security must be one of starttls, ssl, none$"):
        MailSettings.from_config({"host": "mx", "from": "a@b.c", "security": "tls"})


# --- passwords ---------------------------------------------------------------------------


def test_password_from_env_first_then_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = tmp_path / "ran"
    mail = settings(25, user=USER, password_env="TINYCRM_TEST_PW", password_command=f"touch {ran}")
    monkeypatch.setenv("TINYCRM_TEST_PW", "from-env")
    assert mail.password() == "from-env"
    assert not ran.exists()

    monkeypatch.delenv("TINYCRM_TEST_PW")
    command = settings(25, user=USER, password_command="printf 'pa ss \\n'")
    assert command.password() == "pa ss "  # only the trailing newline goes
    entry = settings(25, user=USER, password_command="printf 'pa ss\\r\\nlogin: me\\nurl: x\\n'")
    assert entry.password() == "pa ss"  # a `pass` entry: its first line is the password
    assert settings(25).password() is None


def test_password_failures_never_show_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TINYCRM_TEST_PW", raising=False)
    failing = settings(
        25, user=USER, password_command="echo hunter2; echo 'not in store' >&2; exit 3"
    )
    with pytest.raises(DeliveryError) as raised:
        failing.password()
    assert str(raised.value) == (
        "mail not sent: smtp.password_command exited with status 3: not in store"
    )
    assert "hunter2" not in str(raised.value)

    with pytest.raises(DeliveryError, match="printed no password"):
        settings(25, user=USER, password_command="true").password()
    with pytest.raises(DeliveryError, match="environment variable TINYCRM_TEST_PW"):
        settings(25, user=USER, password_env="TINYCRM_TEST_PW").password()


# --- send_mail ---------------------------------------------------------------------------


def test_mail_arrives_with_utf8_body(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    text = "Grüße! 3 tasks due, €18.500 at stake.\nLine two: Müller"
    send_mail(
        settings(port),
        to=["anna@example.com", "bob@example.org"],
        subject="tinycrm: 3 due · Müller €",
        text=text,
    )
    (mail,) = inbox.mails
    assert mail.rcpt_tos == ["anna@example.com", "bob@example.org"]
    assert mail.mail_from == "crm@example.com"
    message = mail.message
    assert message["Subject"] == "tinycrm: 3 due · Müller €"
    assert message["From"] == "tinycrm <crm@example.com>"
    assert message["To"] == "anna@example.com, bob@example.org"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@example.com>")
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().rstrip("\n") == text
    assert all(byte < 128 for byte in message.as_bytes())  # quoted-printable on the wire


def test_mail_with_html_alternative(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    send_mail(settings(port), to=["a@example.com"], subject="s", text="plain ü", html="<b>ü</b>")
    message = inbox.mails[0].message
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content().strip() == "plain ü"
    assert rich.get_content().strip() == "<b>ü</b>"


@LOGINS
def test_login_with_password_from_env(
    auth_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch, user: str, password: str
) -> None:
    inbox, port = auth_server
    monkeypatch.setenv("TINYCRM_TEST_PW", password)
    send_mail(
        settings(port, user=user, password_env="TINYCRM_TEST_PW"),
        to=["a@example.com"],
        subject="hi",
        text="hello",
    )
    assert len(inbox.mails) == 1


@LOGINS
def test_login_with_password_from_command(
    auth_server: tuple[Inbox, int], tmp_path: Path, user: str, password: str
) -> None:
    inbox, port = auth_server
    secret = tmp_path / "secret"
    secret.write_text(password + "\n", encoding="utf-8")
    send_mail(
        settings(port, user=user, password_command=f"cat '{secret}'"),
        to=["a@example.com"],
        subject="hi",
        text="hello",
    )
    assert len(inbox.mails) == 1


@pytest.mark.parametrize(("user", "wrong"), [(ASCII_USER, "wrong"), (USER, "wröng")])
def test_wrong_password_is_refused(
    auth_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch, user: str, wrong: str
) -> None:
    inbox, port = auth_server
    monkeypatch.setenv("TINYCRM_TEST_PW", wrong)
    with pytest.raises(DeliveryError) as raised:
        send_mail(
            settings(port, user=user, password_env="TINYCRM_TEST_PW"),
            to=["a@example.com"],
            subject="hi",
            text="hello",
        )
    message = str(raised.value)
    assert message.startswith(
        f"mail not sent: SMTP server 127.0.0.1:{port} refused login for {user} (535 "
    )
    assert wrong not in message and "\n" not in message
    assert inbox.mails == []


def test_server_without_auth_when_a_user_is_set(
    smtp_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = smtp_server
    monkeypatch.setenv("TINYCRM_TEST_PW", PASSWORD)
    with pytest.raises(DeliveryError, match=r"does not offer login \(AUTH\) without TLS$"):
        send_mail(
            settings(port, user=USER, password_env="TINYCRM_TEST_PW"),
            to=["a@example.com"],
            subject="hi",
            text="hello",
        )


def test_closed_port() -> None:
    port = free_port()
    with pytest.raises(DeliveryError) as raised:
        send_mail(settings(port), to=["a@example.com"], subject="hi", text="hello")
    assert str(raised.value) == (
        f"mail not sent: SMTP server 127.0.0.1:{port} refused the connection"
    )


def test_unknown_host() -> None:
    with pytest.raises(DeliveryError, match=r"^mail not sent: cannot resolve SMTP server"):
        send_mail(settings(25, host="tinycrm-test.invalid"), to=["a@b.c"], subject="s", text="t")


def test_silent_server_times_out() -> None:
    with socket.socket() as listener:  # accepts the connection, never says hello
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DeliveryError, match=r"did not answer within 0.3 s$"):
            send_mail(settings(port, timeout=0.3), to=["a@b.c"], subject="s", text="t")
        assert time.monotonic() - started < 3


class SlowInbox(Inbox):
    """Keeps the mail, then says nothing for a second (a server busy filtering it)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(1)
        return answer


def test_a_server_that_took_the_mail_then_kept_quiet_may_have_delivered_it() -> None:
    """Timed out waiting for the answer to the mail's last line: the server has it and may
    deliver it, so "not sent" would be a lie (remind's next run sends it again)."""
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        port = controller.port
        with pytest.raises(DeliveryError) as raised:
            send_mail(settings(port, timeout=0.3), to=["a@b.c"], subject="s", text="t")
    finally:
        controller.stop()
    assert len(inbox.mails) == 1
    assert str(raised.value) == (
        f"mail perhaps delivered: SMTP server 127.0.0.1:{port} took it but did not answer "
        "within 0.3 s"
    )


def test_refused_recipients(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    inbox.refuse = {"ghost@example.com"}
    with pytest.raises(DeliveryError) as raised:
        send_mail(settings(port), to=["ghost@example.com"], subject="s", text="t")
    assert str(raised.value) == (
        f"mail not sent: SMTP server 127.0.0.1:{port} refused the recipient "
        "(ghost@example.com: 550 5.1.1 no such user here)"
    )
    assert inbox.mails == []

    with pytest.raises(DeliveryError, match=r"^mail not sent to every recipient: .* ghost@"):
        send_mail(settings(port), to=["ok@example.com", "ghost@example.com"], subject="s", text="t")
    assert [mail.rcpt_tos for mail in inbox.mails] == [["ok@example.com"]]


class _RudeQuit(SMTP):
    """Accepts the mail, then answers QUIT with an error and hangs up."""

    async def smtp_QUIT(self, arg: str) -> None:
        await self.push("421 4.3.0 shutting down")
        self._handler_coroutine.cancel()
        self.transport.close()


class _RudeQuitController(Controller):
    def factory(self) -> SMTP:
        return _RudeQuit(self.handler, **self.SMTP_kwargs)


@pytest.mark.parametrize("refuse", [False, True])
def test_what_the_server_answers_to_quit_changes_nothing(refuse: bool) -> None:
    """The mail was accepted before QUIT: an error answer to QUIT said 'mail not sent',
    and remind, believing it, sent the same reminders again at every run. A recipient
    refused before it is still what the error says."""
    inbox = Inbox(refuse={"ghost@example.com"} if refuse else set())
    controller = _RudeQuitController(
        inbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost"
    )
    controller.start()
    try:
        to = ["ghost@example.com"] if refuse else ["ann@example.com"]
        if refuse:
            with pytest.raises(DeliveryError, match="refused the recipient"):
                send_mail(settings(controller.port), to=to, subject="s", text="t")
        else:
            send_mail(settings(controller.port), to=to, subject="s", text="t")
    finally:
        controller.stop()
    assert [mail.rcpt_tos for mail in inbox.mails] == ([] if refuse else [to])


def test_no_recipients() -> None:
    with pytest.raises(DeliveryError, match="no recipient"):
        send_mail(settings(25), to=[" "], subject="s", text="t")


@pytest.mark.parametrize(
    "to",
    ["ann@example.com, bob@example.org", "not an address", "<>", "ann@example.com\x00x"],
)
def test_a_recipient_that_is_not_one_address_is_refused_before_sending(
    smtp_server: tuple[Inbox, int], to: str
) -> None:
    """smtplib takes the first address of what it is given: the list in one value went
    to its first address only (its To header naming both), "not an address" to "not"."""
    inbox, port = smtp_server
    with pytest.raises(DeliveryError, match=r"^mail not sent: .* is not one email address"):
        send_mail(settings(port), to=["ok@example.com", to], subject="s", text="t")
    assert inbox.mails == []


def test_a_recipient_with_a_name_goes_to_its_address(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    send_mail(settings(port), to=["Jürgen Müller <jm@example.com>"], subject="s", text="t")
    (mail,) = inbox.mails
    assert mail.rcpt_tos == ["jm@example.com"]
    assert mail.message["To"] == "Jürgen Müller <jm@example.com>"


def test_starttls_and_ssl_with_a_trusted_certificate(
    tls_servers: tuple[Inbox, int, int],
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, starttls_port, ssl_port = tls_servers
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    monkeypatch.setenv("TINYCRM_TEST_PW", PASSWORD)
    login = {"user": USER, "password_env": "TINYCRM_TEST_PW"}
    send_mail(
        settings(starttls_port, security="starttls", **login),
        to=["a@example.com"],
        subject="over STARTTLS",
        text="ü",
    )
    send_mail(
        settings(ssl_port, security="ssl", **login),
        to=["a@example.com"],
        subject="over TLS",
        text="€",
    )
    assert [mail.message["Subject"] for mail in inbox.mails] == ["over STARTTLS", "over TLS"]


def test_untrusted_certificate_is_refused(
    tls_servers: tuple[Inbox, int, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    inbox, starttls_port, ssl_port = tls_servers
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    monkeypatch.setenv("TINYCRM_TEST_PW", PASSWORD)
    login = {"user": USER, "password_env": "TINYCRM_TEST_PW"}
    for port, security in ((starttls_port, "starttls"), (ssl_port, "ssl")):
        with pytest.raises(DeliveryError) as raised:
            send_mail(
                settings(port, security=security, **login), to=["a@b.c"], subject="s", text="t"
            )
        assert str(raised.value).startswith(
            f"mail not sent: TLS with SMTP server 127.0.0.1:{port} failed: "
        )
        assert "certificate" in str(raised.value)
    assert inbox.mails == []


def test_starttls_not_offered(smtp_server: tuple[Inbox, int]) -> None:
    _, port = smtp_server
    with pytest.raises(DeliveryError, match=r"does not offer STARTTLS"):
        send_mail(settings(port, security="starttls"), to=["a@b.c"], subject="s", text="t")


def _dripping_smtp(stop: threading.Event) -> tuple[socket.socket, threading.Thread]:
    """A server whose greeting comes a byte at a time, each within the client's timeout,
    the line never ending: (listener, thread)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            for n in range(100):  # 20 s of a greeting that never ends
                if stop.wait(0.2):
                    return
                try:
                    conn.sendall(b"2" if n == 0 else b"5")
                except OSError:
                    return

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    return listener, thread


def test_a_server_that_drips_its_answers_is_not_waited_for_past_four_timeouts() -> None:
    """A tarpit: every byte within the socket's timeout, no line ever whole. smtplib's
    timeout bounds each read only (was: held for as long as the server dripped, here
    20 s, a line of 8 KiB at 0.2 s a byte half an hour); the whole exchange gets four."""
    stop = threading.Event()
    listener, thread = _dripping_smtp(stop)
    try:
        with pytest.raises(DeliveryError) as raised:
            send_mail(
                settings(listener.getsockname()[1], timeout=0.5),
                to=["a@b.c"],
                subject="s",
                text="t",
            )
        assert str(raised.value) == (
            f"mail not sent: SMTP server 127.0.0.1:{listener.getsockname()[1]} did not finish "
            "within 2 s"
        )
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_ssl_against_a_plain_server(smtp_server: tuple[Inbox, int]) -> None:
    _, port = smtp_server
    with pytest.raises(DeliveryError) as raised:
        send_mail(settings(port, security="ssl"), to=["a@b.c"], subject="s", text="t")
    assert str(raised.value) == (
        f"mail not sent: TLS with SMTP server 127.0.0.1:{port} failed: "
        'the server does not speak TLS on this port (try security = "starttls")'
    )

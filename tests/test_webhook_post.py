"""tinycrm.webhook_post against a real local http.server: the POST, its answers (2xx,
an error status, a redirect), a receiver that is slow, drips, or never ends its answer.
Nothing in urllib is mocked."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.test_delivery import free_port
from tinycrm.delivery import DeliveryError
from tinycrm.webhook_post import post_webhook


@dataclass
class Hook:
    """What a local HTTP server received, and what it should answer next."""

    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    fail_after: int | None = None  # requests answered ``status``; later ones 500
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    """Answers for the next requests, before ``status``: (status, headers), first first."""
    reason: str | None = None  # the reason phrase, when not the status's own


@pytest.fixture
def hook_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Hook, str]]:
    """An http.server on 127.0.0.1 in a thread; yields (state, base URL)."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ALL_PROXY", raising=False)
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            hook.requests.append((self.command, self.path, dict(self.headers), body))
            if hook.delay:
                time.sleep(hook.delay)
            reply = b"" if hook.status == 204 else b'{"error": "boom"}\n'
            status, headers = hook.status, hook.headers
            if hook.answers:
                status, headers = hook.answers.pop(0)
            elif hook.fail_after is not None and len(hook.requests) > hook.fail_after:
                status = 500
            try:
                self.send_response(status, hook.reason)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield hook, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_webhook_receives_json(hook_server: tuple[Hook, str]) -> None:
    hook, base = hook_server
    payload = {"due": [{"title": "Call Müller", "amount": "€18,500"}], "count": 1}
    post_webhook(f"{base}/T000/B000/XXXX?x=1", payload)
    ((method, path, headers, body),) = hook.requests
    assert (method, path) == ("POST", "/T000/B000/XXXX?x=1")
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["User-Agent"].startswith("tinycrm/")
    assert json.loads(body.decode("utf-8")) == payload
    assert "Müller".encode() in body  # UTF-8, not \\u escapes


def test_a_webhook_url_in_letters_beyond_ascii_is_posted_in_its_ascii_form(
    hook_server: tuple[Hook, str],
) -> None:
    """A host or path beyond ASCII (an IDN host, "/bücher", "?q=müller") was a traceback
    (UnicodeEncodeError from http.client) in the middle of `remind --webhook`; now the host
    goes as its IDNA form and the rest percent-encoded as UTF-8, as a browser sends them."""
    hook, base = hook_server
    port = base.rsplit(":", 1)[1]
    post_webhook(f"http://ｌｏｃａｌｈｏｓｔ:{port}/bücher?q=müller", {"a": 1})
    ((method, path, headers, _body),) = hook.requests
    assert (method, path) == ("POST", "/b%C3%BCcher?q=m%C3%BCller")
    assert headers["Host"] == f"localhost:{port}"


@pytest.mark.parametrize(
    "host", ["a" * 64 + ".example.com", "a..example.com", "ｂü" + "a" * 70 + ".example.com"]
)
def test_a_host_no_name_server_could_be_asked_for_is_refused_before_sending(host: str) -> None:
    """A label past 63 characters (or an empty one) was a traceback (UnicodeError
    from the idna codec) in the middle of a run; now it is refused up front, as other
    unusable URLs are (remind --webhook exits 2)."""
    from tinycrm.webhook_post import webhook_url_problem

    problem = "not a usable URL: its host is not a host name or address"
    assert webhook_url_problem(f"https://{host}/hook") == problem
    with pytest.raises(DeliveryError, match="its host is not a host name"):
        post_webhook(f"https://{host}/hook", {"a": 1})


def test_webhook_accepts_any_2xx(hook_server: tuple[Hook, str]) -> None:
    hook, base = hook_server
    hook.status = 204
    post_webhook(base, {"ok": True})
    assert len(hook.requests) == 1


def test_webhook_error_status_names_host_not_secret(hook_server: tuple[Hook, str]) -> None:
    hook, base = hook_server
    hook.status = 500
    with pytest.raises(DeliveryError) as raised:
        post_webhook(f"{base}/secret-token-123", {"a": 1})
    message = str(raised.value)
    assert message.startswith("webhook not sent: 127.0.0.1 answered 500 Internal Server Error")
    assert "secret-token-123" not in message and "\n" not in message


def test_webhook_redirect_is_not_followed(hook_server: tuple[Hook, str]) -> None:
    hook, base = hook_server
    hook.status = 301
    hook.headers = {"Location": f"{base}/moved"}
    with pytest.raises(DeliveryError, match=r"answered 301 .*redirect"):
        post_webhook(f"{base}/old", {"a": 1})
    assert [request[:2] for request in hook.requests] == [("POST", "/old")]


@pytest.mark.parametrize(
    ("location", "said"),
    [
        ("https://elsewhere.example/hooks/s3cr3t", " to https://elsewhere.example/…"),
        ("/v2/s3cr3t", " to http://127.0.0.1:{port}/…"),
        ("http://[::1", ""),  # urllib's own reading: 'Invalid IPv6 URL', as if ours
    ],
)
def test_a_redirect_says_where_it_points_up_to_the_host(
    hook_server: tuple[Hook, str], location: str, said: str
) -> None:
    """A redirect was told as '(a redirect: use the URL it points to)', without saying
    where that was; one whose Location urllib could not read was 'Invalid IPv6 URL', as
    if the webhook's own address were wrong. Each now names where it points, up to the
    host as the webhook itself is named (a secret may be in the path)."""
    hook, base = hook_server
    hook.status = 302
    hook.headers = {"Location": location}
    with pytest.raises(DeliveryError) as refusal:
        post_webhook(f"{base}/old", {"a": 1})
    port = base.rsplit(":", 1)[1]
    assert str(refusal.value) == (
        f"webhook not sent: 127.0.0.1 answered 302 Found (a redirect{said.format(port=port)}: "
        "use the URL it points to)"
    )
    assert [request[:2] for request in hook.requests] == [("POST", "/old")]


def test_a_receivers_long_reason_phrase_is_cut(hook_server: tuple[Hook, str]) -> None:
    """A reason phrase of 60,000 characters was in the error whole: now its first 200."""
    hook, base = hook_server
    hook.status = 500
    hook.reason = "x" * 60000
    with pytest.raises(DeliveryError) as refusal:
        post_webhook(f"{base}/hook", {"a": 1})
    said = str(refusal.value)
    assert said.startswith(f"webhook not sent: 127.0.0.1 answered 500 {'x' * 199}…"), said[:300]
    assert len(said) < 400, len(said)


def test_webhook_timeout_after_the_post_says_it_may_have_arrived(
    hook_server: tuple[Hook, str],
) -> None:
    """The receiver had the POST and then kept quiet: it may show it, so "not sent" would
    be a lie (remind's next run sends it again: the user should expect it twice)."""
    hook, base = hook_server
    hook.delay = 1.0
    with pytest.raises(DeliveryError) as raised:
        post_webhook(base, {"a": 1}, timeout=0.2)
    assert len(hook.requests) == 1
    assert str(raised.value) == (
        "webhook perhaps delivered: 127.0.0.1 took the POST but gave no answer within 0.2 s"
    )


ENDLESS = 64 * 1024 * 1024  # what the endless receiver sends at most (64 MiB)


@pytest.fixture
def endless_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[int], str, list[int]]]:
    """A receiver that answers its status (``status[0]``) and then a body that does not
    end (64 MiB, chunked, 4 KiB at a time): yields (status, base URL, bytes it sent)."""
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    status, sent = [200], [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(status[0])
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"1000\r\n" + b"x" * 4096 + b"\r\n"
            try:
                while sent[0] < ENDLESS:
                    self.wfile.write(chunk)
                    sent[0] += 4096
            except OSError:
                pass  # the client hung up: what the test wants
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield status, f"http://127.0.0.1:{server.server_address[1]}", sent
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_receiver_whose_answer_does_not_end_is_not_read_to_its_end(
    endless_receiver: tuple[list[int], str, list[int]],
) -> None:
    """A 2xx is success once its status is in; its body is not read (was: read to its
    end, so a receiver that kept sending held remind, and its memory grew, for ever)."""
    status, base, sent = endless_receiver
    post_webhook(f"{base}/hook", {"a": 1})
    status[0] = 500
    with pytest.raises(DeliveryError) as raised:
        post_webhook(f"{base}/hook", {"a": 1})
    message = str(raised.value)
    assert message.startswith("webhook not sent: 127.0.0.1 answered 500 Internal Server Error: xxx")
    assert len(message) < 300
    assert sent[0] < ENDLESS  # the client hung up long before the end


def test_a_receiver_that_drips_its_answer_is_not_waited_for_past_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A receiver that took the POST and sends its headers a byte at a time, each within
    the socket's timeout: remind waits twice the timeout in all, then says the POST may
    have arrived (was: waited for as long as the receiver dripped, here 20 s, then "broke
    the exchange"; a receiver that never stops held the run for ever)."""
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(100):  # 20 s of a header that never ends
                if stop.wait(0.2):
                    return
                try:
                    conn.sendall(b"X")
                except OSError:
                    return

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        with pytest.raises(DeliveryError) as raised:
            post_webhook(f"http://127.0.0.1:{listener.getsockname()[1]}/hook", {"a": 1}, timeout=1)
        assert str(raised.value) == (
            "webhook perhaps delivered: 127.0.0.1 took the POST but gave no whole answer within 2 s"
        )
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.mark.parametrize(
    "url", ["ftp://example.com/hook", "file:///etc/passwd", "example.com/hook"]
)
def test_webhook_needs_http(url: str) -> None:
    with pytest.raises(DeliveryError, match="only http and https URLs are supported"):
        post_webhook(url, {"a": 1})
    with pytest.raises(DeliveryError) as raised:
        post_webhook("http:///x", {"a": 1})
    assert str(raised.value) == "webhook not sent: not a usable URL: it names no host"


def test_a_webhook_url_with_an_empty_port_is_its_scheme_s_port() -> None:
    """ "http://host:/hook" is http's port 80 (RFC 3986), as urllib takes it: not refused."""
    from tinycrm.webhook_post import webhook_url_problem

    assert webhook_url_problem("http://example.com:/hook") is None
    assert webhook_url_problem("http://example.com:0/hook") == (
        "not a usable URL: its port is not a number from 1 to 65535"
    )


def test_webhook_closed_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    with pytest.raises(DeliveryError, match=r"^webhook not sent: cannot reach 127.0.0.1: "):
        post_webhook(f"http://127.0.0.1:{free_port()}/hook", {"a": 1})


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("0.5", 0.5), ("-3", 0.0), ("nan", None), ("soon", None), ("", None)],
)
def test_retry_after_is_read_as_seconds_or_refused(header: str, seconds: float | None) -> None:
    from tinycrm.webhook_post import retry_after

    assert retry_after(header) == seconds


def test_retry_after_as_an_http_date() -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from tinycrm.webhook_post import retry_after

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after(later) or 0) <= 30
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0

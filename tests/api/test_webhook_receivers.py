"""Webhook receivers that misbehave: an answer that is not HTTP, one that drips, one
with escape sequences, https to a server without TLS; each a failed try said in words,
the endpoint named without the secret in its path."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.api.webhook_servers import RawReceiver, Receiver, config_text, open_crm


@pytest.mark.parametrize(
    "answer",
    [
        b"\x1b[2Jnot http at all\r\n\r\n",  # http.client: BadStatusLine
        b"HTTP/1.1 200 OK\r\n" + b"x" * 70000 + b"\r\n\r\n",  # LineTooLong
    ],
    ids=["not-http", "endless-header"],
)
def test_an_answer_that_is_not_http_is_a_failed_try_not_a_crash(
    store: Any, tmp_path: Path, answer: bytes
) -> None:
    server = RawReceiver(answer)
    try:
        crm = open_crm(store, tmp_path, config_text(server.url, extra="attempts = 2\n"))
        crm.contacts.add("Ada Lovelace")
        run = crm.webhooks.deliver()
    finally:
        server.close()
    assert (run.delivered, run.retrying, run.failed) == (0, 1, 0), run.errors
    (pending,) = crm.webhooks.pending()
    assert pending.attempts == 1 and pending.last_status is None and pending.last_error


def test_what_a_receiver_answers_reaches_the_terminal_escaped(isolated_user_dirs: Path) -> None:
    # The reason phrase is the receiver's own text: it may hold escape sequences.
    server = RawReceiver(b"HTTP/1.1 500 \x1b]0;owned\x07\x1b[31mRED\r\ncontent-length: 0\r\n\r\n")
    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(server.url, extra="attempts = 1\n"))
    command = [sys.executable, "-m", "tinycrm"]
    try:
        subprocess.run([*command, "contact", "add", "Ada Lovelace"], check=True, timeout=60)
        done = subprocess.run(
            [*command, "webhooks", "deliver"], capture_output=True, text=True, timeout=60
        )
    finally:
        server.close()
    assert done.returncode == 1, done.stderr  # it failed
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "HTTP 500 \\x1b]0;owned\\x07\\x1b[31mRED (gave up)" in done.stderr
    failed = subprocess.run(
        [*command, "webhooks", "failed"], capture_output=True, text=True, timeout=60
    )
    assert failed.returncode == 0 and "\x1b" not in failed.stdout


def test_a_receiver_answering_a_byte_at_a_time_gets_the_timeout_for_the_whole_try(
    store: Any, tmp_path: Path
) -> None:
    # Each byte comes well within the 2 s timeout, the answer in 20 s: past the claim
    # (timeout + 60 s) on a slower pace, when a second deliverer would send it again.
    server = RawReceiver(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n", pace=0.5)
    try:
        crm = open_crm(store, tmp_path, config_text(server.url))
        crm.contacts.add("Ada Lovelace")
        started = time.monotonic()
        run = crm.webhooks.deliver()
        took = time.monotonic() - started
    finally:
        server.close()
    assert run.retrying == 1 and "no answer within 2 s" in run.errors[0], run.errors
    assert took < 8, took


def test_a_failed_try_names_its_endpoint_without_the_secret_in_its_path(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    """`webhooks deliver` wrote each failure with the endpoint's whole address, into cron's
    mail and the systemd journal of `deliver --watch`: a receiver's secret in its path or
    query (Slack's hooks/T…/B…/<secret>, ?token=) went with it. `remind --webhook` names
    the host only for that reason; a failed try now shows the address up to its host."""
    url = f"http://127.0.0.1:{receiver.port}/services/T000/B000/s3cr3tPath?token=t0k3n"
    crm = open_crm(store, tmp_path, config_text(url, extra="attempts = 2\n"))
    crm.contacts.add("Ada Lovelace")
    receiver.plan = [500, 500]
    for run in (crm.webhooks.deliver(), crm.webhooks.deliver()):
        (line,) = run.errors
        assert "s3cr3t" not in line and "t0k3n" not in line, line
        assert line.startswith(f"#1 http://127.0.0.1:{receiver.port}/…: HTTP 500"), line
    assert "gave up" in line


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (b"", "the receiver closed the connection without an answer"),
        (b"hello\r\n\r\n", "not an HTTP answer: hello"),
        (b"HTTP/1.1 200 OK\r\n" + b"x" * 70000 + b"\r\n\r\n", "not an HTTP answer: "),
        (
            b"HTTP/1.1 301 Moved\r\nlocation: https://elsewhere.example/h\r\n"
            b"content-length: 0\r\n\r\n",
            "HTTP 301 Moved (a redirect to https://elsewhere.example/…, not followed: put "
            "the address it points to in the config file)",
        ),
        (
            b"HTTP/1.1 308 Permanent Redirect\r\nlocation: /v2/s3cr3t\r\ncontent-length: 0\r\n\r\n",
            "HTTP 308 Permanent Redirect (a redirect to http://127.0.0.1:{port}/…, not "
            "followed: put the address it points to in the config file)",
        ),
        (
            b"HTTP/1.1 302 Found\r\nlocation: http://[::1\r\ncontent-length: 0\r\n\r\n",
            "HTTP 302 Found (a redirect, not followed: put the address it points to in "
            "the config file)",
        ),
        (
            b"HTTP/1.1 200 OK\r\n" + b"".join(b"h%d: v\r\n" % n for n in range(150)) + b"\r\n",
            "not an HTTP answer: got more than 100 headers",
        ),
    ],
    ids=[
        "closed",
        "not-http",
        "endless-header",
        "redirect",
        "relative-redirect",
        "bad-redirect",
        "too-many-headers",
    ],
)
def test_a_failed_try_says_what_happened_in_words(
    store: Any, tmp_path: Path, answer: bytes, said: str
) -> None:
    """A failed try was told in Python's words: 'RemoteDisconnected: Remote end closed
    connection without response', 'BadStatusLine: hello', 'LineTooLong: got more than
    65536 bytes when reading header line'; a redirect as 'HTTP 301 Moved' alone, though it
    is never followed. Now in words, as remind --webhook tells them. A redirect names
    where it points, up to the host as the endpoint is named (it said to put that address
    in the config file, but not what it was)."""
    server = RawReceiver(answer)
    try:
        crm = open_crm(store, tmp_path, config_text(server.url, extra="attempts = 2\n"))
        crm.contacts.add("Ada Lovelace")
        run = crm.webhooks.deliver()
    finally:
        server.close()
    (line,) = run.errors
    port = server.url.split(":")[2].split("/")[0]
    assert f": {said.format(port=port)}" in line, line
    assert "s3cr3t" not in line, line
    for python in ("Error:", "Disconnected", "BadStatusLine", "LineTooLong", "[Errno"):
        assert python not in line, line


def test_https_to_a_receiver_without_tls_says_so(store: Any, tmp_path: Path) -> None:
    """An https:// endpoint whose port speaks plain HTTP failed as 'cannot connect:
    [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)' (lowercased by the
    wording of a63ea25 besides); now as remind --webhook says it."""
    import socket

    sock = socket.create_server(("127.0.0.1", 0))

    def answer_at_once() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                time.sleep(0.2)

    threading.Thread(target=answer_at_once, daemon=True).start()
    url = f"https://127.0.0.1:{sock.getsockname()[1]}/hook"
    try:
        crm = open_crm(store, tmp_path, config_text(url))
        crm.contacts.add("Ada Lovelace")
        (line,) = crm.webhooks.deliver().errors
    finally:
        sock.close()
    assert ": cannot connect: TLS failed: the server does not speak TLS on this port (" in line


def test_a_receivers_long_reason_phrase_is_cut(store: Any, tmp_path: Path) -> None:
    """A receiver answering 'HTTP/1.1 500 ' and 60,000 characters of reason phrase had
    them all in the failed try's line: in the outbox, in `webhooks deliver`'s output and
    cron's mail. The reason is now its first 200 characters and an ellipsis."""
    server = RawReceiver(b"HTTP/1.1 500 " + b"x" * 60000 + b"\r\ncontent-length: 0\r\n\r\n")
    try:
        crm = open_crm(store, tmp_path, config_text(server.url, extra="attempts = 2\n"))
        crm.contacts.add("Ada Lovelace")
        run = crm.webhooks.deliver()
    finally:
        server.close()
    (line,) = run.errors
    assert f": HTTP 500 {'x' * 199}… (try 1 of 2" in line, line[:400]
    (pending,) = crm.webhooks.pending()
    assert pending.last_error == f"HTTP 500 {'x' * 199}…"

"""Webhooks: the outbox filled in the event's transaction, delivered signed to a real local
HTTP server that fails some requests, is slow, and is down for a while; on SQLite and
PostgreSQL; two deliverer processes at once never send an event twice."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tinycrm.api import Crm
from tinycrm.config import parse_config
from tinycrm.webhooks import signing

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Receiver:
    """A local webhook receiver. ``plan`` is what the next requests get: a status code,
    or ``("slow", seconds)``; when the plan is used up every request gets 204."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.plan: list[Any] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.port = 0

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                with receiver.lock:
                    step = receiver.plan.pop(0) if receiver.plan else 204
                if isinstance(step, tuple):
                    time.sleep(step[1])
                    step = 204
                if step < 300:
                    with receiver.lock:
                        receiver.received.append((dict(self.headers.items()), body))
                self.send_response(step)
                if 300 <= step < 400:
                    self.send_header("location", receiver.url)
                self.send_header("content-length", "0")
                self.end_headers()

            def do_GET(self) -> None:  # what a followed redirect would reach
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    if server.server is not None:
        server.stop()


def config_text(url: str, events: str = '["*"]', extra: str = "", retry_after: int = 0) -> str:
    return (
        f'[[webhooks]]\nurl = "{url}"\nevents = {events}\nsecret = "{SECRET}"\n'
        f"retry_after = {retry_after}\ntimeout = 2\n{extra}"
    )


def open_crm(store: Any, tmp_path: Path, text: str) -> Crm:
    store.config = parse_config(text, tmp_path / "config.toml")
    return Crm(store)


def test_the_standard_webhooks_test_vector() -> None:
    # From the standardwebhooks reference library's own tests (test_sign_function).
    body = '{"test": 2432232314}'
    signature = signing.sign(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    header = signing.headers(SECRET, "msg_1", body, now=1614265330)
    assert signing.verify(SECRET, header, body, now=1614265330 + 60)
    assert not signing.verify(SECRET, header, body + " ", now=1614265330)
    assert not signing.verify(SECRET, header, body, now=1614265330 + 3600)  # replayed


@pytest.mark.parametrize("stamp", ["\u00b2", "\u0661\u0662", "1" * 5000, "-5", " 5", ""])
def test_verify_says_no_to_a_timestamp_that_is_not_one(stamp: str) -> None:
    # What a receiver calls on a request anyone can send: False, never an exception.
    header = signing.headers(SECRET, "msg_1", "{}", now=1614265330)
    header["webhook-timestamp"] = stamp
    assert signing.verify(SECRET, header, "{}", now=1614265330) is False


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("webhook-signature", "v1,\u00e9t\u00e9"),  # hmac.compare_digest: ASCII str only
        ("webhook-signature", "v1,\udcff"),
        ("webhook-id", "msg_\ud800"),  # a lone surrogate: not UTF-8
    ],
)
def test_verify_says_no_to_a_header_no_sender_could_have_signed(key: str, value: str) -> None:
    header = signing.headers(SECRET, "msg_1", "{}", now=1614265330)
    header[key] = value
    assert signing.verify(SECRET, header, "{}", now=1614265330) is False


def test_events_are_signed_and_carry_the_record(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    crm = open_crm(store, tmp_path, config_text(receiver.url, '["deal.*", "contact.created"]'))
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    crm.contacts.edit("ada@example.com", title="Countess")  # contact.updated: not wanted
    deal = crm.deals.add("Engine", amount="1000", contact="ada@example.com")
    crm.deals.win(deal.id)
    assert crm.webhooks.counts() == {"pending": 3, "delivered": 0, "failed": 0}

    run = crm.webhooks.deliver()
    assert (run.delivered, run.retrying, run.failed) == (3, 0, 0)
    assert [b["type"] for b in receiver.bodies()] == [
        "contact.created",
        "deal.created",
        "deal.won",
    ]
    won = receiver.bodies()[2]
    assert won["entity"] == "deal" and won["id"] == deal.id and won["actor"] == "tester"
    assert won["record"]["status"] == "won" and won["record"]["amount"] == 1000
    assert won["summary"].startswith("won deal Engine") and won["timestamp"]
    # written as the record's own times and --json's are (and the README's example):
    # it was '...+00:00' beside a record's '...Z'
    assert won["timestamp"] == crm.feed(limit=1)[0].model_dump(mode="json")["at"]
    assert won["timestamp"].endswith("Z") and won["record"]["updated_at"].endswith("Z")
    for headers, body in receiver.received:
        assert signing.verify(SECRET, headers, body)
        lower = {k.lower(): v for k, v in headers.items()}
        assert lower["webhook-id"] == f"evt_{json.loads(body)['event_id']}"
        assert lower["content-type"] == "application/json"
    assert crm.webhooks.deliver().delivered == 0  # each event once
    assert crm.webhooks.counts() == {"pending": 0, "delivered": 3, "failed": 0}


def test_delivered_events_are_kept_30_days(
    store: Any, tmp_path: Path, receiver: Receiver, time_machine: Any
) -> None:
    time_machine.move_to(time.time(), tick=True)
    crm = open_crm(store, tmp_path, config_text(receiver.url))
    crm.contacts.add("Ada Lovelace")
    assert crm.webhooks.deliver().delivered == 1
    time_machine.shift(29 * 86400)
    crm.contacts.add("Grace Hopper")
    assert crm.webhooks.deliver().delivered == 1
    assert crm.webhooks.counts()["delivered"] == 2
    time_machine.shift(2 * 86400)
    crm.contacts.add("Alan Turing")
    assert crm.webhooks.deliver().delivered == 1
    assert crm.webhooks.counts()["delivered"] == 2  # Ada's, 31 days old, is gone


def test_nothing_is_queued_for_a_write_that_rolled_back(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    from tinycrm.errors import Conflict

    crm = open_crm(store, tmp_path, config_text(receiver.url))
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    with pytest.raises(Conflict):
        crm.contacts.add("Ada Again", email="ada@example.com")
    assert crm.webhooks.counts()["pending"] == 1


def test_failures_are_retried_with_backoff_then_given_up_and_retried_by_hand(
    store: Any, tmp_path: Path, receiver: Receiver, time_machine: Any
) -> None:
    time_machine.move_to(time.time(), tick=True)
    text = config_text(receiver.url, extra="attempts = 3\nbackoff = 2\n", retry_after=10)
    crm = open_crm(store, tmp_path, text)
    crm.contacts.add("Ada Lovelace")
    receiver.plan = [500, 302, 502, 500]  # a redirect is not a delivery either
    first = crm.webhooks.deliver()
    assert (first.delivered, first.retrying) == (0, 1)
    assert "HTTP 500" in first.errors[0] and "again in 10 s" in first.errors[0]
    assert crm.webhooks.deliver().retrying == 0  # not due yet
    time_machine.shift(11)
    second = crm.webhooks.deliver()
    assert second.retrying == 1 and "again in 20 s" in second.errors[0]  # doubled
    assert "HTTP 302" in second.errors[0]
    time_machine.shift(21)
    third = crm.webhooks.deliver()
    assert third.failed == 1 and "gave up" in third.errors[0]
    (dead,) = crm.webhooks.failed()
    assert dead.attempts == 3 and dead.last_status == 502 and dead.event_type == "contact.created"
    assert receiver.received == []

    (again,) = crm.webhooks.retry(dead.id)
    assert again.id == dead.id and crm.webhooks.failed() == []
    receiver.plan = []
    assert crm.webhooks.deliver().delivered == 1
    assert receiver.bodies()[0]["type"] == "contact.created"


def test_a_slow_server_and_a_server_that_is_down_for_a_while(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    crm = open_crm(store, tmp_path, config_text(receiver.url, extra="attempts = 10\n"))
    crm.contacts.add("Ada Lovelace")
    crm.contacts.add("Grace Hopper")
    receiver.plan = [("slow", 3)]  # longer than the 2 s timeout: no answer in time
    run = crm.webhooks.deliver(limit=1)
    assert run.retrying == 1 and "no answer within 2 s" in run.errors[0]

    receiver.stop()  # down
    down = crm.webhooks.deliver()
    assert down.retrying == 2 and all("cannot connect" in e for e in down.errors)

    receiver.start()  # back, on the same port
    receiver.plan = [("slow", 0.5)]  # slow, but in time
    back = crm.webhooks.deliver()
    assert back.delivered == 2
    names = sorted(b["record"]["name"] for b in receiver.bodies())
    # the slow first try may have reached the server after all: a receiver dedupes by id
    assert set(names) == {"Ada Lovelace", "Grace Hopper"}


DELIVERER = """
import sys, tinycrm
with tinycrm.open(sys.argv[1], config=sys.argv[2]) as crm:
    run = crm.webhooks.deliver()
    print(run.delivered, run.retrying, run.failed)
"""


def test_two_deliverer_processes_never_send_an_event_twice(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config_text(receiver.url))
    crm = open_crm(store, tmp_path, config.read_text())
    crm.imports.rows(
        "contacts",
        [(n, {"name": f"Person {n}", "email": f"p{n}@example.com"}, None) for n in range(40)],
        source="people.csv",
    )
    for n in range(40):
        crm.companies.add(f"Company {n}")
    receiver.plan = [("slow", 0.01)] * 100
    script = tmp_path / "deliver.py"
    script.write_text(DELIVERER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), store.url, str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    delivered = [int(out.split()[0]) for out, _ in outputs]
    assert sum(delivered) == 41 and all(delivered), outputs  # both worked, none twice
    ids = [json.loads(body)["event_id"] for _, body in receiver.received]
    assert len(ids) == len(set(ids)) == 41


def test_the_command_line_delivers_lists_failures_and_retries(
    receiver: Receiver, isolated_user_dirs: Path
) -> None:
    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(receiver.url, extra="attempts = 1\n"))

    # no crontab program on PATH: uninstall must not touch the machine's crontab
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tinycrm", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    assert run("contact", "add", "Ada Lovelace").returncode == 0
    receiver.plan = [500]
    first = run("webhooks", "deliver")
    assert first.returncode == 0, first.stderr
    assert "given up 1" in first.stdout and "HTTP 500" in first.stderr
    failed = json.loads(run("webhooks", "failed", "--json").stdout)
    assert [(f["event_type"], f["last_status"]) for f in failed] == [("contact.created", 500)]
    retried = run("webhooks", "retry", str(failed[0]["id"]))
    assert retried.returncode == 0 and f"#{failed[0]['id']}" in retried.stdout
    assert "Delivered 1" in run("webhooks", "deliver").stdout
    assert receiver.bodies()[0]["record"]["name"] == "Ada Lovelace"
    missing = run("webhooks", "retry", "999")
    assert missing.returncode == 1 and "no webhook delivery #999" in missing.stderr
    status = json.loads(run("webhooks", "status", "--json").stdout)
    assert status["endpoints"][0]["endpoint"] == "webhooks[1]"
    assert status["endpoints"][0]["url"] == f"http://127.0.0.1:{receiver.port}/…"
    assert (status["pending"], status["delivered"], status["failed"]) == (0, 1, 0)
    assert "nothing waits to be delivered" in run("webhooks", "pending").stdout
    line = run("webhooks", "install").stdout
    assert "webhooks deliver >>" in line and line.rstrip().endswith("# tinycrm webhooks")
    units = isolated_user_dirs / "config" / "systemd" / "user"
    assert run("webhooks", "install", "--systemd").returncode == 0
    assert "deliver --watch" in (units / "tinycrm-webhooks.service").read_text()
    assert "Removed" in run("webhooks", "uninstall").stdout
    assert not (units / "tinycrm-webhooks.service").exists()


def test_a_bad_webhooks_table_names_the_key_and_line(tmp_path: Path) -> None:
    from tinycrm.config import ConfigError

    text = '[[webhooks]]\nurl = "https://x.example/h"\nevents = ["deal"]\nsecret = "whsec_AA=="\n'
    with pytest.raises(ConfigError, match=r"line 3: webhooks\[1\]\.events: 'deal' is not"):
        parse_config(text, tmp_path / "config.toml")
    bad_secret = text.replace('["deal"]', '["deal.*"]')
    with pytest.raises(ConfigError, match=r"line 4: webhooks\[1\]\.secret: the secret is too"):
        parse_config(bad_secret, tmp_path / "config.toml")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        # 99999 is not a port: the resolver took it modulo 65536 and posted to 34463
        ("http://127.0.0.1:99999/hook", "port"),
        ("http://127.0.0.1:0/hook", "port"),
        ("http://127.0.0.1:http/hook", "port"),
        # urllib sends no credentials from the address: it looked up 'user:pw@host'
        ("https://user:secret@example.com/hook", "user or password"),
        ("http://[::1/hook", "not a valid address"),
        ("http:///hook", "host"),
        ("http://example.com/h\x1b[31m", "control"),
        ("http://example.com/h\x00", "control"),
        ("http://example.com/bücher", "percent-encode"),
        ("ftp://example.com/hook", "http"),
        # no resolver looks these up: each try failed with "UnicodeError: encoding with
        # 'idna' codec failed (UnicodeError: label empty or too long)", until given up
        ("http://" + "a" * 64 + ".example/hook", "63"),
        ("http://hooks..example/hook", "empty"),
        ("http://b\u00fccher-" + "\u00fc" * 60 + ".example/hook", "63"),
    ],
)
def test_a_webhook_url_that_cannot_be_posted_to_is_refused_in_the_config(
    tmp_path: Path, url: str, why: str
) -> None:
    from tinycrm.config import ConfigError

    text = config_text(url).replace(f'"{url}"', json.dumps(url))  # TOML escapes = JSON's
    with pytest.raises(ConfigError, match=r"line 2: webhooks\[1\]\.url: ") as refused:
        parse_config(text, tmp_path / "config.toml")
    assert why in str(refused.value)
    assert "secret" not in str(refused.value)  # the address is not repeated


def test_the_webhook_urls_that_work_are_kept(tmp_path: Path) -> None:
    for url in (
        "https://example.com/hooks/tinycrm?token=abc%20d#x",
        "http://127.0.0.1:8080/hook",
        "http://[::1]:65535/",
        "https://bücher.example/hook",  # an IDN host: urllib sends it as xn--
    ):
        config = parse_config(config_text(url), tmp_path / "config.toml")
        assert config.webhooks[0].url == url


def _watching(
    receiver: Receiver, isolated_user_dirs: Path
) -> tuple[list[str], subprocess.Popen[str]]:
    """The receiver in the user's config, Ada added, and `webhooks deliver --watch` started:
    the command to run tinycrm, and the watcher."""
    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(receiver.url))
    command = [sys.executable, "-m", "tinycrm"]
    subprocess.run([*command, "contact", "add", "Ada Lovelace"], check=True, timeout=60)
    watcher = subprocess.Popen(
        [*command, "webhooks", "deliver", "--watch", "--interval", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return command, watcher


def test_deliver_watch_sends_new_events_as_they_come_and_stops_on_ctrl_c(
    receiver: Receiver, isolated_user_dirs: Path
) -> None:
    import signal
    import threading

    command, watcher = _watching(receiver, isolated_user_dirs)
    assert watcher.stdout is not None and watcher.stderr is not None
    said: list[str] = []  # its lines as it prints them (it flushes after each pass)
    reader = threading.Thread(target=lambda: said.extend(watcher.stdout or ()), daemon=True)
    reader.start()

    def delivered() -> int:
        return sum(int(n) for line in list(said) for n in re.findall(r"Delivered (\d+)", line))

    try:
        subprocess.run([*command, "contact", "add", "Grace Hopper"], check=True, timeout=60)
        # Ctrl-C once it has said so: a try cut short by it (the receiver has the body,
        # the watcher not yet its answer) is made again by the next run, not counted.
        deadline = time.monotonic() + 60
        while delivered() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(b["record"]["name"] for b in receiver.bodies()) == [
            "Ada Lovelace",
            "Grace Hopper",
        ]
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=60)
        reader.join(timeout=60)
        err = watcher.stderr.read()
    assert watcher.returncode == 0, err
    # One pass or two: a slow start (a loaded machine) finds both events at its first.
    assert delivered() == 2, said
    assert "Stopped" in err


@pytest.mark.parametrize("delivery", [2**31, 2**63 - 1, 0, 999])
def test_retry_of_a_delivery_that_is_not_there(store: Any, delivery: int) -> None:
    from tinycrm.errors import NotFound

    # past PostgreSQL's 32-bit ids too: "no webhook delivery", never the driver's overflow
    with pytest.raises(NotFound, match=f"no webhook delivery #{delivery}"):
        Crm(store).webhooks.retry(delivery)


class RawReceiver:
    """A TCP server that reads each request's head and answers with ``answer``, bytes
    that need not be HTTP at all."""

    def __init__(self, answer: bytes, *, pace: float = 0) -> None:
        import socket

        self.answer = answer
        self.pace = pace  # seconds between two bytes of the answer (0: all at once)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    head += chunk
                # read the body too: closing with unread bytes sends a reset, not an end
                # of stream, and the client would see "connection reset" half the time
                head, _, body = head.partition(b"\r\n\r\n")
                length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                while length and len(body) < int(length[1]):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                try:
                    if not self.pace:
                        conn.sendall(self.answer)
                    for byte in self.answer if self.pace else b"":
                        conn.sendall(bytes([byte]))
                        time.sleep(self.pace)
                except OSError:  # the client hung up
                    pass

    def close(self) -> None:
        self.sock.close()


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
    assert done.returncode == 0, done.stderr
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


def test_deliver_watch_stops_when_its_database_file_is_moved_away(
    receiver: Receiver, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    # A service runs for days: after the file is moved or a backup restored over it, a
    # watcher still on the old file would never see another event, and say nothing.
    _command, watcher = _watching(receiver, isolated_user_dirs)
    try:
        deadline = time.monotonic() + 60
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.2)
        database = Path(os.environ["TINYCRM_DB"])
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{database}{suffix}").rename(tmp_path / f"moved.db{suffix}")
        out, err = watcher.communicate(timeout=30)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.communicate()
    assert watcher.returncode == 1, (out, err)
    assert "renamed or deleted" in err and "Traceback" not in err


def test_webhooks_status_csv_is_only_csv(receiver: Receiver, isolated_user_dirs: Path) -> None:
    import csv
    import io

    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(receiver.url))
    done = subprocess.run(
        [sys.executable, "-m", "tinycrm", "webhooks", "status", "--csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["endpoint"], r["url"], r["attempts"]) for r in rows] == [
        ("webhooks[1]", f"http://127.0.0.1:{receiver.port}/…", "8")
    ]
    assert "0 pending, 0 delivered, 0 failed" in done.stderr  # said, beside the data


def test_an_import_and_a_merge_tell_every_record_they_touched(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    crm = open_crm(
        store, tmp_path, config_text(receiver.url, '["contact.imported", "contact.merged"]')
    )
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    crm.contacts.add("Ada L.", email="ada.l@example.com")
    rows = [
        (2, {"name": "Grace Hopper", "email": "grace@example.com"}, None),
        (3, {"name": "Alan Turing", "email": "alan@example.com"}, None),
        (4, {"name": "Ada Lovelace", "email": "ada@example.com", "title": "Countess"}, None),
    ]
    crm.imports.rows("contacts", rows, source="people.csv")
    crm.contacts.merge("ada@example.com", "ada.l@example.com")
    assert crm.webhooks.deliver().delivered == 2
    imported, merged = receiver.bodies()
    assert imported["type"] == "contact.imported"
    told = {i["record"]["name"]: (i["action"], i["changes"]) for i in imported["items"]}
    assert told == {
        "Grace Hopper": ("created", {}),
        "Alan Turing": ("created", {}),
        "Ada Lovelace": ("updated", {"title": [None, "Countess"]}),
    }
    assert merged["type"] == "contact.merged"
    assert [(i["action"], i["record"]["email"]) for i in merged["items"]] == [
        ("merged", "ada@example.com"),
        ("deleted", "ada.l@example.com"),  # the one merged away: the receiver drops it too
    ]
    # the first record's, at the top as for any event
    assert imported["record"] == imported["items"][0]["record"] and merged["action"] == "merged"


def test_a_big_amount_is_signed_and_sent_exactly_and_a_cent_changed_is_a_change(
    store: Any, tmp_path: Path, receiver: Receiver
) -> None:
    crm = open_crm(store, tmp_path, config_text(receiver.url, '["deal.*"]'))
    deal = crm.deals.add("Big", amount="999999999999999.99")
    crm.deals.edit(deal.id, amount="999999999999999.98")  # the same float: a change all the same
    assert crm.webhooks.deliver().delivered == 2
    (_, created), (headers, edited) = receiver.received
    assert b'"amount":999999999999999.99,' in created
    assert signing.verify(SECRET, headers, edited)  # the exact text is what is signed
    body = json.loads(edited, parse_float=Decimal)
    assert body["record"]["amount"] == Decimal("999999999999999.98")
    assert body["changes"]["amount"] == [Decimal("999999999999999.99"), body["record"]["amount"]]


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
            "HTTP 301 Moved (a redirect, not followed: put the address it points to in "
            "the config file)",
        ),
    ],
    ids=["closed", "not-http", "endless-header", "redirect"],
)
def test_a_failed_try_says_what_happened_in_words(
    store: Any, tmp_path: Path, answer: bytes, said: str
) -> None:
    """A failed try was told in Python's words: 'RemoteDisconnected: Remote end closed
    connection without response', 'BadStatusLine: hello', 'LineTooLong: got more than
    65536 bytes when reading header line'; a redirect as 'HTTP 301 Moved' alone, though it
    is never followed. Now in words, as remind --webhook tells them."""
    server = RawReceiver(answer)
    try:
        crm = open_crm(store, tmp_path, config_text(server.url, extra="attempts = 2\n"))
        crm.contacts.add("Ada Lovelace")
        run = crm.webhooks.deliver()
    finally:
        server.close()
    (line,) = run.errors
    assert f": {said}" in line, line
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


def test_an_address_named_twice_is_refused_by_its_line_without_printing_it(
    tmp_path: Path,
) -> None:
    """Two [[webhooks]] tables with one address were refused as 'config.toml: webhooks:
    https://hooks.example.com/services/T0/B0/s3cr3t is named twice': the whole address,
    secret path and all, on the stderr of every command (cron's mail too), and no line."""
    from tinycrm.config import ConfigError

    url = "https://hooks.example.com/services/T0/B0/s3cr3t"
    text = config_text(url) + "\n" + config_text(url, events='["deal.*"]')
    with pytest.raises(ConfigError) as refused:
        parse_config(text, tmp_path / "config.toml")
    said = str(refused.value)
    assert "s3cr3t" not in said, said
    assert "line 9: webhooks[2].url: the same address as webhooks[1]" in said, said


def test_a_try_cut_off_at_its_timeout_does_not_live_on(store: Any, tmp_path: Path) -> None:
    """A receiver answering a byte a second is cut off at the endpoint's timeout, but
    the try's thread went on reading it for as long as the receiver liked (here three
    minutes, or for ever): `deliver --watch` against such a receiver gathered one thread
    and one open connection per try. The cut-off try's connection is now shut, and its
    thread ends."""
    answer = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n" + b"x-pad: " + b"y" * 150
    server = RawReceiver(answer + b"\r\n\r\n", pace=1)
    try:
        crm = open_crm(store, tmp_path, config_text(server.url))
        crm.contacts.add("Ada Lovelace")
        before = {t for t in threading.enumerate() if t.name == "tinycrm-webhook"}
        run = crm.webhooks.deliver()
        assert run.retrying == 1 and "no answer within 2 s" in run.errors[0], run.errors
        tries = [t for t in threading.enumerate() if t.name == "tinycrm-webhook"]
        for left in set(tries) - before:
            left.join(60)  # it ends at once; three minutes when it was left reading
            assert not left.is_alive()
    finally:
        server.close()


def test_the_lists_name_an_endpoint_by_its_table_and_host_not_its_secret(
    receiver: Receiver, isolated_user_dirs: Path
) -> None:
    """`webhooks status`, `pending` and `failed` showed each endpoint's whole address,
    the secret in its path or query included (Slack's hooks/T…/B…/<secret>, ?token=), in
    the table and in --json and --csv. They now name it by its [[webhooks]] table and its
    address up to the host, as `webhooks deliver` does."""
    url = f"http://127.0.0.1:{receiver.port}/services/T000/B000/s3cr3tPath?token=t0k3n"
    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(url, extra="attempts = 1\n"))
    named = f"webhooks[1] http://127.0.0.1:{receiver.port}/…"

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tinycrm", *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        said = done.stdout + done.stderr
        assert "s3cr3t" not in said and "t0k3n" not in said, said
        return done.stdout

    run("contact", "add", "Ada Lovelace")
    assert named in run("webhooks", "pending")
    (waiting,) = json.loads(run("webhooks", "pending", "--json"))
    assert waiting["endpoint"] == named
    assert "webhooks[1]" in run("webhooks", "status")
    (endpoint,) = json.loads(run("webhooks", "status", "--json"))["endpoints"]
    assert endpoint["endpoint"] == "webhooks[1]"
    assert endpoint["url"] == f"http://127.0.0.1:{receiver.port}/…"
    run("webhooks", "status", "--csv")
    receiver.plan = [500]
    run("webhooks", "deliver")
    assert named in run("webhooks", "failed")
    (failed,) = json.loads(run("webhooks", "failed", "--json"))
    assert (failed["endpoint"], failed["last_status"]) == (named, 500)
    run("webhooks", "failed", "--csv")

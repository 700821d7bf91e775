"""Local webhook receivers for the webhook tests: one that answers by plan, and a raw
TCP one whose answer need not be HTTP; the config text and the Crm that post to them."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tinycrm.api import Crm
from tinycrm.config import parse_config

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


def config_text(url: str, events: str = '["*"]', extra: str = "", retry_after: int = 0) -> str:
    return (
        f'[[webhooks]]\nurl = "{url}"\nevents = {events}\nsecret = "{SECRET}"\n'
        f"retry_after = {retry_after}\ntimeout = 2\n{extra}"
    )


def open_crm(store: Any, tmp_path: Path, text: str) -> Crm:
    return Crm(store, parse_config(text, tmp_path / "config.toml"))


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

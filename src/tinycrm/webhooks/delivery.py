"""Sending one webhook message: a signed JSON POST over HTTP (urllib, no extra library).

:func:`post` says what came of it: delivered (any 2xx answer), or why not (the status,
a timeout, a refused connection). Whether and when to try again is the endpoint's
(:meth:`Endpoint.delay`, ``attempts``); the outbox keeps the count.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tinycrm.delivery import _first_line, _tls_detail
from tinycrm.version import __version__
from tinycrm.webhooks.endpoints import Endpoint, pointed_to
from tinycrm.webhooks.signing import headers


@dataclass(frozen=True)
class Attempt:
    """What one POST came to."""

    delivered: bool
    status: int | None  # the HTTP status, None when no answer came
    error: str | None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: urllib would follow a 302 with a GET
    and no body, and call whatever that returned a success. Its Location is not read
    here either (urllib's own reading raised 'Invalid IPv6 URL' for ``http://[::1``,
    told as the endpoint's fault): the 3xx is an ``HTTPError`` as a 4xx is."""

    def http_error_302(self, *args: object, **kwargs: object) -> None:
        return None

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(opened: list[socket.socket]) -> urllib.request.OpenerDirector:
    """urllib's opener, not following redirects, that puts each socket it connects in
    ``opened``: a try cut off at its timeout shuts them (``post``), else its thread
    would go on reading a receiver that answers a byte at a time, for as long as that
    takes."""

    def tracked(kind: type[http.client.HTTPConnection]) -> Any:
        class Tracked(kind):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                super().connect()
                opened.append(self.sock)

        return Tracked

    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(tracked(http.client.HTTPConnection), req)

    class Secure(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(tracked(http.client.HTTPSConnection), req)

    return urllib.request.build_opener(_NoRedirects, Plain, Secure)


def message_id(event_id: int) -> str:
    """The ``webhook-id``: the same for every try of one event, so receivers can skip
    a message they already have."""
    return f"evt_{event_id}"


def post(endpoint: Endpoint, event_id: int, body: str) -> Attempt:
    """POST ``body`` to the endpoint, signed; never raises for a network failure or for
    whatever the receiver answers.

    The whole try (name lookup, connection, request and answer) gets the endpoint's
    ``timeout``: the socket's own timeout bounds each read only, so a receiver that
    answers a byte at a time would hold the deliverer for as long as it likes, past the
    claim on the row (and another deliverer would send the event again). The try runs
    in a daemon thread; one cut off has its connection shut, which ends it (it holds no
    database connection and no claim: the row is recorded as a try that timed out)."""
    outcome: list[Attempt] = []
    raised: list[BaseException] = []
    opened: list[socket.socket] = []

    def attempt() -> None:
        try:
            outcome.append(_send(endpoint, event_id, body, _opener(opened)))
        except BaseException as exc:  # a bug, not an answer: raised in the caller below
            raised.append(exc)

    worker = threading.Thread(target=attempt, name="tinycrm-webhook", daemon=True)
    worker.start()
    worker.join(endpoint.timeout)
    if raised:
        raise raised[0]
    if not outcome:
        for sock in list(opened):  # its thread's next read ends, and so does the thread
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return Attempt(False, None, f"no answer within {endpoint.timeout:g} s")
    return outcome[0]


def _send(
    endpoint: Endpoint, event_id: int, body: str, opener: urllib.request.OpenerDirector
) -> Attempt:
    data = body.encode("utf-8")
    request = urllib.request.Request(
        endpoint.url,
        data=data,
        method="POST",
        headers={
            "content-type": "application/json",
            "user-agent": f"tinycrm/{__version__}",
            **headers(endpoint.secret, message_id(event_id), data),
        },
    )
    try:
        with opener.open(request, timeout=endpoint.timeout) as response:
            response.read(65536)
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        said = f"HTTP {exc.code} {_first_line(str(exc.reason))}".rstrip()  # 200 of 64 KiB
        if 300 <= exc.code < 400:
            to = pointed_to(endpoint.url, exc.headers.get("Location") if exc.headers else None)
            said += (
                f" (a redirect{to}, not followed: put the address it points to in the config file)"
            )
        return Attempt(False, exc.code, said)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return Attempt(False, None, f"no answer within {endpoint.timeout:g} s")
        if isinstance(reason, socket.gaierror):
            return Attempt(False, None, "cannot connect: cannot resolve the host name")
        if isinstance(reason, ssl.SSLError):
            return Attempt(False, None, f"cannot connect: TLS failed: {_tls_detail(reason)}")
        said = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        return Attempt(False, None, f"cannot connect: {said[:1].lower()}{said[1:]}")
    except TimeoutError:
        return Attempt(False, None, f"no answer within {endpoint.timeout:g} s")
    except http.client.RemoteDisconnected:
        return Attempt(False, None, "the receiver closed the connection without an answer")
    except (http.client.BadStatusLine, http.client.LineTooLong) as exc:
        line = str(exc).strip() if isinstance(exc, http.client.BadStatusLine) else ""
        return Attempt(False, None, f"not an HTTP answer: {line[:200]}".rstrip())
    except http.client.HTTPException as exc:  # IncompleteRead…
        if type(exc) is http.client.HTTPException:  # "got more than 100 headers"
            return Attempt(False, None, f"not an HTTP answer: {_first_line(str(exc))}")
        return Attempt(False, None, f"the receiver broke off its answer ({type(exc).__name__})")
    except OSError as exc:  # a reset connection…
        said = exc.strerror or str(exc)
        return Attempt(False, None, f"the exchange broke off: {said[:1].lower()}{said[1:]}")
    except ValueError as exc:
        return Attempt(False, None, f"cannot send it: {exc}")
    if 200 <= status < 300:
        return Attempt(True, status, None)
    return Attempt(False, status, f"HTTP {status}")

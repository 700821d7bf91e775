"""POST what ``tinycrm remind --webhook`` found to a webhook URL (ntfy, Slack and alike).

:func:`webhook_url_problem` says up front what makes a URL unusable; :func:`post_webhook`
sends the JSON or raises :class:`tinycrm.delivery.DeliveryError` with one line naming the
host, never the whole URL (``webhook not sent: ...``, ``webhook perhaps delivered: ...``).
urllib does the work, imported inside the functions so that importing this stays cheap.
"""

from __future__ import annotations

from typing import Any

from tinycrm.delivery import DeliveryError, _first_line, _tls_detail

__all__ = ["RetryLater", "post_webhook", "webhook_url_problem"]

MAX_ERROR_BODY = 4096  # what is read of a webhook's error answer, for its first line


class RetryLater(DeliveryError):
    """The receiver did not take the POST and asked to be sent it again after
    ``seconds`` (a 429 or 503 with ``Retry-After``)."""

    def __init__(self, message: str, *, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


def retry_after(value: str | None) -> float | None:
    """The seconds a ``Retry-After`` header asks for (``120``, Discord's ``0.5``, or an
    HTTP date); None when there is none or it is neither."""
    import math
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _read_start(stream: Any, limit: int, seconds: float) -> bytes:
    """At most ``limit`` bytes from the start of a response body, what ``seconds`` give
    (``read1``: what is there, not a wait for all ``limit`` bytes; a receiver that drips
    its answer is not waited for past them)."""
    import time

    if stream is None:
        return b""
    data = b""
    deadline = time.monotonic() + seconds
    while len(data) < limit and time.monotonic() < deadline:
        more = stream.read1(limit - len(data))
        if not more:
            break
        data += more
    return data


def webhook_url_problem(url: str) -> str | None:
    """What makes ``url`` unusable for a POST, said without the URL (its path often holds
    a secret): ``"not an http(s) URL"``, ``"not a usable URL: its port is …"``; None when
    it is usable."""
    import urllib.parse

    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return "not a usable URL: it holds a space or a control character"
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "not a usable URL: its host is not a host name or address"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "not a usable URL: it names no host"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return "not a usable URL: its port is not a number from 1 to 65535"
    try:  # what the name server is asked (an empty label, or one past 63 characters)
        parts.hostname.encode("idna")
    except UnicodeError:
        return "not a usable URL: its host is not a host name or address"
    return None


def _ascii_url(url: str) -> str:
    """``url`` as it goes on the wire: a host beyond ASCII in its IDNA form
    (``bücher.de`` -> ``xn--bcher-kva.de``), other letters beyond ASCII in the path and
    query percent-encoded as UTF-8, as a browser sends them (http.client takes ASCII
    only). ``url`` has passed :func:`webhook_url_problem`."""
    import string
    import urllib.parse

    if url.isascii():
        return url
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    login, at, _ = parts.netloc.rpartition("@")
    netloc = host.encode("idna").decode("ascii")
    if ":" in netloc:  # an IPv6 address
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    keep = string.punctuation  # every ASCII character a URL may hold stays as it was
    return urllib.parse.urlunsplit(
        (
            parts.scheme,
            urllib.parse.quote(login, safe=keep) + at + netloc,
            urllib.parse.quote(parts.path, safe=keep),
            urllib.parse.quote(parts.query, safe=keep),
            urllib.parse.quote(parts.fragment, safe=keep),
        )
    )


def _without_login(url: str) -> tuple[str, dict[str, str]]:
    """``url`` without its ``user:password@`` and the Authorization header that says it
    (HTTP Basic, UTF-8, as ntfy and most receivers take it); urllib would take the login
    for part of the host."""
    import base64
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, {}
    login = f"{urllib.parse.unquote(parts.username or '')}:"
    login += urllib.parse.unquote(parts.password or "")
    netloc = parts.netloc.rpartition("@")[2]
    token = base64.b64encode(login.encode("utf-8")).decode("ascii")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), {
        "Authorization": f"Basic {token}"
    }


def post_webhook(url: str, payload: Any, *, timeout: float = 15) -> None:
    """POST ``payload`` as UTF-8 JSON to an http(s) ``url`` (Slack and alike), or a
    ``str`` payload as UTF-8 plain text (ntfy's message).

    Any 2xx answer is success; each read waits ``timeout`` seconds, the whole exchange
    twice that. Redirects are not followed (urllib would turn the POST into
    a GET and drop the body), so a 3xx raises like a 4xx or 5xx. Errors name the host,
    never the whole URL: webhook URLs often carry their secret in the path.
    """
    import threading
    import urllib.parse
    import urllib.request

    from tinycrm.formats import jsonnumbers
    from tinycrm.version import __version__

    problem = webhook_url_problem(url)
    if problem == "not an http(s) URL":
        parts = urllib.parse.urlsplit(url)
        shown = f"{parts.scheme}:" if parts.scheme else "a URL without a scheme"
        raise DeliveryError(
            f"webhook not sent: only http and https URLs are supported (got {shown})"
        )
    if problem:
        raise DeliveryError(f"webhook not sent: {problem}")
    host = urllib.parse.urlsplit(url).hostname or ""
    url, login = _without_login(_ascii_url(url))
    if isinstance(payload, str):
        body, kind = payload.encode("utf-8"), "text/plain"
    else:
        body = jsonnumbers.dumps_plain(payload, ensure_ascii=False).encode("utf-8")
        kind = "application/json"
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": f"{kind}; charset=utf-8",
            "User-Agent": f"tinycrm/{__version__}",
            **login,
        },
    )

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        """A 3xx is an HTTPError, its Location unread (urllib's own reading raised
        'Invalid IPv6 URL' for ``http://[::1``, as if the webhook's address were wrong)."""

        def http_error_302(self, *args: Any, **kwargs: Any) -> None:
            return None

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    opener = urllib.request.build_opener(_NoRedirect)
    # The whole exchange gets twice the timeout: the socket's own bounds each read only,
    # and a receiver that drips its answer a byte at a time held the run for as long as
    # it dripped. It runs in a daemon thread; one cut off is left to end on its own.
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            _exchange(opener, request, host, timeout)
        except BaseException as exc:  # DeliveryError, or a bug: raised in the caller below
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=attempt, name="tinycrm-remind-webhook", daemon=True)
    worker.start()
    worker.join(2 * timeout)
    if not outcome:
        raise DeliveryError(
            f"webhook perhaps delivered: {host} took the POST but gave no whole answer "
            f"within {round(2 * timeout, 1):g} s"
        )
    if outcome[0] is not None:
        raise outcome[0]


def _exchange(opener: Any, request: Any, host: str, timeout: float) -> None:
    """Send ``request`` through ``opener`` and read its answer (see ``post_webhook``)."""
    import http.client
    import socket
    import ssl
    import urllib.error

    from tinycrm.webhooks.endpoints import pointed_to

    try:
        # The status is the answer: the body of a 2xx is not read (a receiver that kept
        # sending one held the run, and its memory grew, for as long as it sent).
        with opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        try:  # the start of an error's body, for its first line
            detail = _first_line(_read_start(exc.fp, MAX_ERROR_BODY, timeout), limit=120)
        except (OSError, http.client.HTTPException):
            detail = ""
        finally:
            exc.close()
        where = exc.headers.get("Location") if 300 <= exc.code < 400 and exc.headers else None
        answer = f"{exc.code} {_first_line(str(exc.reason))}".strip()  # 200 of 64 KiB
        if where:
            to = pointed_to(request.full_url, where)
            answer += f" (a redirect{to}: use the URL it points to)"
        elif detail:
            answer += f": {detail}"
        wait = retry_after(exc.headers.get("Retry-After")) if exc.headers else None
        if exc.code in (429, 503) and wait is not None:
            raise RetryLater(
                f"webhook not sent: {host} answered {answer} (it asked to wait {wait:g} s)",
                seconds=wait,
            ) from None
        raise DeliveryError(f"webhook not sent: {host} answered {answer}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, socket.gaierror):
            detail = "cannot resolve the host name"
        elif isinstance(reason, ConnectionRefusedError):
            detail = "connection refused"
        elif isinstance(reason, TimeoutError):
            detail = f"no answer within {round(timeout, 1):g} s"
        elif isinstance(reason, ssl.SSLError):
            detail = f"TLS failed: {_tls_detail(reason)}"
        elif isinstance(reason, OSError):
            detail = reason.strerror or _first_line(str(reason))
        else:
            detail = _first_line(str(reason))
        raise DeliveryError(f"webhook not sent: cannot reach {host}: {detail}") from None
    # Past here the POST went out (urllib wraps what fails before as URLError): the
    # receiver may have it and show it, so these do not say "not sent".
    except TimeoutError:
        raise DeliveryError(
            f"webhook perhaps delivered: {host} took the POST but gave no answer within "
            f"{round(timeout, 1):g} s"
        ) from None
    except http.client.HTTPException as exc:
        detail = _first_line(str(exc)) or type(exc).__name__
        raise DeliveryError(
            f"webhook perhaps delivered: {host} took the POST but broke the exchange: {detail}"
        ) from None
    except OSError as exc:
        detail = exc.strerror or _first_line(str(exc))
        raise DeliveryError(
            f"webhook perhaps delivered: {host} took the POST, then: {detail}"
        ) from None
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook not sent: {host} answered {status}")

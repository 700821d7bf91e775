"""The ``[[webhooks]]`` tables of the config file, and which events each one wants::

    [[webhooks]]
    url = "https://example.com/hooks/tinycrm"
    events = ["deal.*", "contact.created"]   # ENTITY.ACTION patterns; "*" is every event
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    # optional: timeout = 10, retry_after = 10 (seconds), backoff = 2, attempts = 8

An event's name is ``ENTITY.ACTION`` as the event log has them: ``contact.created``,
``deal.moved``, ``deal.won``, ``activity.completed``. Errors are ``ValueError``s naming
the key; the config module adds the file and line.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SECRET_PREFIX = "whsec_"
KEYS = ("url", "events", "secret", "timeout", "retry_after", "backoff", "attempts")
_PATTERN = re.compile(r"^(\*|[a-z_]+\.(\*|[a-z_]+))$")
MAX_DELAY = 30 * 86_400.0
"""Seconds between two tries at most, however long the backoff has grown: a month (the
largest ``retry_after`` and ``backoff`` reach past the year 9999 by the 8th retry)."""


@dataclass(frozen=True)
class Endpoint:
    """One webhook endpoint: where to POST, which events, the signing secret, and how
    patiently (``retry_after`` seconds before the first retry, multiplied by ``backoff``
    each time after; given up after ``attempts`` tries)."""

    url: str
    events: tuple[str, ...]
    secret: str
    timeout: float = 10.0
    retry_after: float = 10.0
    backoff: float = 2.0
    attempts: int = 8

    def wants(self, event: str) -> bool:
        """Whether the event named ``event`` (``deal.won``) goes to this endpoint."""
        return any(fnmatch.fnmatchcase(event, pattern) for pattern in self.events)

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed try before the next one: at most
        ``MAX_DELAY``."""
        steps = max(attempts - 1, 0)
        if self.retry_after == 0 or self.backoff == 1:
            return float(self.retry_after)
        # compared as logarithms: backoff ** 99 is past what a float holds
        if math.log(self.retry_after) + steps * math.log(self.backoff) >= math.log(MAX_DELAY):
            return MAX_DELAY
        return float(self.retry_after * self.backoff**steps)


def secret_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_<base64>`` secret stands for; ``ValueError`` if it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"the secret must start with {SECRET_PREFIX} (then base64)")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"the secret is not {SECRET_PREFIX} followed by base64") from None
    if len(key) < 16:
        raise ValueError("the secret is too short: use at least 16 random bytes (24 base64)")
    return key


def url_problem(url: str) -> str | None:
    """Why urllib cannot POST to ``url`` as it is written (an ``http(s)://`` address),
    or None. Said here, not found out at each try: a port past 65535 would reach
    another port (the resolver takes it modulo 65536), and urllib sends no user or
    password written in the address."""
    from urllib.parse import urlsplit

    from tinycrm.safetext import UNSAFE, escaped

    unsafe = UNSAFE.search(url) or re.search(" ", url)
    if unsafe:
        return f"the address holds a space or control character ({escaped(unsafe.group())})"
    bad_port = "the port must be a number from 1 to 65535"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Invalid IPv6 URL"
        return bad_port if "port" in str(exc).lower() else f"not a valid address ({exc})"
    if "@" in parts.netloc:
        return (
            "put no user or password in the address: urllib does not send them (the "
            "signature tells the receiver the message is yours)"
        )
    if not parts.hostname:
        return "the address has no host"
    try:  # as the resolver is asked: each try would fail with the idna codec's error
        parts.hostname.encode("idna")
    except UnicodeError:
        return (
            "the host name cannot be looked up: a part between its dots is empty, or longer "
            "than 63 characters as the resolver writes it (xn--…), or holds a character no "
            "domain name can"
        )
    if port == 0:
        return bad_port
    if not (parts.path + parts.query + parts.fragment).isascii():
        return "percent-encode the characters that are not ASCII in the path (ü is %C3%BC)"
    return None


def shown(url: str) -> str:
    """``url`` as a line on stderr names it: up to its host and port, the rest ``/…``.
    A receiver's secret is often in its path or query (Slack's ``/services/T…/B…/<secret>``,
    ``?token=``), and ``webhooks deliver`` writes into cron's mail and the journal."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    rest = "/…" if parts.path.strip("/") or parts.query or parts.fragment else parts.path
    return f"{parts.scheme}://{parts.netloc}{rest}"


def pointed_to(url: str, location: str | None) -> str:
    """`` to https://elsewhere.example/…``: where a redirect from ``url`` points, up to
    its host as an endpoint is named (``shown``: a secret may be in its path), or
    nothing for a Location missing or not an address."""
    from urllib.parse import urljoin, urlsplit

    if not location:
        return ""
    try:
        target = urljoin(url, location.strip())
        parts = urlsplit(target)
    except ValueError:  # an IPv6 host without its bracket…
        return ""
    host = parts.netloc.rpartition("@")[2]  # a user and password in it: not repeated
    if parts.scheme not in ("http", "https") or not host:
        return ""
    return f" to {shown(parts._replace(netloc=host).geturl())[:300]}"


def named(url: str, endpoints: Sequence[Endpoint]) -> str:
    """How a list names the endpoint at ``url``: its ``[[webhooks]]`` table in the config
    file and its address up to the host (``webhooks[2] https://hooks.example.com/…``), as
    :func:`shown` does and for the same reason; one no longer there says so."""
    for number, endpoint in enumerate(endpoints, 1):
        if endpoint.url == url:
            return f"webhooks[{number}] {shown(url)}"
    return f"{shown(url)} (no longer in the config file)"


def _number(raw: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{key} must be a number from {low:g} to {high:g}")
    return float(value)


def parse_endpoint(raw: Any) -> Endpoint:
    """One ``[[webhooks]]`` table; ``ValueError("key: why")`` when it is not valid."""
    if not isinstance(raw, dict):
        raise ValueError("webhooks must be an array of tables: [[webhooks]]")
    for key in raw:
        if key not in KEYS:
            raise ValueError(f"{key}: unknown key (known: {', '.join(KEYS)})")
    url = raw.get("url")
    if not isinstance(url, str) or not re.match(r"^https?://", url):
        raise ValueError("url: give the endpoint's http:// or https:// address")
    problem = url_problem(url)
    if problem:
        raise ValueError(f"url: {problem}")
    events = raw.get("events", ["*"])
    if isinstance(events, str):
        events = [events]
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise ValueError('events: a list of event patterns, such as ["deal.*", "contact.created"]')
    for pattern in events:
        if not _PATTERN.match(pattern):
            raise ValueError(
                f'events: {pattern!r} is not ENTITY.ACTION, ENTITY.* or "*" (e.g. "deal.won")'
            )
    secret = raw.get("secret")
    if not isinstance(secret, str):
        raise ValueError("secret: give the signing secret, whsec_ followed by base64")
    try:
        secret_key(secret)
    except ValueError as exc:
        raise ValueError(f"secret: {exc}") from None
    attempts = raw.get("attempts", 8)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 100:
        raise ValueError("attempts must be a whole number from 1 to 100")
    return Endpoint(
        url=url,
        events=tuple(events),
        secret=secret,
        timeout=_number(raw, "timeout", 10.0, 0.1, 300),
        retry_after=_number(raw, "retry_after", 10.0, 0, 86_400),
        backoff=_number(raw, "backoff", 2.0, 1, 10),
        attempts=attempts,
    )


def matching(endpoints: tuple[Endpoint, ...], event: str) -> list[Endpoint]:
    """The endpoints that want ``event``, each URL once."""
    seen: dict[str, Endpoint] = {}
    for endpoint in endpoints:
        if endpoint.wants(event) and endpoint.url not in seen:
            seen[endpoint.url] = endpoint
    return list(seen.values())

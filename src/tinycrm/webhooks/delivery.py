"""Sending one webhook message: a signed JSON POST over HTTP (urllib, no extra library).

:func:`post` says what came of it: delivered (any 2xx answer), or why not (the status,
a timeout, a refused connection). Whether and when to try again is the endpoint's
(:meth:`Endpoint.delay`, ``attempts``); the outbox keeps the count.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass

from tinycrm.version import __version__
from tinycrm.webhooks.endpoints import Endpoint
from tinycrm.webhooks.signing import headers


@dataclass(frozen=True)
class Attempt:
    """What one POST came to."""

    delivered: bool
    status: int | None  # the HTTP status, None when no answer came
    error: str | None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: urllib would follow a 302 with a GET
    and no body, and call whatever that returned a success."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def message_id(event_id: int) -> str:
    """The ``webhook-id``: the same for every try of one event, so receivers can skip
    a message they already have."""
    return f"evt_{event_id}"


def post(endpoint: Endpoint, event_id: int, body: str) -> Attempt:
    """POST ``body`` to the endpoint, signed; never raises for a network failure or for
    whatever the receiver answers."""
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
        with _OPENER.open(request, timeout=endpoint.timeout) as response:
            response.read(65536)
            status = response.status
    except urllib.error.HTTPError as exc:
        return Attempt(False, exc.code, f"HTTP {exc.code} {exc.reason}")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return Attempt(False, None, f"no answer within {endpoint.timeout:g} s")
        return Attempt(False, None, f"cannot connect: {reason}")
    except TimeoutError:
        return Attempt(False, None, f"no answer within {endpoint.timeout:g} s")
    except (OSError, ValueError, http.client.HTTPException) as exc:  # BadStatusLine…
        return Attempt(False, None, f"{type(exc).__name__}: {exc}")
    if 200 <= status < 300:
        return Attempt(True, status, None)
    return Attempt(False, status, f"HTTP {status}")

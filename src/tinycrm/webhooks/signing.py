"""Standard Webhooks signatures (https://www.standardwebhooks.com).

The signed content is ``"{webhook-id}.{webhook-timestamp}.{body}"``; the signature is
HMAC-SHA256 keyed with the base64-decoded part of the ``whsec_`` secret, in base64,
prefixed ``v1,``. A receiver checks it with the same function (or the
``standardwebhooks`` library) and refuses timestamps more than five minutes away.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from tinycrm.webhooks.endpoints import secret_key

TOLERANCE = 5 * 60


def sign(secret: str, msg_id: str, timestamp: int, body: str | bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` for the ``webhook-signature``."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    signed = f"{msg_id}.{timestamp}.".encode() + data
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(
    secret: str, msg_id: str, body: str | bytes, *, now: float | None = None
) -> dict[str, str]:
    """The three headers of a signed message, stamped ``now`` (seconds since the epoch)."""
    timestamp = int(time.time() if now is None else now)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str, header: dict[str, str], body: str | bytes, *, now: float | None = None
) -> bool:
    """Whether ``header`` (the request's headers, any case) signs ``body`` with ``secret``
    at a time within five minutes of ``now``. What a receiver does."""
    lower = {k.lower(): v for k, v in header.items()}
    msg_id, stamp = lower.get("webhook-id"), lower.get("webhook-timestamp", "")
    given = lower.get("webhook-signature", "")
    if not msg_id or not re.fullmatch(r"[0-9]{1,20}", stamp):  # not isdigit(): "²" is one
        return False
    timestamp = int(stamp)
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE:
        return False
    try:
        expected = sign(secret, msg_id, timestamp, body).encode("ascii")
    except UnicodeEncodeError:  # an id that is not UTF-8: no sender signed it
        return False
    # Bytes, not str: compare_digest refuses a str that is not ASCII (a header may be any).
    return any(
        hmac.compare_digest(expected, part.encode("utf-8", "surrogatepass"))
        for part in given.split()
    )

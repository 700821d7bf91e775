"""Webhook signing (tinycrm.webhooks.signing): the Standard Webhooks test vector, and
headers no sender could have signed."""

from __future__ import annotations

import pytest

from tests.api.webhook_servers import SECRET
from tinycrm.webhooks import signing


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

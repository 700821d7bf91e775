"""tinycrm.mail.message: a display name written as an address, without quotes, is a
name: the address in angle brackets is the mailbox (what a mail client shows and
replies to). The standard library's parser took the name's address instead, so a
phisher's 'ann@acme.example <phish@evil.example>' was logged as Ann's mail."""

from __future__ import annotations

import pytest

from tinycrm.mail.message import parse_message


@pytest.mark.parametrize(
    ("header", "address", "name"),
    [
        ("ann@acme.example <phish@evil.example>", "phish@evil.example", "ann@acme.example"),
        ("Ann Lee ann@acme.example <phish@evil.example>", "phish@evil.example",
         "Ann Lee ann@acme.example"),
        ("ann@acme.example via Bank <phish@evil.example>", "phish@evil.example",
         "ann@acme.example via Bank"),
    ],
)  # fmt: skip
def test_an_unquoted_address_before_the_angle_address_is_a_name(
    header: str, address: str, name: str
) -> None:
    message = parse_message(f"From: {header}\nTo: me@my.example\nSubject: x\n\nhi".encode())
    assert message.authors() == (address,)
    assert message.names == {address: name}


def test_other_lists_keep_their_mailboxes() -> None:
    raw = (
        b"From: Ann <ann@acme.example>\n"
        b"To: bob@x.example, Carol <carol@y.example>, ann@acme.example <phish@evil.example>\n"
        b"Cc: Team: dan@z.example, eve@z.example;\nSubject: x\n\nhi"
    )
    message = parse_message(raw)
    assert message.authors() == ("ann@acme.example",)
    assert message.to == ("bob@x.example", "carol@y.example", "phish@evil.example")
    assert message.cc == ("dan@z.example", "eve@z.example")

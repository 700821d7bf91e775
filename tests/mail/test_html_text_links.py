"""tinycrm.mail.html_text: a link keeps where it goes, as a mail client's plain text
version of an HTML mail shows it ('the proposal <https://…>'): its target was dropped,
so an HTML-only mail's 'see the proposal here' said nothing of where."""

from __future__ import annotations

import pytest

from tinycrm.mail.html_text import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<p>See <a href="https://docs.example/p/42">the proposal</a>.</p>',
         "See the proposal <https://docs.example/p/42>."),
        ('<a href="https://acme.example">https://acme.example</a>', "https://acme.example"),
        ('<a href="mailto:ann@acme.example">ann@acme.example</a>', "ann@acme.example"),
        ('<a href="mailto:ann@acme.example">Ann</a>', "Ann <ann@acme.example>"),
        ('<a href="#top">Back</a> <a href="javascript:x()">Go</a>', "Back Go"),
        ('<a href="https://x.example/a?b=1&amp;c=2"><img src="cid:1"></a>',
         "<https://x.example/a?b=1&c=2>"),
        ('<a>no target</a>', "no target"),
    ],
)  # fmt: skip
def test_a_link_keeps_its_target(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_thousands_of_links_never_closed_take_no_time() -> None:
    import time

    started = time.perf_counter()
    text = html_to_text('<a href="https://x.example/">word ' * 50_000)
    assert time.perf_counter() - started < 5
    assert text.startswith("word word") and text.endswith("<https://x.example/>")

"""A quote rendered for a customer: Markdown, HTML (escaped) and PDF (text read back)."""

from __future__ import annotations

import io
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import tinycrm
from tinycrm import dates
from tinycrm.config import ConfigError, parse_config
from tinycrm.documents import Party
from tinycrm.documents.pdf import find_font
from tinycrm.errors import Invalid

SELLER = """
[seller]
name = "Tiny Software GmbH"
address = "Hauptstr. 1\\n10115 Berlin"
tax_id = "DE123456789"
payment_terms = "30 days net"

[quotes]
pdf_font = "{font}"
accept_wins_deal = false
"""


def _crm(tmp_path: Path, font: str = "builtin") -> tinycrm.Crm:
    config = parse_config(SELLER.format(font=font), tmp_path / "config.toml")
    crm = tinycrm.open(tmp_path / "crm.db", config=config)
    crm.companies.add("Müller & <Söhne>", address="Weg 2", city="Köln")
    crm.contacts.add("Jürgen Müller", email="j@m.de", company="Müller & <Söhne>")
    crm.deals.add("Acme <b>deal</b>", contact="j@m.de")
    crm.products.add("Setup", price="1200.50", tax="7")
    crm.products.add("Plan", price="99", tax="19", recurring="month", unit="seat")
    crm.deals.items.add("Acme <b>deal</b>", "Setup", qty="2", discount="5")
    crm.deals.items.add("Acme <b>deal</b>", "Plan", qty="3")
    crm.quotes.create("Acme <b>deal</b>", notes="Thanks & see you")
    return crm


def _pdf_text(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_markdown_and_html_carry_seller_customer_and_totals(tmp_path: Path) -> None:
    with _crm(tmp_path) as crm:
        md = crm.quotes.render("Q-2026-0001", "md").decode()
        for text in ("Tiny Software GmbH", "DE123456789", "30 days net", "Jürgen Müller"):
            assert text in md
        assert "Müller & \\<Söhne\\>" in md  # Markdown marks escaped
        assert "Tax 7% on €2,280.95: €159.67" in md and "**Total: €2,794.05**" in md
        html = crm.quotes.render(1, "html").decode()
        assert "Müller &amp; &lt;Söhne&gt;" in html and "<b>deal</b>" not in html
        assert "Acme &lt;b&gt;deal&lt;/b&gt;" in html
        assert "€2,794.05" in html
        with pytest.raises(Invalid, match="format must be one of"):
            crm.quotes.render(1, "docx")
        with pytest.raises(Invalid) as huge:  # named, not echoed whole
            crm.quotes.render(1, "x" * 1_000_000)
        assert len(str(huge.value)) < 200


def test_pdf_text_reads_back_with_the_builtin_font(tmp_path: Path) -> None:
    with _crm(tmp_path) as crm:
        out = tmp_path / "q.pdf"
        crm.quotes.render_to("Q-2026-0001", out, "pdf")
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        text = _pdf_text(out.read_bytes())
        for expected in (
            "Quote Q-2026-0001",
            "Tiny Software GmbH",
            "Müller & <Söhne>",
            "Jürgen Müller",
            "EUR 2,794.05",  # Helvetica has no €: spelled out
            "30 days net",
        ):
            assert expected in text
        crm.contacts.add("Женя", email="z@example.ru")
        crm.deals.add("Kyiv", contact="z@example.ru")
        crm.deals.items.add("Kyiv", "Setup")
        crm.quotes.create("Kyiv")
        with pytest.raises(Invalid, match="built-in font cannot write 'Ж'"):
            crm.quotes.render("Q-2026-0002", "pdf")


def test_a_pdf_font_under_the_home_of_no_user_is_one_line(tmp_path: Path) -> None:
    with _crm(tmp_path, font="~nosuchuser_tinycrm/f.ttf") as crm:
        with pytest.raises(tinycrm.Invalid) as caught:
            crm.quotes.render_to("Q-2026-0001", tmp_path / "q.pdf", "pdf")
        assert str(caught.value) == (
            "PDF font ~nosuchuser_tinycrm/f.ttf: there is no user nosuchuser_tinycrm whose "
            "home folder ~nosuchuser_tinycrm is (did you mean ~/?) ([quotes] pdf_font)"
        )
    assert not (tmp_path / "q.pdf").exists()


@pytest.mark.skipif(find_font(None) is None, reason="no Unicode TrueType font on this system")
def test_pdf_with_a_unicode_font_writes_any_name(tmp_path: Path) -> None:
    font = find_font(None)
    with _crm(tmp_path, font=str(font)) as crm:
        crm.contacts.add("Женя Ковальчук", email="z@example.ru")
        crm.deals.add("Kyiv", contact="z@example.ru")
        crm.deals.items.add("Kyiv", "Setup")
        crm.quotes.create("Kyiv")
        text = _pdf_text(crm.quotes.render("Q-2026-0002", "pdf"))
        assert "Женя Ковальчук" in text and "€1,284.54" in text


@pytest.mark.skipif(find_font(None) is None, reason="no Unicode TrueType font on this system")
def test_a_character_the_unicode_font_lacks_is_refused_naming_it(tmp_path: Path) -> None:
    # DejaVu Sans has no Chinese: the PDF was written with empty boxes for the name, exit 0,
    # and only fpdf2's log line 'Font MPDFAA+DejaVuSansBook is missing the following glyphs'.
    from fontTools.ttLib import TTFont

    font = find_font(None)
    assert font is not None
    missing = next(c for c in "中文한국어" if ord(c) not in TTFont(font).getBestCmap())
    with _crm(tmp_path, font=str(font)) as crm:
        crm.contacts.add(f"Wang {missing}", email="w@example.cn")
        crm.deals.add("Beijing", contact="w@example.cn")
        crm.deals.items.add("Beijing", "Setup")
        crm.quotes.create("Beijing")
        out = tmp_path / "q.pdf"
        with pytest.raises(Invalid, match=f"the PDF font {font} has no '{missing}'"):
            crm.quotes.render_to("Q-2026-0002", out, "pdf")
        assert not out.exists()
        assert "Wang" in crm.quotes.render("Q-2026-0002", "html").decode()


@pytest.mark.parametrize("font", ["builtin", "system"])
def test_stored_controls_are_shown_escaped_in_every_format(tmp_path: Path, font: str) -> None:
    # Text from before input was checked (an old import, another program on a shared
    # database): 'quote render 1 --out - --format md' poured ESC onto the terminal raw, the
    # HTML carried it, and the PDF refused the whole quote over it.
    from sqlalchemy import update

    from tests.hostile import HOSTILE, raw_controls
    from tinycrm.store.sales_models import Quote, QuoteLine

    if font == "system" and find_font(None) is None:
        pytest.skip("no Unicode TrueType font on this system")
    with _crm(tmp_path, font="builtin" if font == "builtin" else str(find_font(None))) as crm:
        with crm._store.write() as session:
            session.execute(update(QuoteLine).values(name=QuoteLine.name + "\x1bc" + HOSTILE))
            session.execute(update(Quote).values(notes="ok\n\x1b[2J" + HOSTILE, contact="Ada\x07"))
        for fmt in ("md", "html", "pdf"):
            data = crm.quotes.render(1, fmt)
            text = _pdf_text(data) if fmt == "pdf" else data.decode()
            assert not raw_controls(text), fmt
            assert "Setup" in text and "x1bc" in text and "pwned" in text, fmt


def test_accept_wins_deal_is_a_config_switch(tmp_path: Path) -> None:
    with _crm(tmp_path) as crm:  # accept_wins_deal = false
        crm.quotes.accept("Q-2026-0001")
        assert crm.deals.get("Acme <b>deal</b>").status == "open"


def test_quote_rules_of_the_config_reach_the_store_through_the_api(tmp_path: Path) -> None:
    """``[quotes] valid_days`` and ``accept_wins_deal`` are read by ``crm.quotes`` and
    passed to the store (which reads no config)."""
    config = parse_config(
        "[quotes]\nvalid_days = 5\naccept_wins_deal = false\n", tmp_path / "config.toml"
    )
    with tinycrm.open(tmp_path / "crm.db", config=config) as crm:
        crm.deals.add("Acme")
        crm.products.add("Plan", price="99")
        crm.deals.items.add("Acme", "Plan")
        quote = crm.quotes.create("Acme")
        assert quote.valid_until == dates.local_today() + timedelta(days=5)
        crm.quotes.accept(quote.number)
        assert crm.deals.get("Acme").status == "open"


def test_config_sections_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key seller\.vat"):
        parse_config('[seller]\nvat = "x"\n', tmp_path / "c.toml")
    with pytest.raises(ConfigError, match=r"quotes\.valid_days must be a whole number"):
        parse_config("[quotes]\nvalid_days = 0\n", tmp_path / "c.toml")
    with pytest.raises(ConfigError, match="accept_wins_deal must be true or false"):
        parse_config('[quotes]\naccept_wins_deal = "no"\n', tmp_path / "c.toml")
    for bad in ("-1", "366", "true", '"7"', "7.5"):
        with pytest.raises(ConfigError, match=r"quotes\.remind_days must be a whole number 0-365"):
            parse_config(f"[quotes]\nremind_days = {bad}\n", tmp_path / "c.toml")
    assert parse_config("[quotes]\nremind_days = 0\n", tmp_path / "c.toml").quotes.remind_days == 0
    with pytest.raises(ConfigError, match="control characters"):
        parse_config('[seller]\nname = "a\\u001bb"\n', tmp_path / "c.toml")


def test_product_item_and_quote_writes_reach_the_webhook_outbox(
    store: object, tmp_path: Path
) -> None:
    """Every write is one event in the feed and one outbox row, with the record after it."""
    import json

    from sqlalchemy import select

    from tinycrm.api import Crm
    from tinycrm.store.log_models import WebhookDelivery

    text = (
        '[[webhooks]]\nurl = "http://127.0.0.1:9/x"\nevents = ["*"]\n'
        'secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"\n'
    )
    crm = Crm(store, parse_config(text, tmp_path / "config.toml"))  # type: ignore[arg-type]
    crm.products.add("Plan", price="10", recurring="month")
    crm.deals.add("Acme")
    item = crm.deals.items.add("Acme", "Plan", qty="2")
    crm.deals.items.edit(item.id, discount="10")
    quote = crm.quotes.create("Acme")
    crm.quotes.send(quote.number)
    crm.quotes.accept(quote.number)
    with store.read() as session:  # type: ignore[attr-defined]
        bodies = [json.loads(d.body) for d in session.scalars(select(WebhookDelivery))]
    types = [b["type"] for b in bodies]
    assert types == [
        "product.created",
        "deal.created",
        "deal.updated",  # item added: the deal's amount follows
        "deal.updated",
        "quote.created",
        "quote.sent",
        "quote.accepted",
        "deal.won",
    ]
    assert bodies[2]["record"]["amount"] == 20
    assert bodies[3]["changes"]["amount"] == [20, 18]
    assert bodies[4]["record"]["number"] == quote.number and bodies[4]["record"]["total"] == 18
    assert bodies[6]["changes"]["status"] == ["sent", "accepted"]
    feed = [e.summary for e in crm.feed(limit=None)]
    assert "sent quote Q-" in feed[2] and feed[0].startswith("won deal Acme")


def test_a_long_description_wraps_in_the_pdf_and_is_not_cut(tmp_path: Path) -> None:
    long_name = "A very long product name that goes on and on about what it includes"
    with _crm(tmp_path) as crm:
        crm.products.add(long_name, price="12.50", tax="19", sku="LONG-1")
        crm.deals.add("Long deal", contact="j@m.de")
        crm.deals.items.add("Long deal", "LONG-1", qty="1.5", discount="10")
        crm.quotes.create("Long deal")
        text = " ".join(_pdf_text(crm.quotes.render("Q-2026-0002", "pdf")).split())
        assert f"{long_name} (LONG-1)" in text
        assert "EUR 16.87" in text and "EUR 3.21" in text  # 18.75 - 1.88; 19% of 16.87


def test_markdown_shows_notes_and_names_as_typed_never_as_markup(tmp_path: Path) -> None:
    """A note's line of '---' made the line above it a heading and vanished, '- x' and
    '1986. x' became lists, '~~~' opened a code block and '&amp;' showed as '&': the
    Markdown of a quote read through a Markdown renderer now shows every line as typed."""
    from html import unescape

    from markdown_it import MarkdownIt

    notes = [
        "Delivery in spring",
        "---",
        "- not a list",
        "+ nor this",
        "1986. A year",
        "2) a second",
        "~~~",
        "===",
        "AT&amp;T &#169; ~~kept~~",
    ]
    with _crm(tmp_path) as crm:
        crm.companies.add("- Dash Ltd", address="1. Floor")
        crm.contacts.add("Ann", email="ann@dash.com", company="- Dash Ltd")
        crm.deals.add("Dash", contact="ann@dash.com")
        crm.deals.items.add("Dash", "Setup")
        crm.quotes.create("Dash", notes="\n".join(notes))
        md = crm.quotes.render(2, "md").decode()
    html = MarkdownIt("commonmark").enable("table").render(md)
    for tag in ("<h2>", "<hr", "<ol", "<pre", "<code", "<del", "<s>"):
        assert html.count(tag) == (tag == "<h2>"), (tag, html)  # h2: the Notes
    assert html.count("<ul>") == 1  # the facts under the title
    text = unescape(html)
    for line in [*notes, "- Dash Ltd", "1. Floor"]:
        assert line in text, line


def _document(lines: list[tuple[int, str, str]]) -> Any:
    from tinycrm.documents import DocumentLine, QuoteDocument

    rows = tuple(DocumentLine(p, name, qty, "€1.00", "", "19%", "€3.00") for p, name, qty in lines)
    party = Party("Seller")
    return QuoteDocument(
        "Q-1", "draft", "d", "d", "EUR", party, party, "D", rows, "€1", None, "€1", (), "€1"
    )


def _runs(data: bytes) -> list[tuple[int, float, str]]:
    """Each piece of text the PDF draws: its page, baseline and text."""
    import pypdf

    runs: list[tuple[int, float, str]] = []
    for page, content in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages):
        content.extract_text(
            visitor_text=lambda text, _cm, tm, _fd, _fs, page=page: (
                runs.append((page, round(tm[5], 1), text.strip())) if text.strip() else None
            )
        )
    return runs


FONTS = ["builtin", *([str(find_font(None))] if find_font(None) else [])]


@pytest.mark.parametrize("font", FONTS)
def test_the_number_column_holds_any_line_number_on_its_line(font: str) -> None:
    """The '#' column was 8 mm wide: from line 1,000 a number broke over two lines of the
    PDF (`100` above `0`), beside its description; now the column is as wide as the
    longest number needs and each stands whole on its line's baseline."""
    from tinycrm.documents.pdf import to_pdf

    positions = [1, 999, 1000, 10_000, 123_456, 10**9]
    runs = _runs(to_pdf(_document([(p, f"Plan {p}", "3") for p in positions]), font=font))
    for p in positions:
        (baseline,) = [y for _page, y, text in runs if text == f"Plan {p}"]
        assert (0, baseline, str(p)) in runs, p


def test_thousands_of_lines_and_a_line_taller_than_a_page_are_all_written() -> None:
    """A quote of 10,000 lines took 42 s of CPU as a PDF (fpdf2's table laid each cell out
    twice), and a line taller than a page ('3 seat …' of 3,000 words) was refused ('The
    row with index 1 is too high'); now every line is written, the headings on each page,
    a tall line going on on the next page."""
    from tinycrm.documents.pdf import to_pdf

    unit = " ".join(f"w{i}" for i in range(3000))
    lines = [(1, "Tall", f"3 {unit}"), *((p, f"Plan {p}", "2") for p in range(2, 3001))]
    runs = _runs(to_pdf(_document(lines), font="builtin"))
    texts = [text for _page, _y, text in runs]
    assert [t for t in texts if t.startswith("Plan ")] == [f"Plan {p}" for p in range(2, 3001)]
    words = " ".join(texts).split()
    assert [w for w in words if w.startswith("w") and w[1:].isdigit()] == unit.split()
    pages = {page for page, _y, _text in runs}
    assert len(pages) > 50 and texts.count("Description") == len(pages)


HEBREW = "אחד שתיים שלוש ארבע חמש שש שבע שמונה תשע עשר"


@pytest.mark.skipif(find_font(None) is None, reason="no Unicode TrueType font on this system")
def test_right_to_left_names_and_notes_read_right_to_left_in_the_pdf() -> None:
    """Hebrew was drawn in the order it is stored, left to right: a customer read
    'שלום עולם' as 'םלוע םולש', backwards. Now each line the PDF draws is in visual
    order (the Unicode bidi algorithm), wrapped lines top to bottom in reading order."""
    from dataclasses import replace

    from tinycrm.documents.pdf import to_pdf

    doc = _document([(1, "שלום עולם", "3"), (2, "Setup for בית חדש", "1"), (3, "Plan", "2")])
    doc = replace(doc, customer=Party("חברה בע״מ", ("רחוב הרצל 1",)), notes=HEBREW * 3)
    # pypdf reads what is drawn back in reading order (a right-to-left run from its
    # right end): what it reads is what a customer reads
    drawn = [text for _page, _y, text in _runs(to_pdf(doc, font=str(find_font(None))))]
    for name in ("שלום עולם", "Setup for", "בית חדש", "Plan", "חברה בע״מ", "רחוב הרצל"):
        assert name in drawn, name
    notes = [t for t in drawn if "אחד" in t or "עשר" in t]
    assert len(notes) > 1 and (HEBREW * 3).startswith(notes[0])  # the first line on top


@pytest.mark.skipif(find_font(None) is None, reason="no Unicode TrueType font on this system")
def test_arabic_letters_the_pdf_cannot_join_are_refused_naming_them(tmp_path: Path) -> None:
    """Arabic was drawn letter by letter, unjoined and backwards ('مرحبا' as 'ا ب ح ر م'):
    without text shaping the PDF cannot write it, so it is refused as a missing glyph is,
    and HTML (which a browser shapes) still has it."""
    font = find_font(None)
    with _crm(tmp_path, font=str(font)) as crm:
        crm.products.add("مرحبا", price="5")
        crm.deals.add("Cairo")
        crm.deals.items.add("Cairo", "مرحبا")
        crm.quotes.create("Cairo")
        out = tmp_path / "q.pdf"
        with pytest.raises(
            Invalid, match=r"cannot join the Arabic letters of 'مرحبا'.*--format html"
        ):
            crm.quotes.render_to("Q-2026-0002", out, "pdf")
        assert not out.exists()
        assert "مرحبا" in crm.quotes.render("Q-2026-0002", "html").decode()


def test_a_long_note_is_measured_once_in_the_pdf_and_written_whole(monkeypatch) -> None:
    """A quote whose notes run to a megabyte (a restored dump or an older version: quote
    create takes 10,000 characters) took 13 s and more as a PDF: fpdf2's ``multi_cell``
    measured each line again for every character it added. Now notes and paragraphs are
    wrapped measuring each word (a word wider than the page each character) once, and
    every word is written."""
    from dataclasses import replace

    from fpdf.fonts import CoreFont

    from tinycrm.documents.pdf import to_pdf

    measured = [0]
    real = CoreFont.get_text_width

    def counting(self: Any, text: str, size: float, params: Any) -> tuple[int, float]:
        measured[0] += len(text)
        return real(self, text, size, params)

    monkeypatch.setattr(CoreFont, "get_text_width", counting)
    words = [f"n{i}" for i in range(20_000)]
    note = " ".join(words) + "\n" + "x" * 20_000
    data = to_pdf(replace(_document([(1, "Plan", "1")]), notes=note), font="builtin")
    assert measured[0] < 5 * len(note)
    texts = [text for _page, _y, text in _runs(data)]
    drawn = " ".join(texts).split()
    assert [w for w in drawn if w.startswith("n") and w[1:].isdigit()] == words
    assert sum(len(t) for t in texts if set(t) == {"x"}) == 20_000


def test_the_issued_date_is_the_day_in_the_users_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, freeze_clock: Any
) -> None:
    # the document's Date was the day in the system's zone, not in TZ's as every other
    # date tinycrm shows: 23:30 UTC is already tomorrow in Kiritimati (UTC+14)
    from datetime import UTC, datetime

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    freeze_clock(datetime(2026, 12, 7, 23, 30, tzinfo=UTC))
    with _crm(tmp_path) as crm:
        assert crm.quotes.document("Q-2026-0001").issued == "2026-12-08"


def test_a_broken_config_file_is_told_not_rendered_without_its_seller(tmp_path: Path) -> None:
    # a config file with a mistake anywhere (an unknown [mail] key) gave a quote rendered
    # with no seller, no tax id, no payment terms and the built-in font, exit 0: sent to a
    # customer as it was; now the render refuses with the file's mistake, as a write does
    from tinycrm.config import Config, ConfigError

    with _crm(tmp_path):
        pass
    broken = Config(path=tmp_path / "config.toml", exists=True, error="line 6: unknown key")
    with tinycrm.open(tmp_path / "crm.db", config=broken) as crm:
        with pytest.raises(ConfigError, match="unknown key"):
            crm.quotes.render("Q-2026-0001", "md")
        with pytest.raises(ConfigError, match="unknown key"):
            crm.quotes.document("Q-2026-0001")
        assert crm.quotes.get("Q-2026-0001").number == "Q-2026-0001"  # reads still work


def test_payment_terms_of_several_lines_keep_their_lines(tmp_path: Path) -> None:
    """``[seller] payment_terms`` may hold line breaks (the PDF kept them); Markdown and
    HTML ran its lines together ('30 days net 2% off within 10 days'). Now each is a line."""
    from markdown_it import MarkdownIt

    terms = "30 days net\\n2% off within 10 days\\n- no cash"
    config = parse_config(f'[seller]\npayment_terms = "{terms}"\n', tmp_path / "config.toml")
    with tinycrm.open(tmp_path / "crm.db", config=config) as crm:
        crm.deals.add("Acme")
        crm.products.add("Setup", price="10")
        crm.deals.items.add("Acme", "Setup")
        crm.quotes.create("Acme")
        md = crm.quotes.render(1, "md").decode()
        html = crm.quotes.render(1, "html").decode()
    assert "Payment terms: 30 days net<br>2% off within 10 days<br>- no cash</p>" in html
    shown = MarkdownIt("commonmark").render(md)
    assert "Payment terms: 30 days net<br />\n2% off within 10 days<br />\n- no cash" in shown

"""``quote render`` and ``quote show`` as a person uses them: the format follows the
file's name unless ``--format`` says otherwise, a PDF is never poured onto a terminal,
and a quote without tax shows its 0% rate."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tinycrm

from .conftest import tinycrm_executable
from .test_pager import terminal


@pytest.fixture
def quoted() -> None:
    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.companies.add("Acme GmbH")
        crm.deals.add("Big one", company="Acme GmbH")
        crm.products.add("Widget", price="100")
        crm.deals.items.add("Big one", "Widget", qty="3")
        crm.quotes.create("Big one")


@pytest.mark.usefixtures("quoted")
@pytest.mark.parametrize(
    ("name", "given", "starts"),
    [
        ("quote.md", None, b"# Quote Q-"),
        ("quote.HTML", None, b"<!DOCTYPE html>"),
        ("quote.htm", None, b"<!DOCTYPE html>"),
        ("quote.pdf", None, b"%PDF-"),
        ("quote", None, b"%PDF-"),  # no suffix: PDF, as before
        ("quote.txt", None, b"%PDF-"),
        ("quote.md", "pdf", b"%PDF-"),  # --format wins over the name
        ("quote.pdf", "html", b"<!DOCTYPE html>"),
    ],
)
def test_the_format_follows_the_file_name(
    cli: Callable[..., Any], tmp_path: Path, name: str, given: str | None, starts: bytes
) -> None:
    out = tmp_path / name
    args = ["quote", "render", "1", "--out", str(out)]
    result = cli(*args, *(["--format", given] if given else []))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(starts)
    fmt = given or {b"# ": "md", b"<!": "html", b"%P": "pdf"}[starts[:2]]
    assert f"as {fmt} to {out}" in result.stdout


@pytest.mark.usefixtures("quoted")
def test_a_pdf_is_refused_on_a_terminal_and_written_into_a_pipe() -> None:
    code, shown, stderr = terminal("quote", "render", "1", "--out", "-", env={})
    assert code == 2
    assert shown == ""
    assert "a PDF is not for a terminal" in stderr and "Traceback" not in stderr
    code, shown, _stderr = terminal("quote", "render", "1", "--out", "-", "--format", "md",
                                    env={})  # fmt: skip
    assert code == 0 and shown.startswith("# Quote Q-")
    piped = subprocess.run([*tinycrm_executable(), "quote", "render", "1", "--out", "-"],
                           capture_output=True, timeout=60)  # fmt: skip
    assert piped.returncode == 0 and piped.stdout.startswith(b"%PDF-")


@pytest.mark.usefixtures("quoted")
def test_a_quote_without_tax_shows_its_rate(cli: Callable[..., Any]) -> None:
    shown = cli("quote", "show", "1").stdout
    assert "0% on €300.00: €0.00" in shown


@pytest.mark.usefixtures("quoted")
def test_a_missing_folder_is_made_with_mkdir_only(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "new" / "quote.pdf"
    refused = cli("quote", "render", "1", "--out", str(out))
    assert refused.exit_code == 1
    assert "does not exist (--mkdir creates it)" in refused.stderr
    assert not out.parent.exists()
    made = cli("quote", "render", "1", "--out", str(out), "--mkdir")
    assert made.exit_code == 0, made.stderr
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.usefixtures("quoted")
def test_a_quote_of_a_lost_deal_is_refused_in_one_line(cli: Callable[..., Any]) -> None:
    cli("deal", "lost", "Big one", "--reason", "budget")
    result = cli("quote", "accept", "1")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "reopen it (tinycrm deal reopen 1)" in result.stderr
    assert cli("quote", "show", "1", "--json").json()["status"] == "draft"


@pytest.mark.usefixtures("quoted")
def test_a_quote_whose_deal_items_changed_is_refused_in_one_line(cli: Callable[..., Any]) -> None:
    # 3 widgets quoted (€300), then 4 on the deal: quote accept won the deal at €400
    cli("deal", "item", "edit", "1", "--qty", "4")
    result = cli("quote", "accept", "1")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "comes to €300.00 net, deal Big one's items to €400.00 now" in result.stderr
    deal = cli("deal", "show", "Big one", "--json").json()
    assert (deal["status"], deal["amount"]) == ("open", 400)
    cli("deal", "item", "edit", "1", "--qty", "3")  # back as quoted
    assert "deal Big one is won" in cli("quote", "accept", "1").stdout
    deal = cli("deal", "show", "Big one", "--json").json()
    assert (deal["status"], deal["amount"]) == ("won", 300)


def test_a_quote_accepted_just_before_its_deal_is_deleted_says_accepted(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The accept commits, then a ``deal rm`` from elsewhere deletes its deal before the
    command reads the deal back to say whether it was won: 'no deal #1', exit 1, for a
    quote that was accepted. Now the accept is said, exit 0."""
    from tinycrm.api.quotes import Quotes

    for args in (
        ("product", "add", "Plan", "--price", "10"),
        ("deal", "add", "Acme"),
        ("deal", "item", "add", "Acme", "Plan"),
        ("quote", "create", "Acme"),
    ):
        assert cli(*args).exit_code == 0
    accept = Quotes.accept

    def accept_then_deal_rm(self: Quotes, *args: Any, **kwargs: Any) -> Any:
        quote = accept(self, *args, **kwargs)
        from tinycrm.store.deals import remove_deal

        remove_deal(self._store, quote.deal_id)
        return quote

    monkeypatch.setattr(Quotes, "accept", accept_then_deal_rm)
    result = cli("quote", "accept", "1")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("Accepted quote Q-")
    monkeypatch.setattr(Quotes, "accept", accept)
    assert cli("quote", "show", "1", "--json").json()["status"] == "accepted"


def test_a_quote_is_never_rendered_onto_the_database(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    """quote render 1 --out <the database file> replaced the database with the PDF (every
    later command: 'file is not a database'); now it is refused as exports refuse it, for
    the file, a link to it and its -wal, and nothing is written."""
    for args in (
        ("contact", "add", "Ada"),
        ("deal", "add", "Big", "--contact", "Ada"),
        ("product", "add", "Plan", "--price", "100"),
        ("deal", "item", "add", "Big", "Plan"),
        ("quote", "create", "Big"),
    ):
        assert cli(*args).exit_code == 0, args
    database = Path(os.environ["TINYCRM_DB"])
    (tmp_path / "link.pdf").symlink_to(database)
    for target in (database, tmp_path / "link.pdf", Path(f"{database}-wal")):
        result = cli("quote", "render", "1", "--out", str(target))
        assert (result.exit_code, result.stdout) == (1, ""), target
        assert result.stderr.count("\n") == 1 and "is the database itself" in result.stderr
    with (
        tinycrm.open(database) as crm,
        pytest.raises(tinycrm.errors.Invalid, match="is the database itself"),
    ):
        crm.quotes.render_to("1", database, "md")
    assert cli("contact", "list", "--json").json()[0]["name"] == "Ada"


def test_quote_list_streams_its_json_as_it_wrote_it_whole(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """quote list built every quote with every line before printing a character (10,000
    quotes of 20 lines: 28 s and 930 MB for the table, 1.2 GB for --json). Now the table
    and CSV read no line, and JSON is written a few quotes at a time: the same bytes."""
    import json

    from tinycrm.cli import output

    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.companies.add("Acme GmbH")
        crm.deals.add("Big one", company="Acme GmbH")
        crm.products.add("Widget", price="100", tax="19")
        crm.products.add("Book", price="19.99", tax="7")
        crm.deals.items.add("Big one", "Widget", qty="3", discount="12.5")
        crm.deals.items.add("Big one", "Book", qty="2")
        for _ in range(5):
            crm.quotes.create("Big one")
        whole = crm.quotes.list()
    monkeypatch.setattr(output, "JSON_BATCH", 2)
    shown = cli("quote", "list", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout == output.dumps(whole) + "\n"
    assert len(json.loads(shown.stdout)[4]["lines"]) == 2
    lines = cli("quote", "list", "--jsonl").stdout.splitlines()
    assert lines == [output.dumps(q, indent=None) for q in whole]
    csv_rows = cli("quote", "list", "--csv").stdout.splitlines()
    assert csv_rows[0].split(",") == output.model_columns("QuoteRead")
    assert len(csv_rows) == 6 and "lines" not in csv_rows[0]
    table = cli("quote", "list").stdout
    assert table.count("Q-20") == 5 and "€" in table
    assert cli("quote", "list", "--json", "--status", "accepted").stdout == "[]\n"


def test_a_json_array_written_in_batches_is_the_array_written_whole() -> None:
    import io

    from tinycrm.cli import output

    for count in range(7):
        records = [{"n": i, "text": "é\u202e\x1b", "list": [1, {"a": None}]} for i in range(count)]
        for batch in (1, 2, 3, 500):
            stream = io.StringIO()
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(output, "JSON_BATCH", batch)
                output.write_json_array(iter(records), stream)
            assert stream.getvalue() == output.dumps(records) + "\n", (count, batch)

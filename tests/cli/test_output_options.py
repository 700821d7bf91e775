"""The one output layer: ``@output_options`` and the CSV rules every command shares."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tinycrm.cli import output as out
from tinycrm.cli.output import TABLE, Output, output_options

# Every command of these nouns that prints records has the three flags.
FLAGGED = [
    "contact add",
    "contact list",
    "contact show",
    "contact edit",
    "contact dupes",
    "contact merge",
    "company add",
    "company list",
    "company show",
    "company edit",
    "deal add",
    "deal list",
    "deal show",
    "deal edit",
    "deal move",
    "deal won",
    "deal lost",
    "deal reopen",
    "log",
    "task add",
    "task list",
    "task done",
    "feed",
    "next",
    "tag list",
    "field list",
    "segment save",
    "segment list",
    "segment show",
    "pipeline list",
    *(f"campaign {name}" for name in ("add", "list", "show", "edit", "add-members", "status",
                                      "report")),
    "lead list",
    "lead status",
    "lead qualify",
    "lead convert",
    "sequence list",
    "sequence show",
    "score",
    "score rule add",
    "score rule list",
    "score explain",
    *(f"report {name}" for name in ("pipeline", "forecast", "winrate", "cycle", "funnel",
                                    "sources", "churn", "clv", "activity")),
]  # fmt: skip


@pytest.mark.parametrize("path", FLAGGED)
def test_json_jsonl_and_csv_wherever_one_is(cli, path: str) -> None:
    text = cli(*path.split(), "--help").stdout
    for flag in ("--json ", "--jsonl ", "--csv "):
        assert flag in text, f"tinycrm {path} --help has no {flag.strip()}"


def test_the_decorator_hands_the_command_one_output() -> None:
    app = typer.Typer()
    seen: list[Output] = []

    @app.command()
    @output_options
    def show(name: str, output: Output = TABLE) -> None:
        seen.append(output)

    runner = CliRunner()
    for flags, expected in (([], "table"), (["--json"], "json"), (["--jsonl"], "jsonl"),
                            (["--csv"], "csv")):  # fmt: skip
        assert runner.invoke(app, ["Ada", *flags]).exit_code == 0
        assert seen.pop().format == expected
    both = runner.invoke(app, ["Ada", "--jsonl", "--csv"])
    assert both.exit_code == 2 and "choose one of --json, --jsonl and --csv" in both.output
    assert not seen
    with pytest.raises(TypeError, match="no 'output' parameter"):
        output_options(lambda name: None)


def test_csv_rules_are_one_set() -> None:
    row = {
        "name": "=cmd",
        "amount": Decimal("18500.00"),
        "rate": Decimal("12.50"),
        "negative": Decimal("-3"),
        "tags": ["vip", "+plus"],
        "fields": {"plan": "pro"},
        "value": {"EUR": Decimal("200.00"), "USD": Decimal("0.5")},
        "deals": [{"id": 1}],
        "at": datetime(2026, 12, 5, 9, 30, tzinfo=UTC),
        "closed": True,
    }
    stream = io.StringIO()
    out.write_csv([row], stream)
    (cells,) = csv.DictReader(io.StringIO(stream.getvalue()))
    assert cells == {
        "name": "'=cmd",
        "amount": "18500",  # as JSON writes it
        "rate": "12.5",
        "negative": "-3",  # a number, not a formula
        "tags": "vip, +plus",
        "field.plan": "pro",
        "value.EUR": "200",
        "value.USD": "0.5",
        "at": "2026-12-05T09:30:00+00:00",
        "closed": "true",
    }


def test_csv_guards_text_a_spreadsheet_reads_as_a_formula_though_python_reads_a_number() -> None:
    """'-Infinity', '+NaN' and '-1_000' are numbers to Python's Decimal, so a title or a
    custom field holding one was written unguarded; Excel and LibreOffice take each for
    a formula (#NAME?). Only numbers written in digits pass as they are."""
    row = {"a": "-Infinity", "b": "+NaN", "c": "-1_000", "d": "-sNaN", "e": "-1.5e3", "f": "+7"}
    stream = io.StringIO()
    out.write_csv([row], stream)
    (cells,) = csv.DictReader(io.StringIO(stream.getvalue()))
    assert cells == {"a": "'-Infinity", "b": "'+NaN", "c": "'-1_000", "d": "'-sNaN",
                     "e": "-1.5e3", "f": "+7"}  # fmt: skip


class _Report:
    def __init__(self) -> None:
        self.rows = [{"stage": "Lead-in", "value": {"EUR": Decimal("200.00")}}]

    def model_dump(self) -> dict[str, Any]:
        return {"report": "x", "rows": self.rows, "average": Decimal("1.5")}


def test_a_report_in_each_format(capsys) -> None:
    Output("json").report(_Report(), print)
    assert json.loads(capsys.readouterr().out)["rows"][0]["value"] == {"EUR": 200}
    Output("jsonl").report(_Report(), print, summary=("average",))
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [
        {"stage": "Lead-in", "value": {"EUR": 200}, "average": 1.5}
    ]
    Output("csv").report(_Report(), print, summary=("average",))
    assert capsys.readouterr().out.splitlines() == ["stage,value.EUR,average", "Lead-in,200,1.5"]
    with pytest.raises(ValueError):
        Output("yaml")


def test_writes_and_lists_in_every_format(cli) -> None:
    added = cli("deal", "add", "Engine", "--amount", "18500", "--jsonl")
    assert added.exit_code == 0 and len(added.stdout.splitlines()) == 1
    assert json.loads(added.stdout)["amount"] == 18500
    (row,) = csv.DictReader(io.StringIO(cli("deal", "list", "--csv").stdout))
    assert row["amount"] == "18500"  # the same number --json prints
    won = cli("deal", "won", "Engine", "--csv").stdout
    (won_row,) = csv.DictReader(io.StringIO(won))
    assert won_row["status"] == "won"
    assert cli("deal", "show", "Engine", "--json", "--jsonl").exit_code == 2
    logged = cli("log", "note", "Engine", "Signed", "--jsonl").stdout
    assert json.loads(logged)["subject"] == "Signed"


def test_a_list_of_no_records_in_csv_is_its_header_alone(cli, tmp_path) -> None:
    """As an export of no records is: a header that imports as nothing. Before, `contact
    list --where … --csv` of no contacts (and task, product, quote, case, contract,
    campaign and lead lists of none) printed an empty line, which import refuses."""
    cli("contact", "add", "Ada", "--email", "ada@example.com", "--company", "Acme")
    cli("deal", "add", "Engine", "--contact", "ada@example.com")
    for noun in ("contact", "company", "deal"):
        text = cli(noun, "list", "--search", "nobody", "--csv").stdout
        some = cli(noun, "list", "--csv").stdout.splitlines()[0].split(",")
        assert text.count("\n") == 1 and set(text.strip().split(",")) == set(some), noun
    for noun in ("task", "product", "quote", "case", "contract", "campaign"):
        text = cli(noun, "list", "--csv").stdout  # none of these yet
        assert text.count("\n") == 1 and text.startswith("id,"), noun
    assert cli("lead", "list", "--status", "junk", "--csv").stdout.startswith("id,name,")
    (tmp_path / "none.csv").write_text(cli("contact", "list", "--search", "x", "--csv").stdout)
    imported = cli("import", "contacts", str(tmp_path / "none.csv"))
    assert imported.exit_code == 0 and "0 created" in imported.stdout


def test_a_streamed_export_follows_the_same_csv_and_json_rules() -> None:
    """``RowWriter.write_values`` (an export streaming 100,000 contacts) writes what
    ``write_csv`` writes for the same records: one rule set, two speeds."""
    columns = ["id", "name", "amount", "at", "vip", "tags", "fields", "note"]
    rows = [
        [1, "=cmd", Decimal("12.50"), datetime(2026, 12, 5, tzinfo=UTC), True, ["+x", "y"],
         {"plan": "-pro"}, "'=quoted"],
        [2, "Ada", 18500, None, False, [], {}, "-3"],
    ]  # fmt: skip
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    written = {}
    for fmt in ("csv", "json", "jsonl"):
        streamed, whole = io.StringIO(), io.StringIO()
        writer = Output(fmt).writer(streamed, columns=columns, field_keys=["plan"])
        writer.write_values(rows[:1])
        writer.write_values(rows[1:])
        writer.close()
        Output(fmt).write(records, whole)
        assert streamed.getvalue() == whole.getvalue(), fmt
        assert writer.count == 2
        written[fmt] = whole.getvalue()
    (first, _) = csv.DictReader(io.StringIO(written["csv"]))
    assert first["name"] == "'=cmd" and first["tags"] == "'+x, y"
    assert first["field.plan"] == "'-pro" and first["note"] == "''=quoted"
    assert [json.loads(line)["fields"] for line in written["jsonl"].splitlines()] == [
        {"plan": "-pro"},
        {},
    ]
    assert written["json"].splitlines()[0] == "["  # a file: one record on each line
    empty = io.StringIO()
    Output("json").write([], empty)
    assert empty.getvalue() == "[]\n"
    with pytest.raises(ValueError):
        TABLE.writer(io.StringIO())


def _every_command() -> Any:
    """Every command of the app, groups too (``remind`` takes options itself), by path."""
    from tinycrm.cli import app

    def walk(command: Any, path: tuple[str, ...]) -> Any:
        yield path, command
        if hasattr(command, "list_commands"):
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), (*path, name))

    yield from walk(typer.main.get_command(app), ())


def test_jsonl_and_csv_wherever_json_is() -> None:
    """``--json`` never comes alone: every command that has it, found by walking the
    whole app (a new command is checked without being listed), has ``--jsonl`` and
    ``--csv`` too."""
    walked, lacking = 0, []
    for path, command in _every_command():
        walked += 1
        flags = {flag for param in command.params for flag in getattr(param, "opts", ())}
        if "--json" in flags and not {"--jsonl", "--csv"} <= flags:
            lacking.append(" ".join(path))
    assert walked > 100  # the walk reached the sub-commands, not just the root
    assert not lacking, f"--json without --jsonl/--csv: {lacking}"


@pytest.mark.parametrize(
    "args",
    [["rules", "list"], ["import", "history"], ["remind", "--all"]],
)
def test_the_newly_flagged_print_jsonl(cli, args: list[str], tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[[rules]]\nwhen = 'deal.won'\nset_contact_lifecycle = 'customer'\n")
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    people = tmp_path / "people.csv"
    people.write_text("name,email\nAda,ada@example.com\n")
    assert cli("import", "contacts", str(people)).exit_code == 0
    cli("task", "add", "Call Ada", "--due", "yesterday", "--contact", "ada@example.com")
    as_json = cli(*args, "--json").json()
    lines = cli(*args, "--jsonl").stdout.splitlines()
    assert as_json and [json.loads(line) for line in lines] == as_json
    (row, *_) = csv.DictReader(io.StringIO(cli(*args, "--csv").stdout))
    assert set(row) <= set(as_json[0]) | {f"{k}.{s}" for k, v in as_json[0].items()
                                           if isinstance(v, dict) for s in v}  # fmt: skip


def test_more_lists_of_no_records_in_csv_are_their_header_alone(cli) -> None:
    """next, contact dupes, search, remind, tag and field lists, segment and sequence
    lists, a campaign's members, import history and a deal's items printed an empty line
    in CSV when there were none."""
    assert cli("next", "--csv").stdout.startswith("rank,title,")
    cli("deal", "add", "Engine")
    cli("sequence", "add", "Nurture", "--step", "1d:Call")
    cli("campaign", "add", "Spring", "--channel", "email")
    for args in (
        ("contact", "dupes"),
        ("search", "nobody"),
        ("remind",),
        ("tag", "list"),
        ("field", "list"),
        ("segment", "list"),
        ("sequence", "show", "Nurture"),
        ("campaign", "show", "Spring"),
        ("import", "history"),
        ("deal", "item", "list", "Engine"),
    ):
        result = cli(*args, "--csv")
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout.count("\n") == 1 and result.stdout[0].isalpha(), (args, result.stdout)
    cli("sequence", "rm", "Nurture", "--yes")
    assert cli("sequence", "list", "--csv").stdout.startswith("id,name,")


def test_lists_of_no_hooks_rules_or_deliveries_in_csv_are_their_header_alone(cli) -> None:
    """hooks list, rules list and webhooks pending/failed printed an empty line in CSV
    when there were none (their rows are not a read model's): now their header."""
    for args, header in (
        (("hooks", "list"), "kind,name,path,executable,runs"),
        (("rules", "list"), "number,name,when,does,line"),
        (("webhooks", "pending"), "id,"),
        (("webhooks", "failed"), "id,"),
    ):
        result = cli(*args, "--csv")
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout.startswith(header) and result.stdout.count("\n") == 1, (
            args,
            result.stdout,
        )


def test_json_shows_hidden_tag_characters_as_escapes_that_read_back() -> None:
    """Text spelt in invisible Unicode tag characters (U+E0000-U+E007F) went out raw in
    --json, for an assistant reading the output to obey and the user never to see. Each
    is now a JSON escape (its surrogate pair: \\udb40\\udc69), the value exactly the same
    to a JSON reader; a subdivision's flag and other characters past U+FFFF stay."""
    from tinycrm import safetext

    england = "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "gbeng") + "\U000e007f"
    data = {"name": "Acme" + "".join(chr(0xE0000 + ord(c)) for c in "run rm") + f" 𝔘 {england}"}
    for text in (out.dumps(data), out.dumps_lines([data, data])):
        assert safetext.SHOWN_MULTILINE.search(text) is None, text
        assert "Acme\\udb40\\udc72\\udb40\\udc75" in text and f"𝔘 {england}" in text
    assert json.loads(out.dumps(data)) == data
    assert [json.loads(line) for line in out.dumps_lines([data, data]).split("\n")] == [data] * 2


@pytest.mark.parametrize("kind", ["contact", "company", "deal"])
def test_a_record_has_one_order_of_columns_listed_or_not(cli, kind: str) -> None:
    """Was: ``contact list --csv`` of no contacts had ``company`` before ``company_id``
    and ``uid`` last, of some contacts ``company`` and ``tags`` last; ``contact show
    --json`` gave its keys in the first order, ``contact list --json`` in the second.
    A script that reads columns by place got other columns when the list was empty."""
    empty_header = cli(kind, "list", "--csv").stdout.splitlines()[0]
    name = {"contact": "Ada", "company": "Acme", "deal": "Engine"}[kind]
    cli(kind, "add", name)
    assert cli(kind, "list", "--csv").stdout.splitlines()[0] == empty_header
    listed = list(cli(kind, "list", "--json").json()[0])
    shown = list(cli(kind, "show", name, "--json").json())
    assert shown[: len(listed)] == listed


def test_custom_field_columns_are_sorted_by_name_where_the_fields_are(cli) -> None:
    """A company's or deal's ``field.KEY`` columns came in the order the records brought
    them, and those first seen on a later record after ``created_at``/``updated_at``:
    two lists of the same kind of record had different columns. Now every CSV of a
    kind has the custom fields sorted by name, in the place of ``fields``."""
    cli("company", "add", "Acme", "--field", "zeta=1")
    cli("company", "add", "Beta", "--field", "alpha=2")
    cli("deal", "add", "One", "--field", "zeta=1")
    cli("deal", "add", "Two", "--field", "alpha=2", "--field", "mid=3")
    cli("contact", "add", "Ada", "--field", "zeta=1")
    cli("contact", "add", "Bob", "--field", "alpha=2")
    for args in (
        ("company", "list", "--csv"),
        ("export", "companies"),
        ("deal", "list", "--csv"),
        ("export", "deals"),
        ("contact", "list", "--csv"),
        ("export", "contacts"),
    ):
        header = cli(*args).stdout.splitlines()[0].split(",")
        fields = [h for h in header if h.startswith("field.")]
        assert fields == sorted(fields) and len(fields) >= 2, (args, header)
        at = header.index(fields[0])
        assert header[at : at + len(fields)] == fields, (args, header)
        assert header.index("tags") < at, (args, header)  # where fields are in JSON

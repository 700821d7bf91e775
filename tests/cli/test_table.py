"""tinycrm.cli.table: list tables on narrow terminals."""

from __future__ import annotations

import re

import pytest

from tinycrm.cli.output import Column
from tinycrm.cli.table import layout


def _columns(*specs: tuple[str, str, bool, int]) -> list[Column]:
    return [Column(h, lambda row: "", justify=j, whole=w, keep=k) for h, j, w, k in specs]


def test_layout_never_narrows_a_figure_or_a_date_column() -> None:
    # a label, an amount (a figure) and a date: 58 cells into 34 (two gaps of two)
    columns = _columns(("name", "left", False, 1), ("amount", "right", False, 1),
                       ("close", "left", True, 1))  # fmt: skip
    shown, widths = layout(columns, [36, 12, 10], 38)
    assert shown == [0, 1, 2] and widths == [12, 12, 10]


def test_layout_leaves_out_the_least_kept_columns_before_a_label_is_unreadable() -> None:
    columns = _columns(("id", "right", False, 9), ("title", "left", False, 9),
                       ("stage", "left", False, 1), ("amount", "right", False, 3),
                       ("prob", "right", False, 1), ("close", "left", True, 2))  # fmt: skip
    shown, widths = layout(columns, [3, 30, 11, 12, 4, 10], 50)
    assert shown == [0, 1, 2, 3, 5] and widths == [3, 9, 8, 12, 10]  # prob left out
    shown, widths = layout(columns, [3, 30, 11, 12, 4, 10], 44)
    assert shown == [0, 1, 3, 5] and widths == [3, 13, 12, 10]  # then stage
    shown, widths = layout(columns, [3, 30, 11, 12, 4, 10], 30)
    assert shown == [0, 1, 3] and widths == [3, 11, 12]


@pytest.mark.parametrize("columns", [40, 30])
def test_a_deal_list_on_a_very_narrow_terminal_keeps_its_amounts_whole(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    db = ["--db", str(demo_database)]
    rows = cli(*db, "deal", "list", "--limit", "5", "--json").json()
    table = cli(*db, "deal", "list", "--limit", "5").stdout
    assert not re.search(r"[€$£][\d,.]*…", table), table  # an amount cut short
    for row in rows:
        assert f"{row['amount']:,.2f}" in table.replace("€", "").replace("£", "").replace("$", "")


LISTS = [
    ("contact", "list"),
    ("company", "list"),
    ("deal", "list"),
    ("task", "list"),
    ("case", "list"),
]


def _header_and_note(table: str) -> tuple[str, str]:
    lines = table.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("not shown at")), len(lines))
    return lines[0], " ".join(lines[at:])


@pytest.mark.parametrize("columns", [80, 60, 40])
def test_a_list_on_a_narrow_terminal_never_cuts_a_date_or_an_id(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """Dates, times and ids are kept whole (``2026-12-24``, never ``20…``): the labels give
    way first, down to a few letters, then whole columns are left out, the least needed
    first, and a footnote names them."""
    db = ["--db", str(demo_database)]
    for noun in LISTS:
        monkeypatch.setenv("COLUMNS", "200")
        wide = cli(*db, *noun, "--limit", "8").stdout
        rows = cli(*db, *noun, "--limit", "8", "--json").json()
        monkeypatch.setenv("COLUMNS", str(columns))
        narrow = cli(*db, *noun, "--limit", "8").stdout
        assert all(len(line) <= columns for line in narrow.splitlines()), (noun, narrow)
        assert not re.search(r"\d…", narrow), (noun, narrow)  # 20…, in 2…, #12…
        header, note = _header_and_note(narrow)
        for name in _header_and_note(wide)[0].split():
            assert name in header.split() or name in note, (noun, name, narrow)
        for row in rows:
            assert re.search(rf"^ *{row['id']}  ", narrow, re.M), (noun, narrow)
            if row.get("close_date") and "close" in header.split():
                assert str(row["close_date"]) in narrow, (noun, narrow)


def test_a_list_into_a_pipe_is_never_cut(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Into a pipe or a file (no terminal, no $COLUMNS) a list was laid out in 200
    columns: a long cell was cut with '…' (the feed's 'renews a…'), and grep missed it."""
    monkeypatch.delenv("COLUMNS")
    name = "Ada " + "Lovelace-" * 30
    company = "Analytical Engines " * 8
    assert cli("contact", "add", name, "--company", company.strip()).exit_code == 0
    table = cli("contact", "list").stdout
    assert name in table and company.strip() in table and "…" not in table, table
    assert "not shown" not in table


def test_a_row_past_the_sized_ones_is_not_cut_in_a_pipe(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns are sized from the first rows (SAMPLE); into a pipe a later row's longer
    cell used to be cut to that width ('Grace Hopper-Hopper-…'). With no width to keep
    to, it is written whole: its line is longer, nothing is lost to grep."""
    from tinycrm.cli import table

    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr(table, "SAMPLE", 2)
    long = "Grace " + "Hopper-" * 40
    for name in ("Ada", "Bob", long):
        assert cli("contact", "add", name).exit_code == 0
    listed = cli("contact", "list").stdout
    assert long in listed and "…" not in listed, listed
    assert [line.split()[:2] for line in listed.splitlines()[1:3]] == [["1", "Ada"], ["2", "Bob"]]


MACHINE = [("contact", "list"), ("deal", "list"), ("task", "list"), ("report", "pipeline")]
MACHINE.append(("report", "cases"))


@pytest.mark.parametrize("args", MACHINE)
def test_json_jsonl_and_csv_never_depend_on_the_width(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """--json, --jsonl and --csv are data: the terminal's width changes nothing in them."""
    from tinycrm.cli import output

    db = ["--db", str(demo_database)]
    for flag in ("--json", "--jsonl", "--csv"):
        texts = set()
        for columns in ("200", "40", "14"):
            monkeypatch.setenv("COLUMNS", columns)
            monkeypatch.setattr(output, "_console", None)
            text = cli(*db, *args, flag).stdout  # (a report says when it was made)
            texts.add(re.sub(r'"generated_at": ?"[^"]*"|\d{4}-\d\d-\d\dT[\d:.]+Z', "", text))
        assert len(texts) == 1, (args, flag)
        assert "…" not in texts.pop()


@pytest.mark.parametrize("noun", ["quote", "contract", "product"])
def test_numbers_codes_and_amounts_outlast_labels_in_other_lists(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch, noun: str
) -> None:
    """At 40 columns the quote list cut its numbers ('Q-2026-00…') and left out the
    totals; the contract list left out its values before its dates; product codes
    were cut."""
    monkeypatch.setenv("COLUMNS", "40")
    db = ["--db", str(demo_database)]
    table = cli(*db, noun, "list").stdout
    assert not re.search(r"\d…|[A-Z]-…", table), table
    note = " ".join(table.split())
    assert "total" not in note.split("not shown")[-1] or "not shown" not in note, table
    assert "value" not in note.split("not shown")[-1] or "not shown" not in note, table


def test_a_case_thread_on_a_narrow_terminal_keeps_its_messages(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 40 columns a case's thread kept its times and authors and left out the
    messages themselves; an activity table kept the kind and left out the subject."""
    monkeypatch.setenv("COLUMNS", "40")
    db = ["--db", str(demo_database)]
    case = cli(*db, "case", "list", "--json").json()[0]["id"]
    shown = cli(*db, "case", "show", str(case)).stdout
    thread = shown.split("Thread")[1]
    assert "message" in thread.splitlines()[1], shown
    deal = cli(*db, "deal", "list", "--json").json()[0]["id"]
    shown = cli(*db, "deal", "show", str(deal)).stdout
    activities = shown.split("Latest activities")[1]
    assert "subject" in activities.splitlines()[1], shown


@pytest.mark.parametrize("columns", [60, 50, 40])
def test_next_on_a_narrow_terminal_folds_its_why_and_never_cuts_a_date_or_an_amount(
    cli, demo_database, freeze_clock, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """At 60 columns `next` cut its "why" sentences anywhere: "was due 2026-11-…",
    "€86,000.00 at 40…". The why folds onto a second line now, and what does not fit is
    cut between words: a date, a time or an amount is shown whole or not at all."""
    from datetime import timedelta

    from tests.conftest import DEMO_NOW

    freeze_clock(DEMO_NOW + timedelta(days=14))
    monkeypatch.setenv("COLUMNS", str(columns))
    db = ["--db", str(demo_database)]
    rows = cli(*db, "next", "--limit", "12", "--json").json()
    table = cli(*db, "next", "--limit", "12").stdout
    assert all(len(line) <= columns for line in table.splitlines()), table
    whole = r"\d{4}-\d\d-\d\d( \d\d:\d\d)?|[€$£][\d,]+\.\d\d|\d+%"
    assert not re.search(r"[\d€$£-]…|\d{4}-", re.sub(whole, "", table)), table  # 2026-11-…
    words = set(table.replace("…", " ").split())
    assert all(row["reason"].split()[0] in words for row in rows), table
    at = table.splitlines()[0].index("why")
    said = {w.rstrip(",;:") for row in rows for w in row["reason"].split()}
    for line in table.splitlines()[1:]:  # the why is cut between words, never inside one
        cut = [w[:-1] for w in line[at:].split() if w.endswith("…")]
        assert all(w in said for w in cut), (cut, table)
    if columns >= 50:  # an overdue task's date shows whole, on the why's first line
        dated = [r for r in rows if re.match(r"was due \d{4}-", r["reason"])]
        assert dated and all(r["reason"][:18] in table for r in dated), table


@pytest.mark.parametrize("columns", [80, 60, 40])
def test_a_show_views_events_and_names_are_cut_between_words(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """At 80 columns `deal show` cut an event's summary inside its amount ('created deal
    Thames Ledger – Team expansion (£61,500…'), and names of other records anywhere
    ('Thames Ledger –…' is fine, 'Isarpunkt Versi…' is not). An event's summary folds
    onto two lines and is cut between words; names are cut between words."""
    monkeypatch.setenv("COLUMNS", str(columns))
    db = ["--db", str(demo_database)]
    for noun, ref in (("deal", "1"), ("company", "3")):
        view = cli(*db, noun, "show", ref, "--json").json()
        shown = cli(*db, noun, "show", ref).stdout
        whole = r"\d{4}-\d\d-\d\d( \d\d:\d\d)?|[€$£][\d,]+\.\d\d|\d+%"
        assert not re.search(r"[\d€$£]…|\(…", re.sub(whole, "", shown)), shown
        said = {w for e in view["events"] for w in e["summary"].split()}
        for name in ("contact", "company", "deal"):
            said |= {w for r in view.get("activities", []) for w in (r.get(name) or "").split()}
        events = shown.split("\nEvents (")[1]
        cut = [w[:-1] for w in events.split() if w.endswith("…")]
        assert all(w in said for w in cut), (cut, shown)
        activities = shown.split("Latest activities (")[1].split("\n\n")[0].splitlines()
        if "about" in activities[1]:  # (left out at 40 columns)
            at = activities[1].index("about")
            cut = [w[:-1] for row in activities[2:] for w in row[at:].split() if w[-1] == "…"]
            assert all(w in said for w in cut), (cut, shown)


def _strings(data: object) -> list[str]:
    """Every text in a JSON document."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        data = list(data.values())
    return [t for item in data for t in _strings(item)] if isinstance(data, list) else []


@pytest.mark.parametrize("columns", [60, 40])
def test_a_case_thread_quote_lines_and_score_rules_are_cut_between_words(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """At 60 columns a case's messages were cut anywhere ('Hi, reports load s…'), a quote
    line's product ('Implementa…') and a score rule's condition too. A message and a
    condition fold onto two lines and are cut between words; names are cut between
    words, and their column keeps room for a first word whole."""
    db = ["--db", str(demo_database)]
    case = cli(*db, "case", "list", "--json").json()[0]["id"]
    quote = cli(*db, "quote", "list", "--json").json()[0]["id"]
    for args in (["case", "show", str(case)], ["quote", "show", str(quote)],
                 ["score", "explain", "1"]):  # fmt: skip
        monkeypatch.setenv("COLUMNS", "200")
        texts = _strings(cli(*db, *args, "--json").json())
        said = {w.strip(".,;:!?()") for t in texts for w in t.split()}
        monkeypatch.setenv("COLUMNS", str(columns))
        shown = cli(*db, *args).stdout
        table = shown.split("\n\n", 1)[-1] if args[0] != "score" else shown
        cut = [w[:-1].strip(".,;:!?()") for w in table.split() if w.endswith("…")]
        assert all(w in said for w in cut if w), (args, cut, shown)


def test_rows_folded_onto_two_lines_count_as_two_for_the_pager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`next`'s rows fold onto two lines on a narrow terminal: twenty of them are forty
    lines, past a 24-line screen, and go through the pager as any list that long."""
    import io

    from tinycrm.cli import pager, table

    asked: list[int] = []
    monkeypatch.setattr(pager, "wanted", lambda lines, stream=None: asked.append(lines) or False)
    monkeypatch.setenv("COLUMNS", "30")
    columns = [Column("#", lambda row: "", justify="right"), Column("why", lambda row: "", lines=2)]
    rows = [[str(n), "was due 2026-11-26 · Polder Robotics – Onboarding"] for n in range(20)]
    written = io.StringIO()
    table.write(iter(rows), columns, stream=written)
    assert asked == [1 + 40] and len(written.getvalue().splitlines()) == 41


def test_a_tables_title_keeps_to_the_terminals_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table's title names a record ('Line items of <deal>'): a deal title of 10,000
    characters (stored by an older version or SQL) was written whole over the rows, a
    hundred lines on a terminal, while every cell under it was cut. Now the title is cut
    with '…' at the terminal's width as the cells are; into a pipe it stays whole."""
    import io

    from tinycrm.cli import table

    columns = [Column("id", lambda row: "", justify="right"), Column("name", lambda row: "")]
    title = "Line items of " + "L" * 10_000
    monkeypatch.setenv("COLUMNS", "40")
    shown = io.StringIO()
    table.write(iter([["1", "Ada"]]), columns, title=title, stream=shown)
    first, *rest = shown.getvalue().splitlines()
    assert first == title[:39] + "…"
    assert rest == ["id  name", " 1  Ada"]
    monkeypatch.delenv("COLUMNS")
    piped = io.StringIO()
    table.write(iter([["1", "Ada"]]), columns, title=title, stream=piped)
    assert piped.getvalue().splitlines()[0] == title


@pytest.mark.parametrize("value", ["abc", "1e3", "-5", " "])
def test_a_columns_that_is_no_width_is_read_as_none_into_a_pipe(
    cli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """`COLUMNS=abc tinycrm contact list > file` ended in a ValueError traceback (a show
    view too), and COLUMNS=-5 wrote every row as an empty line. A $COLUMNS that is not a
    positive whole number is now read as unset, as the terminal's own size query reads it:
    the rows go out whole."""
    from tinycrm.cli import output

    name = "Ada " + "Lovelace-" * 30
    assert cli("contact", "add", name, "--notes", "x").exit_code == 0
    monkeypatch.setenv("COLUMNS", value)
    monkeypatch.setattr(output, "_console", None)
    listed = cli("contact", "list")
    assert listed.exit_code == 0 and name in listed.stdout, listed
    shown = cli("contact", "show", "1")
    monkeypatch.setattr(output, "_console", None)
    assert shown.exit_code == 0 and shown.stdout.startswith("Ada "), shown


def test_a_long_custom_field_name_leaves_a_show_views_values_their_room(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A custom field may be named with 64 characters. Its name widened the show view's
    label column past a 60-column terminal, and every value of the view (id, email,
    lifecycle, the field's own) was squeezed out: only the labels showed. Now a label
    longer than a third of the terminal is cut with '…', the values keep their room."""
    from tinycrm.cli import output

    key = "k" + "x" * 63
    assert (
        cli("contact", "add", "Ada", "--email", "ada@x.io", "--field", f"{key}=gold").exit_code == 0
    )
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setattr(output, "_console", None)
    shown = cli("contact", "show", "Ada").stdout
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(output, "_console", None)
    assert "ada@x.io" in shown and "lead" in shown, shown
    (line,) = [line for line in shown.splitlines() if line.startswith("kxx")]
    assert line.endswith("gold") and "…" in line and len(line) <= 60, shown


def _every_list() -> dict[tuple[str, str], list[Column]]:
    from tinycrm.cli import companies, leads, products, quotes, views

    return {
        ("contact", "list"): views.CONTACT_COLUMNS,
        ("company", "list"): companies.COLUMNS,
        ("deal", "list"): views.DEAL_COLUMNS,
        ("task", "list"): views.TASK_COLUMNS,
        ("case", "list"): views.CASE_COLUMNS,
        ("product", "list"): products.COLUMNS,
        ("lead", "list"): leads.COLUMNS,
        ("quote", "list"): quotes.COLUMNS,
        ("contract", "list"): views.CONTRACT_COLUMNS,
    }


def _cut_cells(table: str) -> list[tuple[str, int]]:
    """Each cell cut with '…': its column's header and how many cells it shows."""
    lines = table.splitlines()
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=  ))\S", header)]
    cut = []
    for line in lines[1:]:
        if line.startswith("not shown at"):
            break
        for m in re.finditer(r"…", line):
            start = max(s for s in [0, *(g.end() for g in re.finditer("  +", line[: m.start()]))])
            column = max((i for i, s in enumerate(starts) if s <= start), default=0)
            name = re.split(r"  +", header[starts[column] :].strip())[0]
            cut.append((name, m.end() - start))
    return cut


@pytest.mark.parametrize("columns", [40, 80, 100, 160])
def test_a_list_cuts_no_label_unreadably_while_a_column_could_go_instead(
    cli, demo_database, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """At 100 columns the deal list cut its titles to 13 letters ('Mediterránea…') and
    showed the tags: columns were left out by fixed widths, not by what the rows hold.
    Now a name or title gives way to no fewer than 20 cells (a third of a narrower
    terminal) while another column is shown, another label to no fewer than 16 while a
    column that matters least (keep 1) is shown: that one is left out instead (and the
    note under the table names it)."""
    from tinycrm.table_layout import always_shown

    db = ["--db", str(demo_database)]
    monkeypatch.setenv("COLUMNS", str(columns))
    for noun, spec in _every_list().items():
        names = {spec[i].header for i in always_shown(spec)}
        least = {c.header for c in spec if c.keep <= 1} - names
        table = cli(*db, *noun, "--limit", "30").stdout
        assert all(len(line) <= columns for line in table.splitlines()), (noun, table)
        shown = set(re.split(r"  +", table.splitlines()[0].strip()))
        for header, width in _cut_cells(table):
            if header in names and shown - names:
                assert width >= min(20, columns // 3), (noun, header, width, table)
            elif shown & least:
                assert width >= 16, (noun, header, width, table)


@pytest.mark.parametrize("columns", [80, 100, 140])
def test_a_column_empty_in_every_row_gives_way_to_the_others(
    cli, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """A list's empty columns (phone, title, company, tags nobody has; done on open
    tasks) took their headers' room at every width, and a narrow terminal cut the names
    for them. Such a column is left out (not named in the footnote: nothing is lost);
    --json and --csv keep every field."""
    from tinycrm.cli import table

    monkeypatch.setenv("COLUMNS", str(columns))
    name = "Ada Lovelace-Byron of Ockham"  # (cut at 80 columns for the empty ones)
    assert cli("contact", "add", name, "--email", "ada@example.com").exit_code == 0
    assert cli("contact", "add", "Bob").exit_code == 0
    assert cli("task", "add", "Call Bob", "--due", "tomorrow").exit_code == 0
    listed = cli("contact", "list").stdout
    header = listed.splitlines()[0].split()
    assert header == ["id", "name", "email", "lifecycle", "lead"], listed
    assert name in listed and "not shown" not in listed, listed
    assert cli("task", "list").stdout.splitlines()[0].split() == ["id", "due", "task"]
    assert {"phone", "tags"} <= set(cli("contact", "list", "--json").json()[0])
    assert "tags" in cli("contact", "list", "--csv").stdout.splitlines()[0]
    # a column filled in one row shows; past the rows sampled, every column shows
    assert cli("contact", "edit", "Bob", "--phone", "+49 30 1234567").exit_code == 0
    assert "phone" in cli("contact", "list").stdout.splitlines()[0].split()
    monkeypatch.setattr(table, "SAMPLE", 1)
    assert "tags" in cli("contact", "list").stdout  # (in the header, or the footnote)

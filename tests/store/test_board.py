"""What the board reads: columns with aggregates, card badges, the feed, jumps, the marker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tinycrm.store.activities import add_task, complete_task, log_activity
from tinycrm.store.board import column_key, load_board, load_cards
from tinycrm.store.companies import add_company
from tinycrm.store.contacts import add_contact
from tinycrm.store.deals import add_deal, edit_deal, lose_deal, move_deal, win_deal
from tinycrm.store.errors import Invalid
from tinycrm.store.feed import change_marker, list_feed
from tinycrm.store.filter_sql import InvalidFilter, check_filter
from tinycrm.store.pipelines import add_pipeline, edit_stage
from tinycrm.store.record_search import complete_name
from tinycrm.store.search import search
from tinycrm.store.segments import save_segment

NOW = datetime.now(UTC)


def _column(board, name):  # type: ignore[no-untyped-def]
    return next(c for c in board.columns if c.name == name)


def _checked(store, name, **kwargs):  # type: ignore[no-untyped-def]
    """Column ``name`` of the whole board, after checking that its first page
    (``per_column``) and a page of it (``load_cards``) give the same cards and badges: the
    badges of a few cards are read deal by deal, those of a whole board all at once."""
    column = _column(load_board(store, **kwargs), name)
    assert _column(load_board(store, per_column=100, **kwargs), name).cards == column.cards
    assert load_cards(store, column.key, limit=100, **kwargs).cards == column.cards
    return column


def _titles(column) -> list[str]:  # type: ignore[no-untyped-def]
    return [card.title for card in column.cards]


def test_change_marker_moves_with_every_write(store) -> None:
    before = change_marker(store)
    assert change_marker(store) == before
    add_company(store, name="Acme")
    after = change_marker(store)
    assert after != before
    assert after.last_event_id > before.last_event_id
    add_deal(store, title="Renewal", company="Acme")
    assert change_marker(store) != after


def test_columns_count_total_and_weighted_per_stage(store) -> None:
    add_company(store, name="Acme")
    add_deal(store, title="A", amount="1000", company="Acme")  # Lead-in 10 %
    add_deal(store, title="B", amount="3000")  # Lead-in 10 %
    add_deal(store, title="C", amount="2000", probability=40)  # override
    add_deal(store, title="D", amount="500", currency="USD", stage="Proposal")  # 50 %
    add_deal(store, title="E", stage="Proposal")  # no amount
    board = load_board(store)
    assert board.pipeline == "Sales"
    assert [c.name for c in board.columns] == ["Lead-in", "Qualified", "Proposal", "Negotiation"]
    lead_in = _column(board, "Lead-in")
    assert lead_in.count == 3
    (eur,) = lead_in.totals
    assert (eur.currency, eur.total, eur.weighted) == ("EUR", Decimal("6000"), Decimal("1200"))
    proposal = _column(board, "Proposal")
    assert proposal.count == 2
    assert [(t.currency, t.total, t.weighted) for t in proposal.totals] == [
        ("USD", Decimal("500"), Decimal("250"))
    ]
    assert _column(board, "Qualified").count == 0
    assert _column(board, "Qualified").totals == []
    assert board.deals_total == 5
    card = next(c for c in lead_in.cards if c.title == "A")
    assert (card.company, card.amount, card.currency, card.probability) == (
        "Acme",
        Decimal("1000"),
        "EUR",
        10,
    )
    assert next(c for c in lead_in.cards if c.title == "C").probability == 40


def test_weighted_value_is_rounded_to_minor_units(store) -> None:
    add_deal(store, title="odd", amount="0.05", probability=50)
    (total,) = _column(load_board(store), "Lead-in").totals
    assert total.weighted == Decimal("0.03")  # 2.5 cents, half up


def test_cards_ordered_by_close_date_undated_last(store) -> None:
    add_deal(store, title="undated")
    add_deal(store, title="late", close_date=date(2027, 3, 1))
    add_deal(store, title="soon", close_date=date(2027, 1, 1))
    assert _titles(_column(load_board(store), "Lead-in")) == ["soon", "late", "undated"]


def test_moves_show_in_the_right_column(store) -> None:
    add_deal(store, title="Renewal", amount="100")
    move_deal(store, "Renewal", "Negotiation")
    board = load_board(store)
    assert _column(board, "Lead-in").count == 0
    (card,) = _column(board, "Negotiation").cards
    assert (card.title, card.probability) == ("Renewal", 75)
    assert _column(board, "Negotiation").totals[0].weighted == Decimal("75")


def test_won_and_lost_columns_on_request(store) -> None:
    for title in ("open", "won", "lost"):
        add_deal(store, title=title, amount="1000")
    win_deal(store, "won")
    lose_deal(store, "lost", reason="price")
    hidden = load_board(store)
    assert [c.key for c in hidden.columns if c.status != "open"] == []
    assert sum(c.count for c in hidden.columns) == 1
    board = load_board(store, closed=True)
    won, lost = board.columns[-2:]
    assert (won.key, won.name, won.count, _titles(won)) == ("won", "Won", 1, ["won"])
    assert (lost.key, lost.count, _titles(lost)) == ("lost", 1, ["lost"])
    assert won.totals[0].weighted == Decimal("1000")
    assert lost.totals[0].weighted == Decimal("0")
    assert won.cards[0].status == "won" and won.cards[0].closed_at is not None
    assert column_key(status="won") == "won"


def test_badge_overdue_task(store) -> None:
    add_deal(store, title="late task")
    add_deal(store, title="future task")
    add_deal(store, title="done task")
    add_task(store, text="call back", due=NOW - timedelta(hours=1), deal="late task")
    add_task(store, text="later", due=NOW + timedelta(days=2), deal="future task")
    done = add_task(store, text="was late", due=NOW - timedelta(days=1), deal="done task")
    complete_task(store, done.id)
    cards = {c.title: c for c in _checked(store, "Lead-in").cards}
    assert cards["late task"].overdue_task
    assert not cards["future task"].overdue_task
    assert not cards["done task"].overdue_task


def test_badge_rotting_after_the_stages_days_without_activity(store, freeze_clock) -> None:
    add_deal(store, title="quiet")
    add_deal(store, title="busy")
    add_deal(store, title="old call")
    later = NOW + timedelta(days=30)  # Lead-in rots after 14 days
    log_activity(store, kind="call", text="ages ago", deal="old call", at=NOW)
    freeze_clock(later)  # a call is logged once it has happened
    log_activity(store, kind="call", text="checked in", deal="busy", at=later - timedelta(days=2))
    cards = {c.title: c for c in _checked(store, "Lead-in", now=later).cards}
    assert cards["quiet"].rotting
    assert not cards["busy"].rotting
    assert cards["old call"].rotting
    assert not any(c.rotting for c in _checked(store, "Lead-in", now=NOW).cards)


def test_rotting_clock_restarts_on_a_move_and_stops_without_threshold(store) -> None:
    add_deal(store, title="moved")
    add_deal(store, title="no threshold", stage="Qualified")
    later = NOW + timedelta(days=30)
    edit_stage(store, None, "Qualified", rotting_days=None)
    board = load_board(store, now=later)
    assert not _column(board, "Qualified").cards[0].rotting
    move_deal(store, "moved", "Proposal")  # entered Proposal now: 30 days > 10 rotting days
    assert _checked(store, "Proposal", now=later).cards[0].rotting
    assert not _checked(store, "Proposal", now=NOW + timedelta(days=5)).cards[0].rotting


def test_badge_closing_within_seven_days(store) -> None:
    today = NOW.date()
    add_deal(store, title="in 3 days", close_date=today + timedelta(days=3))
    add_deal(store, title="in 10 days", close_date=today + timedelta(days=10))
    add_deal(store, title="overdue", close_date=today - timedelta(days=3))
    add_deal(store, title="undated")
    noon = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    cards = {c.title: c for c in _checked(store, "Lead-in", now=noon).cards}
    assert cards["in 3 days"].closing_soon
    assert not cards["in 10 days"].closing_soon
    assert not cards["overdue"].closing_soon
    assert not cards["undated"].closing_soon


def test_filter_narrows_cards_and_aggregates(store) -> None:
    add_contact(store, name="Jürgen Müller", email="jm@acme.de", company="Acme GmbH")
    add_contact(store, name="Ada Lovelace", email="ada@x.com")
    add_deal(store, title="Acme renewal", contact="jm@acme.de", amount="100", tags=["enterprise"])
    add_deal(store, title="Other", contact="ada@x.com", amount="50", owner="sam")
    add_deal(store, title="Third", amount="10", tags=["enterprise"], owner="sam")

    def titles(where: str) -> list[str]:
        board = load_board(store, where=where)
        return sorted(c.title for col in board.columns for c in col.cards)

    assert titles("ACME") == ["Acme renewal"]  # the title, and the company's name
    assert titles("gmbh") == ["Acme renewal"]
    assert titles("lovelace") == ["Other"]
    assert titles("tag:Enterprise") == ["Acme renewal", "Third"]
    assert titles("#Enterprise") == ["Acme renewal", "Third"]
    assert titles("owner:SAM") == ["Other", "Third"]
    assert titles("@SAM") == ["Other", "Third"]
    assert titles("contact:müller") == ["Acme renewal"]
    assert titles("contact:ada@") == ["Other"]
    assert titles("tag:enterprise owner:sam") == ["Third"]
    assert titles("#enterprise @sam") == ["Third"]
    assert titles("100%_") == []
    assert titles('"acme renewal"') == ["Acme renewal"]
    assert titles("acme renewal") == ["Acme renewal"]  # each word, anywhere
    board = load_board(store, where=" @sam ")
    lead_in = _column(board, "Lead-in")
    assert (lead_in.count, lead_in.totals[0].total) == (2, Decimal("60"))
    assert board.where == "@sam" and board.deals_total == 3
    assert load_board(store, where="  ").where is None


def _where_data(store) -> None:  # type: ignore[no-untyped-def]
    today = NOW.date()
    add_contact(store, name="Jürgen Müller", email="jm@acme.de", company="Acme GmbH")
    add_contact(store, name="Ada Lovelace", email="ada@x.com")
    add_deal(
        store,
        title="Acme renewal",
        contact="jm@acme.de",
        amount="18500",
        close_date=today + timedelta(days=3),
        tags=["enterprise"],
    )
    add_deal(
        store,
        title="Engines pilot",
        contact="ada@x.com",
        amount="7200",
        stage="Qualified",
        close_date=today + timedelta(days=60),
        owner="sam",
    )
    add_deal(
        store,
        title="Acme support",
        company="Acme GmbH",
        amount="24000",
        currency="USD",
        stage="Proposal",
        tags=["churn"],
    )
    add_deal(
        store,
        title="Big expansion",
        company="Acme GmbH",
        amount="120000",
        stage="Proposal",
        probability=60,
        close_date=today - timedelta(days=45),
    )
    add_deal(store, title="Small one", amount="900", stage="Negotiation", owner="Sam",
             tags=["enterprise"])  # fmt: skip


def test_where_expression_narrows_cards_and_aggregates(store) -> None:
    _where_data(store)
    save_segment(store, name="Big ones", expression="amount>=20000")

    def titles(where: str) -> list[str]:
        board = load_board(store, where=where, now=NOW)
        return sorted(c.title for col in board.columns for c in col.cards)

    assert titles("amount>10000 and stage=Proposal") == ["Acme support", "Big expansion"]
    assert titles("tag:enterprise or owner=sam") == ["Acme renewal", "Engines pilot", "Small one"]
    assert titles("probability>=50 and not tag:churn") == ["Big expansion", "Small one"]
    assert titles("close<+30d") == ["Acme renewal", "Big expansion"]  # before 30 days from now
    assert titles("close>30d") == ["Big expansion"]  # more than 30 days ago
    assert titles("(stage=qualified or stage=negotiation) and amount<5000") == ["Small one"]
    # the quick forms are conditions too; a bare word searches title, company, contact
    assert titles("#enterprise and @SAM") == ["Small one"]
    assert titles("owner:sam and not #enterprise") == ["Engines pilot"]
    assert titles("contact:ada@ or contact:müller") == ["Acme renewal", "Engines pilot"]
    assert titles("gmbh and amount<=30000") == ["Acme renewal", "Acme support"]
    assert titles("not acme") == ["Engines pilot", "Small one"]  # exact complement
    assert titles("segment:'big ones'") == ["Acme support", "Big expansion"]
    assert titles('segment!="Big ones" and stage=Proposal') == []
    # side by side, every part must match; values are bound, never SQL
    assert titles("amount>1000 owner:sam") == ["Engines pilot"]
    assert titles('title="x\' or 1=1 --"') == []
    board = load_board(store, where="stage=Proposal and amount>=10k", now=NOW)
    proposal = _column(board, "Proposal")
    assert proposal.count == 2
    assert [(t.currency, t.total) for t in proposal.totals] == [
        ("EUR", Decimal("120000")),
        ("USD", Decimal("24000")),
    ]
    assert _column(board, "Lead-in").count == 0
    assert board.where and board.deals_total == 5


@pytest.mark.parametrize(
    ("where", "position", "reason"),
    [
        ("amount>", 8, "expected a value after '>'"),
        ("amount>10000 and", 17, "expected a condition after 'and'"),
        ("owner:", 7, "expected an owner after 'owner:'"),
        ("contact:'' and amount>1", 9, "expected a name or email after 'contact:'"),
        ("amount>1 and segment>y", 21, "'>' does not work on segment"),
        ("stage", 6, "expected an operator after 'stage'"),
        ("amount>5 and sta", 14, "expected a condition, not 'sta' (did you mean stage, status?)"),
        ("stage>Proposal", 6, "'>' does not work on stage"),
        ("status=opn", 8, "status is one of open, won, lost"),
        ("lifecycle=lead", 1, "unknown field 'lifecycle' for deals"),
        ("#", 2, "expected a tag after '#'"),
        ("segment:nope", 9, "no segment"),
    ],
)
def test_where_errors_say_where(store, where: str, position: int, reason: str) -> None:
    with pytest.raises(InvalidFilter) as caught:
        load_board(store, where=where)
    assert caught.value.position == position
    assert caught.value.reason.startswith(reason), caught.value.reason


def test_where_check_without_a_session_leaves_segments_to_loading() -> None:
    assert check_filter("deal", "segment:whatever and amount>5")  # no lookup, no error
    with pytest.raises(InvalidFilter) as caught:
        check_filter("deal", "segment:x and (")
    assert caught.value.position == 16


def test_other_pipelines(store) -> None:
    add_pipeline(store, name="Hiring", stages=[("Screen", 20, None), ("Offer", 80, 3)])
    add_deal(store, title="Engineer", pipeline="Hiring")
    add_deal(store, title="Sale")
    board = load_board(store, pipeline="Hiring")
    assert [c.name for c in board.columns] == ["Screen", "Offer"]
    assert [p.name for p in board.pipelines] == ["Sales", "Hiring"]
    assert _titles(board.columns[0]) == ["Engineer"]
    assert _titles(_column(load_board(store), "Lead-in")) == ["Sale"]
    assert load_board(store, pipeline=board.pipeline_id).pipeline == "Hiring"


def test_empty_database(store) -> None:
    board = load_board(store)
    assert board.deals_total == 0
    assert [c.count for c in board.columns] == [0, 0, 0, 0]
    assert board.where is None


def test_feed_is_newest_first_and_points_at_records(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com", company="Acme")
    deal = add_deal(store, title="Renewal", contact="Ada")
    log_activity(store, kind="call", text="Intro", ref="contact:Ada")
    log_activity(store, kind="email", text="Offer", ref="Renewal")
    edit_stage(store, None, "Proposal", probability=55)
    feed = list_feed(store, limit=10)
    assert [e.action for e in feed] == [
        "updated",
        "logged",
        "logged",
        "created",
        "created",
        "created",
    ]
    assert (feed[0].entity, feed[0].record_kind, feed[0].record_id) == ("stage", None, None)
    assert (feed[1].record_kind, feed[1].record_id) == ("deal", deal.id)
    assert feed[2].record_kind == "contact"
    assert (feed[3].record_kind, feed[3].record_id) == ("deal", deal.id)
    assert feed[0].at.tzinfo is not None
    newer = list_feed(store, after_id=feed[1].id)
    assert [e.id for e in newer] == [feed[0].id]
    assert len(list_feed(store, limit=2)) == 2


def test_search_finds_every_kind_the_palette_shows(store) -> None:
    """The palette's search (store.search): names first, a line of detail each."""
    add_company(store, name="Müller Werkzeug GmbH", domain="mueller.de")
    add_contact(store, name="Jürgen Müller", email="jm@acme.de")
    add_deal(store, title="Müller renewal", company="Müller Werkzeug GmbH")
    hits = search(store, "MÜLLER")
    assert [(h.kind, h.label) for h in hits] == [
        ("deal", "Müller renewal"),  # name starts with the word: first, newest first
        ("company", "Müller Werkzeug GmbH"),
        ("contact", "Jürgen Müller"),
    ]
    assert hits[0].detail == "Müller Werkzeug GmbH · open"
    assert [h.kind for h in search(store, "mueller.de")] == ["company"]
    assert search(store, "   ") == []
    assert search(store, "zz") == []


def test_complete_name(store) -> None:
    add_company(store, name="Acme GmbH")
    add_contact(store, name="Jürgen Müller")
    assert complete_name(store, kind="company", prefix="ac") == "Acme GmbH"
    assert complete_name(store, kind="contact", prefix="JÜR") == "Jürgen Müller"
    assert complete_name(store, kind="contact", prefix="jur") == "Jürgen Müller"  # folded
    add_company(store, name="Ångström Labs")
    assert complete_name(store, kind="company", prefix="ang") == "Ångström Labs"
    assert complete_name(store, kind="contact", prefix="x") is None
    assert complete_name(store, kind="contact", prefix="  ") is None
    with pytest.raises(ValueError):
        complete_name(store, kind="deal", prefix="a")


def test_card_tags_and_edits_show(store) -> None:
    add_deal(store, title="Renewal", tags=["b", "a"], owner="sam")
    edit_deal(store, "Renewal", amount="99.50", currency="USD")
    (card,) = _column(load_board(store), "Lead-in").cards
    assert (card.tags, card.owner, card.amount, card.currency) == (
        ["a", "b"],
        "sam",
        Decimal("99.50"),
        "USD",
    )


def test_a_board_cut_to_its_first_cards_per_column(store) -> None:
    """``per_column``: each column's first cards in the full board's order (open by close
    date, undated last; won and lost newest first), with the whole column's count and
    totals; the board says it was cut."""
    today = date.today()
    for i in range(5):
        add_deal(store, title=f"due {i}", amount="100", close_date=today + timedelta(days=5 - i))
    add_deal(store, title="undated", amount="100")
    add_deal(store, title="proposal", stage="Proposal")
    for i in range(4):
        add_deal(store, title=f"won {i}")
        win_deal(store, f"won {i}")
    full = load_board(store, closed=True)
    cut = load_board(store, closed=True, per_column=2)
    assert (full.per_column, cut.per_column) == (None, 2)
    for whole, part in zip(full.columns, cut.columns, strict=True):
        assert (part.key, part.count, part.totals) == (whole.key, whole.count, whole.totals)
        assert part.cards == whole.cards[:2]
    assert _titles(_column(cut, "Lead-in")) == ["due 4", "due 3"]
    assert _titles(_column(cut, "Won")) == ["won 3", "won 2"]
    assert _column(cut, "Lead-in").count == 6
    assert [c.cards for c in load_board(store, per_column=0).columns] == [[], [], [], []]


def test_pages_of_a_column_read_it_whole_in_the_boards_order(store) -> None:
    """``load_cards``: pages after a card, before a card and from an offset each read the
    column in the full board's order (ties on a date by id, undated last; closed newest
    first), no card twice and none left out, each page saying where it sits."""
    today = date.today()
    for i in range(9):  # three deals on each of three days, and two undated
        add_deal(store, title=f"due {i}", amount="100", close_date=today + timedelta(days=i % 3))
    add_deal(store, title="undated 1")
    add_deal(store, title="undated 2")
    add_deal(store, title="proposal", stage="Proposal")
    for i in range(5):
        add_deal(store, title=f"won {i}")
        win_deal(store, f"won {i}")
    full = load_board(store, closed=True)
    for column in full.columns:
        whole = column.cards
        forward: list = []
        page = load_cards(store, column.key, limit=3)
        while True:
            assert page.count == column.count == len(whole)
            assert page.offset == len(forward)
            assert page.cards == whole[page.offset : page.offset + 3]
            forward += page.cards
            if not page.cards:
                break
            page = load_cards(store, column.key, after=page.cards[-1], limit=3)
        assert forward == whole
        if not whole:
            assert load_cards(store, column.key, before=None, limit=3).cards == []
            continue
        backward: list = []
        page = load_cards(store, column.key, before=whole[-1], limit=4)
        while page.cards:
            assert page.offset == len(whole) - 1 - len(backward) - len(page.cards)
            backward = page.cards + backward
            page = load_cards(store, column.key, before=page.cards[0], limit=4)
        assert page.offset == 0
        assert backward == whole[:-1]
        for offset in range(len(whole) + 1):
            page = load_cards(store, column.key, offset=offset, limit=2)
            assert (page.offset, page.cards) == (offset, whole[offset : offset + 2])
    lead_in = _column(full, "Lead-in")
    assert _titles(lead_in)[-2:] == ["undated 1", "undated 2"]
    tail = load_cards(store, lead_in.key, after=lead_in.cards[-3], limit=10)
    assert [c.title for c in tail.cards] == ["undated 1", "undated 2"]
    assert tail.offset == 9


def test_a_page_follows_the_filter_and_refuses_a_column_not_on_the_board(store) -> None:
    for i in range(6):
        add_deal(
            store, title=f"deal {i}", amount=str(100 * (i + 1)), owner="sam" if i % 2 else "jo"
        )
    board = load_board(store, where="@sam")
    key = board.columns[0].key
    page = load_cards(store, key, where="@sam", limit=2)
    assert page.count == 3
    assert [c.title for c in page.cards] == ["deal 1", "deal 3"]
    page = load_cards(store, key, where="@sam", after=page.cards[-1], limit=2)
    assert ([c.title for c in page.cards], page.offset) == (["deal 5"], 2)
    for bad in ("stage:999999", "stage:x", "open", ""):
        with pytest.raises(Invalid):
            load_cards(store, bad)
    with pytest.raises(Invalid):
        load_cards(store, key, offset=1, after=page.cards[0])
    other = add_pipeline(store, name="Partners", stages=[("Talk", 10, None), ("Sign", 90, None)])
    foreign = f"stage:{other.stages[0].id}"
    with pytest.raises(Invalid):
        load_cards(store, foreign)
    assert load_cards(store, foreign, pipeline="Partners").count == 0

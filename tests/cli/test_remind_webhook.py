"""tinycrm.cli.remind_webhook: a batch in parts each small enough for the receiver."""

from __future__ import annotations

from datetime import UTC, datetime

from tinycrm.cli.remind import _text
from tinycrm.cli.remind_webhook import MAX_BODY, SHORTENED, body_size, parts
from tinycrm.store.reminder_items import GROUPS, DueItem

DUE = datetime(2026, 12, 7, 9, tzinfo=UTC)


def _item(n: int, title: str, group: str = "overdue") -> DueItem:
    return DueItem(
        key=f"task:{n}", group=group, due_at=DUE, title=title, detail="was due 1 h ago",
        entity="activity", entity_id=n,
    )  # fmt: skip


def _render(items: list[DueItem]) -> str:
    return _text(items, GROUPS)


def test_a_small_batch_is_one_part_as_before() -> None:
    items = [_item(1, "Call Ada")]
    ((part, payload),) = parts(items, _render)
    assert part == items and payload["count"] == 1 and payload["text"] == _render(items)


def test_a_big_batch_of_every_group_is_in_order_and_under_the_limit() -> None:
    groups = list(GROUPS)
    items = [_item(n, f"Item {n} " + "é" * 90, groups[n % len(groups)]) for n in range(400)]
    done = parts(items, _render)
    assert [i for part, _ in done for i in part] == items
    assert all(body_size(payload) <= MAX_BODY for _, payload in done)
    assert all(p["count"] == len(part) for part, p in done)
    assert done[-1][1]["text"].startswith(f"tinycrm: part {len(done)} of {len(done)}, ")
    assert len(done) < 400 / 3  # parts are filled, not one item each


def test_an_item_too_big_alone_is_shortened_with_a_note() -> None:
    """A title imported with thousands of escapes (each shown as four characters or
    more): the item goes, cut, saying so, rather than a POST the receiver refuses."""
    items = [_item(1, "a"), _item(2, "\x1b[31m" * 3000), _item(3, "c")]
    done = parts(items, _render)
    assert all(body_size(payload) <= MAX_BODY for _, payload in done)
    told = [i for part, _ in done for i in part]
    assert [i.key for i in told] == ["task:1", "task:2", "task:3"]
    assert told[1].detail.endswith(SHORTENED) and SHORTENED in done[1][1]["text"]


def test_an_item_too_big_for_discord_alone_is_shortened_within_2000_characters() -> None:
    from tinycrm.cli.remind_webhook import Target

    discord = Target("discord")
    items = [_item(1, "a"), _item(2, "🎉" * 3000), _item(3, "c")]
    done = parts(items, _render, discord)
    assert all(len(p["content"].encode("utf-16-le")) // 2 <= 2000 for _, p in done)
    told = [i for part, _ in done for i in part]
    assert [i.key for i in told] == ["task:1", "task:2", "task:3"]
    assert told[1].detail.endswith("(shortened: this webhook takes at most 2,000 characters)")


def test_mattermost_gets_no_hashtag_nor_channel_link_from_stored_text() -> None:
    """Mattermost makes '#word' a search link and '~name' a link to a channel after it
    has read the markdown, so the backslash before them did not stop it: a task titled
    'Ask ~town-square about #refunds' showed two links. Now a '#' or '~' starting a word
    has a word joiner (U+2060) after it, as an '@' has: shown as typed, no link. One
    inside a word, or in a bare URL, is left as it was."""
    from tinycrm.cli.remind_webhook import mattermost_escaped

    joined = mattermost_escaped("Ask ~town-square about #refunds (~ops, #2026)")
    assert joined == (
        "Ask \\~\u2060town-square about \\#\u2060refunds \\(\\~\u2060ops, \\#\u20602026\\)"
    )
    assert mattermost_escaped("C# a~b") == "C\\# a\\~b"
    url = "https://x.example/~ann/page#part"
    assert mattermost_escaped(f"see {url}") == f"see {url}"


def test_a_teams_address_is_told_from_its_url() -> None:
    """Teams' Workflows addresses (Power Automate on logic.azure.com, and the newer
    powerplatform.com ones) and the Office 365 connectors' webhook.office.com get the
    Adaptive Card; another path on those hosts, or another host, does not."""
    from tinycrm.cli.remind_webhook import target

    teams = [
        "https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/"
        "invoke?api-version=2016-06-01&sp=%2Ftriggers&sv=1.0&sig=XYZ",
        "https://default0a1b.02.environment.api.powerplatform.com:443/powerautomate/"
        "automations/direct/workflows/0a1b/triggers/manual/paths/invoke?sig=XYZ",
        "https://contoso.webhook.office.com/webhookb2/0a1b@c2d3/IncomingWebhook/e4f5/g6h7",
        "https://example.com/anything#teams",
        "https://example.com/anything#Teams",
    ]
    assert [target(url).kind for url in teams] == ["teams"] * len(teams)
    others = [
        "https://prod-12.westeurope.logic.azure.com/other/path",
        "https://evil-logic.azure.com.example.com/workflows/x",
        "https://example.com/workflows/x",
    ]
    assert [target(url).kind for url in others] == ["json"] * len(others)


def test_teams_shows_a_blank_line_as_a_gap_not_an_empty_run() -> None:
    from tinycrm.cli.remind_webhook import teams_card

    card = teams_card("tinycrm: 1 thing due\n\nOverdue\n  - Call Ada\n")
    blocks = card["attachments"][0]["content"]["body"]
    shown = [b["inlines"][0]["text"] for b in blocks]
    assert shown == ["tinycrm: 1 thing due", "Overdue", "  - Call Ada"]
    assert "spacing" not in blocks[0]
    assert blocks[1]["spacing"] == "Medium" and blocks[2]["spacing"] == "None"


def test_an_item_too_big_for_teams_alone_is_shortened_within_24_kb() -> None:
    from tinycrm.cli.remind_webhook import Target

    teams = Target("teams")
    items = [_item(1, "a"), _item(2, "\x1b[31m" * 9000), _item(3, "c")]
    done = parts(items, _render, teams)
    assert all(body_size(p) <= 24 * 1024 for _, p in done)
    told = [i for part, _ in done for i in part]
    assert [i.key for i in told] == ["task:1", "task:2", "task:3"]
    assert told[1].detail.endswith("(shortened: this webhook takes at most 24 KB)")


def test_teams_shows_a_stored_date_function_as_typed() -> None:
    """An Adaptive Card reads '{{DATE(2017-02-14T06:00:00Z, SHORT)}}' in a run's text as
    a date to show in the reader's format: a title holding it was not shown as typed."""
    from tinycrm.cli.remind_webhook import teams_card

    card = teams_card("  - Ask about {{DATE(2017-02-14T06:00:00Z, SHORT)}} {{TIME(x)}}")
    (block,) = card["attachments"][0]["content"]["body"]
    text = block["inlines"][0]["text"]
    assert "{{" not in text and text.replace("\u2060", "").endswith("SHORT)}} {{TIME(x)}}")

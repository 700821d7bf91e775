"""tinycrm remind --webhook to Slack-, Mattermost- and Discord-style receivers, against a
real local HTTP server: what each is sent, how stored text is kept from pinging anyone,
and parts each within that receiver's own limit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ..test_webhook_post import Hook, hook_server  # noqa: F401  (fixtures)

PINGS = "Call <!channel> <!here> <!everyone> <@U123> @everyone @here & co"


def _bodies(hook: Hook) -> list[dict[str, Any]]:
    return [json.loads(body) for *_, body in hook.requests]


@pytest.mark.parametrize(
    "path",
    ["/services/T000/B000/XXXX", "/hooks/xjx7d6k1bjn6jgdqm3pc8a8iqe", "/anything#slack"],
    ids=["slack", "mattermost", "fragment"],
)
def test_a_slack_style_receiver_gets_stored_text_escaped(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
    path: str,
) -> None:
    """A task titled '<!channel> …' POSTed to Slack pinged the whole channel, and
    Mattermost pinged on '@everyone': stored text could page everyone. Now &, < and >
    go as &amp; &lt; &gt; (Slack's escaping) and an @ that starts a word is kept from
    meaning a mention. The raw items ('due') went beside the text, the stored title
    unescaped in them for any receiver that shows the payload's fields: a chat receiver
    now gets the escaped text and the count only."""
    hook, base = hook_server
    cli("task", "add", PINGS, "--due", "-1h")
    run = cli("remind", "--webhook", base + path)
    assert run.exit_code == 0, run.stderr
    ((_, sent_path, _, _),) = hook.requests
    assert "#" not in sent_path  # the kind chosen by a fragment, which is not sent
    (body,) = _bodies(hook)
    text = body["text"]
    assert "<" not in text and ">" not in text
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@\u2060U123&gt;" in text
    assert "&amp; co" in text
    assert "@everyone" not in text and "@here" not in text
    assert body == {"text": text, "count": 1}


@pytest.mark.parametrize("path", ["/api/webhooks/123/tok-en", "/x#discord"])
def test_a_discord_receiver_gets_content_that_pings_no_one(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
    path: str,
) -> None:
    """Discord reads 'content', not 'text' (it refused every POST as an empty message),
    and '@everyone' in it pings the server: now it gets 'content', with
    allowed_mentions.parse empty, Discord's documented way to ping no one."""
    hook, base = hook_server
    cli("task", "add", PINGS, "--due", "-1h")
    run = cli("remind", "--webhook", base + path)
    assert run.exit_code == 0, run.stderr
    (body,) = _bodies(hook)
    assert body["allowed_mentions"] == {"parse": []}
    assert "text" not in body
    shown = "Call \\<!channel\\> \\<!here\\> \\<!everyone\\> \\<@U123\\> @everyone"
    assert shown in body["content"]


def test_a_plain_json_receiver_gets_the_text_as_it_is(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """ntfy and scripts read the text as text: nothing is escaped for them."""
    hook, base = hook_server
    cli("task", "add", PINGS, "--due", "-1h")
    assert cli("remind", "--webhook", f"{base}/topic").exit_code == 0
    (body,) = _bodies(hook)
    assert PINGS in body["text"] and body["due"][0]["title"] == PINGS


def test_an_unknown_receiver_kind_is_refused_up_front(cli: Callable[..., Any]) -> None:
    run = cli("remind", "--webhook", "http://127.0.0.1:9/x#dicsord")
    assert run.exit_code == 2
    assert "#dicsord" in run.stderr and "discord" in run.stderr


def test_a_big_batch_goes_to_discord_in_parts_each_within_2000_characters(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """Parts were cut at ntfy's 4 KB: Discord refuses content over 2,000 characters, so
    the same part was refused on every run. Now each part's content is within 2,000
    characters, every item goes once, and the next run sends nothing again."""
    hook, base = hook_server
    names = [f"Call customer {n:02d} about the renewal of the contract ✓" for n in range(60)]
    for name in names:
        cli("task", "add", name, "--due", "-1h")
    args = ("remind", "--webhook", f"{base}/api/webhooks/1/secret")
    run = cli(*args)
    assert run.exit_code == 0, run.stderr
    contents = [body["content"] for body in _bodies(hook)]
    assert len(contents) > 1
    assert all(len(c.encode("utf-16-le")) // 2 <= 2000 for c in contents)
    assert contents[0].startswith("tinycrm: part 1 of ")
    told = [line for c in contents for line in c.splitlines() if line.startswith("  - ")]
    assert sorted(told) == sorted(f"  - {n}: was due 1 h ago" for n in names)
    assert cli(*args).exit_code == 0 and len(hook.requests) == len(contents)


def test_a_slack_part_keeps_its_text_within_4000_characters(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """Slack's documented limit is on the text (4,000 characters), not ntfy's 4 KB body:
    fewer, fuller parts, each text within it after escaping."""
    hook, base = hook_server
    for n in range(60):
        title = f"Call <customer> {n:02d} about the renewal & the contract"
        cli("task", "add", title, "--due", "-1h")
    assert cli("remind", "--webhook", f"{base}/services/T0/B0/X").exit_code == 0
    texts = [body["text"] for body in _bodies(hook)]
    assert 1 < len(texts) < 5
    assert all(len(t.encode("utf-16-le")) // 2 <= 4000 for t in texts)
    assert sum(body["count"] for body in _bodies(hook)) == 60


def test_a_receiver_that_asks_to_wait_is_waited_for_within_reason(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """Discord (and ntfy, Slack) answer 429 with Retry-After when POSTs come too fast, as
    the parts of a big batch do: the run failed (exit 4) and cron mailed an error every
    15 minutes until the parts were through. Now a short wait it asks for is waited and
    the part POSTed again (a 429 was not taken, so nothing goes twice); a long one is
    not waited for: exit 4 saying how long it asked, the next run sends it."""
    hook, base = hook_server
    cli("task", "add", "Call Ada", "--due", "-1h")
    hook.answers = [(429, {"Retry-After": "1"}), (503, {"Retry-After": "0.2"})]
    args = ("remind", "--webhook", f"{base}/api/webhooks/1/secret")
    run = cli(*args)
    assert run.exit_code == 0, run.stderr
    assert len(hook.requests) == 3
    assert all(b["content"].count("Ada") == 1 for b in _bodies(hook))
    assert cli(*args).exit_code == 0 and len(hook.requests) == 3
    cli("task", "add", "Call Bob", "--due", "-1h")
    hook.answers = [(429, {"Retry-After": "3600"})]
    late = cli(*args)
    assert late.exit_code == 4
    assert "answered 429 Too Many Requests" in late.stderr and "3600 s" in late.stderr
    assert len(hook.requests) == 4
    assert cli(*args).exit_code == 0 and "Bob" in _bodies(hook)[-1]["content"]


def test_a_stored_link_reaches_discord_as_text_not_as_a_masked_link(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """Discord reads content as markdown: a task titled '[Pay the invoice](https://evil…)'
    showed as a link whose address was hidden, and a URL in a title unfurled into a
    preview Discord fetched. Now markdown in stored text is escaped (it shows as typed)
    and embeds are suppressed (flags 4, SUPPRESS_EMBEDS)."""
    hook, base = hook_server
    title = "[Pay the invoice](https://evil.example/login) **now** `x` ~~y~~ ||z||"
    cli("task", "add", title, "--due", "-1h")
    assert cli("remind", "--webhook", f"{base}/api/webhooks/1/secret").exit_code == 0
    (body,) = _bodies(hook)
    content = body["content"]
    assert body["flags"] == 4 and body["allowed_mentions"] == {"parse": []}
    assert "[Pay the invoice](" not in content
    assert "\\[Pay the invoice\\](https://evil.example/login) \\*\\*now\\*\\*" in content
    assert "\\`x\\` \\~\\~y\\~\\~ \\|\\|z\\|\\|" in content


def test_ntfy_gets_the_text_as_its_message(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """ntfy publishes the body it is POSTed as the message: its users read a JSON blob
    ('{"text": "tinycrm: 1 thing due…", "count": 1, "due": [{"key": …') on their phones.
    Now ntfy (ntfy.sh, or a URL ending #ntfy) gets the text itself, in parts of at most
    4 KB (ntfy's limit), each item once."""
    hook, base = hook_server
    for n in range(60):
        cli(
            "task",
            "add",
            f"Call customer {n:02d} about the renewal of the contract",
            "--due",
            "-1h",
        )
    assert cli("remind", "--webhook", f"{base}/alerts#ntfy").exit_code == 0
    assert len(hook.requests) > 1
    for _, path, headers, body in hook.requests:
        assert path == "/alerts" and headers["Content-Type"] == "text/plain; charset=utf-8"
        assert len(body) <= 4096 and body.decode().startswith("tinycrm: part ")
    told = [line for *_, body in hook.requests for line in body.decode().splitlines()]
    assert len([line for line in told if line.startswith("  - Call customer")]) == 60


LINKS = (
    "1. Pay [the invoice](https://evil.example/login) ![logo](https://evil.example/p.png) "
    "<https://evil.example|your bank> @channel @all **now** `x` # y | z "
    "https://ok.example/a_(b)/[x](https://evil.example)"
)


@pytest.mark.parametrize(
    "path",
    [
        "/hooks/xjx7d6k1bjn6jgdqm3pc8a8iqe",
        "/chat/hooks/xjx7d6k1bjn6jgdqm3pc8a8iqe/",
        "/x#mattermost",
    ],
)
def test_a_stored_link_reaches_mattermost_as_text_not_as_a_masked_link(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
    path: str,
) -> None:
    """Mattermost reads 'text' as markdown: a task titled '[Pay the invoice](https://evil…)'
    showed as a link whose address was hidden, '![logo](…)' as an image it fetched, and
    '@channel' pinged everyone. Now its markdown is escaped with backslashes (shown as
    typed), <, > and & go as entities (no Slack-style <url|text> link), an @ starting a
    word is kept from meaning a mention, and a bare URL keeps its characters."""
    hook, base = hook_server
    cli("task", "add", LINKS, "--due", "-1h")
    run = cli("remind", "--webhook", base + path)
    assert run.exit_code == 0, run.stderr
    (body,) = _bodies(hook)
    text = body["text"]
    assert "  - 1\\. Pay \\[the invoice\\]\\(https://evil.example/login) " in text
    assert "!\\[logo\\]\\(https://evil.example/p.png) " in text
    assert "&lt;https://evil.example|your bank&gt; @\u2060channel @\u2060all " in text
    assert "\\*\\*now\\*\\* \\`x\\` \\# y \\| z" in text
    assert "https://ok.example/a_(b)/\\[x\\](https://evil.example)" in text
    assert "<" not in text and "@channel" not in text
    assert body == {"text": text, "count": 1}  # no raw items beside the escaped text


@pytest.mark.parametrize(
    "path", ["/hooks/6NzKpdd8KWPnXKSHf/tok-en", "/hooks/a/b/c", "/x#rocketchat"]
)
def test_a_stored_link_reaches_rocketchat_as_text_not_as_a_masked_link(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
    path: str,
) -> None:
    """Rocket.Chat reads 'text' as its markup, with '[text](url)' and '<url|text>' links
    and '@all' pings, and no escape for them (a backslash shows): the text got Slack's
    escaping, so '&lt;' showed, and the links stayed links. Now the text goes as a code
    block, shown as typed, three backticks in it kept from ending the block, and an @
    starting a word kept from meaning a mention."""
    hook, base = hook_server
    cli("task", "add", LINKS + " ```x```", "--due", "-1h")
    run = cli("remind", "--webhook", base + path)
    assert run.exit_code == 0, run.stderr
    (body,) = _bodies(hook)
    text = body["text"]
    assert text.startswith("```\ntinycrm: 1 thing due") and text.endswith("\n```")
    inside = text[4:-4]
    assert "`" * 2 not in inside and "@channel" not in inside and "&" not in inside
    shown = inside.replace("\u2060", "")
    assert LINKS.replace("@", "@") in shown and "```x```" in shown
    assert body == {"text": text, "count": 1}  # no raw items beside the code block


@pytest.mark.parametrize("command", [("remind",), ("remind", "install")])
def test_the_webhook_option_names_every_kind_of_receiver(
    cli: Callable[..., Any], command: tuple[str, ...]
) -> None:
    """`remind --help` said "ntfy or JSON, Slack, Mattermost, Discord": a Rocket.Chat
    user could not tell theirs was recognised (its text goes as a code block), nor that
    #KIND after a URL names it. Now both helps name every kind the URL's end may name."""
    from tinycrm.cli import remind_webhook

    names = {"json": "JSON", "ntfy": "ntfy", "slack": "Slack", "mattermost": "Mattermost",
             "rocketchat": "Rocket.Chat", "discord": "Discord", "teams": "Teams"}  # fmt: skip
    assert set(names) == set(remind_webhook.KINDS)
    shown = " ".join(cli(*command, "--help").stdout.replace("│", " ").split())
    webhook = shown[shown.index("--webhook URL") :]
    for name in names.values():
        assert name in webhook[:400], (name, webhook[:400])
    assert "#KIND" in webhook[:400]


def _card_lines(body: dict[str, Any]) -> list[str]:
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    lines = []
    for block in card["body"]:
        assert block["type"] == "RichTextBlock"
        ((run,),) = [block["inlines"]]
        assert run["type"] == "TextRun" and run["text"].strip()
        lines.append(run["text"])
    return lines


def test_teams_gets_an_adaptive_card_showing_stored_text_as_typed(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """Teams (a Workflows address, or #teams) got the generic JSON, whose 'text' a
    Workflows flow does not post and an Office 365 connector reads as markdown, where a
    stored '[text](url)' is a link hiding its address. Now it gets a message holding an
    Adaptive Card, a line of the text per TextRun, which Teams shows as typed: no
    markdown, and no mention (Teams needs an entity for one, which the card has not)."""
    hook, base = hook_server
    cli("task", "add", LINKS, "--due", "-1h")
    cli("task", "add", "Second <b>thing</b>", "--due", "-2h")
    run = cli("remind", "--webhook", base + "/workflows/abc/triggers/manual#teams")
    assert run.exit_code == 0, run.stderr
    ((_, path, headers, _),) = hook.requests
    assert path == "/workflows/abc/triggers/manual"
    assert headers["Content-Type"].startswith("application/json")
    (body,) = _bodies(hook)
    assert set(body) == {"type", "attachments"} and body["type"] == "message"
    lines = _card_lines(body)
    assert lines[0].startswith("tinycrm: 2 things due")
    # exactly as stored: nothing escaped, nothing lost
    assert "  - " + LINKS + ": was due 1 h ago" in lines
    assert any("Second <b>thing</b>" in line for line in lines)


def test_a_big_batch_goes_to_teams_in_parts_each_within_24_kb(
    cli: Callable[..., Any],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    hook, base = hook_server
    for n in range(80):  # lines of about 300 characters: 80 of them pass 24 KB
        title = f"Call customer {n:03d} " + "about the renewal " * 15
        assert cli("task", "add", title, "--due", "-1h").exit_code == 0
    assert cli("remind", "--webhook", f"{base}/hook#teams").exit_code == 0
    assert len(hook.requests) > 1
    told = []
    for *_, raw in hook.requests:
        assert len(raw) <= 24 * 1024
        lines = _card_lines(json.loads(raw))
        assert lines[0].startswith("tinycrm: part ")
        told += [line for line in lines if line.startswith("  - Call customer")]
    assert len(told) == 80 and len(set(told)) == 80

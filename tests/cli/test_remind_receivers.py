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
    meaning a mention; the items' own fields stay as stored."""
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
    assert body["due"][0]["title"] == PINGS and body["count"] == 1


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
    assert PINGS in body["content"] and "text" not in body


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

"""``tinycrm remind --webhook``: what each kind of receiver is sent, in POSTs each small
enough for it.

The kind comes from the URL (:func:`target`): Slack (``hooks.slack.com``,
``/services/…``) reads ``text`` as its markup, where ``<!channel>`` pings a whole
channel, so stored text goes escaped there; Mattermost (``/hooks/KEY``) reads it as
markdown, where ``[text](url)`` is a link hiding its address and ``@all`` pings every
member, so its markdown is escaped too; Rocket.Chat (``/hooks/ID/TOKEN``) has no
escape for its markup, so its text goes as a code block, in which nothing is a link;
Discord reads ``content``, sent with ``allowed_mentions`` empty so that nothing in it
pings; Microsoft Teams (a Workflows address, ``…logic.azure.com…/workflows/…`` or
``…powerplatform.com…/workflows/…``, or an Office 365 connector's
``….webhook.office.com``) reads an Adaptive Card, whose text goes in ``TextRun`` s,
which Teams shows as typed (no markdown, no link hiding its address; a mention needs an
entity the card does not carry); ntfy (``ntfy.sh``) publishes the body as its message,
so it gets the text as plain text; anything else (a script) gets the JSON with the text
as it is. A fragment names the kind where the URL does not show it (``…#ntfy``,
``#slack``, ``#mattermost``, ``#rocketchat``, ``#discord``, ``#teams``, ``#json``); it is
not sent.

A chat receiver (Slack, Mattermost, Rocket.Chat) gets the escaped text and the count,
never the raw items beside it: their stored text would reach it unescaped.

Each kind has its limit (:attr:`Target.limit`): ntfy's 4 KB of body, Slack's 4,000
characters of text, Discord's 2,000 of content, Teams' 24 KB of body (its messages
take about 28 KB, the card's own JSON included). A big batch goes in parts, each its own
POST whose text says which part it is. An item too big for a part alone (a title
imported with thousands of escapes) goes shortened, with a note. The caller records each
part as it goes out: a part refused stops the rest, and the next run POSTs only those.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from tinycrm.api.models import DueItem

MAX_BODY = 4096  # bytes of the POST's body: ntfy's limit, the smallest common one
SLACK_TEXT = 4000  # characters of text: what Slack's docs ask a message to stay within
DISCORD_CONTENT = 2000  # characters of content: Discord refuses more
TEAMS_BODY = 24 * 1024  # bytes of the POST's body: a Teams message takes about 28 KB
WAIT = 60.0
"""Seconds a receiver that answers 429 or 503 may ask a run to wait before it POSTs the
part again (a longer wait is the next run's); at most ``TRIES`` tries of a part."""
TRIES = 3
TIMEOUT = 15.0  # seconds each read of a POST waits, the whole exchange twice that
SHORTENED = "(shortened: a webhook takes at most 4 KB)"
_LABEL = "tinycrm: part 99999 of 99999, "  # the most a part's label adds to its text
KINDS = ("json", "ntfy", "slack", "mattermost", "rocketchat", "discord", "teams")  # fragments
_CHATS = ("slack", "mattermost", "rocketchat")  # read "text", at most SLACK_TEXT of it
_NTFY_HOSTS = ("ntfy.sh",)
_SLACK_HOSTS = ("hooks.slack.com",)
_DISCORD_HOSTS = ("discord.com", "discordapp.com")
# Teams' Workflows (Power Automate) hosts, whose path holds /workflows/, and the Office 365
# connectors' (retired by Microsoft, still served to some tenants)
_WORKFLOW_HOSTS = (".logic.azure.com", ".powerplatform.com")
_CONNECTOR_HOSTS = (".webhook.office.com",)


def kind_problem(url: str) -> str | None:
    """What is wrong with the receiver kind ``url``'s fragment names; None when it names
    one (or none)."""
    from urllib.parse import urlsplit

    fragment = urlsplit(url).fragment
    if not fragment or fragment.lower() in KINDS:
        return None
    from tinycrm.safetext import quoted

    kinds = ", ".join("#" + kind for kind in KINDS)
    return f"{quoted('#' + fragment, 40)} is not a kind of receiver (a URL may end in {kinds})"


def _chars(text: str) -> int:
    """``text``'s length as JavaScript counts it (UTF-16 units): an emoji counts two, as
    the receivers' limits may count it."""
    return len(text.encode("utf-16-le")) // 2


_MENTION = re.compile(r"(?<![\w@.+-])@(?=\w)")  # an @ that starts a word


def slack_escaped(text: str) -> str:
    """``text`` for a Slack-style receiver: ``&``, ``<`` and ``>`` as ``&amp;`` ``&lt;``
    ``&gt;`` (Slack's escaping: ``<!channel>``, ``<@U123>`` are mentions), and a word
    starting with ``@`` (``@all``, ``@channel``, ``@ann``: Mattermost's mentions) with a
    word joiner (U+2060) after its ``@``, which shows as nothing and mentions no one."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@\u2060", text)


_MATTERMOST_MARKUP = re.compile(r"([\\`*_~\[\]()#|])")
# a list marker or a number and dot that a title starts with (after the list's "  - ")
_MATTERMOST_BLOCK = re.compile(r"^(  - (?:\d+)?)([-+.)])(?=\s|$)", re.MULTILINE)
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>]+")
_MATTERMOST_IN_URL = re.compile(r"([\\\[\]])")  # what makes a link even inside a URL
# a # or ~ starting a word: Mattermost's hashtag (a search link) and channel link, made
# after the markdown is read, so that a backslash before them does not stop them
_MATTERMOST_TAG = re.compile(r"(?<!\w)(\\[#~])(?=[\w.-])")


def mattermost_escaped(text: str) -> str:
    """``text`` for Mattermost's markdown, shown as typed: a backslash before each
    backslash, backtick, ``*``, ``_``, ``~``, ``[``, ``]``, ``(``, ``)``, ``#`` and
    ``|`` (no ``[text](url)`` link hiding its address, no ``![…](url)`` image fetched),
    and before a list marker a title starts with; ``&``, ``<``, ``>`` as entities (its
    Slack-style ``<url|text>`` and ``<!channel>`` are read before the markdown, which
    shows the entities as the characters); an ``@`` starting a word with a word joiner
    after it, as for Slack. A bare URL keeps its other characters (a backslash in it
    goes into the link Mattermost makes of it), but not its ``[`` and ``]``: the mobile
    app reads ``[text](url)`` in it before it makes the URL a link. A ``#`` or ``~``
    starting a word gets a word joiner after it too: Mattermost makes ``#word`` a
    hashtag and ``~name`` a channel link after the markdown, backslash or not."""

    def escaped(part: str) -> str:
        return _MATTERMOST_TAG.sub("\\1\u2060", _MATTERMOST_MARKUP.sub(r"\\\1", part))

    out, start = [], 0
    for url in _URL.finditer(text):
        out.append(escaped(text[start : url.start()]))
        out.append(_MATTERMOST_IN_URL.sub(r"\\\1", url.group()))
        start = url.end()
    out.append(escaped(text[start:]))
    return slack_escaped(_MATTERMOST_BLOCK.sub(r"\1\\\2", "".join(out)))


FENCE = "```"


def rocketchat_block(text: str) -> str:
    """``text`` for Rocket.Chat, shown as typed: its markup has no escape (a backslash
    shows), so the text goes as a code block, in which nothing is a link, a mention or
    an emphasis; three backticks in it get word joiners between them (they would end
    the block), and an ``@`` starting a word one after it (Rocket.Chat finds
    ``@all`` and ``@here`` in the text to notify, code block or not)."""
    inside = _MENTION.sub("@\u2060", text.rstrip("\n")).replace("`", "`\u2060")
    return f"{FENCE}\n{inside}\n{FENCE}"


_DISCORD_MARKUP = re.compile(r"([\\*_~`|\[\]<>])")
SUPPRESS_EMBEDS = 4  # Discord's message flag: no link previews


def discord_escaped(text: str) -> str:
    """``text`` for Discord's markdown, shown as typed: a backslash before each
    backslash, backtick, ``*``, ``_``, ``~``, ``|``, ``[``, ``]``, ``<`` and ``>`` (no
    masked link ``[text](url)`` hiding its address, no spoiler, no ``<@id>`` drawn as a
    mention)."""
    return _DISCORD_MARKUP.sub(r"\\\1", text)


def teams_card(text: str) -> dict[str, Any]:
    """``text`` as Teams takes it: a message holding one Adaptive Card, each line of the
    text a ``RichTextBlock`` of one ``TextRun``. A ``TextRun`` is not read as markdown
    (a stored ``[text](url)`` or ``**x**`` shows as typed) and a mention needs an entity
    the card does not carry, so ``@all`` pings no one. ``{{`` gets a word joiner (U+2060)
    inside it: a card reads ``{{DATE(…)}}`` and ``{{TIME(…)}}`` in a run's text as a date
    to show in the reader's own format. A blank line is a wider gap before the next line,
    not an empty run (which a card may be refused for)."""
    body: list[dict[str, Any]] = []
    gap = False
    for line in text.split("\n"):
        if not line.strip():
            gap = bool(body)
            continue
        block: dict[str, Any] = {
            "type": "RichTextBlock",
            "inlines": [{"type": "TextRun", "text": line.replace("{{", "{\u2060{")}],
        }
        if body:
            block["spacing"] = "Medium" if gap else "None"
        body.append(block)
        gap = False
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"},
    }
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": card,
    }
    return {"type": "message", "attachments": [attachment]}


class Target:
    """One kind of receiver: what its POST holds, and how much of it it takes."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.limit = DISCORD_CONTENT if kind == "discord" else MAX_BODY
        self.limit = SLACK_TEXT if kind in _CHATS else self.limit
        self.limit = TEAMS_BODY if kind == "teams" else self.limit
        unit = "characters" if kind in (*_CHATS, "discord") else "KB"
        shown = f"{self.limit:,} {unit}" if unit == "characters" else f"{self.limit // 1024} KB"
        self.shortened = (
            SHORTENED if kind == "json" else f"(shortened: this webhook takes at most {shown})"
        )

    def payload(self, items: list[DueItem], text: str) -> Any:
        """What one POST carries: for Discord its content (its markdown escaped,
        mentioning no one, no link previews); for Teams an Adaptive Card of the text
        (:func:`teams_card`); for Slack, Mattermost and Rocket.Chat the text, escaped
        for each, and how many items: not the items themselves, whose stored text
        unescaped beside it would be shown by a receiver that shows the payload's
        fields; for a script the text, how many items, the items (amounts exact, as
        stored)."""
        if self.kind == "ntfy":
            return text  # ntfy publishes the body as the message: the text, as text
        if self.kind == "discord":
            return {
                "content": discord_escaped(text),
                "allowed_mentions": {"parse": []},
                "flags": SUPPRESS_EMBEDS,
            }
        if self.kind == "teams":
            return teams_card(text)
        chat = {
            "slack": slack_escaped,
            "mattermost": mattermost_escaped,
            "rocketchat": rocketchat_block,
        }.get(self.kind)
        if chat:
            return {"text": chat(text), "count": len(items)}
        return payload(items, text)

    def size(self, body: Any) -> int:
        """What counts towards :attr:`limit`: the text's characters for Slack and
        Discord, the body's bytes for the others (Teams' card included)."""
        if self.kind == "discord":
            return _chars(body["content"])
        if self.kind in _CHATS:
            return _chars(body["text"])
        return body_size(body)


def target(url: str) -> Target:
    """The kind of receiver ``url`` is (see the module's docstring)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.fragment.lower() in KINDS:
        return Target(parts.fragment.lower())
    host = (parts.hostname or "").lower().rstrip(".")
    path = parts.path.rstrip("/")
    steps = path.split("/")
    if steps[1:3] == ["api", "webhooks"] and len(steps) >= 5:
        # Discord's own; its /slack and /github ends take those services' payloads
        return Target("slack" if steps[-1] == "slack" else "discord")
    if host in _DISCORD_HOSTS or host.endswith(tuple("." + h for h in _DISCORD_HOSTS)):
        return Target("discord")
    if host in _NTFY_HOSTS:
        return Target("ntfy")
    if host.endswith(_CONNECTOR_HOSTS) or (host.endswith(_WORKFLOW_HOSTS) and "workflows" in steps):
        return Target("teams")
    if host in _SLACK_HOSTS or steps[1:2] == ["services"]:
        return Target("slack")
    if "hooks" in steps[1:]:
        # Mattermost's /hooks/KEY, Rocket.Chat's /hooks/ID/TOKEN (or ID/USER/TOKEN), each
        # also under a path the server is served from
        after = len(steps) - 1 - steps.index("hooks", 1)
        return Target({1: "mattermost", 2: "rocketchat", 3: "rocketchat"}.get(after, "slack"))
    return Target("json")


def body_size(payload: Any) -> int:
    """The bytes ``post_webhook`` sends for ``payload``."""
    from tinycrm.formats import jsonnumbers

    if isinstance(payload, str):
        return len(payload.encode("utf-8"))
    return len(jsonnumbers.dumps_plain(payload, ensure_ascii=False).encode("utf-8"))


def payload(items: list[DueItem], text: str) -> dict[str, Any]:
    """What one POST carries: the text, how many items, the items (amounts exact)."""
    from tinycrm.formats import jsonnumbers

    return {"text": text, "count": len(items), "due": jsonnumbers.jsonable(items)}


def parts(
    items: list[DueItem], render: Callable[[list[DueItem]], str], to: Target | None = None
) -> list[tuple[list[DueItem], dict[str, Any]]]:
    """``items`` in parts each within ``to``'s limit (by default ntfy's 4 KB), in order,
    each with its payload (``render``: the text of some items, as the mail's). One part:
    the payload as before, unlabelled."""
    to = to or Target("json")
    whole = to.payload(items, render(items))
    if to.size(whole) <= to.limit:
        return [(items, whole)]
    groups = _split(items, render, to, to.limit - len(_LABEL))
    done = []
    for number, group in enumerate(groups, start=1):
        text = render(group)
        label = f"tinycrm: part {number} of {len(groups)}, "
        text = label + text.removeprefix("tinycrm: ")
        done.append((group, to.payload(group, text)))
    return done


def _split(
    items: list[DueItem], render: Callable[[list[DueItem]], str], to: Target, limit: int
) -> list[list[DueItem]]:
    """Items grouped greedily by an estimate of what each adds to a part, each group then
    measured (and halved while over ``limit``)."""

    def cost(some: list[DueItem]) -> int:
        return to.size(to.payload(some, render(some)))

    groups: list[list[DueItem]] = []
    current: list[DueItem] = []
    # what a part holds besides its items' lines and entries: the heading, the JSON's
    # keys (an item told twice adds only itself), and room for every group's title
    overhead = 2 * cost(items[:1]) - cost(items[:1] * 2)
    used = overhead + min(400, limit // 10)
    spent = used
    for item in items:
        adds = cost([item]) - overhead
        if current and spent + adds > limit:
            groups.append(current)
            current, spent = [], used
        current.append(item)
        spent += adds
    if current:
        groups.append(current)
    return [piece for group in groups for piece in _fit(group, render, to, limit)]


def _fit(
    group: list[DueItem], render: Callable[[list[DueItem]], str], to: Target, limit: int
) -> list[list[DueItem]]:
    """``group`` as it is when its part fits, else halved (one item: shortened)."""
    if to.size(to.payload(group, render(group))) <= limit:
        return [group]
    if len(group) == 1:
        return [[_shortened(group[0], render, to, limit)]]
    half = len(group) // 2
    return _fit(group[:half], render, to, limit) + _fit(group[half:], render, to, limit)


def _shortened(
    item: DueItem, render: Callable[[list[DueItem]], str], to: Target, limit: int
) -> DueItem:
    """``item`` with its title and detail cut until its part fits, and a note saying so."""
    title, detail = item.title, item.detail
    while True:
        cut = item.model_copy(update={"title": title, "detail": f"{detail} {to.shortened}"})
        if to.size(to.payload([cut], render([cut]))) <= limit or not (title or detail):
            return cut
        if len(title) >= len(detail):
            title = title[: len(title) // 2] + "…"
            title = "" if title == "…" else title
        else:
            detail = detail[: len(detail) // 2] + "…"
            detail = "" if detail == "…" else detail


def post(url: str, body: Any, *, deadline: float) -> None:
    """POST one part, waiting for its answer no later than the run's ``deadline``
    (``time.monotonic()``: see ``remind.BUDGET``); a receiver that asks to wait (429 or
    503 with ``Retry-After``) is waited for and sent it again, when it asks for at most
    :data:`WAIT` seconds that the run still has. It had not taken the part, so it does
    not get it twice. Raises ``DeliveryError``."""
    import time

    from tinycrm import webhook_post

    for attempt in range(1, TRIES + 1):
        left = deadline - time.monotonic()
        try:
            # the whole exchange is twice the timeout: at most what the run has left
            wait = min(TIMEOUT, max(left / 2, 0.001))
            webhook_post.post_webhook(url, body, timeout=wait)
            return
        except webhook_post.RetryLater as exc:
            late = time.monotonic() + exc.seconds > deadline
            if attempt == TRIES or exc.seconds > WAIT or late:
                raise
            time.sleep(exc.seconds)

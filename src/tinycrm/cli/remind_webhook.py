"""``tinycrm remind --webhook``: a batch in POSTs each small enough for the receiver.

ntfy refuses a body over 4 KB (:data:`MAX_BODY`), and other receivers have their limits
(Discord's 2,000 characters, Teams' 28 KB): a big batch goes in parts, each its own POST
of ``{"text": …, "count": …, "due": [...]}`` whose text says which part it is. An item
too big for a part alone (a title imported with thousands of escapes) goes shortened,
with a note. The caller records each part as it goes out: a part refused stops the rest,
and the next run POSTs only those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from tinycrm.api.models import DueItem

MAX_BODY = 4096  # bytes of the POST's body: ntfy's limit, the smallest common one
BUDGET = 300.0
"""Seconds into a run after which no further part is started: a run still sending when
its claims go stale (15 minutes) would send them with the run that takes them over."""
SHORTENED = "(shortened: a webhook takes at most 4 KB)"
_LABEL = "tinycrm: part 99999 of 99999, "  # the most a part's label adds to its text


def body_size(payload: Any) -> int:
    """The bytes ``post_webhook`` sends for ``payload``."""
    from tinycrm.formats import jsonnumbers

    return len(jsonnumbers.dumps_plain(payload, ensure_ascii=False).encode("utf-8"))


def payload(items: list[DueItem], text: str) -> dict[str, Any]:
    """What one POST carries: the text, how many items, the items (amounts exact)."""
    from tinycrm.formats import jsonnumbers

    return {"text": text, "count": len(items), "due": jsonnumbers.jsonable(items)}


def parts(
    items: list[DueItem], render: Callable[[list[DueItem]], str], limit: int = MAX_BODY
) -> list[tuple[list[DueItem], dict[str, Any]]]:
    """``items`` in parts whose body is at most ``limit`` bytes, in order, each with its
    payload (``render``: the text of some items, as the mail's). One part: the payload
    as before, unlabelled."""
    whole = payload(items, render(items))
    if body_size(whole) <= limit:
        return [(items, whole)]
    groups = _split(items, render, limit - len(_LABEL.encode()))
    done = []
    for number, group in enumerate(groups, start=1):
        text = render(group)
        label = f"tinycrm: part {number} of {len(groups)}, "
        text = label + text.removeprefix("tinycrm: ")
        done.append((group, payload(group, text)))
    return done


def _split(
    items: list[DueItem], render: Callable[[list[DueItem]], str], limit: int
) -> list[list[DueItem]]:
    """Items grouped greedily by an estimate of what each adds to a body, each group then
    measured (and halved while over ``limit``)."""
    groups: list[list[DueItem]] = []
    current: list[DueItem] = []
    # what a body holds besides its items' lines and entries: the heading, the JSON's
    # keys (an item told twice adds only itself), and room for every group's title
    alone = body_size(payload(items[:1], render(items[:1])))
    twice = body_size(payload(items[:1] * 2, render(items[:1] * 2)))
    overhead = 2 * alone - twice
    used = overhead + 400
    spent = used
    for item in items:
        cost = body_size(payload([item], render([item]))) - overhead
        if current and spent + cost > limit:
            groups.append(current)
            current, spent = [], used
        current.append(item)
        spent += cost
    if current:
        groups.append(current)
    return [piece for group in groups for piece in _fit(group, render, limit)]


def _fit(
    group: list[DueItem], render: Callable[[list[DueItem]], str], limit: int
) -> list[list[DueItem]]:
    """``group`` as it is when its body fits, else halved (one item: shortened)."""
    if body_size(payload(group, render(group))) <= limit:
        return [group]
    if len(group) == 1:
        return [[_shortened(group[0], render, limit)]]
    half = len(group) // 2
    return _fit(group[:half], render, limit) + _fit(group[half:], render, limit)


def _shortened(item: DueItem, render: Callable[[list[DueItem]], str], limit: int) -> DueItem:
    """``item`` with its title and detail cut until its body fits, and a note saying so."""
    title, detail = item.title, item.detail
    while True:
        cut = item.model_copy(update={"title": title, "detail": f"{detail} {SHORTENED}"})
        if body_size(payload([cut], render([cut]))) <= limit or not (title or detail):
            return cut
        if len(title) >= len(detail):
            title = title[: len(title) // 2] + "…"
            title = "" if title == "…" else title
        else:
            detail = detail[: len(detail) // 2] + "…"
            detail = "" if detail == "…" else detail

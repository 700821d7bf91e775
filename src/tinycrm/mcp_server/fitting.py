"""A tool's answer cut to a size an assistant can take, never mid-character or mid-JSON.

A briefing of twelve meetings of 1 MB each is 24 MB of JSON: past any assistant's
context, and a client gives up on it. ``fit`` makes any answer at most ``ANSWER_CHARS``
characters of JSON: first each long text is cut (the longest first, none shorter than
``SHORTEST_CUT``) where a character ends, with `` … [cut: N more characters]`` in its
place; if that is not enough, a record's own long lists (its tags) keep their first
``OWN_LIST_KEPT``, and then the last records of the answer's longest lists are left out (a
list's ``more`` then says so, its ``count`` is of those kept). A ``truncated`` note says
what was cut, what was left out and how to ask for less.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from tinycrm import safetext
from tinycrm.formats import jsonnumbers

ANSWER_CHARS = 100_000
"""At most this many characters of JSON in a tool's answer (~25,000 tokens: what an
assistant such as Claude Code takes from one tool call by default)."""
SHORTEST_CUT = 200
"""A text is never cut shorter than this: below, records are left out instead."""
OWN_LIST_KEPT = 20
"""A record's own list (its tags) is cut to this many before records are left out."""
_NOTE_ROOM = 3_000  # kept for the truncated note
_NAMED = 20  # at most this many cut texts (lists cut) named in the note

HOW = (
    "this answer was cut to {chars:,} characters; ask for less to see records whole: a "
    "smaller limit, a narrower where, or a briefing of one record"
)


def _joined(before: str, after: str) -> bool:
    """Whether ``after`` belongs to the character ``before`` ends: a combining mark, a
    variation selector, an emoji modifier or tag, a zero-width joiner either side, CRLF."""
    if before == "\u200d" or after == "\u200d" or (before, after) == ("\r", "\n"):
        return True
    code = ord(after)
    if 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True
    return unicodedata.category(after) in ("Mn", "Mc", "Me")


def cut_text(text: str, keep: int) -> str:
    """``text`` of at most about ``keep`` characters: cut where a character (with its
    combining marks, an emoji with its joiners) ends, and the marker saying how much
    more there was. ``text`` itself when it is no longer."""
    if len(text) <= keep:
        return text
    at = keep
    for _ in range(32):  # a run of marks longer than this is cut where it is
        if at <= 1 or not _joined(text[at - 1], text[at]):
            break
        at -= 1
    else:
        at = keep
    return f"{text[:at]} … [cut: {len(text) - at:,} more characters]"


def _size_in_list(item: Any) -> int:
    """The characters ``item`` takes as a record of one of the answer's own lists: each
    of its lines indented by four more, and the comma and line break after it."""
    text = jsonnumbers.dumps(item, indent=2)
    return len(text) + 4 * (text.count("\n") + 1) + 2


def _texts(data: Any, path: str, found: list[tuple[int, str]]) -> None:
    """The lengths and paths of every text in ``data`` (``activities[0].body``)."""
    if isinstance(data, str):
        found.append((len(data), path))
    elif isinstance(data, dict):
        for key, value in data.items():
            _texts(value, f"{path}.{key}" if path else str(key), found)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _texts(value, f"{path}[{index}]", found)


def _cut_texts(data: Any, keep: int, path: str, cut: list[str]) -> Any:
    if isinstance(data, str):
        if len(data) > keep:
            cut.append(path)
            return cut_text(data, keep)
        return data
    if isinstance(data, dict):
        return {
            key: _cut_texts(value, keep, f"{path}.{key}" if path else str(key), cut)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_cut_texts(value, keep, f"{path}[{i}]", cut) for i, value in enumerate(data)]
    return data


def _keep_for(lengths: list[int], over: int) -> int:
    """The longest text to keep whole so that cutting every longer one saves ``over``
    characters (an estimate: a text's JSON may be longer than its characters)."""
    low, high = SHORTEST_CUT, max(lengths, default=SHORTEST_CUT)
    while low < high:  # the largest keep that still saves enough
        middle = (low + high + 1) // 2
        saved = sum(length - middle - 40 for length in lengths if length > middle)
        if saved >= over:
            low = middle
        else:
            high = middle - 1
    return low


def _leave_out(data: dict[str, Any], over: int, left_out: dict[str, int]) -> None:
    """Leave out the last records of the longest lists of ``data`` (its own lists, not
    those inside a record: a contact's tags) in place, until about ``over`` characters
    are saved."""
    lists = [(key, value) for key, value in data.items() if isinstance(value, list) and value]
    sizes = {key: [_size_in_list(item) for item in items] for key, items in lists}
    left = {key: sum(sizes[key]) for key, _items in lists}
    saved = 0
    while saved < over and lists:
        key, items = max(lists, key=lambda pair: left[pair[0]])
        if not items:
            return
        size = sizes[key][len(items) - 1]
        items.pop()
        saved += size
        left[key] -= size
        left_out[key] = left_out.get(key, 0) + 1


def _own_lists(data: Any, path: str, depth: int, found: list[tuple[str, list[Any]]]) -> None:
    """The lists of the answer's records (a contact's tags; ``depth`` 2 and deeper), not
    the answer's own (its results, a briefing's activities)."""
    if isinstance(data, dict):
        for key, value in data.items():
            _own_lists(value, f"{path}.{key}" if path else str(key), depth + 1, found)
    elif isinstance(data, list):
        if depth >= 2 and len(data) > OWN_LIST_KEPT:
            found.append((path, data))
        for index, value in enumerate(data):
            _own_lists(value, f"{path}[{index}]", depth + 1, found)


def _cut_own_lists(data: dict[str, Any], over: int, left_out: dict[str, int]) -> None:
    """Cut the records' own longest lists to their first ``OWN_LIST_KEPT`` (in place)
    until about ``over`` characters are saved."""
    lists: list[tuple[str, list[Any]]] = []
    _own_lists(data, "", 0, lists)
    sized = [(len(jsonnumbers.dumps(items[OWN_LIST_KEPT:])), path, items) for path, items in lists]
    saved = 0
    for size, path, items in sorted(sized, key=lambda found: -found[0]):
        if saved >= over:
            return
        left_out[path] = len(items) - OWN_LIST_KEPT
        del items[OWN_LIST_KEPT:]
        saved += size


_RAW = re.compile(
    f"[\x7f-\x9f{safetext.BIDI}{safetext.INVISIBLE}{safetext.TAGS}]{safetext.NOT_IN_FLAG}"
)
"""What the JSON writer leaves raw in a string but a terminal may obey or not show: DEL
and the C1 controls (U+009B is CSI), the bidi controls, the invisible characters, the
tag characters that hide text from the user but not from an assistant (a subdivision's
flag stays whole). The C0 controls it escapes itself; the joiners U+200C and U+200D
stay (Persian, emoji)."""


def _json(data: Any) -> str:
    """``data`` as JSON text (``indent=2``), each ``_RAW`` character as a JSON escape
    (``\\u009b``): the same value to a JSON reader, visible on a terminal."""
    return escaped(jsonnumbers.dumps(data, indent=2))


def escaped(text: str) -> str:
    """JSON ``text`` with each ``_RAW`` character written as its JSON escape (they are
    only ever inside its strings; past U+FFFF, a surrogate pair): the same JSON to a
    reader."""
    if _RAW.search(text) is None:
        return text
    return _RAW.sub(lambda found: safetext.json_escaped(found.group()), text)


def fit(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``data`` and its JSON text (``indent=2``), cut to at most ``ANSWER_CHARS``
    characters with a ``truncated`` note when it was longer."""
    text = _json(data)
    if len(text) <= ANSWER_CHARS:
        return data, text
    lengths: list[tuple[int, str]] = []
    _texts(data, "", lengths)
    room = ANSWER_CHARS - _NOTE_ROOM
    over = len(text) - room
    for _ in range(8):  # each round from the whole data, aiming lower if it fell short
        cut: list[str] = []
        left_out: dict[str, int] = {}
        keep = _keep_for([length for length, _path in lengths], over)
        fitted = _cut_texts(data, keep, "", cut)  # a copy, cut or not
        text = _json(fitted)
        if len(text) > room and keep <= SHORTEST_CUT:
            _cut_own_lists(fitted, len(text) - room, left_out)
            text = _json(fitted)
        if len(text) > room and keep <= SHORTEST_CUT:
            _leave_out(fitted, len(text) - room, left_out)
            text = _json(fitted)
        if len(text) <= room:
            break
        over += len(text) - room
    if "results" in left_out:
        fitted["count"] = len(fitted["results"])
        fitted["more"] = True
        if isinstance(fitted.get("offset"), int):  # the next page starts at the first left out
            fitted["next_offset"] = fitted["offset"] + fitted["count"]
    note: dict[str, Any] = {"how": HOW.format(chars=ANSWER_CHARS)}
    if cut:
        more = [f"and {len(cut) - _NAMED} more"] if len(cut) > _NAMED else []
        note["cut"] = cut[:_NAMED] + more
    if left_out:
        named_lists = dict(list(left_out.items())[:_NAMED])
        if len(left_out) > _NAMED:
            named_lists["and other lists"] = sum(list(left_out.values())[_NAMED:])
        note["left_out"] = named_lists
    fitted = {**fitted, "truncated": note}
    text = _json(fitted)
    if len(text) > ANSWER_CHARS:  # nothing left to cut or leave out: say so alone
        note["left_out"] = "everything: no part of the answer fits"
        fitted = {"truncated": note}
        text = _json(fitted)
    return fitted, text

"""What a tool's arguments are, and their refusals in one line naming each.

The types the tools' signatures use (``Ref``, ``Where``, ``Limit``, ``Shown``), so each
schema says what is enforced, and the words of a refusal: pydantic's report (lines naming
the argument model, ``[type=…]``, a link) made one line, each argument by its name.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
)
from pydantic_core import core_schema

from tinycrm import safetext

REPORTS = Literal[
    "pipeline",
    "forecast",
    "winrate",
    "cycle",
    "funnel",
    "sources",
    "churn",
    "clv",
    "activity",
    "cases",
    "dashboard",
]

TAGS_AT_MOST = 100
"""The tags add_contact takes: 20,000 held the database's write lock for 12 s (other
writers waited, then gave up as "database is busy"), 100,000 for a minute."""

KINDS_AT_MOST = 20
"""The kinds search takes: there are five to name (a kind named twice, or in the singular,
still reads); 300,000 held the store turn for 4 s."""

REF_CHARS = 1000
"""A REF no record could have is refused before it is looked for (10 MB took 10 s)."""
WHEN_CHARS = 100
"""A time no one could mean ('due', 'at', a report's 'start' and 'end') is refused before
it is read: the advice for one not understood looks for the date word each of its words
is nearest, and 5 MB took 5 s. The longest a person writes ('2026-12-24T10:00:00.123456
+05:30', 'next wednesday 11:30 pm') is a third of it."""


def an_id_as_text(value: Any) -> Any:
    """An id sent as a JSON number (``ref=12``, as assistants send ids, or ``12.0``, whole
    as JSON Schema counts numbers) is its digits. A number no id can be (0, -3, past
    2**63 - 1, 1.5) or a true or false is refused saying what an id is: pydantic said
    "input should be a valid string"; anything else is left for pydantic to judge."""
    if isinstance(value, bool):
        raise ValueError(f"a REF (text, or an id as a number), not {str(value).lower()}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"an id is a whole number, not {value!r}")
    if isinstance(value, int | float):
        if not 0 < value <= MAX_ID:
            raise ValueError(f"an id is a whole number from 1 to {MAX_ID}, not {value!r}")
        return str(int(value))
    return value


class _AnIdAsText:
    """In a REF's ``Annotated``: an id sent as a number taken as its digits
    (``an_id_as_text``), and the schema saying so, text or a whole number from 1 (a JSON
    Schema "integer", which 12.0 is). It said ``type: string``: a client checking the
    arguments refused the id the instructions offer as a number."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_before_validator_function(an_id_as_text, handler(source))

    def __get_pydantic_json_schema__(self, core: Any, handler: GetJsonSchemaHandler) -> Any:
        schema = handler(core)
        an_id = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        if schema.get("type") == "string":  # its bounds go with the text
            text = {
                key: schema.pop(key) for key in ("type", "minLength", "maxLength") if key in schema
            }
            schema["anyOf"] = [text, an_id]
        else:  # an optional REF: text, an id or null
            branches = schema["anyOf"]
            at = next(n for n, branch in enumerate(branches) if branch.get("type") == "string")
            branches.insert(at + 1, an_id)
        return schema


AN_ID_AS_TEXT = _AnIdAsText()


Ref = Annotated[
    str,
    Field(
        description="The record as on the command line: an id, an email, a name, a company "
        "name or domain, or a deal title.",
        min_length=1,
        max_length=REF_CHARS,
    ),
    AN_ID_AS_TEXT,
]
Where = Annotated[
    str | None,
    Field(
        description="A filter in tinycrm's --where language, e.g. "
        "'tag:vip and lifecycle=customer', 'amount>10000', '#vip @alice'.",
    ),
]


DIGITS = re.compile(r"-?(0|[1-9][0-9]*)")
"""A whole number as JSON writes it: what a string may hold where a number belongs."""
MAX_ID = 2**63 - 1
"""The largest id a record can have (the command line's bound too)."""


def _a_json_number(value: Any) -> Any:
    """A whole number as a JSON number or a string of exactly its digits (some clients
    send every argument as a string), for pydantic to bound. Refused: a JSON true or
    false (lax mode read them as 1 and 0: ``complete_task(task_id=true)`` completed task
    1) and any other string (lax mode read '5.0', ' 5 ', '+5' and '5_0' as 5). A whole
    number JSON writes with an exponent (``1e20``) is bounded as any other: pydantic
    refused one past 64 bits as "unable to parse input string as an integer"."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool):
        raise ValueError(f"a whole number, not {str(value).lower()}")
    if isinstance(value, str):
        if not DIGITS.fullmatch(value):
            raise ValueError(
                "a whole number as a JSON number or its digits alone, not the text "
                f"{safetext.quoted(value)}"
            )
        if len(value) > 30:  # past any bound; int() refuses 4,300 digits and more
            return -(10**30) if value.startswith("-") else 10**30
        return int(value)
    return value


Number = BeforeValidator(_a_json_number)
"""After the ``Field``: before it, the schema gave pydantic's "ge"/"le", not JSON Schema's
"minimum"/"maximum", and a client checking arguments saw no bound."""
TaskId = Annotated[
    int, Field(ge=1, le=MAX_ID, description="The task's id (list_tasks shows it)."), Number
]
ActivityId = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_ID,
        description="The logged call's, email's, meeting's or note's id (a briefing's "
        "activities and search show it).",
    ),
    Number,
]
Limit = Annotated[
    int,
    Field(
        ge=1,
        le=1000,
        description="At most this many results (the answer's more says whether others "
        "were left out).",
    ),
    Number,
]
Offset = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_ID,
        description="Pass over this many first: the next page is the offset an answer's "
        "next_offset says (records in a stable order, ties by id).",
    ),
    Number,
]
Shown = Annotated[
    int,
    Field(ge=1, le=1000, description="At most this many of each list in it (activities, …)."),
    Number,
]


def _true_only(value: Any) -> Any:
    """``true`` itself, or the text "true" (some clients send every argument as text, as
    a number's digits): not 1 or 1.0, which pydantic's ``Literal[True]`` takes (``1 ==
    True``), nor "yes" or "True", for an argument that says a deletion is meant."""
    if value == "true":
        return True
    if value is not True:
        raise ValueError(
            "must be true: a deletion cannot be undone, so it is made only when the user "
            "asks for it"
        )
    return value


Deliberate = Annotated[
    Literal[True],
    Field(
        description="true, once the user has asked for this deletion: it cannot be undone "
        "(the feed keeps only a line saying what went)."
    ),
    BeforeValidator(_true_only),
]
"""A deletion's ``confirm``: an assistant deletes nothing by the way, or by a slip."""


def argument_problems(error: ValidationError) -> str:
    """Why a tool's arguments were refused, on one line: each argument by its name
    (``tags[0]`` for an item of a list) and what it should be. The SDK's own text is
    pydantic's report: lines naming the argument model, ``[type=…, input_value=…]`` and
    a link to pydantic's documentation per argument."""
    problems = []
    found = error.errors(include_url=False)
    for problem in found[:5]:  # of 100,000 bad items, the first few and how many more
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in problem["loc"]
        ).lstrip(".")
        said = problem["msg"]
        if problem["type"] == "missing":
            said = "required"
        elif problem["type"] == "value_error":  # our own words, without "Value error, "
            said = str(problem.get("ctx", {}).get("error", said))
        said = said[:1].lower() + said[1:]
        problems.append(f"{where}: {said}" if where else said)
    if len(found) > 5:
        problems.append(f"and {len(found) - 5:,} more")
    return safetext.display("; ".join(problems))


def nul_argument(arguments: dict[str, Any]) -> str | None:
    """The first argument holding a NUL, by name (``tags[1]`` for an item), and where:
    the database's own check refuses it too, but as ``text:``, naming no argument (a NUL
    in log_activity's ref sent the assistant to fix its text)."""
    for name, value in arguments.items():
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for at, item in items:
            if isinstance(item, str) and "\x00" in item:
                where = name if at is None else f"{name}[{at}]"
                return safetext.display(f"{where}: {safetext.problem(item)}")
    return None

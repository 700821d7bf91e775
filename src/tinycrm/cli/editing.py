"""``contact|company|deal edit REF --editor``: the record as TOML in ``$VISUAL``/``$EDITOR``,
saved as one update (one event listing the fields) when the editor exits.

The TOML has no "nothing": an empty text ("") clears a value. A line deleted from the
file leaves its field as it was. Tags are a list and custom fields a ``[fields]`` table;
what was added or removed there is added or removed. The file is removed once the change
is saved or when nothing changed; when anything goes wrong it is kept and named.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from tinycrm import safetext
from tinycrm.cli.common import crm, fail
from tinycrm.errors import TinyCrmError

HEADER = """\
Editing {noun} #{id} {label}. Save and quit to apply; change nothing to leave it as it is.
An empty text ("") clears a value; a deleted line keeps its value.
tags is a list: ["vip", "partner"]; custom fields go under [fields] as key = "value".
"""

# noun: (fields as the API's edit names them, in the order the file shows them)
FIELDS = {
    "contact": (
        "name", "email", "phone", "title", "role", "company", "lifecycle", "lead_status",
        "source", "owner", "cadence", "unsubscribed", "do_not_contact", "notes",
    ),
    "company": (
        "name", "domain", "industry", "size", "phone", "address", "city", "country", "owner",
    ),
    "deal": ("title", "contact", "company", "amount", "currency", "close", "probability", "owner"),
}  # fmt: skip
# Where the read model keeps a field the edit names otherwise.
READ_AS = {"cadence": "cadence_days", "close": "close_date"}


def _shown(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)  # Decimal amounts stay exact as text


def document(noun: str, record: Any) -> dict[str, Any]:
    """What the file holds for ``record``: its editable fields, tags and custom fields."""
    doc = {name: _shown(getattr(record, READ_AS.get(name, name))) for name in FIELDS[noun]}
    doc["tags"] = list(record.tags)
    doc["fields"] = dict(record.fields)
    return doc


def edit_arguments(before: dict[str, Any], changed: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the API's ``edit`` that make ``changed`` so."""
    arguments: dict[str, Any] = {}
    for name, value in changed.items():
        if name == "tags":
            old, new = set(before["tags"]), set(value)
            arguments["tag"] = sorted(new - old) or None
            arguments["untag"] = sorted(old - new) or None
        elif name == "fields":
            old_fields: dict[str, str] = before["fields"]
            arguments["fields"] = {k: v for k, v in value.items() if old_fields.get(k) != v}
            arguments["unset_fields"] = sorted(set(old_fields) - set(value)) or None
        elif isinstance(value, bool):
            arguments[name] = value
        elif value == "":
            arguments[name] = None
        else:
            arguments[name] = value if isinstance(value, int) and name in _NUMBERS else str(value)
    return arguments


_NUMBERS = {"size", "probability", "cadence"}


def edit_in_editor(noun: str, record: Any, save: Callable[..., Any]) -> Any:
    """Let the user edit ``record`` and save what changed with ``save(id, **arguments)``;
    None when nothing changed. Refusals keep the file and say where it is."""
    from tinycrm import editing  # (TOML and the editor: only for --editor)

    before = document(noun, record)
    label = safetext.display(str(getattr(record, "name", None) or record.title))
    changed, path = editing.edit_document(
        before,
        header=HEADER.format(noun=noun, id=record.id, label=label),
        stem=f"{noun}-{record.id}",
    )
    if not changed:
        path.unlink(missing_ok=True)
        return None
    try:
        saved = save(record.id, **edit_arguments(before, changed))
    except TinyCrmError as exc:
        raise editing.EditorError(str(exc), path) from exc
    except BaseException:
        _say_kept(path)
        raise
    path.unlink(missing_ok=True)
    return saved


def _say_kept(path: Path) -> None:
    sys.stderr.write(f"Your edits are kept in {path}\n")


EditorOpt = Annotated[
    bool,
    typer.Option(
        "--editor",
        help="Edit the whole record as TOML in $VISUAL or $EDITOR; saved when the editor exits.",
    ),
]


def edit_command(
    ctx: typer.Context, noun: str, ref: str, *, other_options: bool
) -> tuple[Any, str]:
    """``NOUN edit REF --editor``: the record after the edit, and what to say of it."""
    if other_options:
        fail("--editor edits the whole record: give it no other field options", 2)
    nouns = {"contact": "contacts", "company": "companies", "deal": "deals"}
    api = getattr(crm(ctx), nouns[noun])
    record = api.get(ref)
    saved = edit_in_editor(noun, record, api.edit)
    label = getattr(record, "name", None) or record.title
    if saved is None:
        return record, f"Nothing changed: {noun} #{record.id} {label}"
    label = getattr(saved, "name", None) or saved.title
    return saved, f"Updated {noun} #{saved.id} {label}"

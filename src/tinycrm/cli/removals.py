"""``contact rm`` and ``company rm``: what a delete takes with it and keeps, unlinked, in
words; asked first on a terminal when a contract or case would lose its customer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.output import Output
from tinycrm.vocab import plural

if TYPE_CHECKING:
    from tinycrm.api.models import Removal

YesOpt = Annotated[
    bool,
    typer.Option(
        "--yes", "-y", help="Delete it though a contract or case is with it (kept, unlinked)."
    ),
]


def gone(removal: Removal) -> list[str]:
    """What the delete takes with it: ``3 activities``, ``1 tag``, …"""
    counts = [
        (removal.activities_deleted, "activity"),
        (removal.tasks_deleted, "task"),
        (removal.tags_deleted, "tag"),
        (removal.fields_deleted, "custom field"),
        (removal.campaign_memberships_deleted, "campaign membership"),
        (removal.sequence_enrollments_deleted, "sequence enrollment"),
    ]
    return [plural(n, noun) for n, noun in counts if n]


def unlinked(removal: Removal) -> list[str]:
    """What the delete keeps, unlinked from it: ``2 deals``, ``case #3 Login``, …"""
    named = [plural(n, noun) for n, noun in ((removal.contacts_unlinked, "contact"),
             (removal.deals_unlinked, "deal")) if n]  # fmt: skip
    named += removal.kept
    others = removal.activities_unlinked
    if others:
        also = "another record" if others == 1 else "other records"
        named.append(f"{plural(others, 'activity')} also about {also}")
    return named


def listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def summary(removal: Removal) -> str:
    """`` with 3 activities; 2 deals kept, unlinked`` (empty when nothing goes with it)."""
    text = f" with {listed(gone(removal))}" if gone(removal) else ""
    if unlinked(removal):
        text += f"; {listed(unlinked(removal))} kept, unlinked"
    return text


def asks() -> bool:
    """Whether a question can be put: stdin is a terminal."""
    import sys

    return sys.stdin.isatty()


def remove(nouns: Any, what: str, ref: str, yes: bool, output: Output) -> None:
    """Delete the contact or company ``ref`` (``nouns``: ``crm.contacts`` or
    ``crm.companies``): on a terminal, one that a contract or case is with is deleted
    only once the user says yes to what goes and what is kept, unlinked."""
    from tinycrm import safetext

    if not yes and asks():
        found = nouns.get(ref)
        removal = nouns.removal(found.id)
        if removal.kept:
            went = f" with {listed(gone(removal))}" if gone(removal) else ""
            typer.confirm(
                safetext.display(
                    f"{what.capitalize()} #{found.id} {found.name} has "
                    f"{listed(removal.kept)}: delete the {what}{went}, and keep "
                    f"{listed(unlinked(removal))}, unlinked?"
                ),
                abort=True,
            )
            yes = True
        ref = str(found.id)
    removed = nouns.remove(ref, unlink_contracts_and_cases=yes)
    if output.machine:
        output.one(removed, lambda _: None)
    else:
        out.done(f"Deleted {what} #{removed.id} {removed.name}{summary(removed.removed)}")

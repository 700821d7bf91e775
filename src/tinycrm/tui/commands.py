"""Command palette providers: jump to any record by name, and go anywhere in the app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from tinycrm.api.models import SearchHit
from tinycrm.errors import TinyCrmError
from tinycrm.tui.base import CrmApp, crm_app_of
from tinycrm.tui.format import text as display
from tinycrm.tui.widgets.text import fit

KIND_LABELS = {"deal": "Deal", "contact": "Contact", "company": "Company", "activity": "Activity",
               "case": "Case"}  # fmt: skip
OPENS = frozenset({"deal", "contact", "company"})  # the kinds with a record screen


class JumpCommands(Provider):
    """Contacts, companies, deals, activities and cases that hold what was typed
    (``crm.search``): a hit opens its record, an activity or a case the record it is about."""

    @property
    def crm_app(self) -> CrmApp:
        return crm_app_of(self)

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        try:
            hits: list[SearchHit] = await asyncio.to_thread(
                self.crm_app.crm.search, query, limit=12
            )
        except TinyCrmError:
            return
        for rank, hit in enumerate(hits):
            if hit.about_kind is not None and hit.about_id is not None:
                target = (hit.about_kind, hit.about_id)  # an activity's or a case's record
            elif hit.kind in OPENS:
                target = (hit.kind, hit.id)
            else:
                continue
            name = fit(hit.name, HIT_NAME)  # escaped, and one line or two, not a page
            label = f"{KIND_LABELS.get(hit.kind, hit.kind)}: {name}"
            shown = Text(label)
            shown.stylize("bold", len(label) - len(name))
            yield Hit(
                1.0 - rank / 100,  # the search's own order
                shown,
                partial(self.crm_app.open_record, *target),
                text=label,
                help=_help(hit),
            )


HIT_NAME = 100
"""The most cells of a hit's name (and detail) the palette shows: a name of 100,000
characters (an import, another program) filled it."""


def _help(hit: SearchHit) -> str:
    """The hit's detail and its snippet as the palette's help markup, the matches
    highlighted: stored text escaped piece by piece (controls shown as escapes, square
    brackets never read as markup)."""

    def plain(text: str) -> str:
        return escape(display(text))

    parts = [f"{escape(fit(hit.detail, HIT_NAME))} · " if hit.detail else ""]
    position = 0
    for start, end in hit.highlights:
        parts.append(plain(hit.snippet[position:start]))
        parts.append(f"[b reverse]{plain(hit.snippet[start:end])}[/]")
        position = end
    parts.append(plain(hit.snippet[position:]))
    return "".join(parts)


class NavigationCommands(Provider):
    """The screens, the pipelines and the board's switches."""

    @property
    def crm_app(self) -> CrmApp:
        return crm_app_of(self)

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        from tinycrm.tui.screens.board import BoardScreen

        app = self.crm_app
        commands: list[tuple[str, str, Callable[[], Any]]] = [
            ("Go to board", "The pipeline kanban (1)", app.action_show_board),
            ("Go to contacts", "Every contact, with search (2)", app.action_show_contacts),
            ("Go to companies", "Every company, with search (3)", app.action_show_companies),
            ("Go to tasks", "Overdue, today and upcoming tasks (4)", app.action_show_tasks),
            ("Go to dashboard", "Key numbers and charts (5)", app.action_show_dashboard),
            ("Go to cases", "Support cases by status and priority (6)", app.action_show_cases),
            ("Show keys", "Every key binding that applies here (?)", app.action_help),
        ]
        board = self.app.screen_stack[0] if self.app.screen_stack else None
        if isinstance(board, BoardScreen):
            shown = "Hide" if board.show_closed else "Show"
            commands.append(
                (
                    f"{shown} won and lost columns",
                    "Toggle the closed deals (c)",
                    board.toggle_closed,
                )
            )
            commands.append(
                ("Toggle activity feed", "Show or hide the feed (f)", board.toggle_feed)
            )
            commands.append(("New deal", "Open a deal in the current pipeline (n)", board.new_deal))
            if board.board is not None:
                for choice in board.board.pipelines:
                    commands.append(
                        (
                            f"Pipeline: {choice.name}",
                            "Show this pipeline on the board",
                            partial(board.switch_pipeline, choice.id),
                        )
                    )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)

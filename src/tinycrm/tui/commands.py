"""Command palette providers: jump to any record by name, and go anywhere in the app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tinycrm.store.errors import StoreError
from tinycrm.store.record_search import RecordHit, search_records

if TYPE_CHECKING:
    from tinycrm.tui.app import TinyCrmApp

KIND_LABELS = {"deal": "Deal", "contact": "Contact", "company": "Company"}


class JumpCommands(Provider):
    """Contacts, companies and deals whose name contains what was typed."""

    @property
    def crm(self) -> TinyCrmApp:
        return self.app  # type: ignore[return-value]

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        try:
            hits: list[RecordHit] = await asyncio.to_thread(
                search_records, self.crm.store, query, limit=8
            )
        except StoreError:
            return
        matcher = self.matcher(query)
        for hit in hits:
            text = f"{KIND_LABELS[hit.kind]}: {hit.label}"
            score = max(matcher.match(hit.label), 0.1)
            yield Hit(
                score,
                matcher.highlight(text),
                partial(self.crm.open_record, hit.kind, hit.id),
                text=text,
                help=hit.detail or None,
            )


class NavigationCommands(Provider):
    """The screens, the pipelines and the board's switches."""

    @property
    def crm(self) -> TinyCrmApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        from tinycrm.tui.screens.board import BoardScreen

        app = self.crm
        commands: list[tuple[str, str, Callable[[], Any]]] = [
            ("Go to board", "The pipeline kanban (1)", app.action_show_board),
            ("Go to contacts", "Every contact, with search (2)", app.action_show_contacts),
            ("Go to companies", "Every company, with search (3)", app.action_show_companies),
            ("Go to tasks", "Overdue, today and upcoming tasks (4)", app.action_show_tasks),
            ("Go to dashboard", "Key numbers and charts (5)", app.action_show_dashboard),
            ("Show keys", "Every key binding that applies here (?)", app.action_help),
        ]
        board = app.screen_stack[0] if app.screen_stack else None
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

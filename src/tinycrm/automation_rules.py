"""``Rule``: one automation rule of the config file's ``[[rules]]`` (read and checked by
``tinycrm.config``), as the store runs it inside its writes (``tinycrm.store.automation``)
and ``tinycrm rules`` shows it. A domain module: the store is given the rules as values
and imports no config reader."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One automation rule: when a trigger fires (and its conditions hold), do the actions."""

    index: int
    when: str
    name: str = ""
    stage: str | None = None
    pipeline: str | None = None
    lifecycle: str | None = None
    task: str | None = None
    due: str = "+1d"
    set_contact_lifecycle: str | None = None
    line: int | None = None
    key_lines: tuple[tuple[str, int | None], ...] = ()
    """The line of each key given (for ``rules check``'s errors)."""

    def line_of(self, key: str) -> int | None:
        """The line of ``key`` in the config file (else the rule's own line)."""
        return dict(self.key_lines).get(key) or self.line

    @property
    def label(self) -> str:
        return self.name or f"rule {self.index + 1}"

    def describe(self) -> str:
        """One line: "when a deal enters Proposal (Sales): add task '…' due +3d"."""
        condition = {
            "deal.created": f"a deal is created{' in ' + self.stage if self.stage else ''}",
            "deal.stage": f"a deal enters {self.stage or 'any stage'}",
            "deal.won": "a deal is won",
            "deal.lost": "a deal is lost",
            "contact.created": "a contact is created",
        }[self.when]
        if self.pipeline:
            condition += f" in pipeline {self.pipeline}"
        if self.lifecycle:
            condition += f" as a {self.lifecycle}"
        actions = []
        if self.task:
            actions.append(f"add task {self.task!r} due {self.due}")
        if self.set_contact_lifecycle:
            actions.append(f"set the contact's lifecycle to {self.set_contact_lifecycle}")
        return f"when {condition}: {'; '.join(actions)}"


__all__ = ["Rule"]

"""The lines of keys in the config file's TOML text, for errors naming them (tomllib
keeps no positions), and the error itself (``tinycrm.config.ConfigError``)."""

from __future__ import annotations

import re
from pathlib import Path

from tinycrm.errors import TinyCrmError


class ConfigError(TinyCrmError, ValueError):
    """The config file is not valid: the message names the file, line and key."""

    def refusal(self) -> str:
        """The line a write it refuses says: the file's mistake after 'config file error
        (tinycrm rules check)', which finds them all; a file that is not there as it is
        ('config file … does not exist'), which that command could not help with."""
        text = str(self)
        return (
            text
            if text.startswith("config file ")
            else f"config file error (tinycrm rules check): {text}"
        )


class Locator:
    """Finds the line of a key in the TOML text (tomllib does not keep positions)."""

    def __init__(self, text: str, path: Path) -> None:
        self.lines = text.splitlines()
        self.path = path
        self.rule_starts = [
            n for n, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*rules\s*\]\]", line)
        ]

    def line(self, rule: int | None, key: str | None) -> int | None:
        """The line of ``key``: in the ``rule``-th ``[[rules]]`` table, else the first
        anywhere (:meth:`key_line` finds it in its own table)."""
        start, end = 0, len(self.lines)
        if rule is not None and rule < len(self.rule_starts):
            start = self.rule_starts[rule]
            later = [n for n in self.rule_starts if n > start] + [
                n for n, line in enumerate(self.lines) if n > start and re.match(r"\s*\[", line)
            ]
            end = min(later, default=len(self.lines))
            if key is None:
                return start + 1
        if key is None:
            return None
        pattern = re.compile(rf"\s*([\"']?){re.escape(key)}\1\s*=|\s*\[\s*{re.escape(key)}\s*\]")
        for n in range(start, end):
            if pattern.match(self.lines[n]):
                return n + 1
        return start + 1 if rule is not None else None

    def _table(self, table: list[str]) -> tuple[int, int] | None:
        """The lines of ``[a.b]``'s header and of the next header (or the end)."""
        name = r"\s*\.\s*".join(re.escape(t) for t in table)
        header = re.compile(rf"\s*\[\s*{name}\s*\]")
        starts = [n for n, line in enumerate(self.lines) if header.match(line)]
        if not starts:
            return None
        rest = range(starts[0] + 1, len(self.lines))
        end = next((n for n in rest if re.match(r"\s*\[", self.lines[n])), len(self.lines))
        return starts[0], end

    def key_line(self, within: str, key: str) -> int | None:
        """The line of ``key`` in the table ``within`` (``support``, ``mail.imap``,
        ``support.response``): the key's own line in its table; for a key in an inline
        table (``response = { high = … }``) the line of the key holding it; else the
        table's header. Found in the table only: a ``timeout`` of ``[[webhooks]]`` is
        not ``hooks.timeout``."""
        table = within.split(".")
        while table:
            found = self._table(table)
            if found is not None:
                start, end = found
                pattern = re.compile(rf"\s*([\"']?){re.escape(key)}\1\s*[=.]")
                for n in range(start + 1, end):
                    if pattern.match(self.lines[n]):
                        return n + 1
                return start + 1
            key = table.pop()
        return None

    def table_line(self, array: str, index: int, key: str) -> int | None:
        """The line of ``key`` in the ``index``-th ``[[array]]`` table (or of its header)."""
        starts = [
            n for n, line in enumerate(self.lines) if re.match(rf"\s*\[\[\s*{array}\s*\]\]", line)
        ]
        if index >= len(starts):
            return None
        start = starts[index]
        later = [n for n, line in enumerate(self.lines) if n > start and re.match(r"\s*\[", line)]
        pattern = re.compile(rf"\s*([\"']?){re.escape(key)}\1\s*=")
        for n in range(start + 1, min(later, default=len(self.lines))):
            if pattern.match(self.lines[n]):
                return n + 1
        return start + 1

    def error(
        self, rule: int | None, key: str | None, message: str, *, within: str | None = None
    ) -> ConfigError:
        """The error ``message`` naming the line of ``key``: in the ``rule``-th rule, in
        the table ``within`` (``support``, ``mail.imap``), else the first anywhere."""
        if within is not None and key is not None:
            line = self.key_line(within, key)
        else:
            line = self.line(rule, key)
        where = f"{self.path}, line {line}" if line else str(self.path)
        return ConfigError(f"{where}: {message}")

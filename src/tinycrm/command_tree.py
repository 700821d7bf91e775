"""``command_tree.json``: the command line's commands and options as shell completion
sees them, for ``tinycrm.tab_completion`` to answer a Tab without loading Typer.

``tinycrm.cli.completion.write_tree`` writes it from the real click tree, with the
fingerprint of the command line's sources it was made from; ``load`` gives the tree
only while those sources are unchanged, so a table that was not refreshed after a
change is never used (the command line answers, slower, and a test says to refresh).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("command_tree.json")
_SOURCES = Path(__file__).with_name("cli")


def fingerprint() -> str:
    """A digest of the command line's sources (``tinycrm/cli/*.py``)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_SOURCES.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def dumps(tree: dict[str, Any]) -> str:
    """The file's text: the fingerprint, then one command a line (short diffs)."""
    lines = [
        f"{json.dumps(name)}: {json.dumps(node, ensure_ascii=False, sort_keys=True)}"
        for name, node in sorted(tree.items())
    ]
    head = f'{{\n"fingerprint": {json.dumps(fingerprint())},\n"tree": {{\n'
    return head + ",\n".join(lines) + "\n}}\n"


def load() -> dict[str, Any] | None:
    """The tree, or None when the file is missing, unreadable or out of date."""
    try:
        data = json.loads(PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint():
        return None
    tree = data.get("tree")
    return tree if isinstance(tree, dict) else None

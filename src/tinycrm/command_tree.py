"""``command_tree.json``: the command line's commands and options as shell completion
sees them, for ``tinycrm.tab_completion`` to answer a Tab without loading Typer.

``tinycrm.cli.completion.write_tree`` writes it from the real click tree, with the
fingerprint of the command line's sources it was made from; ``load`` gives the tree
only while those sources are unchanged, so a table that was not refreshed after a
change is never used. Then the first Tab writes a fresh copy into the user's cache
folder (``tinycrm.cli.completion.cache_tree``), which serves until the next change.
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


def cached() -> Path:
    """The user's own copy, written when the shipped one is out of date."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("tinycrm", appauthor=False)) / "command_tree.json"


def load() -> dict[str, Any] | None:
    """The tree made from the sources as they are (shipped, else the user's cached
    copy), or None when neither is."""
    current = fingerprint()
    for path in (PATH, cached()):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("fingerprint") == current:
            tree = data.get("tree")
            if isinstance(tree, dict):
                return tree
    return None

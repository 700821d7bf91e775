"""Code issue #14 named as dead is gone, not kept beside what replaced it."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("tinycrm.store.bulk", ["plain_table", "fix_sequences", "BulkWriter.fix_sequences"]),
        ("tinycrm.store.imports.common", ["_cell_error"]),
        ("tinycrm.store.leads", ["_new_company"]),  # conversion uses create_company
        ("tinycrm.cli.output", ["_records"]),
        ("tinycrm.vocab", ["ENTITIES", "DEFAULT_PIPELINE"]),
        ("tinycrm.store.board", ["BoardFilter", "compile_board_where"]),
        ("tinycrm.tui.widgets.filter", ["parse_filter", "is_expression"]),
    ],
)
def test_dead_code_is_gone(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(module)
    for dotted in names:
        owner: object = loaded
        *path, last = dotted.split(".")
        for part in path:
            owner = getattr(owner, part)
        assert not hasattr(owner, last), f"{module}.{dotted}"

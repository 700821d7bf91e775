"""A one-shot command defines only the tables it uses: each table costs every command
that defines it a few milliseconds of start-up (issue 16). ``contact add`` and
``contact list`` touch the records, tags, fields and events, never the logs
(``log_models``), the automation tables (``automation_models``), products and quotes
(``sales_models``) or contracts and cases (``service_models``). What needs the whole
schema imports ``tinycrm.store.all_tables`` (the migrations check that it is whole)."""

from __future__ import annotations

import subprocess
import sys

import pytest

RUN = """
from sqlmodel import SQLModel
from tinycrm.cli import app
try:
    app({args!r})
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
print("TABLES", " ".join(sorted(SQLModel.metadata.tables)))
"""

ELSEWHERE = {
    "stage_change",
    "webhook_delivery",
    "announcement",
    "announcement_channel",
    "import_batch",
    "import_change",
    "mail_checkpoint",
    "sequence",
    "sequence_step",
    "sequence_enrollment",
    "score_rule",
    "product",
    "quote",
    "contract",
    "support_case",
}


def tables_defined_by(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", RUN.format(args=list(args))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("TABLES ")
    return set(line.split()[1:])


@pytest.mark.parametrize(
    "args",
    [
        ("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--tag", "vip"),
        ("contact", "list", "--limit", "50"),
    ],
)
def test_a_contact_command_defines_only_the_tables_it_uses(args: tuple[str, ...]) -> None:
    tables_defined_by("contact", "list")  # the database made first (the migrations see all)
    tables = tables_defined_by(*args)
    assert {"contact", "company", "tag", "field_value", "event"} <= tables
    assert not tables & ELSEWHERE


def test_the_whole_schema_is_one_import_away() -> None:
    from sqlmodel import SQLModel

    import tinycrm.store.all_tables  # noqa: F401

    assert set(SQLModel.metadata.tables) >= ELSEWHERE

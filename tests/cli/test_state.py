"""The command line's one open CRM: ``State.crm()`` opens it once, at first use."""

from __future__ import annotations

from pathlib import Path

import typer

from tinycrm.api import Crm
from tinycrm.cli.common import State, crm, state


def test_state_opens_one_crm_on_first_use_and_closes_it(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    opened = State(db=str(db))
    assert not db.exists()  # nothing opened before a command needs it
    first = opened.crm()
    assert isinstance(first, Crm) and opened.crm() is first
    assert first.url.endswith("state.db") and db.exists()
    opened.close()
    assert opened._crm is None
    opened.close()  # closing twice is harmless


def test_a_command_called_without_the_root_gets_a_state() -> None:
    app = typer.Typer()

    @app.command()
    def noop() -> None:
        """Nothing."""

    ctx = typer.Context(typer.main.get_command(app))
    assert isinstance(state(ctx), State) and state(ctx) is state(ctx)
    assert isinstance(crm(ctx), Crm) and crm(ctx) is crm(ctx)
    state(ctx).close()

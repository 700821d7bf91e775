"""``tinycrm mcp``: serve the CRM to an assistant over the Model Context Protocol."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tinycrm.cli.common import crm, fail

app = typer.Typer(add_completion=False)


@app.command("mcp")
def mcp(
    ctx: typer.Context,
    allow_writes: Annotated[
        bool,
        typer.Option(
            "--allow-writes",
            help="Let the assistant add contacts, log activities, add and complete tasks, "
            "and move or close deals (default: read only).",
        ),
    ] = False,
) -> None:
    """Run a Model Context Protocol server on stdin/stdout for an assistant.

    An MCP client starts it (the README's "Assistants (MCP)" section has the snippet); on a
    terminal there is nothing to see, so it refuses to start there.
    """
    if sys.stdin.isatty() and sys.stdout.isatty():
        fail(
            "tinycrm mcp speaks the Model Context Protocol on stdin/stdout: let an MCP "
            'client start it (see the README\'s "Assistants (MCP)" section)',
            2,
        )
    from tinycrm.mcp_server.server import build_server

    server = build_server(crm(ctx), allow_writes=allow_writes)
    server.run("stdio")

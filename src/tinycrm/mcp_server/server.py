"""``tinycrm mcp``: the CRM as a Model Context Protocol server, for assistants.

Built on the official ``mcp`` SDK (``MCPServer``) and on the public API only: every
tool calls the ``Crm`` a script would use, so a write made by an assistant records the
same event, runs the same rules and hooks, and reaches the same webhooks as the same
write typed at the shell. Tools answer with the records as ``--json`` prints them.

Reads are always there; the writes (add a contact, log an activity, add or complete a
task, move or close a deal; edit, reopen or delete a task; edit or delete a logged
activity) exist only when the server is started with
``--allow-writes``. Called without it, a write tool is refused as a tool error that
says how to turn writes on. A refusal of the CRM (not found, ambiguous, invalid) is a
tool error carrying tinycrm's own one-line message; nothing an assistant sends can
stop the server.

Here the server is built; ``crm_server`` holds the server class (the session kept in
order over stdio), ``toolbox`` how a tool is registered and runs, ``read_tools``,
``write_tools`` and ``edit_tools`` the tools themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinycrm import __version__
from tinycrm.mcp_server.crm_server import CrmServer
from tinycrm.mcp_server.edit_tools import add_edit_tools
from tinycrm.mcp_server.read_tools import add_read_tools
from tinycrm.mcp_server.toolbox import Toolbox
from tinycrm.mcp_server.write_tools import add_write_tools

if TYPE_CHECKING:
    from tinycrm.api import Crm

INSTRUCTIONS = """\
tinycrm is the user's CRM: companies, contacts, deals in pipeline stages, activities
(calls, emails, meetings, notes) and tasks. A REF names a record as on the command line:
an id (12 or #12), an email, a whole name, a company name or domain, a deal title (case
does not matter; a part of a name names no one, but the refusal offers the records it may
mean). A name two records share is refused with their ids: use one.
Before a meeting, call `search` and then the matching `*_briefing`. `next_actions` is
what to do now, most pressing first. Amounts are exact decimals in the deal's currency."""

READ_ONLY = "\nThis server is read-only (started without --allow-writes)."
CORRECTIONS = """
Tasks and logged activities share their ids: edit_task, reopen_task and delete_task take a
task's, edit_activity and delete_activity a logged call's, email's, meeting's or note's.
Delete only what the user asks to delete."""
"""Told with writes on: an assistant given a logged call's id by search takes it for a
task's, and the refusal comes only after it tried."""


def build_server(crm: Crm, *, allow_writes: bool = False) -> CrmServer:
    """The MCP server over ``crm``: read tools always, write tools with ``allow_writes``."""
    server = CrmServer(
        allow_writes=allow_writes,
        name="tinycrm",
        version=__version__,
        log_level="WARNING",
        instructions=INSTRUCTIONS + (CORRECTIONS if allow_writes else READ_ONLY),
    )
    box = Toolbox(crm, server)
    add_read_tools(box)
    add_write_tools(box)
    add_edit_tools(box)
    return server

"""Prompts and resources: the server offers none, and says so in a short refusal.

The SDK refused a prompts/get of a name it has not with the error code 0 (no JSON-RPC
code) and a traceback on the server's stderr, the name as sent (its controls raw); a
resources/read echoed its URI whole, twice (1 MB of URI, 2 MB of answer). Here each is
"Invalid params" (-32602, as the SDK's own unknown resource), the name quoted short.
"""

from __future__ import annotations

from typing import Any

from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

from tinycrm import safetext


class NothingElseOffered:
    """For an ``MCPServer``: a prompt or resource it has not is refused in one short line."""

    async def get_prompt(self, name: str, *args: Any, **kwargs: Any) -> Any:
        prompts = await self.list_prompts()  # type: ignore[attr-defined]
        if name not in {prompt.name for prompt in prompts}:
            offered = "" if prompts else " (this server offers no prompts)"
            raise MCPError(INVALID_PARAMS, f"Unknown prompt: {safetext.quoted(name)}{offered}")
        return await super().get_prompt(name, *args, **kwargs)  # type: ignore[misc]

    async def read_resource(self, uri: Any, *args: Any, **kwargs: Any) -> Any:
        resources = await self.list_resources()  # type: ignore[attr-defined]
        templates = await self.list_resource_templates()  # type: ignore[attr-defined]
        if not resources and not templates:
            said = (
                f"Unknown resource: {safetext.quoted(str(uri))} (this server offers no resources)"
            )
            raise MCPError(INVALID_PARAMS, said)
        return await super().read_resource(uri, *args, **kwargs)  # type: ignore[misc]

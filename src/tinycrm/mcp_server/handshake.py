"""Requests sent before the session is initialized, refused in words a client can act on.

The SDK refuses a request (tools/list, tools/call, …) read before ``initialize`` with
its bare "-32602 Invalid request parameters", the words it gives arguments it cannot
read: a client (or a person at ``tinycrm mcp``) had nothing to go on. ``Handshake``
follows the session as the server's read loop relays it, and such a request is answered
here, saying the session is not initialized, without reaching the SDK: nothing runs.
Under the same code, -32602, for a client that keys off it.

As the SDK: a ping is answered before initialize, a method the server does not serve is
"Method not found", and the session is open once an ``initialize`` has been answered (or
a ``notifications/initialized`` read, which the SDK takes for one). A request behind an
``initialize`` not yet answered is the SDK's to judge (it runs ``initialize`` before
reading on). A request in the 2026-07-28 envelope, which has no handshake, is left to
the SDK too.

Once the session is open, a request whose params the SDK's checks refuse (tools/call
naming no tool, arguments that are a list) got the same bare words: ``unfit`` refuses it
here, under the same code, naming each bad param as the protocol version the session
agreed defines it. So is an ``initialize`` whose params are wrong (``{}``, a
``protocolVersion`` of 5), as the version it asks for defines them (the newest the SDK
knows for one it does not), and the session stays as it was: not initialized.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.shared.dispatcher import coerce_request_id
from mcp.types import (
    INVALID_PARAMS,
    ErrorData,
    JSONRPCError,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    methods,
)
from mcp.types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION
from pydantic import ValidationError

from tinycrm import safetext
from tinycrm.mcp_server.malformed import said_of

INITIALIZE = "initialize"
INITIALIZED = "notifications/initialized"
EXEMPT = frozenset({"ping"})
"""What the SDK answers before initialize (its ``runner._INIT_EXEMPT``)."""
MODERN_KEY = "io.modelcontextprotocol/protocolVersion"
"""The ``_meta`` key of the 2026-07-28 envelope (the SDK's PROTOCOL_VERSION_META_KEY)."""


class Handshake:
    """Where the session stands: not initialized, an ``initialize`` on its way (its id),
    or open. ``served`` says whether the server has a handler for a method."""

    def __init__(self, served: Callable[[str], bool]) -> None:
        self.served = served
        self.open = False
        self.initializing: Any = None
        """The id of the ``initialize`` relayed and not yet answered, or None."""
        self.relayed = False
        """Whether a request has reached the SDK: its first decides the era."""
        self.version: str | None = None
        """The protocol version the answer to ``initialize`` agreed."""

    def refusal(self, message: Any) -> JSONRPCError | None:
        """The answer to ``message``, read from the client, when it is a request the SDK
        would refuse for coming before initialize; None for one to relay."""
        if isinstance(message, JSONRPCNotification) and message.method == INITIALIZED:
            self.open = True
        if self.open or not isinstance(message, JSONRPCRequest):
            return None
        meta = (message.params or {}).get("_meta")
        if message.method == INITIALIZE:
            asked = (message.params or {}).get("protocolVersion")
            agreed = asked if asked in HANDSHAKE_PROTOCOL_VERSIONS else LATEST_HANDSHAKE_VERSION
            if (unfit := _unfit(message, agreed)) is not None:  # the session as it was
                return unfit
            self.initializing = coerce_request_id(message.id)
        elif isinstance(meta, dict) and MODERN_KEY in meta:
            self.open = not self.relayed  # the first request so: a session without one
        elif (
            self.initializing is None
            and message.method not in EXEMPT
            and self.served(message.method)
        ):
            return self._refused(message)
        self.relayed = True
        return None

    @staticmethod
    def _refused(message: JSONRPCRequest) -> JSONRPCError:
        said = (
            "the session is not initialized: send initialize, then "
            f"notifications/initialized, before {message.method}"
        )
        return JSONRPCError(
            jsonrpc="2.0", id=message.id, error=ErrorData(code=INVALID_PARAMS, message=said)
        )

    def answered(self, message: Any) -> None:
        """Note an answer the server wrote: the one to ``initialize`` opens the session,
        or (refused) leaves it as it was before."""
        if self.initializing is None or not isinstance(message, JSONRPCResponse | JSONRPCError):
            return
        if message.id is None or coerce_request_id(message.id) != self.initializing:
            return
        self.initializing = None
        if isinstance(message, JSONRPCResponse):
            self.open = True
            agreed = message.result.get("protocolVersion")
            self.version = agreed if isinstance(agreed, str) else None

    def unfit(self, message: Any) -> JSONRPCError | None:
        """The refusal of a request whose params the protocol version agreed does not take
        (each bad param named), or None: one to relay, the SDK judging the rest."""
        if self.version is None or not isinstance(message, JSONRPCRequest):
            return None
        return _unfit(message, self.version)


def _unfit(message: JSONRPCRequest, version: str) -> JSONRPCError | None:
    """The refusal of ``message`` when protocol ``version`` does not take its params,
    naming each bad param, or None."""
    try:
        methods.validate_client_request(message.method, version, message.params)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
    except (KeyError, ValueError):  # a method or a version it does not know: the SDK's
        return None
    else:
        return None
    said = "; ".join(f"{'.'.join(map(str, p['loc']))}: {said_of(p)}" for p in problems[:5])
    return JSONRPCError(
        jsonrpc="2.0",
        id=message.id,
        error=ErrorData(
            code=INVALID_PARAMS,
            message=safetext.display(f"invalid params for {message.method}: {said}"),
        ),
    )

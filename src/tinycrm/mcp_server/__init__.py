"""``tinycrm mcp``: the CRM as a Model Context Protocol server, for assistants.

``server`` holds the tools (``build_server``), ``answers`` what a tool answers (``fitting``
cuts it to a size an assistant can take, ``words`` puts the store's advice in the
server's tools), and ``calls`` how a call runs: on a worker thread, one at a time.
Nothing is imported here, so the MCP SDK loads only when the server starts.
"""

"""``tinycrm mcp``: the CRM as a Model Context Protocol server, for assistants.

``server`` builds it (``build_server``): ``crm_server`` is the server class, the session
kept in order over stdio; ``read_tools``, ``write_tools`` and ``edit_tools`` hold the
tools, ``toolbox`` how each is registered and runs (``calls``: on a worker thread, one at
a time); ``answers`` what a tool answers (``fitting`` cuts it to a size an assistant can
take, ``words`` puts the store's advice in the server's tools).
Nothing is imported here, so the MCP SDK loads only when the server starts.
"""

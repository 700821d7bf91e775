"""The store's advice in the server's words.

The store's messages are written for the command line: "a planned meeting is a task:
tinycrm task add TEXT --due WHEN", "(--reason TEXT)", "cancel it first (tinycrm contract
cancel 2)". An assistant has the server's tools, not the command line: ``tool_words``
says the same with the tool and its arguments, and where no tool of the server does it,
as a command for the user to run. The command line's own wording is left as it is.
"""

from __future__ import annotations

import functools
import json
import re

# Advice a tool of the server follows: the command line's words, then the tool's.
_TOOLS = (
    (
        "tinycrm deal won REF, tinycrm deal lost REF --reason TEXT",
        "close_deal(ref=…, outcome='won'), close_deal(ref=…, outcome='lost', reason=…)",
    ),
    ("tinycrm task add TEXT --due WHEN", "add_task(text=…, due=…)"),
    ("(--reason TEXT)", "(reason)"),
    ("(give several --tag options)", "(give each tag as its own item of tags)"),
    ("run the command again", "call the tool again"),
    # tasks and logged activities share their ids: which tool takes which
    ("(tinycrm task list shows the tasks)", "(list_tasks shows the tasks)"),
    ("(tinycrm task edit and task rm take tasks)", "(edit_task and delete_task take tasks)"),
    # an email logged from a mailbox: how it came, not advice; what can change of it
    ("logged from a mailbox (tinycrm mail)", "logged from a mailbox"),
    ("change its subject, or remove it", "change its subject (text, one line), or delete it"),
    # the board's words for a database file renamed or replaced under it
    (
        "(quit, and open the database where it is now)",
        "(the user has to start this server again, on the database where it is now)",
    ),
    ("(quit, and open it again)", "(the user has to start this server again)"),
)

_NOUNS = ("contact", "company", "deal", "task", "contract", "quote", "product", "case", "db")
"""What is taken for a command without ``command_tree.json``."""


@functools.cache
def _command() -> re.Pattern[str]:
    """Any other command: ``tinycrm`` and one of its commands (``command_tree.json``, as
    tab completion reads them), to the end of the advice (a closing bracket, a
    semicolon, the end of the message), optionally after "run"; not one in quotes (a
    REF the assistant gave, quoted back)."""
    from tinycrm import command_tree

    try:  # the shipped file as it is: its fingerprint may lag the sources' in a checkout
        tree = json.loads(command_tree.PATH.read_text(encoding="utf-8"))
        commands = [str(name) for name, _help in tree["tree"][""]["commands"]]
    except (OSError, ValueError, KeyError, TypeError):
        commands = list(_NOUNS)
    names = "|".join(re.escape(name) for name in commands)
    return re.compile(rf"(?:\brun )?`?(?<!['\"])(tinycrm (?:{names})\b[^()`;'\"\n]*?)`?(?=\)|;|$)")


def _for_the_user(found: re.Match[str]) -> str:
    command = found.group(1).rstrip(" .,")
    text = found.string
    closing = text[found.end() : found.end() + 1] == ")"
    where = "; no tool of this server does" if closing else " (no tool of this server does)"
    return f"the user can run `{command}`{where}"


def tool_words(message: str, *, own: bool = False) -> str:
    """``message`` (a refusal or a warning of the store) with its command-line advice in
    the server's tools; ``own``: someone's own words (a hook's output), left as they are."""
    if own:
        return message
    for cli, tool in _TOOLS:
        message = message.replace(cli, tool)
    return _command().sub(_for_the_user, message)

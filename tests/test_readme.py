"""The README tells the truth: every command is in it, and its test line is CI's."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import typer.main

from tinycrm.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands() -> list[str]:
    group = typer.main.get_command(app)
    found: list[str] = []

    def walk(command, prefix: list[str]) -> None:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                walk(command.get_command(None, name), [*prefix, name])
        else:
            found.append(" ".join(prefix))

    walk(group, ["tinycrm"])
    return found


def test_every_command_is_documented_in_the_readme() -> None:
    commands = all_commands()
    assert len(commands) > 20
    missing = [c for c in commands if not re.search(re.escape(c) + r"\b", README)]
    assert missing == [], f"commands missing from README.md: {missing}"


def test_readme_test_line_is_the_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    line = re.search(r"test_line\(\) \{\n.*\n\s+(.+)\n\}", ci).group(1).strip()
    assert line in README


HEADINGS = {line.lstrip("#").strip() for line in README.splitlines() if re.match(r"#{1,6} ", line)}
# How a message cites a section: "README: Name", "README (Name)", "README's Name section".
CITATION = re.compile(
    r"README(?::\s*(?P<colon>[^)\"\n]+)|\s*\((?P<paren>[^)\n]+)\)"
    r"|'s\s+\"?(?P<possessive>[^\"\n]+?)\"?\s+section)"
)


def readme_mentions(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every string (help, message, docstring) in a module that mentions the README, but
    its own docstring (for developers, not shown to users)."""
    module_doc = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
    for node in ast.walk(tree):
        if module_doc is not None and node is module_doc.value:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):  # an f-string: its literal parts
            text = "{}".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
        else:
            continue
        if "README" in text:
            yield node.lineno, text


def cited_sections(text: str) -> list[str | None]:
    """The section each README mention in ``text`` names (None: it names none)."""
    found: list[str | None] = []
    for mention in re.finditer("README", text):
        match = CITATION.match(text, mention.start())
        if match is None:
            found.append(None)
            continue
        name = next(group for group in match.groups() if group is not None)
        found.append(name.strip().removesuffix("."))
    return found


def test_every_readme_reference_in_a_message_names_a_section_that_exists() -> None:
    wrong: list[str] = []
    checked = 0
    for path in sorted((ROOT / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, text in readme_mentions(tree):
            for section in cited_sections(text):
                checked += 1
                if section not in HEADINGS:
                    where = f"{path.relative_to(ROOT)}:{lineno}"
                    wrong.append(f"{where}: {section!r}" if section else f"{where}: no section")
    assert checked >= 5
    assert wrong == [], f"README references to sections that do not exist: {wrong}"


def test_citations_are_read_as_sections() -> None:
    assert cited_sections("for examples, see README: The config file.") == ["The config file"]
    assert cited_sections("(README: Campaigns). And the README (Reports)") == [
        "Campaigns",
        "Reports",
    ]
    assert cited_sections('the README\'s "Reports" section, the README lists it') == [
        "Reports",
        None,
    ]


def test_the_readme_says_a_narrow_terminal_leaves_columns_out() -> None:
    """On an 80-column terminal `contact list` has no phone, title or tags column and
    `deal list` no owner: lists leave out the columns that matter least on a narrow
    terminal, and the README's "Long lists" said only that cells are cut with '…'."""
    from tinycrm.cli.views import CONTACT_COLUMNS, DEAL_COLUMNS

    dropped = {c.header for c in (*CONTACT_COLUMNS, *DEAL_COLUMNS) if c.keep <= 1}
    assert dropped >= {"phone", "title", "owner", "tags"}
    start = README.index("### Long lists and the pager")
    section = " ".join(README[start : README.index("### Safe text")].split())
    assert "a narrower terminal leaves out the columns that matter least" in section
    assert "a contact's tags, lead status, title and phone" in section
    assert "a deal's tags, owner" in section

"""Hostile command lines for every tinycrm command, generated from the real click tree.

``cases()`` walks ``tinycrm.cli.app`` (loading each lazily registered noun), and for
every command and every one of its options and arguments writes down command lines
that put one hostile value in that place while every other argument is valid for the
seeded database of ``test_hostile.py``. Each case is a ``Case``: argv (with
``@NAME@`` placeholders for files the test makes per case), optional stdin, and an id
that is the command line with long or unprintable values shown by a short label, so a
failure names the command line that broke.

The list is deterministic (no randomness): each parameter kind has a table of hostile
values, and a parameter that would take the whole table takes a rotating slice of it,
so every value is still tried somewhere while the suite stays a few hundred cases.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

# (label, value): the label is what the case id shows. A bytes value is passed to
# the process as raw argv bytes (not UTF-8: Python gives it lone surrogates).
Value = tuple[str, "str | bytes"]

INTS: list[Value] = [
    ("2**63", str(2**63)),
    ("2**64", str(2**64)),
    ("-1", "-1"),
    ("-2**63-1", str(-(2**63) - 1)),
    ("0", "0"),
    ("2**63-1", str(2**63 - 1)),
    ("2**31", str(2**31)),
    ("1e3", "1e3"),
    ("0x10", "0x10"),
    ("arabic-3", "٣"),
    ("empty", ""),
    ("superscript-2", "²"),
]

OUT_OF_RANGE: list[Value] = INTS[:4]
# Numbers where a REF goes: past SQLite's 64 bits and PostgreSQL's 32-bit ids, negative.
REF_NUMBERS: list[Value] = [
    ("2**64", str(2**64)),
    ("#2**63", f"#{2**63}"),
    ("2**31", str(2**31)),
    ("-1", "-1"),
]

TEXTS: list[Value] = [
    ("empty", ""),
    ("blank", "   "),
    ("x*100000", "x" * 100_000),
    ("esc-csi", "\x1b[31mred\x1b[0m"),
    ("osc-8-link", "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07"),
    ("bel", "ding\x07"),
    ("c1-csi", "\x9b31mred"),
    ("bidi-rlo", "\u202egnp.exe"),
    ("unicode", "Zoë 北京 🚀"),
    ("sql", "'; DROP TABLE contact; --"),
    ("like-wildcards", "%_\\"),
    ("dashdash", "--"),
    ("newline", "a\nb"),
    ("crlf", "a\r\nb"),
    ("big-number", "99999999999999999999999"),
    ("hash-2**64", "#" + str(2**64)),
    ("superscript-2", "²"),
    ("bad-utf8", b"caf\xe9"),
    ("zero-width", "\u200b"),
    ("a*301", "a" * 301),
    ("formula", '=HYPERLINK("http://evil.example")'),
    ("backspaces", "admin\b\b\b\b\bguest"),
]

WHENS: list[Value] = [
    ("feb-30", "2026-02-30"),
    ("year-0", "0000-01-01"),
    ("year-9999", "9999-12-31"),
    ("year-10000", "10000-01-01"),
    ("+huge-days", "+99999999999d"),
    ("-huge-days", "-99999999999d"),
    ("+2**63d", f"+{2**63}d"),
    ("month-13", "2026-13-01"),
    ("next-blursday", "next blursday"),
    ("in-huge-weeks", "in 999999999999 weeks"),
    ("25:61", "today 25:61"),
    ("empty", ""),
]

AMOUNTS: list[Value] = [
    ("dollars", "$120,000"),
    ("1e400", "1e400"),
    ("nan", "NaN"),
    ("infinity", "Infinity"),
    ("9*40", "9" * 40),
    ("1,2,3", "1,2,3"),
    ("euro", "€5"),
    ("negative", "-5"),
    ("tiny", "0.0000001"),
    ("empty", ""),
]

CURRENCIES: list[Value] = [
    ("empty", ""),
    ("XXX", "XXX"),
    ("lower", "usd"),
    ("symbol", "€"),
    ("EURO", "EURO"),
    ("esc", "\x1b[31mEUR"),
]

# Files a command reads. The placeholders are made per case by the test.
READ_FILES: list[Value] = [
    ("dir", "@DIR@"),
    ("dev-null", "/dev/null"),
    ("missing", "@MISSING@"),
    ("binary", "@BINARY@"),
    ("nul-bytes", "@NULFILE@"),
    ("empty-file", "@EMPTY@"),
    ("no-parent", "@NOPARENT@/x.csv"),
    ("empty", ""),
    ("the-database", "@DB@"),
    ("utf16-bom", "@UTF16@"),
]

# Files (or folders) a command writes.
WRITE_FILES: list[Value] = [
    ("dir", "@DIR@"),
    ("dev-null", "/dev/null"),
    ("dev-full", "/dev/full"),
    ("no-parent", "@NOPARENT@/out"),
    ("the-database", "@DB@"),
    ("the-database-wal", "@DB@-wal"),
    ("empty", ""),
    ("proc", "/proc/version"),
    ("existing-file", "@EMPTY@"),
]

KIND_TABLES = {
    "int": INTS,
    "text": TEXTS,
    "when": WHENS,
    "amount": AMOUNTS,
    "currency": CURRENCIES,
    "read-file": READ_FILES,
    "write-file": WRITE_FILES,
}
# How many values of each table one parameter gets (None: all of them).
PER_PARAM = {
    "int": 3,
    "text": 1,
    "when": 2,
    "amount": 4,
    "currency": 2,
    "read-file": 5,
    "write-file": 5,
}

WHEN_OPTIONS = {"--due", "--close", "--since", "--from", "--to", "--start", "--end", "--at"}
AMOUNT_OPTIONS = {"--amount", "--budget", "--price"}
READ_FILE_COMMANDS = {"import", "db restore", "case csat-import"}
WRITE_FILE_OPTIONS = {"--out", "--errors", "--path"}

# Valid values for every required argument and option, by command then by name
# ("*" for any command), so that the hostile value is the one wrong thing.
REF_BY_NOUN = {
    "company": "Acme",
    "contact": "ada@acme.com",
    "deal": "Acme renewal",
    "lead": "ada@acme.com",
    "score": "ada@acme.com",
    "log": "Ada Lovelace",
    "product": "Support plan",
}
FILL: dict[str, dict[str, str]] = {
    "*": {
        "probability": "30",
        "points": "5",
        "when": "size>1",
        "status": "sent",
        "step": "0:Say hello",
        "due": "tomorrow",
        "contacts": "bob@globex.com",
        "expression": "tag:vip",
        "kind": "call",
        "text": "Call back",
        "title": "New deal",
        "stage": "Proposal",
        "position": "1",
        "value": "hot",
        "keep": "ada@acme.com",
        "other": "bob@globex.com",
        "task_id": "@TASK@",
        "file": "@CSV@",
        "name": "Spring",
        "contract_id": "1",
        "case_id": "1",
    },
    "company add": {"name": "Initech"},
    "contact add": {"name": "Carol"},
    "pipeline add": {"name": "Hiring"},
    "pipeline stage-add": {"name": "Demo"},
    "segment save": {"name": "big"},
    "segment show": {"name": "vips"},
    "segment rm": {"name": "vips"},
    "campaign add": {"name": "Autumn"},
    "sequence add": {"name": "Nurture"},
    "sequence show": {"name": "Onboard"},
    "sequence enroll": {"name": "Onboard"},
    "sequence stop": {"name": "Onboard"},
    "score rule add": {"name": "Big"},
    "score rule rm": {"name": "Enterprise"},
    "db backup": {"file": "@NEW@"},
    "db restore": {"file": "@BACKUP@"},
    "import all": {"file": "@DUMP@"},
    "log": {"text": "hi"},
    "contract add": {"deal": "Globex support"},
    "product add": {"name": "Training"},
    "deal item add": {"deal": "Globex pilot", "product": "Setup"},
    "deal item list": {"deal": "Globex pilot"},
    "deal item edit": {"item": "1"},
    "deal item rm": {"item": "1"},
    "quote create": {"deal": "Globex pilot"},
    "quote show": {"id_": "1"},
    "quote send": {"id_": "1"},
    "quote accept": {"id_": "1"},
    "quote decline": {"id_": "1"},
    "quote render": {"id_": "1", "out_file": "@NEW@"},
    "case add": {"contact": "ada@acme.com", "subject": "Printer on fire"},
    "case status": {"new_status": "pending"},
    "case resolve": {"case_id": "1"},
    "case reopen": {"case_id": "2"},
    "case csat-import": {"file": "@CSAT@"},
}

# Never run: they reach outside the test (the user's crontab, the desktop, the network)
# or build the demo (seconds per run). The commands themselves are still tried with
# hostile values elsewhere in their parameters.
SKIP_OPTIONS = {
    ("remind install", "--apply"),
    ("remind", "--notify"),
    ("remind", "--mail"),
    ("remind", "--webhook"),
    ("contact edit", "--editor"),  # runs the user's editor
    ("company edit", "--editor"),
    ("deal edit", "--editor"),
    ("webhooks install", "--apply"),
    ("webhooks deliver", "--watch"),  # runs until stopped
}
SKIP_BASE = {"demo", "board"}  # the valid base run: demo builds for seconds; board needs a tty
# Flags that change what a command touches: given only with their base arguments.
TTY_ONLY = {"board"}


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str | bytes, ...]
    stdin: bytes = b""
    marks: tuple[Any, ...] = field(default=(), compare=False)


def _label(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return "<bytes>"
    if value == "":
        return "''"
    if len(value) > 40 or not value.isprintable() or " " in value:
        return f"<{value[:20]!r}…>" if len(value) > 40 else repr(value)
    return value


def command_tree() -> list[tuple[str, Any]]:
    """Every leaf command (and group with its own callback) as ("contact add", command)."""
    import typer
    import typer.main

    from tinycrm.cli import app

    root = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: list[str], ctx: Any) -> None:
        names = command.list_commands(ctx) if hasattr(command, "list_commands") else None
        if (names is None or getattr(command, "invoke_without_command", False)) and path:
            found.append((" ".join(path), command))
        for name in names or []:
            walk(command.get_command(ctx, name), [*path, name], ctx)

    walk(root, [], typer.Context(root))
    return found


def _kind(path: str, param: Any) -> str | None:
    """Which table of hostile values suits this parameter (None: a flag)."""
    if getattr(param, "is_flag", False):
        return None
    annotation = getattr(param.type_descriptor, "annotation", str)
    inner = getattr(annotation, "__args__", (annotation,))[0]
    opt = param.opts[0]
    if isinstance(inner, type) and issubclass(inner, int) and inner is not bool:
        return "int"
    if opt in WHEN_OPTIONS:
        return "when"
    if opt in AMOUNT_OPTIONS:
        return "amount"
    if opt == "--currency":
        return "currency"
    if opt in WRITE_FILE_OPTIONS or (path == "db backup" and param.name == "file"):
        return "write-file"
    if param.name == "file" and any(path.startswith(c) for c in READ_FILE_COMMANDS):
        return "read-file"
    return "text"


def _fill(path: str, param: Any) -> str:
    noun = path.split()[0]
    if param.name == "ref":
        return REF_BY_NOUN.get(noun, "Acme")
    for table in (FILL.get(path, {}), FILL["*"]):
        if param.name in table:
            return table[param.name]
    return "x"


def _argv(
    path: str, command: Any, hostile: dict[str, list[str | bytes]]
) -> list[str | bytes] | None:
    """``path`` with its required parameters filled and ``hostile`` values in place."""
    args: list[str | bytes] = []
    options: list[str | bytes] = []
    dashdash = False
    for param in command.params:
        if param.param_type_name == "argument":
            if param.name in hostile:
                values = hostile[param.name]
                if any(isinstance(v, str) and v.startswith("-") for v in values):
                    dashdash = True
                args.extend(values)
            elif param.required:
                args.append(_fill(path, param))
        elif param.name in hostile:
            for value in hostile[param.name]:
                options.extend([param.opts[0], value])
        elif param.required:
            options.extend([param.opts[0], _fill(path, param)])
    return [*path.split(), *options, *(["--"] if dashdash else []), *args]


def _ident(argv: list[str | bytes]) -> str:
    return " ".join(_label(a) for a in argv)


def cases() -> list[Case]:
    """The whole hostile list, in a stable order."""
    out: list[Case] = []
    seen: set[str] = set()
    rotation = {kind: itertools.count() for kind in KIND_TABLES}

    def add(argv: list[str | bytes] | None, stdin: bytes = b"") -> None:
        if argv is None:
            return
        ident = _ident(argv) + (f" <stdin {len(stdin)} bytes>" if stdin else "")
        if ident in seen:
            return
        seen.add(ident)
        out.append(Case(ident, tuple(argv), stdin))

    tricks = itertools.cycle(["unknown-option", "extra-argument", "missing", "flag-value"])
    for path, command in command_tree():
        params = [p for p in command.params if p.name not in {"help"}]
        params = [p for p in params if "completion" not in (p.name or "")]
        if path not in SKIP_BASE:
            add(_argv(path, command, {}))
        if path in TTY_ONLY:
            add([*path.split(), "--frobnicate"])
            continue
        # One command-level trick per command, rotating through the kinds.
        trick = next(tricks)
        flags = [p for p in params if getattr(p, "is_flag", False)]
        required = [p for p in params if p.required]
        if trick == "missing" and not required:
            trick = "unknown-option"
        if trick == "flag-value" and not flags:
            trick = "extra-argument"
        base = _argv(path, command, {}) or []
        if trick == "unknown-option":
            add([*base, "--frobnicate"])
        elif trick == "extra-argument":
            add([*base, "surplus", "args"])
        elif trick == "missing":
            add(path.split())
        else:
            add([*base, f"{flags[0].opts[0]}=yes"])
        if len(flags) > 1 and path not in SKIP_BASE:  # every flag at once, and repeated
            both = [f.opts[0] for f in flags if f.name not in {"apply", "notify", "editor"}]
            add([*base, *both, *both])
        repeated = False
        for param in params:
            if (path, param.opts[0]) in SKIP_OPTIONS:
                continue
            kind = _kind(path, param)
            if kind is None:
                continue
            table = KIND_TABLES[kind]
            if kind == "int":  # past 64 bits and negative, always; the rest in turn
                for _, value in OUT_OF_RANGE:
                    add(_argv(path, command, {param.name: [value]}))
            if param.name == "ref" or param.metavar in {"REF", "ID", "BATCH"}:
                for _, value in REF_NUMBERS:
                    add(_argv(path, command, {param.name: [value]}))
            take = PER_PARAM[kind] or len(table)
            start = next(rotation[kind]) * take
            picked = [table[(start + i) % len(table)] for i in range(take)]
            for _, value in picked:
                add(_argv(path, command, {param.name: [value]}))
            if not repeated and (getattr(param, "multiple", False) or param.nargs == -1):
                repeated = True  # one repeatable parameter per command, given four times
                add(_argv(path, command, {param.name: [v for _, v in table[:2]] * 2}))
    # Through stdin, where NUL and any byte can go: `import … -`.
    for kind in ("contacts", "companies", "deals", "activities"):
        add(["import", kind, "-"], stdin=b"name,email\nA\x00da,a\x00@x.com\n")
        add(["import", kind, "-"], stdin=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
        add(["import", kind, "-"], stdin=b'name,email\n"Unclosed,a@x.com\nBob,b@x.com\n')
    add(["import", "contacts", "-"], stdin=b"")
    add(["import", "contacts", "-"], stdin=b"\xef\xbb\xbfname\n" + b"x" * 2_000_000 + b"\n")
    add(["import", "contacts", "-"], stdin=b"name,email\n\x1b]0;pwned\x07Eve,e@x.com\n")
    add(["import", "all", "-"], stdin=b'{"contacts": [{"name": "A\\u0000B"}]}')
    add(["import", "all", "-"], stdin=b"[" * 100_000)
    add(["case", "csat-import", "-"], stdin=b"case,csat,comment\n2,5,\x1b]0;pwned\x07\n")
    add(["case", "csat-import", "-"], stdin=b"case,csat\n2,5\n\x1b[2J,4\n")
    add(["case", "csat-import", "-"], stdin=b"case,csat\n" + f"{2**64},5\n".encode())
    # The root's own options.
    for label, value in [*TEXTS[:6], ("dir", "@DIR@"), ("dev-null", "/dev/null")]:
        del label
        add(["--db", value, "contact", "list"])
    add(["--db", "@NOPARENT@/x.db", "contact", "list"])
    add(["--db", "sqlite:///@DIR@", "contact", "list"])
    add(["--db", "postgresql+psycopg://nobody@127.0.0.1:1/x", "contact", "list"])
    add(["--db", "mysql://x/y", "contact", "list"])
    add(["--version", "--version"])
    add(["--nope"])
    add(["contact", "show", "--", "--help"])
    add(["contact", "show", "-h", "--", "x"])
    add(["nosuchcommand"])
    add(["\x1b[2J", "list"])
    return out

"""Which database: ``--db``, ``TINYCRM_DB`` or the default file, as a SQLAlchemy URL.

The database is chosen by, in order: the ``--db`` option (passed in as ``url``),
the ``TINYCRM_DB`` environment variable, else ``tinycrm.db`` in platformdirs'
user data dir. Each takes a file path or a SQLAlchemy URL.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from tinycrm.store.errors import Unavailable

APP_NAME = "tinycrm"


def data_dir() -> Path:
    """The per-user data directory (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_path() -> Path:
    """Where the user's database lives when nothing says otherwise."""
    return data_dir() / "tinycrm.db"


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``TINYCRM_DB`` / the default into a SQLAlchemy URL."""
    # An empty TINYCRM_DB is unset (the shell's way); an empty --db was typed: with
    # --db "$DB" and DB unset, 'contact rm 5' must not act on the default database.
    value = db if db is not None else os.environ.get("TINYCRM_DB") or str(default_path())
    if not value.strip():  # not a file named '   ' in the current folder
        named = "--db" if db is not None else "TINYCRM_DB"
        raise Unavailable(f"{named} is blank: give a database file or URL (or leave it unset)")
    named = "--db" if db is not None else "TINYCRM_DB"
    if "\x00" in value:
        raise Unavailable(f"{named} holds a NUL character: give a database file or URL")
    if re.search("[\ud800-\udfff]", value):  # bytes that are not UTF-8, as Python reads them
        raw = value.encode("utf-8", "surrogateescape")
        raise Unavailable(
            f"{named} holds bytes that are not UTF-8 ({raw!r}); "
            "SQLite takes UTF-8 file names: rename the file, or give it through a link "
            "whose name is UTF-8"
        )
    if "://" in value:
        return _scheme_in_lower_case(value)
    if value != value.strip() and not os.path.lexists(os.path.expanduser(value)):
        # a space pasted along would make a new, empty database beside the user's own
        raise Unavailable(
            f"{named} {value!r} begins or ends with a space: remove it (no file has that name)"
        )
    try:
        path = Path(value).expanduser().absolute()
    except RuntimeError as exc:  # ~name of no user
        user = value[1:].split("/", 1)[0]
        raise Unavailable(
            f"cannot open database {value}: there is no user {user} whose home folder ~{user} "
            "is (did you mean ~/?)"
        ) from exc
    # SQLAlchemy reads '?' as the start of options and '%XX' as an escape: quoted, a file
    # named 'crm?v2.db' or '50%41.db' is the one opened, not 'crm' or '50A.db'
    quoted = str(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    return f"sqlite:///{quoted}"


def _scheme_in_lower_case(url: str) -> str:
    """``SQLITE:///crm.db`` as ``sqlite:///crm.db``: a URL's scheme is case-insensitive
    (RFC 3986), but SQLAlchemy looks its dialect and driver up as typed (was refused as
    "not SQLITE"). Only the scheme: a path, a user or a database name keeps its case."""
    scheme, separator, rest = url.partition("://")
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) is None:
        return url
    return f"{scheme.lower()}{separator}{rest}"


def libpq_url(url: str) -> str:
    """A PostgreSQL URL as ``pg_dump``/``psql`` take it: ``postgresql://``, no driver name,
    no password (they read it from ``~/.pgpass`` or ``PGPASSWORD``, or ask)."""
    parsed = parse_url(url)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string(hide_password=False)


def parse_url(url: str) -> URL:
    """``url`` read by SQLAlchemy, or ``Unavailable`` in one line (its password hidden)
    when it cannot be: control characters, a port that is not a number."""
    try:
        parsed = make_url(_scheme_in_lower_case(url))
    except ArgumentError as exc:  # e.g. control characters in --db
        raise Unavailable(f"not a database URL or path: {shown_url(url)!r}") from exc
    except ValueError as exc:  # SQLAlchemy's int() of the port
        port = re.search(r"@[^/?#]*:([^/?#:]*)(?:[/?#]|$)", url)
        host = url.split("://", 1)[-1].rsplit("@", 1)[-1].split("/", 1)[0]
        why: object = f"its port {port.group(1)!r} is not a number" if port else exc
        if "[" in host and "]" not in host:  # SQLAlchemy took the address's end for a port
            why = "an IPv6 address in it lacks its closing ']': write it as [::1]:5432"
        raise Unavailable(f"not a database URL: {shown_url(url)!r} ({why})") from exc
    if parsed.host and "@" in parsed.host:  # SQLAlchemy ends the password at the first @
        raise Unavailable(
            f"not a database URL: {shown_url(url)!r} (its user name or password holds an '@': "
            "write it as %40, and a '%' as %25)"
        )
    return parsed


def refuse_no_database_name(url: str, parsed: URL) -> None:
    """A PostgreSQL URL that names no database (``postgresql://``, ``…@host:5432/``) is
    refused (``Unavailable``, one line): libpq would open the database named after the
    user, and tinycrm would make its tables in that database's ``public`` schema, saying
    nothing. Named by libpq's other ways it is taken: ``?dbname=``, ``?service=``,
    ``PGDATABASE`` or ``PGSERVICE``."""
    if parsed.database or {"dbname", "service"} & set(parsed.query):
        return
    if os.environ.get("PGDATABASE") or os.environ.get("PGSERVICE"):
        return
    raise Unavailable(
        f"the PostgreSQL URL {shown_url(url)!r} names no database: write it after the host "
        "(postgresql://HOST/DATABASE)"
    )


def shown_url(url: str) -> str:
    """``url`` to quote in a message: its password hidden (everything from the user's
    ``:`` to the last ``@``, a ``/``, ``#`` or ``@`` in it too)."""
    # up to the last '@': a password holding a bare '@' is hidden whole
    hidden = re.sub(r"(://[^:/]*:).*@", r"\1***@", url, count=1)
    return hidden if len(hidden) <= 80 else f"{hidden[:77]}..."


def sets_lock_timeout(parsed: URL) -> bool:
    """Whether a PostgreSQL URL's ``options=`` (libpq's ``-c name=value``) set lock_timeout
    (tinycrm then leaves it as given rather than setting its own)."""
    options = parsed.query.get("options")
    given = " ".join(options) if isinstance(options, tuple) else options or ""
    return "lock_timeout" in given.replace("-", "_")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and memory."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)

"""Run Alembic programmatically against a connection the store already holds.

For developers: ``python -m tinycrm.store.migrations.runner revision -m "add x" --db PATH``
autogenerates a new revision from the models.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

# Objects the models do not describe: created by hand in migrations, ignored by autogenerate.
UNMANAGED_PREFIXES = ("contact_fts", "search_")
UNMANAGED_INDEXES = frozenset({"ix_contact_search_trgm"})


def make_config(connection: Connection | None = None, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "tinycrm.store:migrations")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


def run_upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade through ``connection`` (its transaction is the migration's)."""
    command.upgrade(make_config(connection), revision)


def script_heads(*, all_revisions: bool = False) -> set[str]:
    """The head revision(s), or with ``all_revisions`` every known revision id."""
    script = ScriptDirectory.from_config(make_config())
    if all_revisions:
        return {rev.revision for rev in script.walk_revisions()}
    return set(script.get_heads())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    rev = sub.add_parser("revision")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--db", required=True)
    rev.add_argument("--rev-id")
    chk = sub.add_parser("check")
    chk.add_argument("--db", required=True)
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{Path(args.db).expanduser().absolute()}"
    cfg = make_config(url=url)
    if args.cmd == "revision":
        command.revision(cfg, message=args.message, autogenerate=True, rev_id=args.rev_id)
    else:
        command.check(cfg)


if __name__ == "__main__":
    main()

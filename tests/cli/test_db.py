"""``tinycrm db`` and the global --db option."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def test_db_path_follows_option_env_and_default(cli, tmp_path: Path, monkeypatch) -> None:
    assert cli("db", "path").stdout.strip() == str(tmp_path / "tinycrm.db")
    assert cli("--db", str(tmp_path / "x.db"), "db", "path").stdout.strip() == str(
        tmp_path / "x.db"
    )
    monkeypatch.delenv("TINYCRM_DB")
    expected = Path(os.environ["XDG_DATA_HOME"]) / "tinycrm" / "tinycrm.db"
    assert cli("db", "path").stdout.strip() == str(expected)
    url = "postgresql+psycopg://me:secret@db.example/crm"
    assert cli("--db", url, "db", "path").stdout.strip() == (
        "postgresql+psycopg://me:***@db.example/crm"
    )


def test_default_database_is_created_private_in_the_data_dir(cli, monkeypatch) -> None:
    monkeypatch.delenv("TINYCRM_DB")
    assert cli("contact", "add", "Ada").exit_code == 0
    path = Path(os.environ["XDG_DATA_HOME"]) / "tinycrm" / "tinycrm.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_upgrade_and_backup(cli, tmp_path: Path) -> None:
    assert "Created a new database" in cli("db", "upgrade").stdout
    assert "up to date" in cli("db", "upgrade").stdout
    cli("contact", "add", "Ada")
    target = tmp_path / "backup.db"
    result = cli("db", "backup", str(target))
    assert result.exit_code == 0, result.stderr
    again = cli("db", "backup", str(target))
    assert again.exit_code == 1 and "--force" in again.stderr
    assert cli("db", "backup", str(target), "--force").exit_code == 0
    listed = cli("--db", str(target), "contact", "list", "--json").json()
    assert [c["name"] for c in listed] == ["Ada"]

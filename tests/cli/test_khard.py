"""vCards in the tools people already use: khard lists every card tinycrm exports."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path


def _khard() -> list[str]:
    found = Path(sys.executable).parent / "khard"
    return [str(found)] if found.exists() else [sys.executable, "-m", "khard"]


def test_khard_lists_every_demo_contact_from_a_folder_of_exported_cards(
    cli, tmp_path: Path, demo_database: Path
) -> None:
    demo = tmp_path / "demo.db"
    shutil.copy(demo_database, demo)  # built once for the test process (tests/conftest.py)
    demo.chmod(0o600)
    assert cli("demo", "--no-board", "--path", str(demo)).exit_code == 0  # "Using the demo"
    contacts = cli("--db", str(demo), "contact", "list", "--json", "--limit", "100000").json()
    exported = tmp_path / "all.vcf"
    result = cli("--db", str(demo), "export", "contacts", "--format", "vcard", "-o", str(exported))
    assert result.exit_code == 0, result.stderr
    cards = re.findall(r"BEGIN:VCARD\r?\n.*?END:VCARD\r?\n", exported.read_text(), re.S)
    assert len(cards) == len(contacts) > 100
    folder = tmp_path / "cards"
    folder.mkdir()
    for number, card in enumerate(cards):
        (folder / f"{number:04d}.vcf").write_text(card, encoding="utf-8")
    config = tmp_path / "khard.conf"
    config.write_text(f"[addressbooks]\n[[crm]]\npath = {folder}/\n", encoding="utf-8")
    listed = subprocess.run(
        [*_khard(), "-c", str(config), "list", "--parsable"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert listed.returncode == 0, listed.stderr
    assert "no UID" not in listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert sorted(uid for uid, _name, _book in rows) == sorted(c["uid"] for c in contacts)
    assert sorted(name for _uid, name, _book in rows) == sorted(c["name"] for c in contacts)

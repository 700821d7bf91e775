"""A real IMAP server (Dovecot, see tests/mail/dovecot.py), started once per test worker,
and a fresh mail account on it for each test that asks."""

from __future__ import annotations

import itertools
import os
import shutil
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.mail import dovecot

_accounts = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[dovecot.Dovecot]:
    if not dovecot.available():
        if os.environ.get("CI"):
            pytest.fail("dovecot is not installed (.ci/run installs dovecot-imapd)")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    server = dovecot.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class ImapAccount:
    """One user on the test server, with its own INBOX, Sent and Clients folders."""

    server: dovecot.Dovecot
    user: str
    password: str
    password_file: Path
    config_path: Path

    def client(self) -> Any:
        """An IMAPClient logged in as this user (over TLS), to fill and look at folders."""
        from imapclient import IMAPClient

        context = ssl.create_default_context(cafile=str(self.server.cafile))
        client = IMAPClient("127.0.0.1", port=self.server.tls_port, ssl_context=context, timeout=10)
        client.plain_login(self.user, self.password)  # SASL PLAIN: UTF-8 names too
        return client

    def append(self, folder: str, *messages: bytes) -> None:
        with self.client() as client:
            for message in messages:
                client.append(folder, message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))

    def configure(self, tls: str = "ssl", **imap: str | list[str] | int | bool) -> Path:
        """Write the config file (TINYCRM_CONFIG points at it) for this account."""
        port = self.server.tls_port if tls == "ssl" else self.server.port
        table: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": port,
            "tls": tls,
            "user": self.user,
            "password_cmd": ["cat", str(self.password_file)],
            "cafile": str(self.server.cafile),
            **imap,
        }
        lines = ["[mail]", 'own_addresses = ["me@my.example"]', 'own_domains = ["my.example"]']
        lines.append("[mail.imap]")
        for key, value in table.items():
            if value is None:
                continue
            lines.append(f"{key} = {_toml(value)}")
        self.config_path.write_text("\n".join(lines) + "\n")
        return self.config_path


def _toml(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # strings, ints and lists of strings read the same in TOML


@pytest.fixture
def imap_account(
    dovecot_server: dovecot.Dovecot,
    sqlite_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> ImapAccount:
    """A new user (a new name is a new, empty account), a config file for it, and the
    database ``tinycrm.open()`` opens ready (a copy of the migrated template)."""
    shutil.copy(sqlite_template, os.environ["TINYCRM_DB"])
    user = f"u{os.getpid()}-{next(_accounts)}@mycompany.example"
    password = dovecot_server.password
    secret = tmp_path / "imap-password"
    secret.write_text(password + "\n")
    config = tmp_path / "config.toml"
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    account = ImapAccount(dovecot_server, user, password, secret, config)
    account.configure()
    return account

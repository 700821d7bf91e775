"""[mail.imap] in the config file: what ``tinycrm mail sync`` reads, checked on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinycrm.config import ConfigError, MailSettings, parse_config


def _imap(tmp_path: Path, extra: str = "") -> object:
    text = f'[mail.imap]\nhost = "imap.example.com"\nuser = "me@example.com"\n{extra}'
    return parse_config(text, tmp_path / "config.toml").mail.imap


def test_defaults_password_cmd_words_and_a_cafile_beside_the_config(tmp_path: Path) -> None:
    imap = _imap(tmp_path)
    assert (imap.port, imap.effective_port, imap.tls, imap.folders) == (None, 993, "ssl", None)
    assert imap.password_cmd is None and imap.keyring is False and imap.cafile is None
    split = _imap(tmp_path, 'password_cmd = "pass show \'mail/my imap\'"\ntls = "starttls"\n')
    assert split.password_cmd == ("pass", "show", "mail/my imap")
    assert split.effective_port == 143
    listed = _imap(tmp_path, 'password_cmd = ["sh", "-c", "pass show x | head -n 1"]\n')
    assert listed.password_cmd == ("sh", "-c", "pass show x | head -n 1")
    assert _imap(tmp_path, 'cafile = "certs/ca.pem"\n').cafile == tmp_path / "certs/ca.pem"
    assert _imap(tmp_path, 'folders = ["INBOX", " Archive "]\n').folders == ("INBOX", "Archive")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'password_cmd = "pass show \'x"\n',
            r"line 4: mail.imap.password_cmd: No closing quotation",
        ),
        ("password_cmd = []\n", "password_cmd must be a command"),
        ("password_cmd = 3\n", "password_cmd must be a command"),
        ('tls = "tls"\n', 'tls must be "ssl", "starttls" or "none"'),
        ("port = 99999999999999999999\n", "port must be a port number"),
        ("folders = []\n", "folders must be a list of folder names"),
        ('folders = ["a\\nb"]\n', "folders must be a list of folder names"),
        ("cafile = 1\n", "cafile must be the path of a PEM file"),
        ("keyring = 1\n", "keyring must be true or false"),
        ("passwd = 1\n", "unknown key mail.imap.passwd"),
    ],
)
def test_a_bad_imap_table_names_the_key(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _imap(tmp_path, extra)


def test_a_host_with_spaces_or_a_path_is_refused(tmp_path: Path) -> None:
    for host in ("imap example.com", "imaps://imap.example.com/"):
        with pytest.raises(ConfigError, match=r"mail\.imap\.host must be a host name"):
            parse_config(f'[mail.imap]\nhost = "{host}"\nuser = "u"\n', tmp_path / "c.toml")


def test_create_contacts_max_is_a_whole_number_of_people(tmp_path: Path) -> None:
    def mail(text: str) -> MailSettings:
        return parse_config(f"[mail]\n{text}", tmp_path / "config.toml").mail

    assert mail("").create_contacts_max == 15
    assert mail("create_contacts_max = 40\n").create_contacts_max == 40
    for bad in ("0", "-1", "1.5", '"10"', "true", "100001"):
        with pytest.raises(ConfigError, match=r"mail\.create_contacts_max must be a number"):
            mail(f"create_contacts_max = {bad}\n")

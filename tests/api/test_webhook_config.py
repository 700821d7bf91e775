"""The [[webhooks]] tables of the config file: a bad key or URL named with its line,
the URLs that work kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.webhook_servers import config_text
from tinycrm.config import parse_config


def test_a_bad_webhooks_table_names_the_key_and_line(tmp_path: Path) -> None:
    from tinycrm.config import ConfigError

    text = '[[webhooks]]\nurl = "https://x.example/h"\nevents = ["deal"]\nsecret = "whsec_AA=="\n'
    with pytest.raises(ConfigError, match=r"line 3: webhooks\[1\]\.events: 'deal' is not"):
        parse_config(text, tmp_path / "config.toml")
    bad_secret = text.replace('["deal"]', '["deal.*"]')
    with pytest.raises(ConfigError, match=r"line 4: webhooks\[1\]\.secret: the secret is too"):
        parse_config(bad_secret, tmp_path / "config.toml")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        # 99999 is not a port: the resolver took it modulo 65536 and posted to 34463
        ("http://127.0.0.1:99999/hook", "port"),
        ("http://127.0.0.1:0/hook", "port"),
        ("http://127.0.0.1:http/hook", "port"),
        # urllib sends no credentials from the address: it looked up 'user:pw@host'
        ("https://user:secret@example.com/hook", "user or password"),
        ("http://[::1/hook", "not a valid address"),
        ("http:///hook", "host"),
        ("http://example.com/h\x1b[31m", "control"),
        ("http://example.com/h\x00", "control"),
        ("http://example.com/bücher", "percent-encode"),
        ("ftp://example.com/hook", "http"),
        # no resolver looks these up: each try failed with "UnicodeError: encoding with
        # 'idna' codec failed (UnicodeError: label empty or too long)", until given up
        ("http://" + "a" * 64 + ".example/hook", "63"),
        ("http://hooks..example/hook", "empty"),
        ("http://b\u00fccher-" + "\u00fc" * 60 + ".example/hook", "63"),
    ],
)
def test_a_webhook_url_that_cannot_be_posted_to_is_refused_in_the_config(
    tmp_path: Path, url: str, why: str
) -> None:
    from tinycrm.config import ConfigError

    text = config_text(url).replace(f'"{url}"', json.dumps(url))  # TOML escapes = JSON's
    with pytest.raises(ConfigError, match=r"line 2: webhooks\[1\]\.url: ") as refused:
        parse_config(text, tmp_path / "config.toml")
    assert why in str(refused.value)
    assert "secret" not in str(refused.value)  # the address is not repeated


def test_the_webhook_urls_that_work_are_kept(tmp_path: Path) -> None:
    for url in (
        "https://example.com/hooks/tinycrm?token=abc%20d#x",
        "http://127.0.0.1:8080/hook",
        "http://[::1]:65535/",
        "https://bücher.example/hook",  # an IDN host: urllib sends it as xn--
    ):
        config = parse_config(config_text(url), tmp_path / "config.toml")
        assert config.webhooks[0].url == url


def test_an_address_named_twice_is_refused_by_its_line_without_printing_it(
    tmp_path: Path,
) -> None:
    """Two [[webhooks]] tables with one address were refused as 'config.toml: webhooks:
    https://hooks.example.com/services/T0/B0/s3cr3t is named twice': the whole address,
    secret path and all, on the stderr of every command (cron's mail too), and no line."""
    from tinycrm.config import ConfigError

    url = "https://hooks.example.com/services/T0/B0/s3cr3t"
    text = config_text(url) + "\n" + config_text(url, events='["deal.*"]')
    with pytest.raises(ConfigError) as refused:
        parse_config(text, tmp_path / "config.toml")
    said = str(refused.value)
    assert "s3cr3t" not in said, said
    assert "line 9: webhooks[2].url: the same address as webhooks[1]" in said, said

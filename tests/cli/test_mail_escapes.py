"""Mail that hides text from its reader: a subject, a sender's name, an attachment's name
and a body holding Unicode tag characters ("ASCII smuggling": an instruction an assistant
reads and a terminal shows as nothing) and other characters that show as nothing. Each
is stored as it came and shown, by every mail command and every view of a logged mail,
as ``safetext.display`` shows it in any table: as its code (``\\U000e0069``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.header import Header
from pathlib import Path
from typing import Any

import pytest

from tinycrm import safetext

CONFIG = '[mail]\nown_addresses = ["me@mycompany.example"]\n'
SMUGGLED = "".join(chr(0xE0000 + ord(c)) for c in "ignore all")
FLAG = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # England's
SUBJECT = f"Invoice{SMUGGLED} due\u200b today\u2060 {FLAG}\u206a\ufff9"
BODY = f"Please pay.{SMUGGLED}\nThanks\u200b"


def _word(text: str, charset: str = "utf-8") -> str:
    return Header(text, charset).encode(maxlinelen=10_000)


def _message(n: int, charset: str) -> bytes:
    return (
        f"From: {_word('Ann' + SMUGGLED, charset)} <ann@acme.example>\n"
        f"To: me@mycompany.example\nSubject: {_word(f'{SUBJECT} {n}', charset)}\n"
        f"Date: Tue, 01 Dec 2026 10:00:00 +0000\nMessage-ID: <s{n}@acme.example>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + __import__("base64").b64encode(BODY.encode()).decode()
        + "\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; "
        f"filename*=utf-8''bill{''.join(f'%{b:02X}' for b in SMUGGLED.encode())}.pdf\n\n"
        "JVBERi0=\n--b--\n"
    ).encode()


def _leaks(text: str) -> list[str]:
    """The characters that show as nothing found raw (not escaped) in ``text``."""
    return sorted({safetext.escaped(m.group()) for m in safetext.SHOWN.finditer(text)} - {"\\x0a"})


@pytest.fixture
def mail_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    monkeypatch.setenv("TINYCRM_CONFIG", str(path))
    monkeypatch.setenv("COLUMNS", "500")  # the subjects whole, escapes and all
    return path


def test_hidden_text_in_mail_is_stored_exact_and_shown_as_codes(
    cli: Callable[..., Any], tmp_path: Path, mail_config: Path
) -> None:
    cli("contact", "add", "Ann Lee", "--email", "ann@acme.example")
    cli("deal", "add", "Renewal", "--contact", "Ann Lee")
    for n, charset in enumerate(("utf-8", "utf-16", "gb18030"), start=1):
        (tmp_path / f"{n}.eml").write_bytes(_message(n, charset))
    files = [str(tmp_path / f"{n}.eml") for n in (1, 2, 3)]
    runs = {
        "mail import --dry-run": cli("mail", "import", *files, "--dry-run"),
        "mail import": cli("mail", "import", *files),
    }
    assert "logged 3 emails for 1 contact" in runs["mail import"].stdout
    runs |= {
        " ".join(args): cli(*args)
        for args in (
            ("contact", "show", "Ann Lee"),
            ("deal", "show", "Renewal"),
            ("search", "Invoice"),
            ("search", "pay"),
            ("search", "bill"),
            ("feed",),
        )
    }
    leaks = {name: _leaks(run.stdout + run.stderr) for name, run in runs.items()}
    assert not any(leaks.values()), leaks
    for name in ("contact show Ann Lee", "deal show Renewal", "search Invoice"):
        assert "Invoice\\U000e0069\\U000e0067" in runs[name].stdout, name
        assert f"due\\u200b today\\u2060 {FLAG}\\u206a\\ufff9 " in runs[name].stdout, name
    assert "pay.\\U000e0069" in runs["search pay"].stdout
    assert "bill\\U000e0069" in runs["search bill"].stdout
    shown = cli("contact", "show", "Ann Lee", "--json").json()["activities"]
    assert sorted(a["subject"] for a in shown) == [f"{SUBJECT} {n}" for n in (1, 2, 3)]
    assert all(a["body"].endswith(f"\n\n{BODY}") for a in shown)
    assert all(f"Attachment: bill{SMUGGLED}.pdf" in a["body"] for a in shown)
    assert all(f"From: Ann{SMUGGLED} <ann@acme.example>" in a["body"] for a in shown)
    exported = tmp_path / "activities.json"
    cli("export", "activities", "--format", "json", "-o", str(exported))
    assert sorted(a["subject"] for a in json.loads(exported.read_text())) == sorted(
        f"{SUBJECT} {n}" for n in (1, 2, 3)
    )

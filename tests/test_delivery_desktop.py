"""tinycrm.delivery.send_desktop: ``notify-send`` is a shell script put first on PATH."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tinycrm.delivery import DeliveryError, send_desktop


def _fake_notify_send(directory: Path, script: str) -> None:
    directory.mkdir(exist_ok=True)
    path = directory / "notify-send"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_desktop_without_notify_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(DeliveryError) as raised:
        send_desktop("tinycrm", "3 tasks due")
    assert str(raised.value) == (
        "desktop notification not sent: notify-send not found (install libnotify-bin)"
    )


def test_desktop_calls_notify_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "args.txt"
    _fake_notify_send(tmp_path / "bin", f"printf '%s\\0' \"$@\" > '{record}'\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    send_desktop("tinycrm: 3 due", "-Call Müller\nSend offer", urgency="critical")
    args = record.read_text(encoding="utf-8").split("\0")[:-1]
    assert args[-3:] == ["--", "tinycrm: 3 due", "-Call Müller\nSend offer"]
    assert "--urgency=critical" in args
    assert "--app-name=tinycrm" in args


def test_desktop_failure_reports_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_notify_send(
        tmp_path / "bin",
        "echo 'GDBus.Error: Cannot autolaunch D-Bus without X11 $DISPLAY' >&2\n"
        "echo 'second line' >&2\nexit 1\n",
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(DeliveryError) as raised:
        send_desktop("t", "b")
    assert str(raised.value) == (
        "desktop notification not sent: notify-send failed: "
        "GDBus.Error: Cannot autolaunch D-Bus without X11 $DISPLAY"
    )


def test_desktop_urgency_is_checked() -> None:
    with pytest.raises(ValueError, match="urgency must be one of low, normal, critical"):
        send_desktop("t", "b", urgency="urgent")


def test_desktop_finds_the_session_bus_under_cron(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cron runs jobs without DBUS_SESSION_BUS_ADDRESS: notify-send gets the user's bus."""
    record = tmp_path / "bus.txt"
    _fake_notify_send(tmp_path / "bin", f"printf '%s' \"$DBUS_SESSION_BUS_ADDRESS\" > '{record}'\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    runtime = tmp_path / "run-user"
    runtime.mkdir()
    (runtime / "bus").touch()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    send_desktop("t", "b")
    assert record.read_text() == f"unix:path={runtime / 'bus'}"

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/somewhere/else")
    send_desktop("t", "b")
    assert record.read_text() == "unix:path=/somewhere/else"

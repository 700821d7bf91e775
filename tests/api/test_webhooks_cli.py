"""`tinycrm webhooks`: deliver (once and --watch), status, retry, and the lists, which
name an endpoint by its table and host, never the secret in its path."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.webhook_servers import Receiver, config_text
from tests.conftest import Run
from tinycrm.api import Crm


def test_the_command_line_delivers_lists_failures_and_retries(
    receiver: Receiver, isolated_user_dirs: Path, forked: Callable[..., Run]
) -> None:
    """Each command a process of its own (forked: the start is not what is tested)."""
    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(receiver.url, extra="attempts = 1\n"))

    # no crontab program on PATH: uninstall must not touch the machine's crontab
    env = {"PATH": str(Path(sys.executable).parent)}

    def run(*args: str) -> Run:
        return forked(*args, env=env)

    assert run("contact", "add", "Ada Lovelace").exit_code == 0
    receiver.plan = [500]
    first = run("webhooks", "deliver")
    assert first.exit_code == 1, first.stderr  # every try failed: not a success
    assert "given up 1" in first.stdout and "HTTP 500" in first.stderr
    failed = json.loads(run("webhooks", "failed", "--json").stdout)
    assert [(f["event_type"], f["last_status"]) for f in failed] == [("contact.created", 500)]
    retried = run("webhooks", "retry", str(failed[0]["id"]))
    assert retried.exit_code == 0 and f"#{failed[0]['id']}" in retried.stdout
    assert "Delivered 1" in run("webhooks", "deliver").stdout
    assert receiver.bodies()[0]["record"]["name"] == "Ada Lovelace"
    missing = run("webhooks", "retry", "999")
    assert missing.exit_code == 1 and "no webhook delivery #999" in missing.stderr
    status = json.loads(run("webhooks", "status", "--json").stdout)
    assert status["endpoints"][0]["endpoint"] == "webhooks[1]"
    assert status["endpoints"][0]["url"] == f"http://127.0.0.1:{receiver.port}/…"
    assert (status["pending"], status["delivered"], status["failed"]) == (0, 1, 0)
    assert "nothing waits to be delivered" in run("webhooks", "pending").stdout
    line = run("webhooks", "install").stdout
    assert "webhooks deliver >>" in line and line.rstrip().endswith("# tinycrm webhooks")
    units = isolated_user_dirs / "config" / "systemd" / "user"
    assert run("webhooks", "install", "--systemd").exit_code == 0
    assert "deliver --watch" in (units / "tinycrm-webhooks.service").read_text()
    assert "Removed" in run("webhooks", "uninstall").stdout
    assert not (units / "tinycrm-webhooks.service").exists()


def test_deliver_exits_1_when_any_try_failed(receiver: Receiver, isolated_user_dirs: Path) -> None:
    """Every failure was a line on stderr, yet the run exited 0: cron and scripts took it
    for a success. A try that failed, to be retried or given up, now makes it exit 1."""
    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(receiver.url, extra="attempts = 3\n", retry_after=600))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tinycrm", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    assert run("contact", "add", "Ada Lovelace").returncode == 0
    assert run("contact", "add", "Bob Babbage").returncode == 0
    receiver.plan = [204, 500]
    half = run("webhooks", "deliver")
    assert (half.returncode, half.stdout) == (1, "Delivered 1, to retry 1, given up 0\n")
    assert half.stderr.count("\n") == 1
    assert "HTTP 500 Internal Server Error (try 1 of 3;" in half.stderr
    quiet = run("webhooks", "deliver")  # the retry is not due yet: nothing failed
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (
        0, "Delivered 0, to retry 0, given up 0\n", ""
    )  # fmt: skip
    assert run("contact", "add", "Cy Young").returncode == 0
    assert run("webhooks", "deliver").returncode == 0
    assert [b["record"]["name"] for b in receiver.bodies()] == ["Ada Lovelace", "Cy Young"]


def _watching(
    receiver: Receiver, isolated_user_dirs: Path
) -> tuple[list[str], subprocess.Popen[str]]:
    """The receiver in the user's config, Ada added, and `webhooks deliver --watch` started:
    the command to run tinycrm, and the watcher."""
    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(receiver.url))
    command = [sys.executable, "-m", "tinycrm"]
    subprocess.run([*command, "contact", "add", "Ada Lovelace"], check=True, timeout=60)
    watcher = subprocess.Popen(
        [*command, "webhooks", "deliver", "--watch", "--interval", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return command, watcher


def test_deliver_watch_sends_new_events_as_they_come_and_stops_on_ctrl_c(
    receiver: Receiver, isolated_user_dirs: Path
) -> None:
    import signal

    command, watcher = _watching(receiver, isolated_user_dirs)
    assert watcher.stdout is not None and watcher.stderr is not None
    said: list[str] = []  # its lines as it prints them (it flushes after each pass)
    reader = threading.Thread(target=lambda: said.extend(watcher.stdout or ()), daemon=True)
    reader.start()

    def delivered() -> int:
        return sum(int(n) for line in list(said) for n in re.findall(r"Delivered (\d+)", line))

    try:
        subprocess.run([*command, "contact", "add", "Grace Hopper"], check=True, timeout=60)
        # Ctrl-C once it has said so: a try cut short by it (the receiver has the body,
        # the watcher not yet its answer) is made again by the next run, not counted.
        deadline = time.monotonic() + 60
        while delivered() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(b["record"]["name"] for b in receiver.bodies()) == [
            "Ada Lovelace",
            "Grace Hopper",
        ]
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=60)
        reader.join(timeout=60)
        err = watcher.stderr.read()
    assert watcher.returncode == 0, err
    # One pass or two: a slow start (a loaded machine) finds both events at its first.
    assert delivered() == 2, said
    assert "Stopped" in err


@pytest.mark.parametrize("delivery", [2**31, 2**63 - 1, 0, 999])
def test_retry_of_a_delivery_that_is_not_there(store: Any, delivery: int) -> None:
    from tinycrm.errors import NotFound

    # past PostgreSQL's 32-bit ids too: "no webhook delivery", never the driver's overflow
    with pytest.raises(NotFound, match=f"no webhook delivery #{delivery}"):
        Crm(store).webhooks.retry(delivery)


def test_deliver_watch_stops_when_its_database_file_is_moved_away(
    receiver: Receiver, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    # A service runs for days: after the file is moved or a backup restored over it, a
    # watcher still on the old file would never see another event, and say nothing.
    _command, watcher = _watching(receiver, isolated_user_dirs)
    try:
        deadline = time.monotonic() + 60
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.2)
        database = Path(os.environ["TINYCRM_DB"])
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{database}{suffix}").rename(tmp_path / f"moved.db{suffix}")
        out, err = watcher.communicate(timeout=30)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.communicate()
    assert watcher.returncode == 1, (out, err)
    assert "renamed or deleted" in err and "Traceback" not in err


def test_webhooks_status_csv_is_only_csv(receiver: Receiver, isolated_user_dirs: Path) -> None:
    import csv
    import io

    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(receiver.url))
    done = subprocess.run(
        [sys.executable, "-m", "tinycrm", "webhooks", "status", "--csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["endpoint"], r["url"], r["attempts"]) for r in rows] == [
        ("webhooks[1]", f"http://127.0.0.1:{receiver.port}/…", "8")
    ]
    assert "0 pending, 0 delivered, 0 failed" in done.stderr  # said, beside the data


def test_the_lists_name_an_endpoint_by_its_table_and_host_not_its_secret(
    receiver: Receiver, isolated_user_dirs: Path, forked: Callable[..., Run]
) -> None:
    """`webhooks status`, `pending` and `failed` showed each endpoint's whole address,
    the secret in its path or query included (Slack's hooks/T…/B…/<secret>, ?token=), in
    the table and in --json and --csv. They now name it by its [[webhooks]] table and its
    address up to the host, as `webhooks deliver` does."""
    url = f"http://127.0.0.1:{receiver.port}/services/T000/B000/s3cr3tPath?token=t0k3n"
    config = isolated_user_dirs / "config" / "tinycrm" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(url, extra="attempts = 1\n"))
    named = f"webhooks[1] http://127.0.0.1:{receiver.port}/…"

    def run(*args: str, exit_code: int = 0) -> str:
        done = forked(*args)
        assert done.exit_code == exit_code, done.stderr
        said = done.stdout + done.stderr
        assert "s3cr3t" not in said and "t0k3n" not in said, said
        return done.stdout

    run("contact", "add", "Ada Lovelace")
    assert named in run("webhooks", "pending")
    (waiting,) = json.loads(run("webhooks", "pending", "--json"))
    assert waiting["endpoint"] == named
    assert "webhooks[1]" in run("webhooks", "status")
    (endpoint,) = json.loads(run("webhooks", "status", "--json"))["endpoints"]
    assert endpoint["endpoint"] == "webhooks[1]"
    assert endpoint["url"] == f"http://127.0.0.1:{receiver.port}/…"
    run("webhooks", "status", "--csv")
    receiver.plan = [500]
    run("webhooks", "deliver", exit_code=1)
    assert named in run("webhooks", "failed")
    (failed,) = json.loads(run("webhooks", "failed", "--json"))
    assert (failed["endpoint"], failed["last_status"]) == (named, 500)
    run("webhooks", "failed", "--csv")


def test_retry_with_an_id_and_all_says_to_give_one_not_both(isolated_user_dirs: Path) -> None:
    """`webhooks retry 1 --all` was refused as 'give a delivery ID or --all', the words
    for giving neither, to someone who had given both. Now each is said as it is."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tinycrm", "webhooks", "retry", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    both = run("1", "--all")
    assert (both.returncode, both.stderr) == (
        2,
        "Error: give a delivery ID or --all, not both\n",
    )
    neither = run()
    assert (neither.returncode, neither.stderr) == (2, "Error: give a delivery ID or --all\n")

"""tinycrm remind telling on several channels (the list, mail, webhooks) against real local
servers: each channel is told each item once, also when another one failed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ..test_delivery import Inbox, smtp_server  # noqa: F401  (fixtures)
from ..test_webhook_post import Hook, hook_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def mail_config(
    smtp_server: tuple[Inbox, int],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Inbox:
    """A config file whose [smtp] is the local aiosmtpd server; its inbox."""
    inbox, port = smtp_server
    config = tmp_path / "config.toml"
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'from = "crm@example.com"\ntimeout = 5\n'
    )
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    return inbox


def _titles(hook: Hook) -> list[list[str]]:
    return [[item["title"] for item in json.loads(body)["due"]] for *_, body in hook.requests]


def _mailed(inbox: Inbox) -> list[tuple[list[str], str]]:
    return [(mail.rcpt_tos, mail.message["Subject"]) for mail in inbox.mails]


def test_a_channel_that_had_the_items_is_not_told_them_again(
    cli: Callable[..., object],
    mail_config: Inbox,
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """The list printed and the mail sent, then the webhook answered 500: the next run
    POSTs it, and neither prints it nor mails it again (was: mailed and printed twice)."""
    hook, base = hook_server
    cli("task", "add", "late", "--due", "-1d")
    hook.status = 500
    args = ("remind", "--mail", "me@example.com", "--webhook", f"{base}/hook")
    first = cli(*args)
    assert first.exit_code == 4
    assert "  - late: was due" in first.stdout
    assert first.stderr.count("\n") == 1
    assert "webhook not sent: 127.0.0.1 answered 500" in first.stderr
    assert (
        "the next run tells it again, only where it did not go out; standard output "
        "and the mail to me@example.com had it" in first.stderr
    )
    assert _mailed(mail_config) == [(["me@example.com"], "tinycrm: 1 thing due")]
    cli("task", "add", "new", "--due", "-1h")
    hook.status = 200
    second = cli(*args)
    assert second.exit_code == 0, second.stderr
    assert "  - new: was due" in second.stdout and "late" not in second.stdout
    assert _mailed(mail_config)[1:] == [(["me@example.com"], "tinycrm: 1 thing due")]
    assert _titles(hook) == [["late"], ["late", "new"]]
    third = cli(*args)
    told = (third.exit_code, third.stdout, len(hook.requests), len(mail_config.mails))
    assert told == (0, "", 2, 2)


def test_a_mail_refused_does_not_stop_the_webhook_nor_send_it_twice(
    cli: Callable[..., object],
    mail_config: Inbox,
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """The SMTP server refused the recipient: the webhook is POSTed all the same (was:
    nothing after the mail went out), and the next run mails it, nothing more."""
    hook, base = hook_server
    cli("task", "add", "late", "--due", "-1d")
    mail_config.refuse = {"me@example.com"}
    args = ("remind", "--json", "--mail", "me@example.com", "--webhook", f"{base}/hook")
    first = cli(*args)
    assert first.exit_code == 4
    assert [item["title"] for item in json.loads(first.stdout)] == ["late"]
    assert "mail not sent: SMTP server" in first.stderr and "550" in first.stderr
    assert "standard output and the webhook to 127.0.0.1 had it" in first.stderr
    assert _titles(hook) == [["late"]]
    mail_config.refuse = set()
    second = cli(*args)
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout) == []
    assert _mailed(mail_config) == [(["me@example.com"], "tinycrm: 1 thing due")]
    assert _titles(hook) == [["late"]]


def test_a_mail_refused_for_one_recipient_goes_again_to_that_one_only(
    cli: Callable[..., object], mail_config: Inbox
) -> None:
    cli("task", "add", "late", "--due", "-1d")
    mail_config.refuse = {"bob@example.com"}
    args = ("remind", "--mail", "ann@example.com", "--mail", "Bob <bob@example.com>")
    first = cli(*args)
    assert first.exit_code == 4
    assert "mail not sent to every recipient" in first.stderr
    assert "bob@example.com: 550" in first.stderr
    assert "the mail to ann@example.com had it" in first.stderr
    mail_config.refuse = set()
    second = cli(*args)
    assert (second.exit_code, second.stdout) == (0, "")
    assert [mail.rcpt_tos for mail in mail_config.mails] == [
        ["ann@example.com"],
        ["bob@example.com"],
    ]
    assert cli(*args).exit_code == 0 and len(mail_config.mails) == 2


def test_one_address_given_twice_gets_one_mail(
    cli: Callable[..., object], mail_config: Inbox
) -> None:
    """--mail ann@example.com --mail 'Ann <ANN@example.com>' (a crontab line grown by
    hand): one recipient, once (was: both in To and the envelope, two copies)."""
    cli("task", "add", "late", "--due", "-1d")
    run = cli("remind", "--mail", "ann@example.com", "--mail", "Ann <ANN@example.com>")
    assert run.exit_code == 0, run.stderr
    assert [(m.rcpt_tos, m.message["To"]) for m in mail_config.mails] == [
        (["ann@example.com"], "ann@example.com")
    ]


def test_a_run_killed_after_a_channel_took_the_items_does_not_tell_it_again(
    cli: Callable[..., object],
    hook_server: tuple[Hook, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    """kill -9 (or a power cut) after the webhook took the list, before the run marked
    it: 15 minutes later its claim went back and the next run posted it again and
    printed it again (cron mailed it twice). Now each channel is recorded as it takes
    the items, and the next run tells them only where they did not go out."""
    import os
    import signal
    import subprocess

    from tests.cli.conftest import tinycrm_executable

    hook, base = hook_server
    cli("task", "add", "late", "--due", "-1d")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    notify = bin_dir / "notify-send"
    notify.write_text("#!/bin/sh\nkill -9 $PPID\n")  # the run dies while it tells
    notify.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    args = [*tinycrm_executable(), "remind", "--webhook", f"{base}/hook", "--notify"]
    killed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert "  - late: was due" in killed.stdout and _titles(hook) == [["late"]]
    shown = tmp_path / "shown.txt"
    notify.write_text(f"#!/bin/sh\nprintf '%s' \"$*\" > '{shown}'\n")
    later = {**env, "TINYCRM_TESTING_CLOCK_SHIFT": "1000"}  # past the dead run's claim
    again = subprocess.run(args, env=later, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "" and _titles(hook) == [["late"]]
    assert "late" in shown.read_text()
    third = subprocess.run(args, env=later, capture_output=True, text=True, timeout=60)
    assert (third.returncode, third.stdout, len(hook.requests)) == (0, "", 1)


def test_a_big_batch_goes_to_a_webhook_in_parts_each_under_its_limit(
    cli: Callable[..., object],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """ntfy refuses a body over 4 KB (Discord, Teams and Slack have their limits too): 60
    due tasks went as one POST of some 20 KB, refused, and every run failed again on the
    same batch. Now the batch goes in parts of at most 4 KB, each saying which part it
    is; a part refused stops the rest, and only the parts that went out are recorded
    there: the next run POSTs the others, none twice."""
    hook, base = hook_server
    names = [
        f"Call customer number {n:02d} about the renewal of the big contract" for n in range(60)
    ]
    for name in names:
        cli("task", "add", name, "--due", "-1h")
    hook.fail_after = 2
    args = ("remind", "--webhook", f"{base}/topic")
    first = cli(*args)
    assert first.exit_code == 4
    assert "webhook not sent: 127.0.0.1 answered 500" in first.stderr
    sizes = [len(body) for *_, body in hook.requests]
    assert len(sizes) == 3 and max(sizes) <= 4096
    went = [title for part in _titles(hook)[:2] for title in part]
    assert went == names[: len(went)] and 0 < len(went) < 60
    first_text = json.loads(hook.requests[0][3])["text"]
    assert first_text.startswith("tinycrm: part 1 of ")
    assert json.loads(hook.requests[0][3])["count"] == len(_titles(hook)[0])
    hook.fail_after = None
    second = cli(*args)
    assert second.exit_code == 0, second.stderr
    assert second.stdout == ""  # the list had them all the first time
    later = [title for part in _titles(hook)[3:] for title in part]
    assert sorted(went + later) == sorted(names) and len(went + later) == 60
    assert max(len(body) for *_, body in hook.requests) <= 4096
    count = len(hook.requests)
    assert cli(*args).exit_code == 0 and len(hook.requests) == count


def test_a_failed_delivery_of_remind_all_does_not_promise_a_next_run(
    cli: Callable[..., object],
    hook_server: tuple[Hook, str],  # noqa: F811
) -> None:
    """`remind --all --webhook URL` refused: it said '(nothing was marked as announced:
    the next run tells it again)', though --all marks nothing and cron's next run does
    not tell what it told before. Now it says --all records nothing."""
    hook, base = hook_server
    cli("task", "add", "late", "--due", "-1d")
    assert cli("remind").exit_code == 0  # told: cron's next run does not tell it again
    hook.status = 500
    failed = cli("remind", "--all", "--webhook", f"{base}/hook")
    assert failed.exit_code == 4
    assert failed.stderr.startswith("Error: webhook not sent: 127.0.0.1 answered 500")
    assert failed.stderr.endswith("(remind --all records nothing)\n")
    assert "next run" not in failed.stderr and failed.stderr.count("\n") == 1


def test_a_run_sends_webhook_parts_for_a_while_and_leaves_the_rest_to_the_next(
    cli: Callable[..., object],
    hook_server: tuple[Hook, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hundreds of parts to a slow receiver (30 s each at worst) outlasted the run's
    claims (15 minutes): the next cron run took them over and sent the same parts again.
    Now a run starts no part past its ``BUDGET`` (10 minutes): it says so, exit 4, and
    the next run sends the rest; here the budget is spent by the first part."""
    import time

    from tinycrm.cli import remind, remind_webhook

    sent = remind_webhook.post

    def slow(url: str, body: object, *, deadline: float) -> None:
        sent(url, body, deadline=deadline + 30)  # (a loaded machine's POST takes a while)
        time.sleep(max(deadline - time.monotonic(), 0) + 0.01)

    monkeypatch.setattr(remind, "BUDGET", 0.2)
    monkeypatch.setattr(remind_webhook, "post", slow)
    hook, base = hook_server
    for n in range(40):
        cli("task", "add", f"Call customer number {n:02d} about the big renewal", "--due", "-1h")
    args = ("remind", "--webhook", f"{base}/topic")
    first = cli(*args)
    assert first.exit_code == 4
    assert "webhook to 127.0.0.1: parts 1 to 1 of " in first.stderr
    assert "the rest wait for the next run" in first.stderr
    runs = 1
    while cli(*args).exit_code == 4:
        runs += 1
    titles = [title for part in _titles(hook) for title in part]
    assert len(titles) == len(set(titles)) == 40 and runs == len(hook.requests) - 1


def test_a_mail_server_that_keeps_quiet_is_not_waited_for_past_the_run_s_budget(
    cli: Callable[..., object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """smtp.timeout may be up to an hour, and the whole exchange got four times it: a
    server that accepted the connection and kept quiet (a tarpit) held the run, and its
    claims, past the 15 minutes after which the next cron run takes them over and tells
    everything again. Now a run waits for the mail its ``BUDGET`` at most (here a
    second): exit 4, nothing marked, the next run tries again."""
    import socket
    import time

    from tinycrm.cli import remind

    monkeypatch.setattr(remind, "BUDGET", 1.0)
    with socket.socket() as listener:  # accepts the connection, never says hello
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        config = tmp_path / "config.toml"
        config.write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {listener.getsockname()[1]}\n'
            'security = "none"\nfrom = "crm@example.com"\ntimeout = 3\n'
        )
        monkeypatch.setenv("TINYCRM_CONFIG", str(config))
        cli("task", "add", "Call Ada", "--due", "-1h")
        started = time.monotonic()
        run = cli("remind", "--mail", "ann@example.com")
        took = time.monotonic() - started
    assert run.exit_code == 4
    assert "mail not sent: SMTP server 127.0.0.1:" in run.stderr
    assert "did not finish within" in run.stderr and took < 3


def test_two_mails_to_a_quiet_server_share_the_run_s_budget(
    cli: Callable[..., object],
    mail_config: Inbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ann had the first item, Bob did not: the next run sends two mails. Each waited its
    own five minutes for a server that kept quiet, ten in all, and a third mail would
    have held the run past the 15 minutes after which the next cron run tells everything
    again. Now the run's whole delivery has one ``BUDGET`` (here a second): the first
    mail waits for what is left of it, the second is not started, and waits for the
    next run."""
    import socket

    from tinycrm.cli import remind

    args = ("remind", "--mail", "ann@example.com", "--mail", "bob@example.com")
    cli("task", "add", "late", "--due", "-1d")
    mail_config.refuse = {"bob@example.com"}
    assert cli(*args).exit_code == 4  # ann had it, bob did not
    cli("task", "add", "new", "--due", "-1h")
    monkeypatch.setattr(remind, "BUDGET", 1.0)
    with socket.socket() as listener:  # accepts connections, never says hello
        listener.bind(("127.0.0.1", 0))
        listener.listen(2)
        config = tmp_path / "quiet.toml"
        config.write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {listener.getsockname()[1]}\n'
            'security = "none"\nfrom = "crm@example.com"\ntimeout = 3\n'
        )
        monkeypatch.setenv("TINYCRM_CONFIG", str(config))
        run = cli(*args)
    assert run.exit_code == 4
    # (ann's waited for what was left, or, on a machine slow to start it, none was left)
    assert run.stderr.count("did not finish within") <= 1, run.stderr
    assert (
        "mail to bob@example.com not sent: it waits for the next run "
        "(a run delivers for 1 s at most)" in run.stderr
    )

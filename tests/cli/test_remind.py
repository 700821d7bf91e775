"""tinycrm remind / next / rules / sequence through the command line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import tinycrm_executable


def test_remind_announces_once_and_fail_if_due(cli) -> None:
    cli("contact", "add", "Ada", "--email", "ada@x.com", "--cadence", "30d")
    cli("task", "add", "Send contract", "--due", "-2d", "--contact", "Ada")
    cli("deal", "add", "Acme", "--amount", "1000", "--close", "+3d")
    first = cli("remind")
    assert first.exit_code == 0, first.stderr
    assert "Overdue tasks (1)" in first.stdout
    assert "  - Send contract: was due 2 days ago · Ada" in first.stdout
    assert "Closing soon (1)" in first.stdout
    assert "Acme: €1,000.00 at 10%, expected to close in 3 days" in first.stdout
    again = cli("remind")
    assert (again.exit_code, again.stdout) == (0, "")  # nothing new: cron mails nothing
    everything = cli("remind", "--all", "--json").json()
    assert {i["group"] for i in everything} == {"overdue", "closing"}
    assert cli("remind", "--fail-if-due").exit_code == 3
    cli("task", "done", "1")
    cli("deal", "edit", "Acme", "--close", "")
    assert cli("remind", "--fail-if-due", "--all").exit_code == 0


def test_two_overlapping_runs_never_announce_an_item_twice(cli) -> None:
    """Cron fired twice: two real processes at once, four rounds of new due tasks."""
    expected: set[str] = set()
    seen: list[str] = []
    for round_ in range(4):
        for n in range(5):
            out = cli("task", "add", f"task {round_}-{n}", "--due", "-1h", "--json")
            expected.add(f"task:{out.json()['id']}")
        procs = [
            subprocess.Popen(
                [*tinycrm_executable(), "remind", "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=os.environ,
            )
            for _ in range(2)
        ]
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=60)
            assert proc.returncode == 0, stderr
            seen += [item["key"] for item in json.loads(stdout)]
    assert sorted(seen) == sorted(expected)  # every item once, none twice


REMIND_ALONE = """
import sys
sys.argv = ["tinycrm", "remind", "--json"]
import tinycrm.cli as cli
try:
    cli.app(prog_name="tinycrm")
except SystemExit:
    pass
heavy = ("contacts", "companies", "deals", "filter_sql", "contracts", "quotes", "cases")
print("LOADED", [m for m in heavy if f"tinycrm.store.{m}" in sys.modules], file=sys.stderr)
"""


def test_cron_s_run_imports_none_of_the_nouns_modules(cli) -> None:
    """remind (cron's run, every few minutes) reads its items without the modules that add
    and list contacts, companies, deals, contracts, quotes and cases, nor the filter
    language: their import is most of what it would cost above opening the store."""
    cli("task", "add", "late", "--due", "-1d")
    result = subprocess.run(
        [sys.executable, "-c", REMIND_ALONE],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=120,
    )
    assert [item["key"] for item in json.loads(result.stdout)] == ["task:1"]
    assert result.stderr.strip().splitlines()[-1] == "LOADED []"


def test_failed_delivery_exits_4_and_retries_next_run(cli, tmp_path: Path) -> None:
    cli("task", "add", "late", "--due", "-1d")
    failed = cli("remind", "--webhook", "http://127.0.0.1:9/nothing-listens-here")
    assert failed.exit_code == 4
    assert "the next run tells it again" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    retried = cli("remind", "--webhook", "http://127.0.0.1:9/nothing-listens-here")
    assert retried.exit_code == 4 and "webhook not sent" in retried.stderr
    assert retried.stdout == ""  # the list had it: only the webhook is told again


def test_a_failed_delivery_still_prints_what_was_due_and_tells_it_again(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cron mails a job's output: when the webhook fails, that mail shows what was due
    (was: only the error line), and the next run tells it again to the webhook only (the
    list had it); once delivered, it is not told a third time."""
    from tinycrm import delivery, webhook_post

    cli("task", "add", "late", "--due", "-1d")
    hook = "http://127.0.0.1/hook"

    def refuse(url: str, payload: object, **_: object) -> None:
        raise delivery.DeliveryError("webhook not sent: 127.0.0.1 answered 500")

    monkeypatch.setattr(webhook_post, "post_webhook", refuse)
    failed = cli("remind", "--webhook", hook)
    assert failed.exit_code == 4
    assert "  - late: was due yesterday" in failed.stdout
    assert failed.stderr.count("\n") == 1
    assert "answered 500" in failed.stderr and "the next run tells it again" in failed.stderr
    posted: list[dict[str, object]] = []
    monkeypatch.setattr(
        webhook_post, "post_webhook", lambda url, payload, **_: posted.append(payload)
    )
    retried = cli("remind", "--webhook", hook)
    assert (retried.exit_code, retried.stdout) == (0, ""), retried.stderr
    assert [p["count"] for p in posted] == [1]
    again = cli("remind", "--webhook", hook)
    assert (again.exit_code, again.stdout, len(posted)) == (0, "", 1)


def test_a_list_that_cannot_be_printed_is_not_marked_as_told(cli) -> None:
    """`remind > /dev/full` (a full disk under cron's log): one line, exit 4, and the next
    run tells the item (was: a traceback, and the item held by the dead run's claim)."""
    if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("/dev/full is not the full device here")
    cli("task", "add", "late", "--due", "-1d")
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [*tinycrm_executable(), "remind"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ,
            timeout=60,
        )
    assert run.returncode == 4, run.stderr
    assert run.stderr.count("\n") == 1 and "standard output" in run.stderr
    assert "the next run tells it again" in run.stderr
    assert "  - late: was due yesterday" in cli("remind").stdout


def test_ctrl_c_after_a_webhook_went_out_says_so(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during the desktop notification, the webhook already sent: the line says the
    next run tells it again only where it did not go out, and where it did."""
    from tinycrm import delivery, webhook_post

    cli("task", "add", "late", "--due", "-1d")
    monkeypatch.setattr(webhook_post, "post_webhook", lambda url, payload, **_: None)

    def interrupted(title: str, body: str, **_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(delivery, "send_desktop", interrupted)
    run = cli("remind", "--webhook", "http://127.0.0.1/secret", "--notify")
    assert run.exit_code == 130
    assert "the next run tells it again" in run.stderr
    assert "only where it did not go out; standard output and the webhook to 127.0.0.1 had it" in (
        run.stderr
    )
    posted: list[object] = []
    monkeypatch.setattr(webhook_post, "post_webhook", lambda url, payload, **_: posted.append(url))
    monkeypatch.setattr(delivery, "send_desktop", lambda title, body, **_: posted.append(title))
    again = cli("remind", "--webhook", "http://127.0.0.1/secret", "--notify")
    assert (again.exit_code, again.stdout, posted) == (0, "", ["tinycrm: 1 due"])
    assert "secret" not in run.stderr and run.stderr.count("\n") == 1


def test_told_but_not_marked_says_it_will_be_told_again(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list went out, then the database refused the confirmation (locked, gone): the
    line says what was told and that later runs tell it again (was: only "database is
    locked", exit 1, as though nothing had been told)."""
    from tinycrm.api.reminders import Reminders
    from tinycrm.errors import Unavailable

    cli("task", "add", "late", "--due", "-1d")

    def locked(self: Reminders, run_id: str, items: object = None, **_: object) -> None:
        raise Unavailable("database is locked")

    monkeypatch.setattr(Reminders, "confirm", locked)
    run = cli("remind")
    assert run.exit_code == 4
    assert "  - late: was due yesterday" in run.stdout
    assert run.stderr.count("\n") == 1
    assert "told, but could not be marked as announced (database is locked)" in run.stderr
    assert "runs after 15 minutes tell it again" in run.stderr


def test_claims_not_given_back_still_say_what_failed(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook failed, then the database refused to take the claims back: the line
    says both (was: only "its claims could not be given back", not what failed), and
    Ctrl-C stays exit 130 (was: 4)."""
    from tinycrm import delivery, webhook_post
    from tinycrm.api.reminders import Reminders
    from tinycrm.errors import Unavailable

    cli("task", "add", "late", "--due", "-1d")

    def refuse(url: str, payload: object, **_: object) -> None:
        raise delivery.DeliveryError("webhook not sent: 127.0.0.1 answered 500")

    def locked(self: Reminders, run_id: str, **_: object) -> None:
        raise Unavailable("database is locked")

    monkeypatch.setattr(webhook_post, "post_webhook", refuse)
    monkeypatch.setattr(Reminders, "release", locked)
    run = cli("remind", "--webhook", "http://127.0.0.1/hook")
    assert run.exit_code == 4 and run.stderr.count("\n") == 1
    assert run.stderr.startswith("Error: webhook not sent: 127.0.0.1 answered 500 (")
    assert "claims could not be given back: database is locked" in run.stderr
    assert "runs after 15 minutes tell it again, everywhere" in run.stderr

    def interrupted(url: str, payload: object, **_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(webhook_post, "post_webhook", interrupted)
    cli("task", "add", "later", "--due", "-1h")
    stopped = cli("remind", "--webhook", "http://127.0.0.1/hook")
    assert stopped.exit_code == 130 and stopped.stderr.startswith("Error: interrupted; ")
    assert "claims could not be given back: database is locked" in stopped.stderr


def test_mail_without_smtp_config_is_a_clear_error(cli) -> None:
    cli("task", "add", "late", "--due", "-1d")
    result = cli("remind", "--mail", "me@example.com")
    assert result.exit_code == 4 and "no [smtp] section" in result.stderr


def test_mail_to_what_is_not_one_address_is_a_usage_error_up_front(cli) -> None:
    """Checked before anything is claimed, as --webhook is: "a@x, b@y" in one --mail
    reached a@x only, under a To header naming both."""
    cli("task", "add", "late", "--due", "-1d")
    for to in (
        "ann@example.com, bob@example.org",
        "not an address",
        # a line break in the name: it passed, the list was printed, and only then
        # 'mail not sent: a recipient address contains a line break' (exit 4)
        '"Ann\nBcc: eve@evil.example" <ann@example.com>',
        "Ann (\r\nBcc: eve@evil.example) <ann@example.com>",
        '"Ann \x1b[2J\u202e" <ann@example.com>',  # nor controls into its To header
    ):
        result = cli("remind", "--mail", "ok@example.com", "--mail", to)
        assert result.exit_code == 2, result.stderr
        assert "is not one email address" in result.stderr and "--mail" in result.stderr
        assert result.stdout == "" and result.stderr.count("\n") == 1
        assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    long = cli("remind", "--mail", "a" * 100_000, "--webhook", "https://x.example")
    assert long.exit_code == 2 and len(long.stderr) < 300  # named, not printed whole
    assert "'aaaa" in long.stderr and "…' is not one email address" in long.stderr
    hook = cli("remind", "--webhook", "ftp://" + "h" * 100_000)
    assert hook.exit_code == 2 and len(hook.stderr) < 300
    assert "late" in cli("remind").stdout  # nothing was marked as announced


def test_repeat_and_remind_options(cli) -> None:
    r = cli("task", "add", "Weekly report", "--due", "friday 9:00", "--every", "week",
            "--remind", "friday 8:00", "--json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    task = r.json()
    assert task["repeat"] == "1w" and task["remind_at"] < task["due_at"]
    done = cli("task", "done", str(task["id"]))
    assert "Next: task #" in done.stdout
    assert cli("task", "add", "x", "--due", "+1d", "--every", "sometimes").exit_code == 1


@pytest.mark.parametrize(
    ("today", "before", "remind_at"),
    [
        # Friday before Berlin's spring change: Monday 9:00 CEST is 07:00 UTC.
        ("2027-03-26T12:00:00+00:00", "1h", "2027-03-29T06:00:00Z"),
        ("2027-03-26T12:00:00+00:00", "30m", "2027-03-29T06:30:00Z"),
        ("2027-03-26T12:00:00+00:00", "2d", "2027-03-27T08:00:00Z"),  # Saturday 9:00 CET
        # Friday before the autumn change: Monday 9:00 CET is 08:00 UTC.
        ("2027-10-29T12:00:00+00:00", "1h", "2027-11-01T07:00:00Z"),
        ("2027-10-29T12:00:00+00:00", "2d", "2027-10-30T07:00:00Z"),  # Saturday 9:00 CEST
    ],
)
def test_remind_a_duration_before_the_due_time(
    cli, freeze_clock, today: str, before: str, remind_at: str
) -> None:
    freeze_clock(datetime.fromisoformat(today))
    r = cli("task", "add", "Call", "--due", "monday 9:00", "--remind", before, "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["remind_at"] == remind_at
    if not before.endswith("d"):
        return  # on the due day itself, the task is in `tinycrm remind` as due today
    # days before: the reminder, not the due time, puts it in `tinycrm remind`
    freeze_clock(datetime.fromisoformat(remind_at) - timedelta(minutes=1))
    assert cli("remind", "--all", "--json").json() == []
    freeze_clock(datetime.fromisoformat(remind_at))
    assert [i["group"] for i in cli("remind", "--all", "--json").json()] == ["reminder"]


def test_a_reminder_that_is_neither_a_duration_nor_a_time(cli) -> None:
    r = cli("task", "add", "Call", "--due", "tomorrow 9:00", "--remind", "5x")
    assert r.exit_code == 1
    assert "cannot understand reminder '5x'" in r.stderr
    late = cli("task", "add", "Call", "--due", "tomorrow 9:00", "--remind", "+3d")
    assert (late.exit_code, late.stderr.strip()) == (
        1,
        "Error: the reminder must not be after the due time",
    )
    assert cli("task", "list", "--json").json() == []


def test_contact_cadence_option(cli) -> None:
    cli("contact", "add", "Ada", "--cadence", "2w")
    assert cli("contact", "show", "Ada", "--json").json()["cadence_days"] == 14
    assert "every 2 weeks" in cli("contact", "show", "Ada").stdout
    cli("contact", "edit", "Ada", "--cadence", "none")
    assert cli("contact", "show", "Ada", "--json").json()["cadence_days"] is None
    assert cli("contact", "edit", "Ada", "--cadence", "often").exit_code == 1


def test_next_queue(cli) -> None:
    assert "nothing needs your attention" in cli("next").stdout
    cli("deal", "add", "Acme renewal", "--amount", "18500", "--stage", "Negotiation")
    cli("task", "add", "Call back", "--due", "-1d")
    queue = cli("next", "--json").json()
    assert [q["title"] for q in queue] == ["Call back", "Acme renewal"]
    assert queue[1]["reason"] == "€18,500.00 at 75%, no next step (no open task)"
    assert "Acme renewal" in cli("next").stdout


def test_rules_list_and_check(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    missing = cli("rules", "list")  # TINYCRM_CONFIG names a file: a typo is not an empty config
    assert missing.exit_code == 1
    assert (
        missing.stderr == f"Error: config file {config} does not exist (named by TINYCRM_CONFIG)\n"
    )
    monkeypatch.delenv("TINYCRM_CONFIG")
    assert "No config file" in cli("rules", "list").stdout
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    config.write_text(
        '[[rules]]\nname = "Chase"\nwhen = "deal.stage"\nstage = "Proposal"\n'
        'task = "Chase {deal}"\ndue = "+3d"\n'
    )
    assert "OK (1 rule)" in cli("rules", "check").stdout
    listed = cli("rules", "list")
    assert "when a deal enters Proposal: add task 'Chase {deal}' due +3d" in listed.stdout
    cli("deal", "add", "Big", "--stage", "Proposal")
    assert [t["subject"] for t in cli("task", "list", "--json").json()] == ["Chase Big"]
    config.write_text('[[rules]]\nwhen = "deal.stage"\ntask = "x"\nstagee = "y"\n')
    broken = cli("rules", "check")
    assert broken.exit_code == 1
    assert "line 4: rules[1]: unknown key 'stagee'" in broken.stderr
    refused = cli("deal", "add", "Other")
    assert refused.exit_code == 1 and "tinycrm rules check" in refused.stderr
    config.write_text('[keys]\n"board.won" = "W"\n"rows.down" = "j,down"\n')
    assert "OK (0 rules, 2 keys)" in cli("rules", "check").stdout
    config.write_text('[keys]\n"board.wn" = "W"\n')
    typo = cli("rules", "check")
    assert typo.exit_code == 1 and "no binding of the board is called board.wn" in typo.stderr


def test_rules_check_refuses_a_stage_or_pipeline_that_does_not_exist(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule naming a stage or pipeline the database does not have would never fire:
    ``rules check`` says so, with the line (a typo, or a stage renamed since)."""
    added = cli("pipeline", "add", "Renewals", "--stage", "Due:50", "--stage", "Signed:90")
    assert added.exit_code == 0, added.stderr
    config = tmp_path / "config.toml"
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))

    def check(rule: str):  # type: ignore[no-untyped-def]
        config.write_text(f'[[rules]]\nname = "R"\nwhen = "deal.stage"\n{rule}task = "x"\n')
        return cli("rules", "check")

    typo = check('stage = "Proposl"\n')
    assert typo.exit_code == 1
    assert typo.stderr == (
        f"Error: {config}, line 4: rules[1].stage: no stage named 'Proposl' in any pipeline "
        "(Sales: Lead-in, Qualified, Proposal, Negotiation; Renewals: Due, Signed)\n"
    )
    pipeline = check('pipeline = "Renewal"\n')
    assert pipeline.exit_code == 1
    assert pipeline.stderr == (
        f"Error: {config}, line 4: rules[1].pipeline: no pipeline named 'Renewal' "
        "(pipelines: Sales, Renewals)\n"
    )
    elsewhere = check('pipeline = "renewals"\nstage = "Proposal"\n')
    assert elsewhere.exit_code == 1
    assert elsewhere.stderr == (
        f"Error: {config}, line 5: rules[1].stage: no stage named 'Proposal' in pipeline "
        "Renewals (stages: Due, Signed)\n"
    )
    good = check('pipeline = "RENEWALS"\nstage = "signed"\n')
    assert good.exit_code == 0, good.stderr
    assert "OK (1 rule)" in good.stdout
    assert "OK (1 rule)" in check('stage = "proposal"\n').stdout


def test_sequence_commands(cli) -> None:
    cli("contact", "add", "Ada Lovelace", "--company", "Engines")
    r = cli("sequence", "add", "Onboarding", "--step", "0:Welcome {first_name}",
            "--step", "3:Call {name} at {company}")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert "Enrolled Ada Lovelace in Onboarding (2 tasks)" in cli(
        "sequence", "enroll", "Onboarding", "Ada Lovelace").stdout  # fmt: skip
    subjects = [t["subject"] for t in cli("task", "list", "--json").json()]
    assert subjects == ["Welcome Ada", "Call Ada Lovelace at Engines"]
    assert cli("sequence", "list", "--json").json()[0]["active"] == 1
    assert cli("sequence", "stop", "Onboarding", "Ada Lovelace").exit_code == 0
    assert cli("task", "list", "--json").json() == []
    assert cli("sequence", "show", "Onboarding", "--json").json()[0]["stop_reason"] == "stopped"
    assert cli("sequence", "add", "Bad", "--step", "soon:x").exit_code == 1


def test_export_tasks_as_icalendar(cli, tmp_path: Path) -> None:
    from icalendar import Calendar

    cli("task", "add", "Send contract", "--due", "tomorrow 9:00", "--remind", "tomorrow 8:00")
    cli("task", "add", "Old", "--due", "-1d")
    cli("task", "done", "2")
    target = tmp_path / "tasks.ics"
    result = cli("export", "tasks", "--format", "ics", "--out", str(target))
    assert result.exit_code == 0, result.stderr
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Send contract"]
    assert events[0].walk("VALARM")


def test_a_bad_webhook_url_is_refused_even_when_nothing_is_due(cli) -> None:
    result = cli("remind", "--webhook", "ftp://example.com/x")
    assert result.exit_code == 2 and "not an http(s) URL" in result.stderr


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1/hook", "its host is not a host name or address"),
        ("http://127.0.0.1:99999/hook", "its port is not a number from 1 to 65535"),
        ("http://127.0.0.1:abc/hook", "its port is not a number from 1 to 65535"),
        ("https:///hook", "it names no host"),
        ("http://exa mple.com/hook", "it holds a space or a control character"),
        ("http://127.0.0.1/se cret", "it holds a space or a control character"),
        ("http://127.0.0.1/secret\r\nX-Evil: 1", "it holds a space or a control character"),
    ],
)
def test_a_webhook_url_that_cannot_be_used_is_refused_up_front(cli, url: str, reason: str) -> None:
    """Each was taken, the list printed, and then: a traceback (the '[' one, its items
    held for 15 minutes), "webhook perhaps delivered" for a POST never sent, "connection
    refused" for port 99999, or the URL's path (its secret) in the line."""
    cli("task", "add", "late", "--due", "-1d")
    result = cli("remind", "--webhook", url)
    assert (result.exit_code, result.stdout) == (2, "")
    assert reason in result.stderr and "Traceback" not in result.stderr
    assert "secret" not in result.stderr and "hook" not in result.stderr.replace("--webhook", "")
    assert "  - late: was due" in cli("remind").stdout  # nothing claimed


def test_a_webhook_url_with_a_login_sends_it_as_basic_auth(cli) -> None:
    """ntfy's https://user:pass@host/topic: the login goes in an Authorization header
    (was: "cannot resolve the host name", the login taken for part of the host)."""
    import base64
    import http.server
    import threading

    seen: list[tuple[str | None, str]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.headers.get("Authorization"), self.headers.get("Host", "")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cli("task", "add", "late", "--due", "-1d")
        port = server.server_address[1]
        run = cli("remind", "--webhook", f"http://me%40x.io:p%C3%A4ss@127.0.0.1:{port}/topic")
        assert run.exit_code == 0, run.stderr
    finally:
        server.shutdown()
        server.server_close()
    token = base64.b64encode("me@x.io:päss".encode()).decode()
    assert seen == [(f"Basic {token}", f"127.0.0.1:{port}")]


def test_the_printed_crontab_line_works_when_pasted(cli, tmp_path: Path) -> None:
    """Its log folder need not exist: the line creates it (was: sh failed on the >> log)."""
    cli("task", "add", "Call Ada", "--due", "yesterday")
    printed = cli("remind", "install")
    assert printed.exit_code == 0
    line = printed.stdout.strip()
    log = Path(os.environ["XDG_STATE_HOME"]) / "tinycrm" / "log" / "remind.log"
    assert str(log) in line
    assert not log.parent.exists()
    command = line.split(None, 5)[5].replace("\\%", "%")  # what cron hands to /bin/sh
    subprocess.run(["/bin/sh", "-c", command], cwd=tmp_path, timeout=120, check=True)
    assert "Call Ada" in log.read_text()


def test_install_keeps_a_password_out_of_the_crontab_and_uninstall_removes_it_all(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_schedule import FAKE_CRONTAB, _executable

    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    _executable(bin_dir / "crontab", FAKE_CRONTAB)
    table = tmp_path / "crontab.txt"
    table.write_text("0 3 * * * /usr/bin/backup\n")
    monkeypatch.setenv("FAKE_CRONTAB_FILE", str(table))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    url = "postgresql+psycopg://me:s3cret@db.example.com/crm"

    installed = cli("--db", url, "remind", "install", "--apply")
    assert installed.exit_code == 0, installed.stderr
    env_file = Path(os.environ["XDG_CONFIG_HOME"]) / "tinycrm" / "remind.env"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    assert url in env_file.read_text()
    assert "s3cret" not in table.read_text() and str(env_file) in table.read_text()
    assert "s3cret" not in installed.stdout + installed.stderr
    systemd = cli("--db", url, "remind", "install", "--systemd")
    unit = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd/user/tinycrm-remind.service"
    assert systemd.exit_code == 0 and "s3cret" not in unit.read_text()
    # the timer replaces the line (it would run remind a second time)
    assert "Removed from your crontab" in systemd.stdout and "s3cret" not in systemd.stdout
    assert table.read_text() == "0 3 * * * /usr/bin/backup\n"

    removed = cli("remind", "uninstall")
    assert removed.exit_code == 0, removed.stderr
    assert table.read_text() == "0 3 * * * /usr/bin/backup\n"
    assert not env_file.exists() and not unit.exists()
    assert "systemctl --user disable" in removed.stdout
    again = cli("remind", "uninstall")
    assert again.exit_code == 0 and "Nothing to remove" in again.stdout


def test_what_is_at_stake_is_a_number_written_exactly(cli) -> None:
    """A due item's ``value`` was a string ("999999999999999.99"): amounts are numbers."""
    big = "999999999999999.99"
    cli("deal", "add", "Big", "--amount", big, "--probability", "100", "--close", "2020-01-01")
    cli("deal", "add", "Half", "--amount", "18500.50", "--close", "2020-01-01")
    out = cli("remind", "--all", "--json").stdout
    assert f'"value": {big},' in out
    values = {i["title"]: i["value"] for i in json.loads(out, parse_float=Decimal)}  # exact
    assert values == {"Big": Decimal(big), "Half": Decimal("1850.05")}
    lines = cli("remind", "--all", "--jsonl").stdout.splitlines()
    assert sorted(json.loads(line)["value"] for line in lines) == [1850.05, float(big)]


def test_the_line_and_the_units_keep_the_config_file_tinycrm_config_names(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With TINYCRM_CONFIG naming the config file, `remind install` (and webhooks and
    mail install) printed a line without it: cron, which starts with an empty
    environment, ran with the default config instead, without the [smtp], [[webhooks]]
    or [mail.imap] (nor the hooks beside it) that the user set up."""
    config = tmp_path / "my config" / "crm.toml"
    config.parent.mkdir()
    config.write_text("[remind]\nclosing_days = 3\n")
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    for job in ("remind", "webhooks", "mail"):
        line = cli(job, "install").stdout.strip()
        assert f"TINYCRM_CONFIG='{config}'" in line, (job, line)
    command = cli("remind", "install").stdout.strip().split(None, 5)[5]
    run = command.replace(" remind >>", " rules check >>").replace("\\%", "%")
    subprocess.run(["/bin/sh", "-c", run], cwd=tmp_path, timeout=120, check=True, env={})
    log = Path(os.environ["XDG_STATE_HOME"]) / "tinycrm" / "log" / "remind.log"
    assert str(config) in log.read_text()
    assert cli("remind", "install", "--systemd").exit_code == 0
    unit = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd/user/tinycrm-remind.service"
    assert f'Environment="TINYCRM_CONFIG={config}"' in unit.read_text()
    assert cli("webhooks", "install", "--systemd").exit_code == 0
    watch = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd/user/tinycrm-webhooks.service"
    assert f'Environment="TINYCRM_CONFIG={config}"' in watch.read_text()


def test_a_refused_renewal_does_not_stop_what_is_due_from_being_told(cli) -> None:
    """remind renews contracts first; a pre-write hook that refused that write (writes
    frozen, a hook that hangs) ended the run there, "Error: writes are frozen", exit 1,
    and nothing was told, on every run until the hook changed. Now the refusal is one
    warning on stderr and what is due is told all the same."""
    cli("deal", "add", "Platform", "--amount", "1000")
    cli("deal", "won", "Platform")
    added = cli("contract", "add", "--deal", "Platform", "--start", "2025-01-01",
                "--term", "1m", "--auto-renew")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    cli("task", "add", "Call Ada", "--due", "yesterday")
    hooks = Path(os.environ["XDG_CONFIG_HOME"]) / "tinycrm" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "pre-write").write_text("#!/bin/sh\necho 'writes are \x1b[31mfrozen'; exit 1\n")
    (hooks / "pre-write").chmod(0o755)
    run = cli("remind")
    assert run.exit_code == 0, run.stderr
    assert "  - Call Ada: was due" in run.stdout
    assert run.stderr.count("\n") == 1 and "\x1b" not in run.stderr
    assert run.stderr.startswith("Warning: contracts not renewed: writes are \\x1b[31mfrozen")
    again = cli("remind")
    assert (again.exit_code, again.stdout) == (0, "")  # told once, renewals tried again
    assert "contracts not renewed" in again.stderr


def test_a_notice_deadline_missed_over_the_weekend_is_told_on_monday(cli, freeze_clock) -> None:
    """Friday's run, none at the weekend: Monday's run tells Saturday's notice deadline,
    once, as passed (``--json``: ``late``)."""
    freeze_clock(datetime.fromisoformat("2026-12-04T09:00:00+00:00"))  # Friday
    assert cli("remind", "--json").json() == []
    cli("contact", "add", "Ada", "--email", "ada@example.com")
    cli("deal", "add", "Support", "--amount", "900", "--contact", "Ada")
    cli("deal", "won", "Support")
    r = cli("contract", "add", "--deal", "Support", "--start", "2026-01-01", "--term", "12m",
            "--notice", "27d")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    freeze_clock(datetime.fromisoformat("2026-12-07T09:00:00+00:00"))  # Monday
    told = cli("remind")
    assert told.exit_code == 0, told.stderr
    assert "notice deadline 2026-12-05 passed (2 days ago)" in told.stdout
    assert cli("remind").stdout == ""
    [notice] = [i for i in cli("remind", "--all", "--json").json() if i["key"] == "notice:1"]
    assert notice["late"] is True


def test_a_notice_deadline_missed_while_the_machine_was_off_weeks_is_told(
    cli, freeze_clock
) -> None:
    """remind last ran three weeks and more before: the next run looks back to it (was: a
    week, and the deadline 16 days before was never told)."""
    freeze_clock(datetime.fromisoformat("2026-11-13T09:00:00+00:00"))
    assert cli("remind").stdout == ""
    cli("contact", "add", "Ada", "--email", "ada@example.com")
    cli("deal", "add", "Support", "--amount", "900", "--contact", "Ada")
    cli("deal", "won", "Support")
    r = cli("contract", "add", "--deal", "Support", "--start", "2026-01-01", "--term", "12m",
            "--notice", "41d")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    freeze_clock(datetime.fromisoformat("2026-12-07T09:00:00+00:00"))
    told = cli("remind")
    assert told.exit_code == 0, told.stderr
    assert "notice deadline 2026-11-21 passed (16 days ago)" in told.stdout
    assert cli("remind").stdout == ""


def test_a_line_break_in_a_stored_name_does_not_make_a_line_of_its_own() -> None:
    """A deal title holding a line break (an old database, another program's write):
    the list, the mail and the webhook's text showed its second half as a line of its own,
    an item that is none ('  - Wire €9,000 to …'); the desktop notification too. Now the
    break is shown escaped, each item on one line."""
    from tinycrm.api.models import DueItem
    from tinycrm.cli import remind

    item = DueItem(
        key="closing:1",
        group="closing",
        due_at=datetime.fromisoformat("2026-12-07T00:00:00+00:00"),
        title="Acme\n  - Wire €9,000 to DE00 1234\r",
        detail="closes today",
        entity="deal",
        entity_id=1,
    )
    text = remind._text([item], {"closing": "Closing soon"})
    assert "  - Acme\\x0a  - Wire €9,000 to DE00 1234\\x0d: closes today\n" in text
    assert text.count("\n  - ") == 1
    assert (
        remind._desktop_body([item]) == "Acme\\x0a  - Wire €9,000 to DE00 1234\\x0d: closes today"
    )


def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """``tinycrm remind ARGS | head -0``: the reader has left before anything is written."""
    proc = subprocess.Popen(
        [*tinycrm_executable(), "remind", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the process writes: the write is a broken pipe
    stderr = proc.stderr.read()
    proc.wait(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", stderr)


@pytest.mark.parametrize("fmt", [[], ["--json"], ["--csv"]])
def test_remind_all_into_a_closed_pipe_exits_quietly(cli, fmt: list[str]) -> None:
    """``tinycrm remind --all | head -1``: the reader left, as with ``contact list | head``,
    so it exits 0 without a word (was: 'Error: the list could not be written ... nothing
    was marked as announced: the next run tells all 2 again', exit 4, of a command that
    marks nothing). Cron's usual run into a closed pipe still says it told nothing, and
    marks nothing: the next run tells them."""
    for n in range(2):
        cli("task", "add", f"task {n}", "--due", "-1h")
    shown = _into_closed_pipe("--all", *fmt)
    assert (shown.returncode, shown.stderr) == (0, "")
    told = _into_closed_pipe(*fmt)
    assert told.returncode == 4
    assert "could not be written to standard output (Broken pipe)" in told.stderr
    again = cli("remind", "--json")
    assert len(again.json()) == 2


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_fail_if_due_into_a_closed_pipe_still_exits_3(cli, fmt: list[str]) -> None:
    """``tinycrm remind --all --fail-if-due | head -1`` with items due exited 0, as if
    nothing were due: the reader leaving was taken for the whole answer. Now it exits 3,
    as the flag promises, and still says nothing on stderr; with nothing due, 0."""
    assert _into_closed_pipe("--all", "--fail-if-due", *fmt).returncode == 0
    for n in range(2):
        cli("task", "add", f"task {n}", "--due", "-1h")
    shown = _into_closed_pipe("--all", "--fail-if-due", *fmt)
    assert (shown.returncode, shown.stderr) == (3, "")
    assert (_into_closed_pipe("--all", *fmt).returncode, shown.stderr) == (0, "")


def test_remind_tells_once_what_a_clock_set_ahead_told_before_it_was_due(cli, freeze_clock) -> None:
    """cron ran under a clock two days ahead and told tomorrow's task as overdue; the
    clock was put back. When the task is due, remind tells it, once (was: never)."""
    now = datetime.fromisoformat("2026-12-07T09:00:00+00:00")
    freeze_clock(now)
    cli("task", "add", "Send contract", "--due", "tomorrow 9:00")
    freeze_clock(now + timedelta(days=2))
    assert "Send contract" in cli("remind").stdout
    freeze_clock(now + timedelta(days=1, minutes=1))  # put back; the task is due
    told = cli("remind")
    assert (told.exit_code, told.stdout.count("Send contract")) == (0, 1), told.stderr
    freeze_clock(now + timedelta(days=1, hours=1))
    assert cli("remind").stdout == ""

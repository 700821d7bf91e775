"""``tinycrm remind install``: the line (or units) it installs carries the delivery
options ``tinycrm remind`` takes, quoted for the shell and cron, secrets kept out."""

from __future__ import annotations

import http.server
import json
import os
import shlex
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_schedule import FAKE_CRONTAB, fake_crontab

SECRET = "T0AAA/B0BBB/s3cretXYZ"


def _as_cron_runs_it(line: str) -> str:
    """The command cron hands to /bin/sh: its ``\\%`` made ``%`` (a bare ``%`` would
    end the command there)."""
    command = line.split(None, 5)[5]
    assert "%" not in command.replace("\\%", ""), command
    return command.replace("\\%", "%")


def _argv(line: str) -> list[str]:
    """The words tinycrm gets from the line: after the executable, before ``>>``."""
    words = shlex.split(_as_cron_runs_it(line))
    start = next(i for i, w in enumerate(words) if w.endswith("tinycrm")) + 1
    return words[start : words.index(">>")]


def _env_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "tinycrm" / "remind.env"


def _unit() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "systemd/user/tinycrm-remind.service"


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict]]]:
    """A webhook receiver on localhost: its URL (with a secret path) and what it got."""
    got: list[dict] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append({"path": self.path, "body": json.loads(body)})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/{SECRET}", got
    finally:
        server.shutdown()
        server.server_close()


def test_the_line_carries_mail_notify_and_closing_days_quoted_for_sh_and_cron(cli) -> None:
    """`remind install` took no --mail: the line it printed ran remind without it, so
    the list went only to cron's own mail. Now the line carries them, each quoted
    for /bin/sh with its % escaped for cron."""
    to = "Ann O'Neil <ann%ops@example.com>"
    printed = cli(
        "remind", "install", "--mail", to, "--mail", "bo@example.com", "--notify",
        "--closing-days", "3",
    )  # fmt: skip
    assert printed.exit_code == 0, printed.stderr
    assert _argv(printed.stdout.strip()) == [
        "remind", "--mail", to, "--mail", "bo@example.com", "--notify", "--closing-days", "3",
    ]  # fmt: skip


def test_a_config_under_the_home_of_no_user_is_one_line(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TINYCRM_CONFIG=~nouser/c.toml: install ended in RuntimeError from Path.expanduser."""
    monkeypatch.setenv("TINYCRM_CONFIG", "~nosuchuser_tinycrm/c.toml")
    printed = cli("remind", "install")
    assert printed.exit_code == 1 and printed.stdout == ""
    assert printed.stderr == (
        "Error: cannot read config file ~nosuchuser_tinycrm/c.toml: there is no user "
        "nosuchuser_tinycrm whose home folder ~nosuchuser_tinycrm is (did you mean ~/?)\n"
    )


def test_options_given_before_install_are_carried_too(cli) -> None:
    """`tinycrm remind --mail TO install` printed a line without the --mail, unsaid."""
    url = f"https://hooks.example.com/{SECRET}"
    printed = cli(
        "remind", "--mail", "ann@example.com", "--webhook", url, "install", "--closing-days", "2"
    )
    assert printed.exit_code == 0, printed.stderr
    assert _argv(printed.stdout.strip()) == [
        "remind", "--mail", "ann@example.com", "--closing-days", "2",
    ]  # fmt: skip
    assert url in _env_file().read_text() and "hooks.example.com" in printed.stderr


def test_a_webhook_only_in_the_environment_is_not_carried(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINYCRM_REMIND_WEBHOOK", f"https://hooks.example.com/{SECRET}")
    printed = cli("remind", "install")
    assert printed.exit_code == 0 and not _env_file().exists()


@pytest.mark.parametrize(
    "before", [["--all"], ["--fail-if-due"], ["--json"]], ids=["all", "fail-if-due", "json"]
)
def test_an_option_a_scheduled_run_cannot_carry_is_refused_before_install(cli, before) -> None:
    printed = cli("remind", *before, "install")
    assert printed.exit_code == 2
    assert before[0] in printed.stderr and printed.stdout == ""


def test_a_webhook_goes_into_the_0600_environment_file_and_the_line_posts_to_it(
    cli, receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`remind install --webhook URL` did not exist; the URL (its path a secret, as
    Slack's) is kept out of the crontab, the terminal and the process list: the line
    reads it from remind.env (0600), and a run of the line posts to it."""
    url, got = receiver
    table = fake_crontab(tmp_path, monkeypatch)
    cli("task", "add", "Call Ada", "--due", "yesterday")
    installed = cli("remind", "install", "--webhook", url, "--apply")
    assert installed.exit_code == 0, installed.stderr
    shown = installed.stdout + installed.stderr
    assert SECRET not in shown and "the webhook to 127.0.0.1" in shown
    assert SECRET not in table.read_text()
    env_file = _env_file()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600 and url in env_file.read_text()
    line = table.read_text().strip()
    assert str(env_file) in line and "--webhook" not in line
    # cron's empty environment, but for the source tree under test, if one is named
    tree = {k: v for k, v in os.environ.items() if k == "PYTHONPATH"}
    command = _as_cron_runs_it(line)
    subprocess.run(["/bin/sh", "-c", command], cwd=tmp_path, env=tree, timeout=120, check=True)
    assert [(g["path"], g["body"]["count"]) for g in got] == [(f"/hooks/{SECRET}", 1)]


def test_the_systemd_units_carry_the_options_and_read_the_webhook_from_the_file(cli) -> None:
    url = f"https://hooks.slack.com/services/{SECRET}"
    made = cli(
        "remind", "install", "--systemd", "--mail", "Ann <ann%x@example.com>", "--webhook", url
    )
    assert made.exit_code == 0, made.stderr
    unit = _unit().read_text()
    assert SECRET not in unit and SECRET not in made.stdout + made.stderr
    assert f"EnvironmentFile={_env_file()}" in unit
    assert 'remind --mail "Ann <ann%%x@example.com>"' in unit
    assert url in _env_file().read_text()


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--webhook", "ftp://hooks.example.com/x", "not an http(s) URL"),
        ("--webhook", "https://hooks.example.com/it's", "'"),
        ("--mail", "ann@example.com, bo@example.com", "is not one email address"),
        ("--mail", "Ann\x1b[31m <ann@example.com>", "is not one email address"),
        # past RFC 5321's 254: no server takes it, and it made a 100,000-character line
        ("--mail", "a" * 100_000 + "@example.com", "is not one email address"),
    ],
    ids=["scheme", "quote", "two-addresses", "escape", "huge-address"],
)
def test_a_bad_value_is_refused_up_front_and_nothing_is_written(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, value: str, said: str
) -> None:
    table = fake_crontab(tmp_path, monkeypatch)
    refused = cli("remind", "install", "--apply", option, value)
    assert refused.exit_code == 2
    assert said in refused.stderr and option in refused.stderr
    assert "hooks.example.com/" not in refused.stderr and "\x1b" not in refused.stderr
    assert len(refused.stderr) < 300
    assert not table.exists() and not _env_file().exists()


@pytest.mark.parametrize(
    ("config", "said"),
    [
        ("", "has no [smtp] section"),
        ('[smtp]\nhost = "mail.example.com"\nport = 0\n', "smtp.port must be"),
        (
            '[smtp]\nhost = "mail.example.com"\nuser = "me"\nfrom = "me@example.com"\n'
            'password_env = "MY_SMTP_PASSWORD"\n',
            "MY_SMTP_PASSWORD",
        ),
    ],
    ids=["no-smtp", "bad-smtp", "password-env"],
)
def test_install_with_mail_says_when_scheduled_runs_cannot_send_it(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, said: str
) -> None:
    """`remind install --mail TO` with no [smtp] in the config file, one remind cannot
    use, or a password read from an environment variable (which cron and systemd do not
    set) installed a line whose every run with something due failed (exit 4) in a log
    nobody reads. Now install says so when it installs it."""
    path = tmp_path / "config.toml"
    path.write_text(config)
    monkeypatch.setenv("TINYCRM_CONFIG", str(path))
    monkeypatch.setenv("MY_SMTP_PASSWORD", "s3cret")
    printed = cli("remind", "install", "--mail", "ann@example.com")
    assert printed.exit_code == 0, printed.stderr
    assert "--mail ann@example.com" in printed.stdout
    assert said in printed.stderr and "s3cret" not in printed.stderr + printed.stdout
    quiet = cli("remind", "install")  # no mail, nothing to say of it
    assert quiet.exit_code == 0 and "smtp" not in quiet.stderr


def test_a_bad_webhook_from_the_environment_file_is_named_by_its_variable(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TINYCRM_REMIND_WEBHOOK remind cannot use was refused as 'Invalid value for
    --webhook', an option the run was not given; now the variable is named."""
    monkeypatch.setenv("TINYCRM_REMIND_WEBHOOK", f"ftp://hooks.example.com/{SECRET}")
    refused = cli("remind")
    assert refused.exit_code == 2
    assert "TINYCRM_REMIND_WEBHOOK" in refused.stderr and SECRET not in refused.stderr


def test_the_printed_line_is_all_of_stdout_when_an_environment_file_is_written(cli) -> None:
    """`tinycrm remind install | crontab -` (or `>> my.crontab`) with a webhook, or a
    database URL with a password, got 'Wrote …/remind.env (0600): …' on stdout before the
    line: a crontab line cron cannot read. Now that goes to stderr; stdout is the line."""
    printed = cli("remind", "install", "--webhook", f"https://hooks.example.com/{SECRET}")
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout.count("\n") == 1 and printed.stdout.endswith("# tinycrm remind\n")
    assert "Wrote" in printed.stderr and str(_env_file()) in printed.stderr
    url = "postgresql+psycopg://me:s3cret@db.example.com/crm"
    with_password = cli("--db", url, "remind", "install")
    assert with_password.stdout.count("\n") == 1 and "Wrote" in with_password.stderr


@pytest.mark.parametrize("how", ["--apply", "--systemd"])
def test_a_reinstall_without_a_webhook_takes_the_old_environment_file_away(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """`remind install --webhook URL --apply`, then `remind install --apply`: the new
    line no longer read remind.env, but the file, with the old URL (a secret), stayed
    behind, and a unit or line left from before still posted to it. Now installing
    without anything secret takes the file away (once the new line or unit is in place),
    and says so."""
    table = fake_crontab(tmp_path, monkeypatch)
    url = f"https://hooks.example.com/{SECRET}"
    first = cli("remind", "install", how, "--webhook", url)
    assert first.exit_code == 0, first.stderr
    assert url in _env_file().read_text()
    again = cli("remind", "install", how)
    assert again.exit_code == 0, again.stderr
    assert not _env_file().exists()
    assert f"Removed {_env_file()}" in again.stdout
    if how == "--apply":
        assert str(_env_file()) not in table.read_text()
    else:
        assert "EnvironmentFile" not in _unit().read_text()


def test_printing_the_line_without_a_webhook_leaves_an_installed_environment_file(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Printing is a preview: the installed line still reads remind.env, so the file
    stays, and a note on stderr says the printed line does not read it."""
    table = fake_crontab(tmp_path, monkeypatch)
    url = f"https://hooks.example.com/{SECRET}"
    assert cli("remind", "install", "--apply", "--webhook", url).exit_code == 0
    installed = table.read_text()
    printed = cli("remind", "install")
    assert printed.exit_code == 0, printed.stderr
    assert url in _env_file().read_text() and table.read_text() == installed
    assert str(_env_file()) not in printed.stdout
    assert "does not read" in printed.stderr and SECRET not in printed.stderr


def test_uninstall_takes_the_environment_file_away(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = fake_crontab(tmp_path, monkeypatch)
    url = f"https://hooks.example.com/{SECRET}"
    assert cli("remind", "install", "--apply", "--webhook", url).exit_code == 0
    removed = cli("remind", "uninstall")
    assert removed.exit_code == 0, removed.stderr
    assert not _env_file().exists() and "tinycrm remind" not in table.read_text()


def test_a_line_too_long_for_cron_is_refused_in_one_line_and_not_installed(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long PATH (or many --mail) made a crontab line past what cron reads: it was
    installed, and cron refused or cut it, so reminders silently stopped. Now remind
    install refuses it (exit 1, one line naming the limit and a way out), writes nothing."""
    table = fake_crontab(tmp_path, monkeypatch)
    monkeypatch.setenv("PATH", os.environ["PATH"] + ":" + "/opt/" + "x" * 900)
    refused = cli("remind", "install", "--apply")
    assert refused.exit_code == 1
    assert refused.stderr.count("\n") == 1 and "at most 998" in refused.stderr
    assert "--systemd" in refused.stderr
    assert not table.exists() and refused.stdout == ""
    printed = cli("remind", "install")  # the printed line, the same
    assert printed.exit_code == 1 and printed.stdout == ""
    # nor is the webhook written for it: remind.env is what an installed line reads
    url = f"https://hooks.example.com/{SECRET}"
    with_webhook = cli("remind", "install", "--apply", "--webhook", url)
    assert with_webhook.exit_code == 1 and "at most 998" in with_webhook.stderr
    assert not _env_file().exists() and "Wrote" not in with_webhook.stdout


def test_installing_for_systemd_takes_the_crontab_line_away(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`remind install --apply --webhook URL`, then `remind install --systemd`: the
    crontab line stayed, so remind ran twice every 15 minutes, and the line still read
    remind.env (gone now: it would fail on every run). Now one install replaces the
    other: the line goes, every other crontab line stays byte for byte."""
    table = fake_crontab(tmp_path, monkeypatch)
    mine = b"0 3 * * * /usr/bin/backup \\% now\r\n"
    table.write_bytes(mine)
    url = f"https://hooks.example.com/{SECRET}"
    assert cli("remind", "install", "--apply", "--webhook", url).exit_code == 0
    moved = cli("remind", "install", "--systemd")
    assert moved.exit_code == 0, moved.stderr
    assert table.read_bytes() == mine
    assert "Removed from your crontab" in moved.stdout and SECRET not in moved.stdout
    assert _unit().exists() and not _env_file().exists()


def test_installing_for_cron_takes_the_systemd_units_away(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = fake_crontab(tmp_path, monkeypatch)
    url = f"https://hooks.example.com/{SECRET}"
    assert cli("remind", "install", "--systemd", "--webhook", url).exit_code == 0
    timer = _unit().with_suffix(".timer")
    assert timer.exists()
    moved = cli("remind", "install", "--apply")
    assert moved.exit_code == 0, moved.stderr
    assert not _unit().exists() and not timer.exists() and not _env_file().exists()
    assert "systemctl --user disable --now tinycrm-remind.timer" in moved.stdout
    assert "tinycrm remind" in table.read_text()


@pytest.mark.parametrize("command", [["remind"], ["webhooks"], ["mail"]])
def test_a_crontab_running_lines_with_fish_is_refused_and_kept_byte_for_byte(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """A crontab with SHELL=/usr/bin/fish above the line ran it with fish, which cannot
    run sh (``set -a && . FILE``, ``NAME=value cmd``, ``2>&1``): installed, then broken
    on every run, unsaid. Now install --apply refuses (exit 1, one line: the setting,
    its line and two ways out); the crontab and the environment file stay unwritten."""
    table = fake_crontab(tmp_path, monkeypatch)
    original = b"MAILTO=me@example.com\nSHELL=/usr/bin/fish\n0 3 * * * backup ^/dev/null\n"
    table.write_bytes(original)
    extra = ["--webhook", f"https://hooks.example.com/{SECRET}"] if command == ["remind"] else []
    refused = cli(*command, "install", "--apply", *extra)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert "SHELL=/usr/bin/fish (line 2)" in refused.stderr and "--systemd" in refused.stderr
    assert table.read_bytes() == original
    assert not _env_file().exists()
    table.write_bytes(b"SHELL=/bin/bash\n" + original[:-1] + b"\nSHELL=/bin/sh\n")
    assert cli(*command, "install", "--apply").exit_code == 0


@pytest.mark.parametrize("command", [["remind"], ["webhooks"], ["mail"]])
def test_an_install_into_a_read_only_home_is_one_line_and_writes_nothing(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_readonly, command: list[str]
) -> None:
    """A home (or its config and state folders) that cannot be written: install --systemd
    and install --apply ended in a traceback (creating ~/.config/systemd/user, or the log
    folder the line writes to). Now one line, exit 1, and neither the crontab nor the
    environment file is written (a line whose log folder cannot be made never runs: the
    shell fails on its >> before tinycrm starts)."""
    table = fake_crontab(tmp_path, monkeypatch)
    home = Path(os.environ["XDG_CONFIG_HOME"]).parent
    home.mkdir(parents=True, exist_ok=True)
    make_readonly(home)
    extra = ["--webhook", f"https://hooks.example.com/{SECRET}"] if command == ["remind"] else []
    for how in ("--systemd", "--apply"):
        refused = cli(*command, "install", how)
        assert refused.exit_code == 1, refused.stderr
        assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
        assert "cannot" in refused.stderr and str(home) in refused.stderr
        if extra:
            again = cli(*command, "install", how, *extra)
            assert again.exit_code == 1 and again.stderr.count("\n") == 1
    assert not table.exists() and not _env_file().exists()


def test_uninstall_from_a_read_only_folder_says_what_it_could_not_remove(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_readonly
) -> None:
    """The units' folder made read-only after install --systemd: uninstall ended in a
    traceback, after it had taken the crontab line out unsaid. Now what it removed is
    said, then one line names each file it could not remove, exit 1."""
    table = fake_crontab(tmp_path, monkeypatch)
    url = f"https://hooks.example.com/{SECRET}"
    assert cli("remind", "install", "--systemd", "--webhook", url).exit_code == 0
    table.write_text("*/15 * * * * tinycrm remind # tinycrm remind\n")
    make_readonly(_unit().parent)
    gone = cli("remind", "uninstall")
    assert gone.exit_code == 1, gone.stderr
    assert "Removed from your crontab" in gone.stdout and f"Removed {_env_file()}" in gone.stdout
    assert gone.stderr.count("\n") == 1 and "Traceback" not in gone.stderr
    assert f"{_unit()} (Operation not permitted)" in gone.stderr
    assert "tinycrm-remind.timer" in gone.stderr and not _env_file().exists()


def _crontab_that_cannot_write(tmp_path: Path) -> None:
    """The fake crontab (``fake_crontab``) made to read the table but fail to write it."""
    fake = tmp_path / "fakebin" / "crontab"
    fake.write_text(
        '#!/bin/sh\ncase "$1" in\n  -l) cat "$FAKE_CRONTAB_FILE" 2>/dev/null || '
        '{ echo "no crontab for tester" >&2; exit 1; } ;;\n'
        '  -) echo "crontab: cannot write the table: disk full" >&2; exit 1 ;;\nesac\n'
    )


def test_moving_to_cron_never_leaves_both_schedulers(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_readonly
) -> None:
    """`remind install --apply` after `--systemd` added the crontab line first and then
    took the units away: a unit that could not be removed (a read-only folder) left both,
    every reminder told twice. Now the units go first; the crontab line is added once they
    are gone, and when the crontab cannot be written the units are put back: one scheduler
    either way, and the error says what stayed."""
    table = fake_crontab(tmp_path, monkeypatch)
    assert cli("remind", "install", "--systemd").exit_code == 0
    timer = _unit().with_suffix(".timer")
    units = {path: path.read_bytes() for path in (_unit(), timer)}
    _crontab_that_cannot_write(tmp_path)
    refused = cli("remind", "install", "--apply")
    assert refused.exit_code == 1
    assert "disk full" in refused.stderr and "systemd units were kept" in refused.stderr
    assert {path: path.read_bytes() for path in units} == units
    assert not table.exists()
    (tmp_path / "fakebin" / "crontab").write_text(FAKE_CRONTAB)  # it can write again
    make_readonly(_unit().parent)
    stuck = cli("remind", "install", "--apply")
    assert stuck.exit_code == 1 and stuck.stderr.count("\n") == 1
    assert f"cannot remove {_unit()}" in stuck.stderr or f"cannot remove {timer}" in stuck.stderr
    assert {path: path.read_bytes() for path in units} == units
    assert not table.exists() or "tinycrm remind" not in table.read_text()


def test_moving_to_systemd_never_leaves_both_schedulers(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_readonly
) -> None:
    """The other way: `--systemd` wrote its units, then could not take the crontab line
    out (a crontab it could read but not write): both ran, with only a note. Now the line
    goes first, and units that cannot be written give the line back."""
    table = fake_crontab(tmp_path, monkeypatch)
    assert cli("remind", "install", "--apply").exit_code == 0
    installed = table.read_bytes()
    _crontab_that_cannot_write(tmp_path)
    refused = cli("remind", "install", "--systemd")
    assert refused.exit_code == 1 and "disk full" in refused.stderr
    assert not _unit().exists() and table.read_bytes() == installed
    (tmp_path / "fakebin" / "crontab").write_text(FAKE_CRONTAB)  # it can write again
    _unit().parent.mkdir(parents=True, exist_ok=True)
    make_readonly(_unit().parent)
    stuck = cli("remind", "install", "--systemd")
    assert stuck.exit_code == 1 and stuck.stderr.count("\n") == 1, stuck.stderr
    assert not _unit().exists() and table.read_bytes() == installed


@pytest.mark.parametrize(
    ("url", "noted"),
    [
        ("https://ntfy.example.com/alerts", True),
        ("https://push.example.com/ntfy/alerts", False),
        ("https://ntfy.example.com/alerts#ntfy", False),
        ("https://ntfy.example.com/alerts#json", False),
        ("https://ntfy.sh/alerts", False),
    ],
)
def test_install_says_how_to_name_a_self_hosted_ntfy(cli, url: str, noted: bool) -> None:
    """A self-hosted ntfy's URL looks like a script's, so its runs POSTed the JSON, which
    its users read on their phones as a blob: the README now says to end it with #ntfy,
    and install, run once by a person, says so for a host named ntfy.… (it only notes:
    the URL is installed as given, and a cron run says nothing)."""
    run = cli("remind", "install", "--webhook", url)
    assert run.exit_code == 0, run.stderr
    assert ("#ntfy" in run.stderr) == noted, run.stderr
    if noted:
        assert "ntfy.example.com" in run.stderr and "alerts" not in run.stderr


def test_printing_the_line_into_a_read_only_config_folder_says_why_in_words(
    cli, make_readonly
) -> None:
    """`remind install --webhook URL` (the line only) writes the environment file the
    line reads; in a read-only config folder it said "[Errno 1] Operation not
    permitted: '…/tinycrm'", Python's words. Now it names the file and says why, as the
    systemd units' refusal does; nothing is written."""
    config = Path(os.environ["XDG_CONFIG_HOME"])
    config.mkdir(parents=True, exist_ok=True)
    make_readonly(config)
    refused = cli("remind", "install", "--webhook", f"https://hooks.example.com/{SECRET}")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "[Errno" not in refused.stderr
    assert f"cannot write the environment file {_env_file()} for the webhook to " in (
        refused.stderr
    )
    assert refused.stderr.rstrip().endswith(f"({config / 'tinycrm'})")
    assert SECRET not in refused.stderr and not _env_file().exists()

"""Hooks: executables in ``hooks/`` in the config folder, run around every write.

Through the public API (``Crm``, which the command line and the board use) on SQLite and
PostgreSQL, and through the real ``tinycrm`` command for exit codes and messages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tinycrm.api import Crm
from tinycrm.hooks import HookRefused


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


@pytest.fixture
def hooks_dir(isolated_user_dirs: Path) -> Path:
    folder = isolated_user_dirs / "config" / "tinycrm" / "hooks"
    folder.mkdir(parents=True)
    return folder


def hook(path: Path, body: str) -> Path:
    """An executable shell script at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def recorder(path: Path, log: Path, *, exit_code: int = 0, say: str = "") -> Path:
    """A hook that appends its stdin (one JSON line) to ``log`` and exits ``exit_code``."""
    echo = f"echo '{say}'\n" if say else ""
    return hook(path, f'cat >> "{log}"\n{echo}exit {exit_code}\n')


def seen(log: Path) -> list[object]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_pre_write_sees_the_record_after_the_change_and_the_changes(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "pre.log"
    recorder(hooks_dir / "pre-write", log)
    crm.contacts.add("Ada Lovelace", email="ada@example.com", tags=["vip"])
    crm.contacts.edit("ada@example.com", title="Countess", untag="vip")
    deal = crm.deals.add("Engine", amount="1000", contact="ada@example.com")
    crm.deals.move(deal.id, "Proposal")

    created, edited, _deal_created, moved = seen(log)
    assert isinstance(created, dict) and isinstance(edited, dict) and isinstance(moved, dict)
    assert created["action"] == "created" and created["entity"] == "contact"
    assert created["event"] == "contact.created" and created["actor"] == "tester"
    assert created["record"]["email"] == "ada@example.com"
    assert created["record"]["tags"] == ["vip"]
    assert edited["action"] == "updated" and edited["id"] == created["id"]
    assert edited["record"]["title"] == "Countess"  # the record after the change
    assert edited["changes"] == {"title": [None, "Countess"], "tags": [["vip"], []]}
    assert moved["action"] == "moved" and moved["entity"] == "deal"
    assert moved["changes"]["stage"] == ["Lead-in", "Proposal"]
    assert moved["record"]["stage"] == "Proposal"
    assert moved["record"]["amount"] == 1000  # as --json prints it

    crm.companies.add("Analytical Engines", fields={"plan": "free"})
    crm.companies.edit("Analytical Engines", city="London", fields={"plan": "pro"})
    company = seen(log)[-1]
    assert isinstance(company, dict) and company["entity"] == "company"
    assert company["changes"] == {
        "city": [None, "London"],
        "fields": [{"plan": "free"}, {"plan": "pro"}],
    }


def test_the_payload_time_is_written_as_the_records_times_and_json_are(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    """A hook's `at` was '2026-12-06T09:06:58.683470+00:00' beside its record's
    'created_at': '...Z', while `tinycrm feed --json` writes the same moment as '...Z'."""
    log = tmp_path / "post.log"
    recorder(hooks_dir / "post-write", log)
    crm.contacts.add("Ada Lovelace")
    (item,) = seen(log)
    assert isinstance(item, dict)
    assert item["at"] == crm.feed(limit=1)[0].model_dump(mode="json")["at"]
    assert item["at"].endswith("Z") and item["record"]["created_at"].endswith("Z")


def test_a_refusing_pre_write_hook_writes_nothing(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    hook(
        hooks_dir / "pre-write",
        'if grep -q "Mallory" ; then echo "no Mallory here"; echo second line; exit 3; fi\n',
    )
    crm.contacts.add("Ada Lovelace")
    with pytest.raises(HookRefused, match=r"^no Mallory here$"):
        crm.contacts.add("Mallory", email="m@example.com")
    assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]
    assert all("Mallory" not in e.summary for e in crm.feed())


def test_post_write_failure_is_a_warning_and_the_write_stays(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "post.log"
    recorder(hooks_dir / "post-write", log, exit_code=2, say="mail server down")
    with pytest.warns(UserWarning, match=r"post-write hook post-write failed \(exit 2\): mail"):
        crm.contacts.add("Ada Lovelace")
    assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]
    (after,) = seen(log)
    assert isinstance(after, dict) and after["record"]["name"] == "Ada Lovelace"


def test_hooks_in_the_d_folders_run_in_name_order_after_the_single_file(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    order = tmp_path / "order"
    for name in ("pre-write", "pre-write.d/20-b", "pre-write.d/10-a", "post-write.d/05-c"):
        hook(hooks_dir / name, f'cat > /dev/null; echo "{name}" >> "{order}"\n')
    (hooks_dir / "pre-write.d" / "30-off").write_text("#!/bin/sh\nexit 1\n")  # not executable
    crm.contacts.add("Ada Lovelace")
    assert order.read_text().split() == [
        "pre-write",
        "pre-write.d/10-a",
        "pre-write.d/20-b",
        "post-write.d/05-c",
    ]


def test_a_hanging_pre_write_hook_is_stopped_and_refuses(
    crm: Crm, hooks_dir: Path, isolated_user_dirs: Path
) -> None:
    (isolated_user_dirs / "config" / "tinycrm" / "config.toml").write_text(
        "[hooks]\ntimeout = 0.5\n"
    )
    hook(hooks_dir / "pre-write", "sleep 30\n")
    started = time.monotonic()
    with pytest.raises(HookRefused, match=r"did not finish within 0\.5 s: nothing was written"):
        crm.contacts.add("Ada Lovelace")
    assert time.monotonic() - started < 10
    assert crm.contacts.list() == []


def test_a_hook_that_leaves_a_job_running_in_the_background_has_finished(
    crm: Crm, hooks_dir: Path, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    # `notify-send … &`: the hook exits at once, its job keeps the output open for a while
    (isolated_user_dirs / "config" / "tinycrm" / "config.toml").write_text("[hooks]\ntimeout = 2\n")
    done = tmp_path / "background-done"
    job = f'cat > /dev/null; (sleep 6; touch "{done}") &\n'
    hook(hooks_dir / "pre-write", job + "exit 0\n")
    hook(hooks_dir / "post-write", job + "echo 'posted'; exit 0\n")
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "post-write hook failed (timed out)"
        crm.contacts.add("Ada Lovelace")
    # not the jobs' 6 s (a loaded machine may take a moment or two to start two hooks)
    assert time.monotonic() - started < 5
    assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]
    deadline = time.monotonic() + 30
    while not done.exists() and time.monotonic() < deadline:  # the jobs were left to run
        time.sleep(0.1)
    assert done.exists()


MAX_RSS_OF_A_RUN = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
sys.stdout.write(done.stderr)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def test_a_hook_that_floods_its_output_is_read_and_dropped(hooks_dir: Path) -> None:
    # 400 MB of output: its first line is the message, the rest goes nowhere (neither
    # into memory nor into a file), and the hook is not blocked writing it.
    hook(hooks_dir / "pre-write", "echo 'too much'; head -c 400000000 /dev/zero; exit 1\n")
    command = [sys.executable, "-m", "tinycrm", "contact", "add", "Ada Lovelace"]
    run = subprocess.run(
        [sys.executable, "-c", MAX_RSS_OF_A_RUN, *command],
        capture_output=True,
        text=True,
        timeout=180,
    )
    said, last = run.stdout.rsplit("\n", 2)[:2]
    code, megabytes = (int(n) for n in last.split())
    assert (said, code) == ("Error: too much", 1)
    assert megabytes < 250, megabytes


def test_a_hook_that_reads_tinycrm_reads_the_database_being_written(
    crm: Crm, store: Any, hooks_dir: Path, tmp_path: Path
) -> None:
    # README: reading is fine. The write may be to another database than the user's own
    # (--db, tinycrm.open(path), an MCP server started with --db): the hook's tinycrm
    # must read that one.
    seen_db = tmp_path / "seen"
    for kind in ("pre-write", "post-write"):
        hook(hooks_dir / kind, f'cat > /dev/null; echo "$TINYCRM_DB" >> "{seen_db}"\n')
    assert os.environ["TINYCRM_DB"] != store.url  # the user's own is elsewhere
    crm.contacts.add("Ada Lovelace")
    assert seen_db.read_text().split() == [store.url, store.url]


def test_imports_and_merges_call_hooks_once_with_a_list(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "pre.log"
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    crm.contacts.add("Ada L.", email="ada.l@example.com")
    recorder(hooks_dir / "pre-write", log)
    crm.contacts.merge("ada@example.com", "ada.l@example.com")
    rows = [
        (2, {"name": "Grace Hopper", "email": "grace@example.com"}, None),
        (3, {"name": "Ada Lovelace", "email": "ada@example.com", "title": "Countess"}, None),
    ]
    crm.imports.rows("contacts", rows, source="people.csv")

    merge, imported = seen(log)
    assert isinstance(merge, list) and isinstance(imported, list)
    assert [(i["action"], i["record"]["email"]) for i in merge] == [
        ("merged", "ada@example.com"),
        ("deleted", "ada.l@example.com"),
    ]
    by_email = {i["record"]["email"]: i for i in imported}
    assert by_email["grace@example.com"]["action"] == "created"
    assert by_email["ada@example.com"]["action"] == "updated"
    assert by_email["ada@example.com"]["changes"] == {"title": [None, "Countess"]}
    crm.imports.undo()
    undone = seen(log)[-1]
    assert isinstance(undone, list) and [i["action"] for i in undone] == ["undone"]


def test_a_tag_renamed_or_removed_calls_hooks_once_with_each_records_tags(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    crm.contacts.add("Ada", tags=["vip", "gold"])
    crm.companies.add("Acme", tags=["vip"])
    crm.contacts.add("Bob", tags=["other"])
    log = tmp_path / "pre.log"
    recorder(hooks_dir / "pre-write", log)
    crm.tags.rename("vip", "gold")
    crm.tags.remove("gold", entity="company")
    renamed, removed = seen(log)
    assert isinstance(renamed, list) and isinstance(removed, list)
    got = {(i["entity"], i["record"]["name"]): i["changes"] for i in renamed}
    assert got == {
        ("contact", "Ada"): {"tags": [["gold", "vip"], ["gold"]]},
        ("company", "Acme"): {"tags": [["vip"], ["gold"]]},
    }
    assert {i["event"] for i in renamed} == {"tag.retagged"}
    assert [(i["record"]["name"], i["changes"]) for i in removed] == [
        ("Acme", {"tags": [["gold"], []]})
    ]


def test_no_hooks_no_cost_and_a_deleted_record_is_shown_as_it_was(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    crm.contacts.add("Ada Lovelace", email="ada@example.com", tags=["vip"])
    log = tmp_path / "pre.log"
    recorder(hooks_dir / "pre-write", log)
    crm.contacts.remove("ada@example.com")
    (gone,) = seen(log)
    assert isinstance(gone, dict) and gone["action"] == "deleted"
    assert gone["record"]["email"] == "ada@example.com" and gone["record"]["tags"] == ["vip"]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tinycrm", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_the_command_line_says_the_hooks_first_line_escaped_and_exits_1(
    hooks_dir: Path,
) -> None:
    hook(hooks_dir / "pre-write", "cat >/dev/null; printf 'refused \\033[31mred\\n'; exit 1\n")
    done = _run("contact", "add", "Ada Lovelace", env={})
    assert done.returncode == 1
    assert done.stderr == "Error: refused \\x1b[31mred\n"
    assert _run("contact", "list", "--json", env={}).stdout.strip() == "[]"


def test_hooks_list_shows_each_hook_and_whether_it_runs(hooks_dir: Path) -> None:
    hook(hooks_dir / "pre-write", "exit 0\n")
    (hooks_dir / "post-write.d").mkdir()
    (hooks_dir / "post-write.d" / "10-mail").write_text("#!/bin/sh\n")
    listed = _run("hooks", "list", "--json", env={})
    assert listed.returncode == 0, listed.stderr
    assert [(h["name"], h["executable"]) for h in json.loads(listed.stdout)] == [
        ("pre-write", True),
        ("post-write.d/10-mail", False),
    ]
    table = _run("hooks", "list", env={})
    assert "not executable" in table.stdout and "chmod +x" in table.stderr


def test_hooks_list_shows_a_hook_that_is_a_link_to_nothing(hooks_dir: Path) -> None:
    """A hook that is a symbolic link to a script moved or deleted did not run, and
    `hooks list` did not show it: a pre-write check stopped guarding writes without a
    word. It is now listed as not running, saying why; writes go on as before."""
    (hooks_dir / "pre-write.d").mkdir()
    (hooks_dir / "pre-write.d" / "10-check").symlink_to(hooks_dir / "moved-away.sh")
    listed = _run("hooks", "list", "--json", env={})
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert (row["name"], row["executable"]) == ("pre-write.d/10-check", False), row
    assert row["runs"] == f"no: a link to {hooks_dir / 'moved-away.sh'}, which is not there"
    table = _run("hooks", "list", env={})
    assert "a link to" in table.stdout and "chmod" not in table.stderr, table
    assert (hooks_dir / "pre-write.d" / "10-check").is_symlink()  # left as it was


def test_hooks_list_shows_a_file_name_that_is_not_utf8_escaped(hooks_dir: Path) -> None:
    folder = hooks_dir / "post-write.d"
    folder.mkdir()
    fd = os.open(os.fsencode(folder) + b"/10-caf\xe9", os.O_CREAT | os.O_WRONLY, 0o755)
    os.write(fd, b"#!/bin/sh\nexit 0\n")
    os.close(fd)
    listed = _run("hooks", "list", "--json", env={})
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["name"] == "post-write.d/10-caf\\xe9" and row["path"].endswith("10-caf\\xe9")
    table = subprocess.run(
        [sys.executable, "-m", "tinycrm", "hooks", "list"], capture_output=True, timeout=60
    )
    assert table.returncode == 0 and b"10-caf\\xe9" in table.stdout
    assert b"\xe9" not in table.stdout.replace(b"\\xe9", b"")  # no raw byte


def test_contracts_and_cases_reach_the_hooks_with_their_records_and_changes(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "pre.log"
    crm.contacts.add("Ada Lovelace", email="ada@example.com")
    crm.deals.add("Platform", contact="ada@example.com", amount="1200")
    crm.deals.win("Platform")
    recorder(hooks_dir / "pre-write", log)
    contract = crm.contracts.add(deal="Platform", start="2026-01-01", notice="30d")
    case = crm.cases.add("Cannot log in", contact="ada@example.com", priority="high")
    crm.cases.edit(case.id, priority="urgent")
    crm.cases.resolve(case.id, csat=5)
    events = seen(log)
    assert [e["event"] for e in events] == [  # type: ignore[index]
        "contract.created",
        "case.created",
        "case.updated",
        "case.resolved",
    ]
    created, _, edited, resolved = events
    assert created["record"]["id"] == contract.id and created["record"]["value"] == 1200  # type: ignore[index]
    assert edited["changes"]["priority"] == ["high", "urgent"]  # type: ignore[index]
    assert resolved["record"]["csat"] == 5 and resolved["changes"]["status"] == [  # type: ignore[index]
        "new",
        "resolved",
    ]
    hook(hooks_dir / "pre-write", "echo 'no contracts on Fridays'\nexit 1\n")
    with pytest.raises(HookRefused, match="no contracts on Fridays"):
        crm.contracts.cancel(contract.id)
    assert crm.contracts.get(contract.id).status == "active"


def test_a_hook_reads_a_big_amount_exactly_and_a_cent_changed_as_a_change(
    crm: Crm, hooks_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "post.log"
    recorder(hooks_dir / "post-write", log)
    deal = crm.deals.add("Big", amount="999999999999999.99")
    crm.deals.edit(deal.id, amount="999999999999999.98")
    created, edited = (
        json.loads(line, parse_float=Decimal) for line in log.read_text().splitlines()
    )
    assert created["record"]["amount"] == Decimal("999999999999999.99")
    assert edited["changes"]["amount"] == [
        Decimal("999999999999999.99"),
        Decimal("999999999999999.98"),
    ]
    assert '"amount": 999999999999999.98,' in log.read_text()


def test_a_pre_write_hook_writing_to_the_database_it_checks_is_refused_at_once(
    crm: Crm, hooks_dir: Path, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    """README: a pre-write hook must not write to tinycrm. The write it checks holds the
    database (SQLite) until the hook is done, so the hook's write used to wait until the
    hook was killed: ten seconds, then "did not finish", with no word of why. Now the
    hook's own write is refused at once and says why; the hook decides what that means.
    Another database (``--db`` elsewhere) is not refused."""
    said = tmp_path / "said"
    other = tmp_path / "other.db"
    hook(
        hooks_dir / "pre-write",
        f'cat > /dev/null; [ -n "$INNER" ] && exit 0; export INNER=1\n'
        f'{sys.executable} -m tinycrm contact add "From the hook" 2>> "{said}"\n'
        f'echo "exit $?" >> "{said}"\n'
        f'{sys.executable} -m tinycrm --db "{other}" contact add "Elsewhere" 2>> "{said}"\n',
    )
    # time enough for two commands on a busy machine; before, the hook's own write waited
    # for the whole of it and then the write was refused as "did not finish"
    (isolated_user_dirs / "config" / "tinycrm" / "config.toml").write_text(
        "[hooks]\ntimeout = 60\n"
    )
    crm.contacts.add("Ada Lovelace")
    assert [c.name for c in crm.contacts.list()] == ["Ada Lovelace"]
    assert said.read_text().splitlines() == [
        "Error: a pre-write hook cannot write to the database whose write it checks: "
        "that write waits for the hook (write from a post-write hook instead)",
        "exit 1",
    ]
    import tinycrm

    with tinycrm.open(other) as elsewhere:
        assert [c.name for c in elsewhere.contacts.list()] == ["Elsewhere"]


def test_a_write_from_a_post_write_hook_does_not_run_the_post_write_hooks_again(
    crm: Crm, hooks_dir: Path, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    """A post-write hook that writes to the database it was called for (it adds a
    contact, whatever the write was) ran again on its own write, and again on that
    one's: it never stopped. The writes a post-write hook makes run the pre-write hooks
    (they are checked as any write is) but not the post-write hooks. The hook here
    stops itself after four runs, so that the old behaviour ends."""
    runs, checked = tmp_path / "runs", tmp_path / "checked"
    recorder(hooks_dir / "pre-write", checked)
    hook(
        hooks_dir / "post-write",
        f'cat > /dev/null; echo run >> "{runs}"\n'
        f'[ "$(wc -l < "{runs}")" -ge 4 ] && exit 0\n'
        f'{sys.executable} -m tinycrm contact add "From the hook"\n',
    )
    (isolated_user_dirs / "config" / "tinycrm" / "config.toml").write_text(
        "[hooks]\ntimeout = 60\n"
    )
    crm.contacts.add("Ada Lovelace")
    assert runs.read_text().splitlines() == ["run"]
    assert sorted(c.name for c in crm.contacts.list()) == ["Ada Lovelace", "From the hook"]
    checked_names = [e["record"]["name"] for e in seen(checked)]  # type: ignore[index]
    assert checked_names == ["Ada Lovelace", "From the hook"]


def test_a_hook_killed_by_a_signal_is_said_to_be_killed_not_an_exit_status(
    crm: Crm, hooks_dir: Path
) -> None:
    """A pre-write hook killed by a signal (the OOM killer's SIGKILL, a SIGTERM at
    shutdown) refused the write with '(exit status -9)', and a post-write one failed with
    '(exit -15)': no program exits with a negative status, and the signal went unnamed.
    Each now says which signal killed it."""
    hook(hooks_dir / "pre-write", "cat > /dev/null; kill -KILL $$\n")
    with pytest.raises(HookRefused) as refusal:
        crm.contacts.add("Ada Lovelace")
    assert str(refusal.value) == (
        "the pre-write hook pre-write refused the write (killed by signal 9, SIGKILL)"
    )
    assert crm.contacts.list() == []
    (hooks_dir / "pre-write").unlink()
    hook(hooks_dir / "post-write", "cat > /dev/null; kill -TERM $$\n")
    with pytest.warns(UserWarning) as told:
        crm.contacts.add("Ada Lovelace")
    assert [str(w.message) for w in told] == [
        "post-write hook post-write failed (killed by signal 15, SIGTERM)"
    ]


def test_a_hook_that_cannot_start_says_why_not_no_such_file(crm: Crm, hooks_dir: Path) -> None:
    """A hook saved with Windows line endings ('#!/bin/sh\\r'), or naming an interpreter
    that is not there, refused every write with 'No such file or directory' about a file
    `hooks list` showed as running; one without a #! line, with 'Exec format error'. Each
    now says what is wrong with the file, and `hooks list` says it does not run."""
    script = hooks_dir / "pre-write"
    cases = {
        b"#!/bin/sh\r\nexit 0\r\n": "its #! line ends with a carriage return (Windows line "
        "endings: convert the file, e.g. dos2unix)",
        b"#!/nowhere/python3 -u\nexit 0\n": (
            "its #! line names /nowhere/python3, which is not there"
        ),
        b"\xef\xbb\xbf#!/bin/sh\nexit 0\n": "it starts with a byte order mark before its #! line "
        "(save it without one)",
        b"exit 0\n": "it does not start with a #! line naming its interpreter (#!/bin/sh)",
    }
    for content, said in cases.items():
        script.write_bytes(content)
        script.chmod(0o755)
        with pytest.raises(HookRefused) as refusal:
            crm.contacts.add("Ada Lovelace")
        assert str(refusal.value) == f"cannot run hook pre-write: {said}"
    assert crm.contacts.list() == []
    script.write_bytes(b"#!/bin/sh\r\nexit 0\r\n")
    (row,) = json.loads(_run("hooks", "list", "--json", env={}).stdout)
    assert row["runs"].startswith("no: its #! line ends with a carriage return"), row
    never = "no: it does not start with a #! line naming its interpreter (#!/bin/sh)"
    for text in (b"exit 0\n", b""):  # hooks list said 'yes' of these, which never start
        script.write_bytes(text)
        (row,) = json.loads(_run("hooks", "list", "--json", env={}).stdout)
        assert row["runs"] == never, row
    script.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))  # a program, maybe
    (row,) = json.loads(_run("hooks", "list", "--json", env={}).stdout)
    assert row["runs"] == "yes", row

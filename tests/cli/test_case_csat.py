"""``tinycrm case csat-import FILE``: the summary line, the dry run's list, --json, and a
bad line refused in one line with nothing written (in-process)."""

from __future__ import annotations

from pathlib import Path


def _cases(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("contact", "add", "Ada", "--email", "ada@acme.com").exit_code == 0
    for subject in ("Cannot log in", "Invoice", "Slow"):
        assert cli("case", "add", subject, "--contact", "ada@acme.com").exit_code == 0
    cli("case", "resolve", "1", "--csat", "3")
    cli("case", "resolve", "2")


def test_csat_import_says_what_it_did_and_would_do(cli, tmp_path: Path) -> None:
    _cases(cli)
    survey = tmp_path / "survey.csv"
    survey.write_text("case;rating;comment\n1;3;\n2;5;quick\n")
    dry = cli("case", "csat-import", str(survey), "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "Dry run, nothing written: would record 1 satisfaction score (1 unchanged)",
        "  line 3: case #2 5/5",
    ]
    assert cli("case", "show", "2", "--json").json()["csat"] is None
    done = cli("case", "csat-import", str(survey))
    assert done.stdout == "Recorded 1 satisfaction score (1 unchanged)\n"
    shown = cli("case", "show", "2", "--json").json()
    assert (shown["csat"], shown["csat_comment"]) == (5, "quick")
    survey.write_text("case,csat\n1,1\n2,5\n")
    replaced = cli("case", "csat-import", str(survey), "--overwrite", "--json").json()
    assert (replaced["recorded"], replaced["replaced"], replaced["unchanged"]) == (1, 1, 1)
    assert replaced["changes"][0]["csat_before"] == 3


def test_a_bad_line_is_one_line_on_stderr_and_nothing_is_written(cli, tmp_path: Path) -> None:
    _cases(cli)
    survey = tmp_path / "survey.csv"
    survey.write_text("case,csat\n2,5\n3,4\n")
    refused = cli("case", "csat-import", str(survey))
    assert refused.exit_code == 1
    assert refused.stderr == "Error: line 3: case #3 is new, not resolved or closed\n"
    assert cli("case", "show", "2", "--json").json()["csat"] is None
    survey.write_text("case,csat\n1,4\n")
    refused = cli("case", "csat-import", str(survey))
    assert refused.exit_code == 1 and "--overwrite" in refused.stderr
    missing = cli("case", "csat-import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr


def test_stdin(cli) -> None:
    _cases(cli)
    done = cli("case", "csat-import", "-", input="id,score\n2,4\n")
    assert done.exit_code == 0 and done.stdout == "Recorded 1 satisfaction score\n"

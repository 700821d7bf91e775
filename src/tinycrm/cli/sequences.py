"""``tinycrm sequence …``"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm
from tinycrm.cli.output import TABLE, Output, col, output_options
from tinycrm.safetext import quoted
from tinycrm.vocab import plural

app = typer.Typer(no_args_is_help=True, help="Sequences: drip follow-ups scheduled as tasks.")

NameArg = Annotated[str, typer.Argument(help="Sequence name or id.", metavar="NAME")]
ContactsArg = Annotated[list[str], typer.Argument(help="Contacts (id, email or name).",
                                                   metavar="CONTACT...")]  # fmt: skip


def _parse_step(spec: str) -> tuple[int, str]:
    from tinycrm.errors import Invalid

    days, sep, text = spec.partition(":")
    try:
        offset = int(days.strip().lower().removeprefix("day").removesuffix("d").strip())
    except ValueError:
        offset = -1
    if not sep or offset < 0 or not text.strip():
        raise Invalid(f"step {quoted(spec)} must look like DAYS:TEXT, e.g. '3:Call {{name}}'")
    return offset, text.strip()


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Sequence name.")],
    step: Annotated[
        list[str],
        typer.Option(
            "--step",
            help="DAYS:TEXT, e.g. '0:Intro email to {first_name}' (repeat; {name}, "
            "{first_name} and {company} are filled in).",
        ),
    ],
) -> None:
    """Create a sequence of steps (day offset from enrollment and task text)."""
    sequence = crm(ctx).sequences.add(name, [_parse_step(s) for s in step])
    days = ", ".join(f"day {s.day_offset}" for s in sequence.steps)
    out.done(f"Added sequence #{sequence.id} {sequence.name}: {days}")


def _steps(row: dict[str, Any]) -> str:
    return "; ".join(f"day {step['day_offset']}: {step['text']}" for step in row["steps"])


@app.command("list")
@output_options
def list_(ctx: typer.Context, output: Output = TABLE) -> None:
    """List sequences with their steps and how many contacts are in each."""
    rows = crm(ctx).sequences.list()
    columns = [
        col("id", "id", justify="right", style="dim"),
        col("name", "name", style="bold"),
        out.Column("steps", _steps),
        col("active", "active", justify="right"),
    ]
    output.list(rows, columns, empty="no sequences", model="SequenceRead")


@app.command("show")
@output_options
def show(ctx: typer.Context, name: NameArg, output: Output = TABLE) -> None:
    """Who is (or was) in a sequence."""
    rows = crm(ctx).sequences.enrollments(name)
    columns = [
        col("contact", "contact", style="bold"),
        col("started", "started_at", whole=True),
        col("tasks", "tasks", justify="right"),
        col("stopped", "stopped_at", whole=True),
        col("why", "stop_reason"),
    ]
    output.list(rows, columns, empty="nobody enrolled yet", model="EnrollmentRead")


@app.command("enroll")
def enroll(ctx: typer.Context, name: NameArg, contacts: ContactsArg) -> None:
    """Enroll contacts: each step becomes a task due DAYS after today."""
    for enrollment in crm(ctx).sequences.enroll(name, contacts):
        out.done(
            f"Enrolled {enrollment.contact} in {enrollment.sequence} "
            f"({plural(enrollment.tasks, 'task')})"
        )


@app.command("stop")
def stop(ctx: typer.Context, name: NameArg, contacts: ContactsArg) -> None:
    """Take contacts out of a sequence: their open step tasks are removed."""
    count = crm(ctx).sequences.stop(name, contacts)
    out.done(f"Stopped {count} enrollment{'s' if count != 1 else ''} in {name}")

"""``tinycrm pipeline …``"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import (
    crm,
    fail,
    nothing_to_change,
    number_or_none,
    tell_still_named,
    whole,
    whole_number,
    whole_number_or_empty,
)
from tinycrm.cli.output import TABLE, Output, col, output_options
from tinycrm.safetext import quoted
from tinycrm.vocab import plural

if TYPE_CHECKING:
    from tinycrm.api.models import PipelineRemoval

app = typer.Typer(no_args_is_help=True, help="Pipelines and their stages.")

PipelineOpt = Annotated[str | None, typer.Option(help="Pipeline name (default: the first).")]
StageArg = Annotated[str, typer.Argument(help="Stage name.")]
Rotting = Annotated[
    int | None,
    typer.Option(
        "--rotting-days",
        help="A deal rots after N days without activity.",
        metavar="N",
        parser=whole,
        callback=whole_number(1),
    ),
]

STAGE_COLUMNS = [
    col("pipeline", "pipeline", style="bold"),
    col("#", "number", justify="right"),
    col("stage", "name"),
    col("probability", "probability_text", justify="right"),
    col("rots after", "rotting_text", justify="right"),
    col("open deals", "deals", justify="right"),
]


@app.command("list")
@output_options
def list_(ctx: typer.Context, output: Output = TABLE) -> None:
    """List pipelines and their stages in order."""
    pipelines = crm(ctx).pipelines.list()
    if output.format in ("json", "jsonl"):
        output.list(pipelines, [])
        return
    rows = [
        {
            **stage.model_dump(),
            "number": stage.position + 1,
            "probability_text": f"{stage.probability}%",
            "rotting_text": f"{stage.rotting_days} d" if stage.rotting_days else "",
        }
        for pipeline in pipelines
        for stage in pipeline.stages
    ]
    if output.format == "csv":  # a row per stage
        output.write([{k: v for k, v in r.items() if not k.endswith("_text")} for r in rows])
    else:
        out.print_table(rows, STAGE_COLUMNS, empty="no pipelines")


def _parse_stage(spec: str) -> tuple[str, int, int | None]:
    from tinycrm.errors import Invalid

    def number(text: str) -> int:  # digits as --probability reads them: not 1_0 nor ５
        digits = text.removeprefix("-").removeprefix("+")
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError(text)
        return int(text)

    parts = [p.strip() for p in spec.split(":")]
    try:
        if len(parts) == 2:
            return parts[0], number(parts[1].removesuffix("%").rstrip()), None
        if len(parts) == 3:
            rotting = number(parts[2]) if parts[2] else None
            return parts[0], number(parts[1].removesuffix("%").rstrip()), rotting
    except ValueError:
        pass
    raise Invalid(
        f"stage {quoted(spec)} must look like NAME:PROBABILITY[:ROTTING_DAYS], e.g. Demo:30:14"
    )


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Pipeline name.")],
    stage: Annotated[
        list[str] | None,
        typer.Option(
            "--stage",
            help="A stage NAME:PROBABILITY[:ROTTING_DAYS], in order (repeat). "
            "Default: Lead-in, Qualified, Proposal, Negotiation.",
        ),
    ] = None,
) -> None:
    """Add a pipeline."""
    specs = [_parse_stage(s) for s in stage or []]
    pipeline = crm(ctx).pipelines.add(name, stages=specs or None)
    names = ", ".join(s.name for s in pipeline.stages)
    out.done(f"Added pipeline #{pipeline.id} {pipeline.name}: {names}")


@app.command("rename")
@output_options
def rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    new: Annotated[str, typer.Argument(help="Its new name.")],
    output: Output = TABLE,
) -> None:
    """Rename a pipeline. Saved segments testing pipeline=OLD test the new name."""
    result = crm(ctx).pipelines.rename(old, new)
    if output.machine:
        output.one(result, lambda _: None)
        return
    if result.old == result.name:
        out.done(f"Pipeline #{result.id} {result.name} already has that name")
        return
    out.done(f"Renamed pipeline #{result.id} {result.old} to {result.name}")
    if result.rewritten:
        names = ", ".join(n.removeprefix("segment ") for n in result.rewritten)
        out.done(f"Rewrote {plural(len(result.rewritten), 'segment')} to the new name: {names}")


@app.command("stage-add")
def stage_add(
    ctx: typer.Context,
    name: StageArg,
    probability: Annotated[
        str,
        typer.Option(
            help="Win probability 0-100.",
            metavar="N",
            callback=whole_number_or_empty(None, percent=True),
        ),
    ],
    rotting_days: Rotting = None,
    position: Annotated[
        int | None,
        typer.Option(
            help="1-based position (default: last).",
            metavar="N",
            parser=whole,
            callback=whole_number(1),
        ),
    ] = None,
    pipeline: PipelineOpt = None,
) -> None:
    """Add a stage to a pipeline."""
    stage = crm(ctx).pipelines.add_stage(
        name,
        probability=_probability(probability),
        rotting_days=rotting_days,
        position=position,
        pipeline=pipeline,
    )
    out.done(f"Added stage {stage.name} ({stage.probability}%) to {stage.pipeline}")


def _probability(text: str) -> int:
    """A stage's ``--probability`` (``50``, ``50%``): a number, never empty."""
    number = number_or_none(text)
    if number is None:
        fail("Invalid value for '--probability': a stage needs a number 0-100", 2)
    return number


@app.command("stage-edit")
def stage_edit(
    ctx: typer.Context,
    stage: StageArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    probability: Annotated[
        str | None,
        typer.Option(
            help="Win probability 0-100.",
            metavar="N",
            callback=whole_number_or_empty(None, percent=True),
        ),
    ] = None,
    rotting_days: Rotting = None,
    no_rotting: Annotated[bool, typer.Option("--no-rotting", help="Deals here never rot.")] = False,
    pipeline: PipelineOpt = None,
) -> None:
    """Rename a stage or change its probability or rotting threshold."""
    from tinycrm.unset import UNSET

    nothing_to_change(ctx, name, probability, rotting_days, no_rotting)
    rotting = rotting_days if rotting_days is not None else UNSET
    result = crm(ctx).pipelines.edit_stage(
        stage,
        pipeline=pipeline,
        name=name if name is not None else UNSET,
        probability=_probability(probability) if probability is not None else UNSET,
        rotting_days=None if no_rotting else rotting,
    )
    out.done(f"Updated stage {result.name} of {result.pipeline}")


@app.command("stage-rm")
def stage_rm(
    ctx: typer.Context,
    stage: StageArg,
    move_to: Annotated[
        str | None, typer.Option(help="Move the stage's deals here first (required if it has any).")
    ] = None,
    pipeline: PipelineOpt = None,
) -> None:
    """Remove a stage (its deals must move elsewhere with --move-to). Saved segments
    that test it are left as they are, and named."""
    removal = crm(ctx).pipelines.remove_stage(stage, move_to=move_to, pipeline=pipeline)
    moved = removal.moved
    suffix = f"; moved {plural(moved, 'deal')} to {removal.moved_to}" if moved else ""
    out.done(f"Removed stage {removal.stage} from {removal.pipeline}{suffix}")
    tell_still_named(f"stage {removal.stage}", removal.still_named_by, "'segment save'")


@app.command("stage-move")
def stage_move(
    ctx: typer.Context,
    stage: StageArg,
    position: Annotated[
        int,
        typer.Argument(
            help="New 1-based position.", metavar="POSITION", parser=whole, callback=whole_number(1)
        ),
    ],
    pipeline: PipelineOpt = None,
) -> None:
    """Change a stage's place in its pipeline."""
    result = crm(ctx).pipelines.move_stage(stage, position=position, pipeline=pipeline)
    out.done(f"{result.name}: " + " → ".join(s.name for s in result.stages))


@app.command("rm")
@output_options
def rm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Pipeline name or id.")],
    move_to: Annotated[
        str | None,
        typer.Option(
            metavar="PIPELINE",
            help="Move its deals to this pipeline first, each into its stage of the same "
            "name there, else the first (required if it has any).",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask first (asked on a terminal).")
    ] = False,
    output: Output = TABLE,
) -> None:
    """Remove a pipeline and its stages (its deals must move elsewhere with --move-to;
    the only pipeline is kept). Saved segments that test it are left as they are, and
    named."""
    import sys

    from tinycrm import safetext

    pipelines = crm(ctx).pipelines
    if not yes and sys.stdin.isatty():
        would = pipelines.remove(name, move_to=move_to, dry_run=True)
        question = f"Remove pipeline {would.pipeline} (stages {', '.join(would.stages)})"
        question += f" and move {_moved(would)}?" if would.moved else "?"
        typer.confirm(safetext.display(question), abort=True)
    removal = pipelines.remove(name, move_to=move_to)
    if output.machine:
        output.one(removal, lambda _: None)
    else:
        text = f"Removed pipeline #{removal.id} {removal.pipeline}"
        text += f"; moved {_moved(removal)}" if removal.moved else ""
        text += (
            f"; {removal.default} is the default pipeline now" if removal.default_changed else ""
        )
        out.done(text)
    what = f"pipeline {removal.pipeline} or its stages"
    tell_still_named(what, removal.still_named_by, "'segment save'")


def _moved(removal: PipelineRemoval) -> str:
    """``3 deals to Sales (2 to Lead-in, 1 to Proposal)``."""
    into = ", ".join(f"{n} to {stage}" for stage, n in removal.moved_into.items())
    return f"{plural(removal.moved, 'deal')} to {removal.moved_to} ({into})"

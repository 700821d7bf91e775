"""``tinycrm search``: one search over contacts, companies, deals and activities."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm import safetext, search_text
from tinycrm.cli.common import crm, fail, limit_option
from tinycrm.cli.output import TABLE, Output, col, output_options, stdout_console

app = typer.Typer(add_completion=False)

COLUMNS = [
    col("Kind", "kind"),
    col("ID", "id", justify="right"),
    col("Name", "name", max_width=40),
    col("Found in", "field"),
    col("Snippet", "snippet"),
]


@app.command(
    "search",
    # one paragraph, no line breaks: the command list shows it as Rich wraps it
    help=(
        "Search everything: names, emails, phones, notes, custom fields, deals and "
        "activities (mail too), ranked, with the match highlighted."
    ),
)
@output_options
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            help='What to look for: words (each a word prefix: contr finds "contract") and '
            '"quoted phrases"; case and accents do not matter.',
            metavar="TEXT",
            show_default=False,
        ),
    ],
    in_: Annotated[
        list[str] | None,
        typer.Option(
            "--in",
            help="Only these kinds, comma-separated or repeated: contacts, companies, "
            "deals, activities, cases.",
            metavar="KINDS",
        ),
    ] = None,
    limit: Annotated[int, limit_option("At most N hits.")] = 20,
    output: Output = TABLE,
) -> None:
    text = " ".join(words)  # (search anna müller: as "anna müller")
    if not search_text.parse(text) and search_text.readable(text):
        # as a missing argument: a search for no word would list nothing, or everything
        # (text too long or not UTF-8 has no word either: the store says what is wrong)
        shown = safetext.quoted(text)
        fail(f'nothing to search for in {shown}: give a word or a "quoted phrase"', 2)
    kinds = [part for value in in_ or () for part in value.split(",") if part.strip()]
    if in_ is not None and not kinds:  # --in "$KINDS" with KINDS unset: not every kind
        fail("the kinds to search must not be empty: leave --in out to search them all")
    hits = crm(ctx).search(text, kinds=kinds if in_ is not None else None, limit=limit)
    if output.machine:
        output.list(hits, COLUMNS, model="SearchHit")
        return
    _print(hits)


def _print(hits: list[Any]) -> None:
    from rich.text import Text

    console = stdout_console()
    if not hits:
        console.print(Text("nothing found", style="dim"))
        return
    for hit in hits:
        head = Text()
        head.append(f"{hit.kind} #{hit.id}", style="cyan")
        whole = len(head)  # the kind and id: never cut
        head.append("  ")
        head.append(_shown(hit.name), style="bold")
        if hit.detail:
            head.append("  " + _shown(hit.detail), style="dim")
        console.print(_cut(head, console.width, keep=whole))
        console.print(_cut(_snippet(hit), console.width))


def _cut(line: Any, width: int, *, keep: int = 0) -> Any:
    """``line`` (a rich ``Text``) in ``width`` cells: cut between words with ``…`` (a
    date, an amount, an email or a name's word is shown whole or not at all). When not
    even its first ``keep`` characters and a word fit, the word is cut where the line
    ends, as a table cuts a first word wider than its column (a stored name of 10,000
    characters is one line, not hundreds); when not even those characters fit, they
    wrap, alone."""
    from tinycrm.cli.table import cell_len, word_cut

    if cell_len(line.plain) <= width:
        return line
    end = word_cut(line.plain, width)
    if end <= keep:
        if cell_len(line.plain[:keep]) + 3 > width:  # the kind and id, a space, a cell, …
            return line[:keep]
        cut = line.copy()
        cut.truncate(width, overflow="ellipsis")
        return cut
    cut = line[:end]
    cut.append("…")
    return cut


def _snippet(hit: Any) -> Any:
    """The snippet, its matches highlighted: stored text escaped piece by piece (never
    raw escapes), so the highlights stay where the matches are."""
    from rich.text import Text

    line = Text("  ")
    line.append(f"{hit.field}: ", style="dim")
    position = 0
    for start, end in hit.highlights:
        line.append(_shown(hit.snippet[position:start]))
        line.append(_shown(hit.snippet[start:end]), style="bold yellow")
        position = end
    line.append(_shown(hit.snippet[position:]))
    return line


def _shown(text: str) -> str:
    """Stored text on a hit's line: controls escaped, joined emoji apart (as a table
    shows them: ``table_layout.steady``), so the line is cut where the terminal ends."""
    from tinycrm.table_layout import steady

    return steady(safetext.display(text))

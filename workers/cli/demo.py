"""``aitoday demo``: the whole job on embedded defaults, with progress bars and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from core.logs import setup_logging
from workers.demo.flow import DEMO_DATA_DIR, DEMO_PREFIX, DemoResult, demo_settings, run_demo

if TYPE_CHECKING:  # rich is imported when the demo runs, not when the CLI starts
    from rich.console import Console
    from rich.table import Table

STAGES = {
    "fetch": "Fetching the demo feeds",
    "cluster": "Clustering stories",
    "subscribers": "Adding 3 demo subscribers",
    "editions": "Writing briefs, building editions",
    "deliver": "Delivering (burst worker)",
    "preview": "Drawing outbox/index.html",
}


@click.command("demo")
@click.option(
    "--outbox",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("outbox"),
    show_default=True,
    help="Where messages are written.",
)
def demo_command(outbox: Path) -> None:
    """Ingest, cluster, brief and deliver the bundled demo feeds to three demo subscribers."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    settings = demo_settings(outbox=outbox)
    setup_logging("WARNING", json_lines=False)
    console = Console()
    redis_where = "AITODAY_REDIS_URL" if settings.redis_url else f"embedded, {DEMO_DATA_DIR}"
    brief_kind = settings.llm.model or "extractive (set AITODAY_LLM__MODEL for LLM briefs)"
    console.print(f"[bold]AIToday demo[/]  Redis: {redis_where}  briefs: {brief_kind}")
    columns = ("{task.description:<36}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        tasks = {name: progress.add_task(text, total=None) for name, text in STAGES.items()}

        def step(stage: str, done: int, total: int) -> None:
            progress.update(tasks[stage], completed=done, total=max(total, 1))

        result = run_demo(settings, step)
    _summary(console, result)


def _summary(console: Console, result: DemoResult) -> None:
    console.print(
        f"\n[bold green]Done in {result.seconds:.1f} s.[/] {result.feeds} feeds "
        f"({result.fetched} fetched, {len(result.failed)} failed), {result.articles} articles, "
        f"{result.stories} stories, {len(result.editions)} editions."
    )
    console.print(_delivered(result))
    headlines = _headlines(result)
    if headlines:
        console.print("[bold]Top stories[/]")
        for n, (headline, sources) in enumerate(headlines, start=1):
            plural = "" if sources == 1 else "s"
            console.print(f"  {n}. {headline}  [dim]({sources} source{plural})[/]")
    index = result.index.resolve().as_uri() if result.index else "outbox/index.html"
    console.print(
        "\n[bold]Where to look[/]\n"
        f"  {index}   every message as it would look\n"
        f"  {result.outbox}/maildir/new/   the e-mails (.eml; `mutt -f {result.outbox}/maildir`)\n"
        f"  {result.outbox}/slack/  {result.outbox}/line/   the Slack and LINE payloads (JSON)\n"
        f"  AITODAY_DATA_DIR={DEMO_DATA_DIR} AITODAY_KEY_PREFIX={DEMO_PREFIX} aitoday status"
    )
    console.print(
        "\n[bold]Next[/]  `make web` (or `aitoday web --demo`) serves the demo's brief pages,"
        " preferences and unsubscribe links"
    )


def _delivered(result: DemoResult) -> Table:
    """One row per demo subscriber: channel, zone, language, stories and outcome."""
    from rich.table import Table

    table = Table(title="Delivered", show_lines=False)
    for column in ("subscriber", "channel", "zone", "lang", "stories", "outcome"):
        table.add_column(column)
    editions = {e.channel: e for e in result.editions}
    for sub in result.subscribers:
        channel = sub.channels[0]
        edition = editions.get(channel.channel)
        outcome = ", ".join(
            f"{k} {v}" for k, v in result.deliveries.get(channel.channel, {}).items()
        )
        table.add_row(
            sub.id,
            channel.channel,
            sub.timezone,
            sub.language,
            str(len(edition.items)) if edition else "0",
            outcome or "nothing due",
        )
    return table


def _headlines(result: DemoResult) -> list[tuple[str, int]]:
    for edition in result.editions:
        briefs = result.briefs.get(edition.id) or []
        if edition.language == "en" and briefs:
            return [(b.headline, len(b.sources)) for b in briefs]
    return []


def register(cli: click.Group) -> None:
    cli.add_command(demo_command)

"""``aitoday ingest [--sources FILE.opml] [--json]``: fetch due feeds, store new articles."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from core.ingest.pipeline import run_ingest
from core.ingest.report import IngestReport
from core.ingest.sources import load_opml
from core.models import Source
from core.store.base import Store
from workers.cli.context import AppContext, pass_app


@click.command("ingest")
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Fetch the feeds of this OPML file instead of the stored sources.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@pass_app
def ingest_command(app: AppContext, sources_file: Path | None, as_json: bool) -> None:
    """Fetch every due source and store new articles; failed feeds do not fail the run."""
    sources = load_opml(sources_file.read_bytes()) if sources_file else None
    store = app.store
    if as_json or not sys.stdout.isatty():
        report = asyncio.run(run_ingest(store, sources))
    else:
        report = _with_progress_bar(store, sources)
    if as_json:
        click.echo(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)


def _with_progress_bar(store: Store, sources: list[Source] | None) -> IngestReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("fetching feeds", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return asyncio.run(run_ingest(store, sources, progress=advance))


def register(cli: click.Group) -> None:
    cli.add_command(ingest_command)

"""``aitoday ingest [--sources FILE.opml] [--json]``: fetch due feeds, store new articles."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workers.cli.context import AppContext, pass_app

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from core.ingest.report import IngestReport
    from core.models import Source
    from core.store.base import Store


@click.command("ingest")
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Fetch the feeds of this OPML file instead of the stored sources.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@click.option(
    "--cluster/--no-cluster",
    default=True,
    show_default=True,
    help="Group the new articles into stories afterwards.",
)
@pass_app
def ingest_command(
    app: AppContext, sources_file: Path | None, as_json: bool, cluster: bool
) -> None:
    """Fetch every due source and store new articles; failed feeds do not fail the run."""
    # Imported here: httpx and the parser cost every other command ~0.5 s at start-up.
    from core.ingest.pipeline import run_ingest
    from core.ingest.sources import load_opml

    sources = load_opml(sources_file.read_bytes()) if sources_file else None
    store = app.store
    if as_json or not sys.stdout.isatty():
        report = asyncio.run(run_ingest(store, sources))
    else:
        report = _with_progress_bar(store, sources)
    stories, failure = _cluster(store, report) if cluster else (None, None)
    if as_json:
        extra = {"stories_updated": stories, "cluster_error": failure}
        click.echo(json.dumps({**report.to_dict(), **extra}))
    else:
        for line in summary_lines(report):
            click.echo(line)
        if stories is not None:
            click.echo(f"stories_updated {stories}")
    if failure is not None:
        # The report above stands (the articles are stored); the command still failed.
        raise click.ClickException(f"clustering the new articles failed: {failure}")


_FAILED = "  failed   "
_NO_DNS = re.compile(r"^cannot resolve \S+: ")
GROUP_FROM = 3  # this many sources failing the same way make one line, not one each


def summary_lines(report: IngestReport) -> list[str]:
    """The report's lines, with failures that share one cause folded into one line.

    Offline, every source fails with "cannot resolve <host>": 324 lines that say one thing.
    """
    lines = [line for line in report.lines() if not line.startswith(_FAILED)]
    causes: dict[str, list[str]] = {}
    for failure in report.failed:
        causes.setdefault(_cause(failure["reason"]), []).append(failure["source"])
    for cause, sources in causes.items():
        if len(sources) < GROUP_FROM:
            lines += [f"{_FAILED}{s}: {_reason(report, s)}" for s in sources]
        elif cause == "dns":
            lines.append(f"{_FAILED}{len(sources)} sources unreachable: no DNS? {_few(sources)}")
        else:
            lines.append(f"{_FAILED}{len(sources)} sources: {cause} {_few(sources)}")
    return lines


def _cause(reason: str) -> str:
    return "dns" if _NO_DNS.match(reason) else reason


def _reason(report: IngestReport, source: str) -> str:
    return next(f["reason"] for f in report.failed if f["source"] == source)


def _few(sources: list[str]) -> str:
    shown = ", ".join(sources[:3])
    more = f" and {len(sources) - 3} more; --json lists each" if len(sources) > 3 else ""
    return f"({shown}{more})"


def _cluster(store: Store, report: IngestReport) -> tuple[int | None, str | None]:
    """Place the new articles into stories: (stories changed, or why it failed)."""
    from core.stories.service import update_stories

    try:
        return len(update_stories(store, report.articles)), None
    except Exception as exc:  # the fetched articles are stored either way
        log.debug("clustering after ingest failed", exc_info=True)
        return None, f"{type(exc).__name__}: {exc}"


def _with_progress_bar(store: Store, sources: list[Source] | None) -> IngestReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("fetching feeds", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        from core.ingest.pipeline import run_ingest

        return asyncio.run(run_ingest(store, sources, progress=advance))


def register(cli: click.Group) -> None:
    cli.add_command(ingest_command)

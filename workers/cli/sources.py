"""``aitoday sources list|add|import|export|remove|enable``: the feeds AIToday reads."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from core.errors import SourceError
from core.ingest.sources import export_opml, load_opml, unique_id
from core.models import FetchState, Source, SourceCategory
from core.store.sources import SourceRepo
from workers.cli.context import AppContext, FullHelpGroup, pass_app


@click.group("sources", cls=FullHelpGroup)
def sources_group() -> None:
    """List, add, import and export the feeds AIToday reads."""


@sources_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@pass_app
def list_command(app: AppContext, as_json: bool) -> None:
    """Every source with its state: failures, last error, disabled reason."""
    repo = SourceRepo(app.store)
    sources = repo.all()
    states = repo.states([s.id for s in sources])
    for source in sources:
        state = states[source.id]
        if as_json:
            row = source.model_dump(mode="json") | {"state": state.to_redis()}
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(_line(source.id, source, state))
    if not as_json:
        enabled = sum(s.enabled for s in sources)
        click.echo(f"{len(sources)} sources, {enabled} enabled", err=True)


def _line(sid: str, source: Source, state: FetchState) -> str:
    status = "ok" if source.enabled else f"DISABLED ({source.disabled_reason})"
    if source.enabled and state.failures:
        status = f"failing x{state.failures}: {state.last_error}"
    elif source.enabled and not source.verified and state.last_status is None:
        status = "unverified"
    return (
        f"{sid:<32} {source.category.value:<10} {source.authority:4.2f} {source.language:<7} "
        f"{status}  {source.url}"
    )


@sources_group.command("add")
@click.argument("url")
@click.option("--title", help="Name shown to readers (default: the feed's title).")
@click.option(
    "--category",
    type=click.Choice([c.value for c in SourceCategory]),
    default="news",
    show_default=True,
)
@click.option("--authority", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True)
@click.option("--language", default="en", show_default=True)
@pass_app
def add_command(
    app: AppContext, url: str, title: str | None, category: str, authority: float, language: str
) -> None:
    """Add a feed after checking it: http(s), a public address, and really a feed."""
    repo = SourceRepo(app.store)
    existing = repo.all()
    same = next((s for s in existing if s.url == url), None)
    if same is not None:
        raise SourceError(f"{url} is already source {same.id!r}")
    from core.ingest.probe import new_source, probe  # httpx: only when needed

    parsed = asyncio.run(probe(url, app.settings.fetch))
    source = new_source(
        url,
        parsed,
        existing,
        title=title,
        category=SourceCategory(category),
        authority=authority,
        language=language,
    )
    repo.put(source)
    click.echo(f"added {source.id}: {source.title} ({len(parsed.articles)} items now)")


@sources_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_command(app: AppContext, file: Path) -> None:
    """Add the feeds of an OPML file (feeds whose URL is already known are skipped)."""
    incoming = load_opml(file.read_bytes())
    repo = SourceRepo(app.store)
    existing = repo.all()
    urls = {s.url for s in existing}
    taken = {s.id for s in existing}
    added = []
    for source in incoming:
        if source.url in urls:
            continue
        source = source.model_copy(update={"id": unique_id(source.id, taken)})
        taken.add(source.id)
        urls.add(source.url)
        added.append(source)
    repo.put_many(added)
    click.echo(f"imported {len(added)} sources, skipped {len(incoming) - len(added)} already known")


@sources_group.command("export")
@pass_app
def export_command(app: AppContext) -> None:
    """Print every source as OPML (round-trips with `sources import`)."""
    click.echo(export_opml(SourceRepo(app.store).all()), nl=False)


@sources_group.command("remove")
@click.argument("source_id")
@pass_app
def remove_command(app: AppContext, source_id: str) -> None:
    """Stop reading a source (its stored articles expire on their own)."""
    if not SourceRepo(app.store).remove(source_id):
        raise click.ClickException(f"no source {source_id!r}")
    click.echo(f"removed {source_id}")


@sources_group.command("enable")
@click.argument("source_id")
@pass_app
def enable_command(app: AppContext, source_id: str) -> None:
    """Re-enable a disabled source and forget its failures."""
    repo = SourceRepo(app.store)
    source = repo.get(source_id)
    if source is None:
        raise click.ClickException(f"no source {source_id!r}")
    repo.put(source.model_copy(update={"enabled": True, "disabled_reason": None}))
    repo.save_state(source_id, FetchState())
    click.echo(f"enabled {source_id}")


def register(cli: click.Group) -> None:
    cli.add_command(sources_group)

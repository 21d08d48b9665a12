"""``aitoday stories``: the ranked stories, and why each ranks where it does."""

from __future__ import annotations

import json

import click

from core.models import Story
from core.store.stories import StoryRepo
from workers.cli.context import AppContext, pass_app

PARTS = ("authority", "recency", "velocity", "relevance", "novelty", "crowding")


@click.command("stories")
@click.option(
    "--hours",
    type=click.FloatRange(min=0, min_open=True),
    default=24.0,
    show_default=True,
    help="Stories updated in the last H hours.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most N stories."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.option("--explain", is_flag=True, help="Show each part of the score.")
@pass_app
def stories_command(app: AppContext, hours: float, limit: int, as_json: bool,
                    explain: bool) -> None:  # fmt: skip
    """The best stories first: score, sources, topics, title."""
    stories = StoryRepo(app.store).recent(hours, limit=limit)
    if as_json:
        for story in stories:
            click.echo(json.dumps(_row(story, explain), ensure_ascii=False))
        return
    if not stories:
        click.echo(f"no stories in the last {hours:g} hours (run `aitoday ingest`)", err=True)
        return
    for rank, story in enumerate(stories, start=1):
        click.echo(_line(rank, story))
        if explain:
            click.echo("      " + _explain(story))


def _row(story: Story, explain: bool) -> dict[str, object]:
    row: dict[str, object] = {
        "id": story.id,
        "title": story.title,
        "score": story.score,
        "sources": story.source_count,
        "topics": story.topics,
        "first_seen": story.first_seen.isoformat(),
        "last_updated": story.last_updated.isoformat(),
        "articles": [
            {"source": a.source_id, "url": a.url, "title": a.title,
             "published": a.published.isoformat()}
            for a in story.articles
        ],
    }  # fmt: skip
    if explain:
        row["score_parts"] = story.score_parts.model_dump()
    return row


def _line(rank: int, story: Story) -> str:
    topics = ",".join(story.topics) or "-"
    plural = "s" if story.source_count != 1 else ""
    return (
        f"{rank:>3}. {story.score:6.3f}  {story.source_count:>2} source{plural:<1}  "
        f"{topics:<24} {story.title}  [{story.id}]"
    )


def _explain(story: Story) -> str:
    parts = story.score_parts
    shown = "  ".join(f"{name} {getattr(parts, name):.2f}" for name in PARTS)
    return (
        f"{shown}  = recency x crowding x (0.40 authority + 0.20 velocity + 0.25 relevance"
        f" + 0.15 novelty) = {parts.total:.3f}"
    )


def register(cli: click.Group) -> None:
    cli.add_command(stories_command)

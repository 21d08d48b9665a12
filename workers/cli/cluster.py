"""``aitoday cluster FILE.jsonl``: the production clustering over a file of articles."""

from __future__ import annotations

import json
import sys

import click

from core.stories.cluster import cluster_all
from core.stories.embed import embedder_for
from core.stories.jsonl import parse_lines
from workers.cli.context import AppContext, pass_app


@click.command("cluster")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@pass_app
def cluster_command(app: AppContext, path: str) -> None:
    """Group the articles of FILE.jsonl into stories ("-" reads standard input).

    Each input line: {"id", "title", "url", "source", "published", "summary"?}.
    Each output line, in input order: {"id", "story_id"}. Uses exactly the clustering
    that ingest uses (window: AITODAY_STORIES__WINDOW_HOURS); needs no Redis.
    """
    with click.open_file(path, encoding="utf-8") as handle:
        docs = parse_lines(handle)
    out = sys.stdout
    embedder = embedder_for(app.settings.llm)  # LLM__EMBEDDING_MODEL, else the bundled one
    for article_id, story_id in cluster_all(
        docs, app.settings.stories.window_hours, embedder=embedder
    ):
        out.write(json.dumps({"id": article_id, "story_id": story_id}) + "\n")
    out.flush()


def register(cli: click.Group) -> None:
    cli.add_command(cluster_command)

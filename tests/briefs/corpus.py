"""Stories from the real feeds of ../shared/corpus, for tests and the briefs benchmark.

Every item of every feed becomes an article (through the ingest room's production
parser); items whose titles match after normalisation across feeds (the same
announcement in the olshansk and turing snapshots) become one multi-source story, every
other item a single-source story.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from core.briefs.inputs import SourceText, story_inputs
from core.ingest.parse import parse_feed
from core.models import Article, Story, StoryArticle, short_hash

FETCHED = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
_NON_WORD = re.compile(r"\W+")


def corpus_articles(corpus: Path) -> list[Article]:
    """Every article of every feed in feeds/latest, in file order."""
    articles: list[Article] = []
    for path in sorted((corpus / "feeds" / "latest").glob("*.xml")):
        parsed = parse_feed(
            path.read_bytes(),
            url=f"https://feeds.example.org/{path.stem}.xml",
            content_type="application/xml",
            source_id=path.stem,
            language="en",
            fetched=FETCHED,
        )
        articles.extend(parsed.articles)
    return articles


def corpus_stories(corpus: Path) -> list[tuple[Story, list[SourceText]]]:
    """Stories (grouped by normalised title) with their cleaned inputs."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in corpus_articles(corpus):
        groups[_NON_WORD.sub(" ", article.title.lower()).strip()].append(article)
    result: list[tuple[Story, list[SourceText]]] = []
    for members in groups.values():
        story = _story(members)
        names = {a.source_id: a.source_id.split("__", 1)[-1] for a in members}
        result.append((story, story_inputs(story, {a.id: a for a in members}, names)))
    return result


def _story(members: list[Article]) -> Story:
    items = [
        StoryArticle(
            id=a.id, source_id=a.source_id, url=a.url, title=a.title, published=a.published
        )
        for a in members
    ]
    return Story(
        id=short_hash(*(a.id for a in members), size=8),
        title=members[0].title,
        articles=items,
        first_seen=min(a.published for a in members),
        last_updated=max(a.published for a in members),
        source_count=len({a.source_id for a in members}),
    )

"""Test data for briefs: articles, sources and stories built from core.models and stored
through the ingest room's repositories (real Redis)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.ingest.dedupe import keyed_articles
from core.models import Article, Source, Story, StoryArticle, short_hash, utcnow
from core.store.articles import ArticleRepo
from core.store.base import Store
from core.store.sources import SourceRepo


def article(
    n: int,
    title: str,
    summary: str,
    *,
    text: str = "",
    source_id: str = "labnews",
    language: str = "en",
    url: str | None = None,
) -> Article:
    """An article published ``n`` hours ago."""
    now = utcnow()
    link = url or f"https://{source_id}.example.org/2026/story-{n}"
    return Article(
        id=short_hash(link),
        url=link,
        title=title,
        summary=summary,
        text=text,
        source_id=source_id,
        published=now - timedelta(hours=n),
        fetched=now,
        language=language,
        content_hash=short_hash(title, summary, text),
    )


def story_of(articles: Sequence[Article], topics: Sequence[str] = ()) -> Story:
    """A story holding ``articles`` (the first is the representative)."""
    items = [
        StoryArticle(
            id=a.id, source_id=a.source_id, url=a.url, title=a.title, published=a.published
        )
        for a in articles
    ]
    times = [a.published for a in articles]
    return Story(
        id=short_hash(*(a.id for a in articles), size=8),
        title=articles[0].title,
        articles=items,
        first_seen=min(times),
        last_updated=max(times),
        source_count=len({a.source_id for a in articles}),
        topics=list(topics),
    )


def save(store: Store, articles: Sequence[Article]) -> None:
    """Store the articles and a source record for each source they name."""
    ArticleRepo(store).insert_keyed(keyed_articles(articles))
    sources = SourceRepo(store)
    for source_id in sorted({a.source_id for a in articles}):
        sources.put(
            Source(
                id=source_id, url=f"https://{source_id}.example.org/feed", title=source_id.title()
            )
        )


LAB_ARTICLES = [
    article(
        1,
        "Lab releases a smaller open model",
        "The research lab released a compact open-weight model on Tuesday. "
        "It matches much larger models on common reasoning benchmarks. "
        "The weights are available under a permissive licence. "
        "The lab said the model runs on a single graphics card.",
        source_id="labnews",
    ),
    article(
        2,
        "Compact open model rivals bigger systems, lab says",
        "A compact open model from the lab rivals systems ten times its size. "
        "Independent researchers have not yet verified the benchmark results.",
        source_id="aiweekly",
    ),
]

"""A small, plausible news day stored through the real repositories (sources, articles,
stories), for the web, Slack, LINE and command tests. Written for these tests: the sources
are fictional ``example`` sites, so nothing here claims to be real reporting."""

from __future__ import annotations

from datetime import timedelta

from core.ingest.dedupe import keyed_articles
from core.models import Article, Source, Story, StoryArticle, short_hash, utcnow
from core.store.articles import ArticleRepo
from core.store.base import Store
from core.store.sources import SourceRepo
from core.store.stories import StoryRepo

SOURCES = {
    "labwire": "LabWire",
    "chipdaily": "Chip Daily",
    "policydesk": "Policy Desk",
    "paperfeed": "PaperFeed",
}

DAY = [
    (
        "story-model-release",
        ["models"],
        (
            "Acme AI releases Nova-2, an open model with a 1M-token context window",
            "Acme AI released Nova-2 on Tuesday, an open-weights model that reads up to one "
            "million tokens at once. The company says Nova-2 matches its previous flagship on "
            "coding benchmarks while costing a third as much to run. Weights are available "
            "under a permissive licence for research and commercial use.",
        ),
        ["labwire", "paperfeed"],
        3,
    ),
    (
        "story-chip-export",
        ["chips", "policy"],
        (
            "New export rules tighten sales of AI accelerators to 20 more countries",
            "Regulators published export rules that extend licence requirements for advanced "
            "AI accelerators to twenty more countries. Chip makers have 90 days to comply. "
            "Analysts expect data-centre operators to shift orders toward older parts.",
        ),
        ["chipdaily", "policydesk"],
        20,
    ),
    (
        "story-agent-benchmark",
        ["research"],
        (
            "Researchers publish a benchmark where AI agents must fix real software bugs",
            "A group of university researchers released a benchmark of 2,000 real bug reports "
            "from open-source projects. The best agent fixed 41 percent of them. The authors "
            "say the hardest cases need reading several files and running the tests.",
        ),
        ["paperfeed"],
        30,
    ),
]


def seed_day(store: Store) -> list[Story]:
    """Store the sources, articles and stories of :data:`DAY`; returns the stories."""
    now = utcnow()
    SourceRepo(store).put_many(
        Source(id=sid, url=f"https://{sid}.example.com/feed.xml", title=name)
        for sid, name in SOURCES.items()
    )
    stories: list[Story] = []
    articles: list[Article] = []
    for rank, (story_id, topics, (title, text), source_ids, hours) in enumerate(DAY):
        when = now - timedelta(hours=hours)
        members = []
        for n, sid in enumerate(source_ids):
            url = f"https://{sid}.example.com/2026/{story_id}"
            article_id = short_hash(url)
            first_sentence = text.split(". ")[0] + "."
            articles.append(
                Article(
                    id=article_id,
                    url=url,
                    title=title if n == 0 else f"{title} ({SOURCES[sid]})",
                    summary=first_sentence,
                    text=text,
                    source_id=sid,
                    published=when - timedelta(minutes=15 * n),
                    fetched=when,
                    content_hash=short_hash(text, sid),
                )
            )
            members.append(
                StoryArticle(
                    id=article_id,
                    source_id=sid,
                    url=url,
                    title=title,
                    published=when - timedelta(minutes=15 * n),
                )
            )
        stories.append(
            Story(
                id=story_id,
                title=title,
                articles=members,
                first_seen=when,
                last_updated=when,
                source_count=len(members),
                topics=topics,
                score=10.0 - rank,
            )
        )
    ArticleRepo(store).insert_keyed(keyed_articles(articles))
    StoryRepo(store).save_many(stories)
    return stories

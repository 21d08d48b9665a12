"""What a brief is written from: the story's articles, cleaned, with their source names.

Articles come from the ingest room's ``ArticleRepo(store).get_many(ids)`` and source names
from ``SourceRepo(store).get(id)``. An article that has expired (articles live shorter
than stories) is represented by what the story itself holds: its title and URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.briefs.text import plain, reading_minutes
from core.models import Article, BriefSource, Story, StoryArticle
from core.store.articles import ArticleRepo
from core.store.base import Store
from core.store.sources import SourceRepo

# Bounds the cleaning work on one article: a 5 MB article costs as much as a 200 KB one.
RAW_TEXT_CAP = 200_000
TEXT_CAP = 20_000
SUMMARY_CAP = 4_000


@dataclass(frozen=True)
class SourceText:
    """One article of a story, as plain visible text, ready for a writer."""

    article_id: str
    source_id: str
    source_name: str
    url: str
    title: str
    summary: str
    text: str
    published: datetime
    language: str
    reading_minutes: int
    image: str | None = None  # the article page's lead image (og:image), when read


def brief_sources(inputs: Iterable[SourceText]) -> list[BriefSource]:
    """The sources a brief cites: one per article it was written from, in that order."""
    return [
        BriefSource(
            name=item.source_name,
            url=item.url,
            published=item.published,
            reading_minutes=item.reading_minutes,
        )
        for item in inputs
    ]


def for_reader(
    story: Story, inputs: Sequence[SourceText], language: str
) -> tuple[Story, list[SourceText]]:
    """What an offline brief for ``language`` readers quotes: the articles in their
    language when the story has any (a story merged across languages), titled by the
    first of them; else every article. The brief still cites every source."""
    own = [item for item in inputs if _primary(item.language) == _primary(language)]
    if not own or len(own) == len(inputs):
        return story, list(inputs)
    return story.model_copy(update={"title": own[0].title}), own


def _primary(language: str) -> str:
    return language.split("-")[0].lower()


def source_text(item: StoryArticle, article: Article | None, source_name: str) -> SourceText:
    """Clean one article (or the story's record of it when the article has expired)."""
    title = plain(article.title if article else item.title, 2_000)
    summary = plain(article.summary, RAW_TEXT_CAP)[:SUMMARY_CAP] if article else ""
    text = paragraphs(article.text)[:TEXT_CAP] if article else ""
    if text == summary:
        text = ""
    minutes_of = (article.text or article.summary) if article else ""
    return SourceText(
        article_id=item.id,
        source_id=item.source_id,
        source_name=plain(source_name, 500) or item.source_id,
        url=item.url,
        title=title,
        summary=summary,
        text=text,
        published=item.published,
        language=article.language if article else "en",
        reading_minutes=reading_minutes(minutes_of[:RAW_TEXT_CAP]),
        image=article.image if article else None,
    )


def paragraphs(text: str) -> str:
    """A page's plain text with its paragraph breaks kept, one paragraph a line.

    A page's text (trafilatura's, one paragraph a line) runs headings, captions and list
    labels into the next sentence once its lines are folded; the writers need the lines.
    Markup is cleaned whole (an element may span lines), so it loses its breaks.
    """
    text = text[:RAW_TEXT_CAP]
    if "<" in text:
        return plain(text)
    lines = (plain(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def story_inputs(
    story: Story, articles: Mapping[str, Article], source_names: Mapping[str, str]
) -> list[SourceText]:
    """The story's articles in story order, one per distinct URL."""
    seen: set[str] = set()
    inputs: list[SourceText] = []
    for item in story.articles:
        if item.url in seen:
            continue
        seen.add(item.url)
        name = source_names.get(item.source_id, item.source_id)
        inputs.append(source_text(item, articles.get(item.id), name))
    return inputs


def load_inputs(store: Store, story: Story) -> list[SourceText]:
    """Read the story's articles and source names from the store and clean them."""
    ids = [a.id for a in story.articles]
    articles = _articles(store, ids)
    names = _source_names(store, {a.source_id for a in story.articles})
    return story_inputs(story, articles, names)


def _articles(store: Store, ids: list[str]) -> dict[str, Article]:
    return {article.id: article for article in ArticleRepo(store).get_many(ids)}


def _source_names(store: Store, source_ids: Iterable[str]) -> dict[str, str]:
    repo = SourceRepo(store)
    names: dict[str, str] = {}
    for source_id in sorted(source_ids):
        source = repo.get(source_id)
        if source is not None:
            names[source_id] = source.title
    return names

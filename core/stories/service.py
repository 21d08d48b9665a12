"""``update_stories``: new articles in, changed stories out (assign, save, tag, rescore).

The clusterer's window lives in Redis (``ClusterRepo``: the window's article texts, URL
map and story ids, and each article's embedding); each call loads it, places the new
articles, and saves it back under a Redis lock, so two ingest processes never interleave
and never lose each other's placements. A story merged into another by the clusterer is
folded into the survivor, and its id is left as an alias (old links keep working).

Dates: an article dated in the future (after it was fetched) is dated when it was
fetched; a story's ``first_seen`` is its earliest article, so when one feed dates an
item by when it was scraped and another by when it was written, the earlier stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import redis

from core.briefs.cache import SpendMeter
from core.errors import StoreError
from core.metrics import incr
from core.models import Article, Source, SourceCategory, Story, StoryArticle, utcnow
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.clusters import ClusterRepo
from core.store.stories import StoryRepo
from core.stories.cluster import Clusterer, Doc
from core.stories.embed import Embedder, WordLlamaEmbedder, embedder_for
from core.stories.rank import DEFAULT_AUTHORITY, keep_relevance, score, spread_sources
from core.stories.topics import tag_topics

LOCK_TIMEOUT = 600  # seconds a crashed holder keeps the lock
LOCK_WAIT = 900  # seconds a second ingest waits for it
FUTURE_SLACK = timedelta(hours=1)
MAX_TOPICS = 3
MAX_LINKS = 8  # an article's outbound links the clusterer looks at


def load_clusterer(store: Store) -> Clusterer:
    """The clusterer as last saved (empty when none was saved or it is unreadable), with
    its articles' stored embeddings (any missing are recomputed)."""
    window = store.settings.stories.window_hours
    llm = store.settings.llm
    embedder = embedder_for(llm, SpendMeter(BriefRepo(store), llm.daily_budget_usd))
    repo = ClusterRepo(store)
    state = repo.state()
    if state is None:
        return Clusterer(window, embedder=embedder)
    ids = [str(raw[0]) for raw in state.get("entries", [])]
    codes = repo.vectors(embedding_model(embedder), ids)
    return Clusterer.load(state, window, embedder=embedder, codes=codes)


def embedding_model(embedder: Embedder | None) -> str | None:
    """The model whose vectors ``ClusterRepo`` keeps apart: ``None`` for the bundled one."""
    if embedder is None or embedder.name == WordLlamaEmbedder.name:
        return None
    return embedder.name


def save_clusterer(store: Store, clusterer: Clusterer) -> None:
    """Store the clusterer's window, and the embeddings of articles new to it (each
    under its own key, expiring once its article has left the window)."""
    ClusterRepo(store).save(
        clusterer.dump(), embedding_model(clusterer.embedder), clusterer.take_codes()
    )


def update_stories(
    store: Store, articles: Sequence[Article], *, lock_wait: float = LOCK_WAIT
) -> list[Story]:
    """Place new articles into stories; save and return the stories that changed.

    Waits up to ``lock_wait`` seconds for another process's update to finish. With no
    articles it only rescores (recency moves on even when nothing new came in)."""
    if not articles:
        rescore(store)
        return []
    from core.store.articles import ArticleRepo  # the ingest room's repositories
    from core.store.sources import SourceRepo

    # The stored copy knows every feed that carried an item (``also_in``); the copy in
    # hand may be a later feed's duplicate with an earlier date, which then stands.
    stored = {a.id: a for a in ArticleRepo(store).get_many([a.id for a in articles])}
    articles = [_reconcile(a, stored.get(a.id)) for a in articles]
    sources = {s.id: s for s in SourceRepo(store).all()}
    now = utcnow()
    with ClusterRepo(store).locked(timeout=LOCK_TIMEOUT, wait=lock_wait) as held:
        if not held:
            raise StoreError(
                f"stories are being updated by another process for over {LOCK_WAIT} s; "
                "try again later"
            )
        try:
            clusterer = load_clusterer(store)
            changed = _place(store, clusterer, articles, sources, now)
        except redis.RedisError as exc:
            raise StoreError(f"Redis failed while updating stories: {exc}") from None
    incr(store, "aitoday_stories_updated_total", float(len(changed)))
    rescore(store, now=now)  # every story's recency moved on since the last run
    return StoryRepo(store).get_many([s.id for s in changed])


def _place(
    store: Store,
    clusterer: Clusterer,
    articles: Sequence[Article],
    sources: Mapping[str, Source],
    now: datetime,
) -> list[Story]:
    placed: dict[str, list[Article]] = {}
    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    story_ids = clusterer.add_many(to_doc(a, sources, now) for a in ordered)
    for article, story_id in zip(ordered, story_ids, strict=True):
        placed.setdefault(story_id, []).append(article)
    changed = _write(store, clusterer, placed, sources, now)
    save_clusterer(store, clusterer)
    return changed


def _reconcile(article: Article, stored: Article | None) -> Article:
    if stored is None:
        return article
    earliest = min(credible_date(article), credible_date(stored))
    also_in = [s for s in [article.source_id, *article.also_in, *stored.also_in]
               if s != stored.source_id]  # fmt: skip
    return stored.model_copy(update={"published": earliest, "also_in": sorted(set(also_in))})


def to_doc(article: Article, sources: Mapping[str, Source], now: datetime) -> Doc:
    """What the clusterer sees of an article: an aggregator's links name its story; any
    other item's links do when they reach one known story and the text is related."""
    source = sources.get(article.source_id)
    aggregator = source is not None and source.category is SourceCategory.AGGREGATOR
    links = tuple(article.links[: 2 if aggregator else MAX_LINKS])
    return Doc(
        id=article.id,
        title=article.title,
        url=article.url,
        source=article.source_id,
        published=min(credible_date(article), now),
        summary=article.summary,
        links=links,
        aggregator=aggregator,
    )


def credible_date(article: Article) -> datetime:
    """The published date, unless it lies after the article was fetched."""
    if article.published > article.fetched + FUTURE_SLACK:
        return article.fetched
    return article.published


def _write(
    store: Store,
    clusterer: Clusterer,
    placed: Mapping[str, list[Article]],
    sources: Mapping[str, Source],
    now: datetime,
) -> list[Story]:
    repo = StoryRepo(store)
    aliases = clusterer.take_aliases()
    touched: dict[str, list[Article]] = {}
    for story_id, items in placed.items():
        touched.setdefault(clusterer.resolve(story_id), []).extend(items)
    for survivor in aliases.values():
        touched.setdefault(survivor, [])
    known = {s.id: s for s in repo.get_many(sorted(set(touched) | set(aliases)))}
    carried: dict[str, list[StoryArticle]] = {}
    for gone, survivor in aliases.items():
        old = known.pop(gone, None)
        if old is not None:
            carried.setdefault(survivor, []).extend(old.articles)
            repo.merge_away(gone, survivor)
    authority = {s.id: s.authority for s in sources.values()}
    changed = [
        build_story(
            story_id,
            known.get(story_id),
            carried.get(story_id, []),
            items,
            sources=sources,
            authority=authority,
            now=now,
            half_life_hours=store.settings.stories.half_life_hours,
        )
        for story_id, items in touched.items()
    ]
    repo.save_many(changed)
    return changed


def story_article(article: Article, now: datetime) -> StoryArticle:
    """An article as a story holds it, with a credible date."""
    return StoryArticle(
        id=article.id,
        source_id=article.source_id,
        url=article.url,
        title=article.title,
        published=min(credible_date(article), now),
        also_in=list(article.also_in),
        language=article.language,
    )


def build_story(
    story_id: str,
    existing: Story | None,
    carried: Sequence[StoryArticle],
    new: Sequence[Article],
    *,
    sources: Mapping[str, Source],
    authority: Mapping[str, float],
    now: datetime,
    half_life_hours: float,
) -> Story:
    """The story with its new articles: title, dates, sources, topics and score redone."""
    members: dict[str, StoryArticle] = {}
    for item in [*(existing.articles if existing else []), *carried]:
        members.setdefault(item.id, item)
    for article in new:
        item = story_article(article, now)
        held = members.get(article.id)
        if held is not None:  # the same item again, from another feed or run
            carriers = {held.source_id, *held.also_in, item.source_id, *item.also_in}
            item = item.model_copy(
                update={
                    "source_id": held.source_id,
                    "published": min(held.published, item.published),
                    "also_in": sorted(carriers - {held.source_id}),
                }
            )
        members[article.id] = item
    ordered = sorted(members.values(), key=lambda a: (a.published, a.id))
    title = representative(ordered, sources, authority).title
    text = " ".join([title, *(a.title for a in ordered), *(a.summary[:600] for a in new)])
    topics = _merge_topics(tag_topics(text), existing.topics if existing else [])
    distinct = {a.source_id for a in ordered} | {s for a in ordered for s in a.also_in}
    story = Story(
        id=story_id,
        title=title,
        articles=ordered,
        first_seen=ordered[0].published,
        last_updated=ordered[-1].published,
        source_count=len(distinct),
        topics=topics,
    )
    summaries = " ".join(a.summary[:600] for a in new)
    parts = score(
        story,
        now=now,
        authority=authority,
        half_life_hours=half_life_hours,
        summaries=summaries,
    )
    if existing is not None:
        parts = keep_relevance(parts, existing.score_parts)
    return story.model_copy(update={"score": parts.total, "score_parts": parts})


def representative(
    articles: Sequence[StoryArticle],
    sources: Mapping[str, Source],
    authority: Mapping[str, float],
) -> StoryArticle:
    """The article whose title stands for the story: the most authoritative source's,
    aggregators last, the earliest on a tie."""

    def rank(item: tuple[int, StoryArticle]) -> tuple[bool, float, int]:
        order, article = item
        source = sources.get(article.source_id)
        is_aggregator = source is not None and source.category is SourceCategory.AGGREGATOR
        weight = authority.get(article.source_id, DEFAULT_AUTHORITY)
        return (not is_aggregator and bool(article.title.strip()), weight, -order)

    return max(enumerate(articles), key=rank)[1]


def _merge_topics(new: Sequence[str], old: Sequence[str]) -> list[str]:
    out: list[str] = []
    for slug in [*new, *old]:
        if slug not in out:
            out.append(slug)
    return out[:MAX_TOPICS]


def rescore(store: Store, *, now: datetime | None = None) -> int:
    """Recompute the score of every story in the window (recency decays between
    updates); returns how many were saved."""
    from core.store.sources import SourceRepo

    now = now or utcnow()
    authority = SourceRepo(store).authority()
    repo = StoryRepo(store)
    stories = list(repo.iter_since(store.settings.stories.window_hours))
    updated = []
    for story in stories:
        parts = score(
            story,
            now=now,
            authority=authority,
            half_life_hours=store.settings.stories.half_life_hours,
        )
        parts = keep_relevance(parts, story.score_parts)
        updated.append(story.model_copy(update={"score": parts.total, "score_parts": parts}))
    repo.save_many(spread_sources(updated))  # one source's many stories do not fill the top
    return len(updated)

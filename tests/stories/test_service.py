"""update_stories and StoryRepo against a real Redis, and the real duplicated feeds."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from core.ingest.dedupe import keyed_articles
from core.ingest.parse import parse_feed
from core.models import Article, Source, SourceCategory, utcnow
from core.store.articles import ArticleRepo
from core.store.base import Store
from core.store.sources import SourceRepo
from core.store.stories import StoryRepo
from core.stories.search import search
from core.stories.service import load_clusterer, update_stories


def article(i: str, title: str, source: str, *, hours_ago: float = 1.0, **kw: object) -> Article:
    now = utcnow()
    return Article(
        id=f"art{i}",
        url=kw.pop("url", f"https://{source}.example/{i}"),  # type: ignore[arg-type]
        title=title,
        source_id=source,
        published=now - timedelta(hours=hours_ago),
        fetched=now,
        content_hash=f"h{i}",
        **kw,  # type: ignore[arg-type]
    )


def sources(store: Store) -> None:
    SourceRepo(store).put_many(
        [
            Source(id="wire", url="https://wire.example/feed", title="Wire", authority=0.9),
            Source(id="blog", url="https://blog.example/feed", title="Blog", authority=0.3),
            Source(
                id="hn",
                url="https://hn.example/feed",
                title="HN",
                category=SourceCategory.AGGREGATOR,
                authority=0.4,
            ),
        ]
    )


def test_articles_become_stories_with_title_from_best_source(store: Store) -> None:
    sources(store)
    first = update_stories(
        store, [article("1", "anthropic ships claude 5 with 1M context, finally", "blog")]
    )
    assert len(first) == 1
    second = update_stories(
        store,
        [
            article("2", "Anthropic releases Claude 5 with a 1M-token context window", "wire"),
            article("3", "Nvidia beats estimates as data-center revenue doubles", "wire"),
        ],
    )
    repo = StoryRepo(store)
    claude = repo.get(first[0].id)
    assert claude is not None
    assert {a.id for a in claude.articles} == {"art1", "art2"}
    assert claude.title.startswith("Anthropic releases Claude 5")  # the wire's, not the blog's
    assert claude.source_count == 2
    assert "models" in claude.topics
    assert claude.score == claude.score_parts.total > 0
    assert len(second) == 2
    recent = repo.recent(24)
    assert {s.id for s in recent} == {s.id for s in second}
    assert recent[0].score >= recent[1].score
    assert [s.id for s in search(repo, "nvidia revenue")] == [
        s.id for s in second if s.id != claude.id
    ]
    assert search(repo, "") == []


def test_aggregator_item_joins_the_story_it_links_to(store: Store) -> None:
    sources(store)
    url = "https://wire.example/qwen-35"
    (story,) = update_stories(store, [article("q", "Qwen 3.5 tops leaderboards", "wire", url=url)])
    item = article("h", "Show HN: what I built this weekend", "hn", links=[url])
    (joined,) = update_stories(store, [item])
    assert joined.id == story.id
    assert joined.title == "Qwen 3.5 tops leaderboards"  # aggregators never name a story


def test_state_survives_between_calls_and_a_future_date_is_not_believed(store: Store) -> None:
    sources(store)
    future = article("f", "Mistral releases Medium 4", "blog", hours_ago=-48)
    (story,) = update_stories(store, [future])
    assert story.first_seen <= utcnow()
    assert len(load_clusterer(store)) == 1


def test_two_writers_do_not_lose_articles(store: Store) -> None:
    sources(store)
    batches = [
        [article(f"{w}-{i}", f"Event {w} {i} zebra{w}{i} quokka{w}{i}", "wire") for i in range(5)]
        for w in range(2)
    ]
    threads = [threading.Thread(target=update_stories, args=(store, b)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = {a.id for s in StoryRepo(store).recent(24) for a in s.articles}
    assert stored == {a.id for b in batches for a in b}
    assert len(load_clusterer(store)) == 10


def test_merged_story_leaves_an_alias(store: Store) -> None:
    repo = StoryRepo(store)
    sources(store)
    (story,) = update_stories(
        store, [article("m", "OpenAI raises $40B at $300B valuation", "wire")]
    )
    repo.merge_away("sgone", story.id)
    repo.merge_away("solder", "sgone")  # merged into a story that was merged later
    assert repo.get("sgone") == repo.get("solder") == repo.get(story.id)
    assert repo.get("sunknown") is None


def _feed_articles(path: Path, source_id: str) -> list[Article]:
    parsed = parse_feed(
        path.read_bytes(),
        url=f"https://feeds.example/{path.name}",
        content_type="application/rss+xml",
        source_id=source_id,
        language="en",
        fetched=utcnow(),
    )
    return parsed.articles


@pytest.mark.parametrize("turing_first", [False, True])
def test_real_duplicate_feeds_end_as_one_story_each(
    store: Store, corpus: Path, turing_first: bool
) -> None:
    latest = corpus / "feeds" / "latest"
    pairs = [
        ("olshansk__feed_anthropic_news.xml", "turing__anthropic-news.xml", 10),
        ("olshansk__feed_mistral.xml", "turing__mistral-news.xml", 54),
    ]
    articles_repo = ArticleRepo(store)
    for olshansk, turing, expected in pairs:
        feeds = [(latest / olshansk, "olshansk"), (latest / turing, "turing")]
        if turing_first:
            feeds.reverse()
        new: list[Article] = []
        parsed: dict[str, list[Article]] = {}
        for path, sid in feeds:
            parsed[sid] = _feed_articles(path, sid)
            outcomes = articles_repo.insert_keyed(keyed_articles(parsed[sid]))
            # NEW and ALSO_IN (a duplicate another feed carried): both go to stories
            new += [a for a, o in zip(parsed[sid], outcomes, strict=True) if o.value in (0, 2)]
        stories = update_stories(store, new)
        story_of = {a.id: s for s in stories for a in s.articles}

        def key(a: Article) -> str:
            return " ".join(a.title.lower().split())

        turing_titles = {key(a) for a in parsed["turing"]}
        shared = [a for a in parsed["olshansk"] if key(a) in turing_titles]
        assert len(shared) >= expected, len(shared)
        for a in shared:
            twins = [b for b in parsed["turing"] if key(b) == key(a)]
            ids = {story_of[x.id].id for x in [a, *twins]}
            assert len(ids) == 1, a.title  # one story for the item of both feeds
            story = story_of[a.id]
            carried = {x.source_id for x in story.articles} | {
                s for x in story.articles for s in x.also_in
            }
            assert carried >= {"olshansk", "turing"}, a.title
            earliest = min(x.published for x in [a, *twins])
            assert story.first_seen <= earliest, (a.title, story.first_seen, earliest)


def test_a_held_lock_is_a_clear_error_and_loses_nothing(store: Store) -> None:
    from core.errors import StoreError

    sources(store)
    held = store.redis.lock(store.keys.cluster_lock(), timeout=30)
    assert held.acquire()
    try:
        with pytest.raises(StoreError, match="another process"):
            update_stories(store, [article("l", "Meta releases Llama 5", "wire")], lock_wait=0.2)
    finally:
        held.release()
    (story,) = update_stories(store, [article("l", "Meta releases Llama 5", "wire")])
    assert [a.id for a in story.articles] == ["artl"]


def test_an_unreadable_state_starts_an_empty_window(store: Store) -> None:
    store.redis.set(store.keys.cluster_state(), b"not zlib")
    assert len(load_clusterer(store)) == 0


def test_rescore_lets_old_stories_sink(store: Store) -> None:
    from core.stories.service import rescore

    sources(store)
    (story,) = update_stories(store, [article("r", "Google DeepMind releases Gemini 4", "wire")])
    assert rescore(store, now=utcnow() + timedelta(hours=36)) == 1
    later = StoryRepo(store).get(story.id)
    assert later is not None
    assert later.score < story.score
    assert later.score_parts.recency < story.score_parts.recency


def test_the_same_item_from_two_feeds_in_one_batch_records_both(store: Store) -> None:
    sources(store)
    first = article("d", "Anthropic opens Tokyo office", "wire", hours_ago=5)
    second = first.model_copy(update={"source_id": "blog", "published": first.published
                                       - timedelta(hours=2)})  # fmt: skip
    (story,) = update_stories(store, [first, second])
    (item,) = story.articles
    assert {item.source_id, *item.also_in} == {"wire", "blog"}
    assert story.source_count == 2
    assert story.first_seen == second.published


def test_embeddings_are_stored_small_with_the_window_ttl_and_reused(store: Store) -> None:
    sources(store)
    update_stories(store, [article("v1", "Apple acquires AI startup for its Siri overhaul", "wire"),
                           article("v2", "谷歌发布Gemini 3模型", "blog")])  # fmt: skip
    key = store.keys.cluster_vector("artv1")
    code = store.redis.get(key)
    assert isinstance(code, bytes) and len(code) == 256
    window = store.settings.stories.window_hours * 3600
    assert window < store.redis.ttl(key) <= window + 86_400
    assert store.redis.get(store.keys.cluster_vector("artv2")) is None  # not Latin script
    clusterer = load_clusterer(store)
    assert clusterer.take_codes() == {}  # the stored vector was read, not recomputed
    [story] = update_stories(
        store, [article("v3", "Apple buys artificial intelligence company to revamp Siri", "blog")]
    )
    assert {a.id for a in story.articles} == {"artv1", "artv3"}

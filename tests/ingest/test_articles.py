from __future__ import annotations

from datetime import timedelta

from core.ingest.dedupe import keyed_articles
from core.models import Article, utcnow
from core.store.articles import ArticleRepo, Outcome
from core.store.base import Store


def article(
    aid: str, url: str, source: str, *, guid: str | None = None, hours_ago: float = 1
) -> Article:
    now = utcnow()
    return Article(
        id=aid,
        url=url,
        title=f'Title of {aid} with "quotes" and "also_in":[ tricks',
        source_id=source,
        published=now - timedelta(hours=hours_ago),
        fetched=now,
        content_hash="h",
        guid=guid,
    )


def insert(repo: ArticleRepo, articles: list[Article]) -> list[Outcome]:
    return repo.insert_keyed(keyed_articles(articles))


def test_insert_dedupes_by_url_across_sources(store: Store) -> None:
    repo = ArticleRepo(store)
    a = article("a1", "https://x.example/a", "s1")
    assert insert(repo, [a]) == [Outcome.NEW]
    again = a.model_copy(update={"source_id": "s2"})
    third = a.model_copy(update={"source_id": "s3"})
    assert insert(repo, [again, again, third, a]) == [
        Outcome.ALSO_IN,
        Outcome.KNOWN,
        Outcome.ALSO_IN,
        Outcome.KNOWN,
    ]
    stored = repo.get("a1")
    assert stored is not None
    assert stored.also_in == ["s2", "s3"]
    assert stored.title == a.title
    assert 0 < store.redis.ttl(store.keys.article("a1")) <= repo.ttl


def test_insert_dedupes_by_url_like_guid_across_sources(store: Store) -> None:
    repo = ArticleRepo(store)
    first = article("a1", "https://x.example/a", "s1", guid="https://x.example/a/")
    other = article("a2", "https://mirror.example/a", "s2", guid="https://x.example/a")
    assert insert(repo, [first, other]) == [Outcome.NEW, Outcome.ALSO_IN]
    assert repo.get("a2") is None


def test_bare_guids_are_scoped_to_their_source(store: Store) -> None:
    repo = ArticleRepo(store)
    one = article("a1", "https://x.example/1", "s1", guid="1")
    two = article("a2", "https://y.example/1", "s2", guid="1")
    moved = article("a3", "https://x.example/new-url", "s1", guid="1")
    assert insert(repo, [one, two, moved]) == [
        Outcome.NEW,
        Outcome.NEW,
        Outcome.KNOWN,
    ]


def test_get_many_keeps_order_and_skips_missing(store: Store) -> None:
    repo = ArticleRepo(store)
    insert(repo, [article(f"a{i}", f"https://x.example/{i}", "s") for i in range(3)])
    assert [a.id for a in repo.get_many(["a2", "nope", "a0"])] == ["a2", "a0"]
    assert repo.get_many([]) == []


def test_recent_by_published_time(store: Store) -> None:
    repo = ArticleRepo(store)
    insert(
        repo,
        [
            article("old", "https://x.example/old", "s", hours_ago=50),
            article("new", "https://x.example/new", "s", hours_ago=2),
            article("newer", "https://x.example/newer", "s", hours_ago=1),
        ],
    )
    assert [a.id for a in repo.recent(24)] == ["new", "newer"]
    assert repo.count() == 3


def test_the_earliest_date_from_any_source_stands(store: Store) -> None:
    repo = ArticleRepo(store)
    late = article("a1", "https://x.example/a", "late", hours_ago=1)
    early = article("a1", "https://x.example/a", "early", hours_ago=30)
    later = article("a1", "https://x.example/a", "later", hours_ago=0.5)
    assert insert(repo, [late, early, later]) == [
        Outcome.NEW,
        Outcome.EARLIER,
        Outcome.ALSO_IN,
    ]
    stored = repo.get("a1")
    assert stored is not None
    assert stored.published == early.published
    assert stored.source_id == "late"
    assert stored.also_in == ["early", "later"]
    assert stored.title == late.title

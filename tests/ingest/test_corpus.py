"""Real feeds: the corpus snapshot and three weeks of replayed publishing."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import pytest

from core.ingest.clean import canonical_url
from core.ingest.pipeline import run_ingest
from core.models import Source
from core.store.articles import ArticleRepo
from core.store.base import Store
from tests.fakes.publisher import Publisher


def sources_for(base: str, names: list[str], prefix: str = "/feeds/") -> list[Source]:
    return [
        Source(
            id=name.removesuffix(".xml").replace("_", "-"), url=f"{base}{prefix}{name}", title=name
        )
        for name in names
    ]


async def test_every_corpus_feed_ingests_and_cross_feed_duplicates_collapse(
    store: Store, corpus: Path, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    names = pub.put_corpus(corpus / "feeds" / "latest")
    report = await run_ingest(store, sources_for(base, names))
    assert report.failed == []
    assert report.fetched == len(names)
    assert report.new_articles > 3000
    assert report.also_in > 300  # Anthropic and Mistral, told by two generators each

    both = {"olshansk--feed-anthropic-news", "turing--anthropic-news"}
    ids = [a.id for a in report.articles if a.source_id in both]
    shared = [a for a in ArticleRepo(store).get_many(ids) if a.also_in]
    assert len(shared) == 254  # the announcements both generators carry
    assert all({a.source_id, *a.also_in} == both for a in shared)

    # Mistral's two feeds differ by a trailing slash only: one article each.
    mistral = [a for a in report.articles if a.url == "https://mistral.ai/news/mixtral-of-experts"]
    assert len(mistral) == 1
    assert all("<" not in a.title for a in report.articles)

    warm = await run_ingest(store, sources_for(base, names))
    assert (warm.not_modified, warm.new_articles, warm.failed) == (len(names), 0, [])


@pytest.mark.slow
async def test_replay_three_weeks_loses_nothing_and_stores_nothing_twice(
    store: Store, corpus: Path, publisher: tuple[Publisher, str], request: pytest.FixtureRequest
) -> None:
    pub, base = publisher
    pool = ProcessPoolExecutor(2)  # one pool for the 21 runs, as a long-lived worker would
    request.addfinalizer(pool.shutdown)
    root = corpus / "feeds" / "replay"
    feeds = sorted(p.name for p in root.iterdir() if p.is_dir())
    days = sorted({p.name for p in root.glob("*/*.xml")})
    seen: set[str] = set()
    ids: list[str] = []
    for day in days:
        present = [f for f in feeds if (root / f / day).exists()]
        today: set[str] = set()
        for feed in present:
            body = (root / feed / day).read_bytes()
            pub.put(f"{feed}.xml", body)
            today |= item_ids(body)
        expected = len(today - seen)
        seen |= today
        names = [f"{f}.xml" for f in present]
        report = await run_ingest(store, sources_for(base, names), parse_pool=pool)
        assert report.failed == [], day
        assert report.new_articles == expected, day
        assert len({a.id for a in report.articles}) == report.new_articles
        ids += [a.id for a in report.articles]
    assert len(ArticleRepo(store).get_many(ids)) == len(set(ids)) == len(seen)


def item_ids(body: bytes) -> set[str]:
    """Item ids of an RSS document, read independently of the code under test."""
    items = ElementTree.fromstring(body).iter("item")
    return {canonical_url(i.findtext("guid") or i.findtext("link") or "") for i in items}

"""A feed of far more items than anyone publishes in a day: the newest are kept, up to
``fetch.max_items_per_feed``, and the cut is reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.ingest.parse import parse_feed, trim_items
from core.ingest.pipeline import run_ingest
from core.models import Source
from core.store.articles import ArticleRepo
from core.store.base import Store
from core.stories.service import update_stories
from tests.fakes.publisher import Publisher
from tests.ingest.conftest import with_fetch
from workers.cli import cli

NEWEST = datetime(2026, 8, 21, 10, 0, tzinfo=UTC)


def flood(items: int, *, oldest_first: bool = False) -> bytes:
    """An RSS feed of ``items`` distinct items a minute apart ("Note 0" the newest)."""
    order = range(items - 1, -1, -1) if oldest_first else range(items)
    entries = "".join(
        f"<item><title>Note {i} on a flooded feed</title>"
        f"<link>https://flood.example/{i}</link>"
        f"<pubDate>{format_datetime(NEWEST - timedelta(minutes=i), usegmt=True)}</pubDate>"
        "</item>"
        for i in order
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Flood</title><link>https://flood.example/</link>{entries}</channel></rss>"
    ).encode()


def newest_urls(count: int) -> set[str]:
    return {f"https://flood.example/{i}" for i in range(count)}


@pytest.mark.parametrize("oldest_first", [False, True])
async def test_a_flooded_feed_keeps_its_newest_items_and_reports_the_cut(
    store: Store, publisher: tuple[Publisher, str], oldest_first: bool
) -> None:
    pub, base = publisher
    pub.put("flood.xml", flood(1_200, oldest_first=oldest_first))
    capped = with_fetch(store, max_items_per_feed=50, pages=False)
    source = Source(id="flood", url=f"{base}/feeds/flood.xml", title="Flood")
    report = await run_ingest(capped, [source])
    assert report.new_articles == 50
    assert {a.url for a in report.articles} == newest_urls(50)
    assert report.over_cap == [{"source": "flood", "items": 1_150}]
    assert len(ArticleRepo(capped).get_many([a.id for a in report.articles])) == 50
    summary = "\n".join(report.lines())
    assert "over_cap      1150 items not kept from 1 feed (newest 50 kept" in summary
    assert "  cut      flood: 1150 oldest items" in summary
    assert json.loads(report.to_json())["over_cap"] == [{"source": "flood", "items": 1_150}]
    stories = update_stories(capped, report.articles)
    assert 0 < len(stories) <= 50


def test_the_cli_prints_the_cut(
    store: Store, publisher: tuple[Publisher, str], tmp_path: Path
) -> None:
    pub, base = publisher
    pub.put("flood.xml", flood(300))
    store.redis.set(store.keys.sources_seeded(), "1")
    opml = tmp_path / "s.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline text="Flood" xmlUrl="{base}/feeds/flood.xml"/>'
        "</body></opml>"
    )
    env = {
        "AITODAY_REDIS_URL": store.settings.redis_url or "",
        "AITODAY_KEY_PREFIX": store.keys.prefix,
        "AITODAY_DATA_DIR": str(store.settings.data_dir),
        "AITODAY_FETCH__ALLOW_PRIVATE": "true",
        "AITODAY_FETCH__PAGES": "false",
        "AITODAY_FETCH__MAX_ITEMS_PER_FEED": "20",
    }
    result = CliRunner().invoke(cli, ["ingest", "--sources", str(opml)], env=env)
    assert result.exit_code == 0, result.output
    assert "new_articles  20" in result.output
    assert "over_cap      280 items not kept from 1 feed (newest 20 kept" in result.output


def test_a_feed_under_the_cap_is_whole() -> None:
    parsed = parse_feed(
        flood(40),
        url="https://flood.example/feed",
        content_type="application/rss+xml",
        source_id="flood",
        language="en",
        fetched=NEWEST,
        max_items=40,
    )
    assert len(parsed.articles) == 40
    assert parsed.over_cap == 0


def test_only_the_ends_of_a_huge_feed_reach_the_parser() -> None:
    body = flood(10_000)
    trimmed, cut = trim_items(body, 100)
    assert cut == 9_800
    assert trimmed.count(b"<item>") == 200
    assert trimmed.endswith(b"</channel></rss>")
    assert b"https://flood.example/0<" in trimmed  # the first item
    assert b"https://flood.example/9999<" in trimmed  # the last item
    assert trim_items(body, 5_000) == (body, 0)

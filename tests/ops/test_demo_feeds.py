"""The bundled demo feeds: enough items, real overlaps, fresh dates when served."""

from __future__ import annotations

import calendar
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta

import feedparser
import httpx

from workers.demo.feedserver import ANCHOR, DemoFeedServer, feed_names, read_feed, shift_dates


def _entries(xml: str) -> list[feedparser.FeedParserDict]:
    headers = {"content-location": "http://127.0.0.1/", "content-type": "application/xml"}
    parsed = feedparser.parse(xml.encode("utf-8"), response_headers=headers)
    assert not parsed.bozo
    return list(parsed.entries)


def test_fifteen_feeds_about_150_items_in_rss_and_atom() -> None:
    names = feed_names()
    assert len(names) == 15
    roots = Counter(ET.fromstring(read_feed(n).encode()).tag.split("}")[-1] for n in names)
    assert roots["rss"] >= 5 and roots["feed"] >= 5
    links = [e.link.split("?")[0] for n in names for e in _entries(read_feed(n))]
    assert len(links) >= 140
    assert len(set(links)) == len(links)  # every item is its own article


def test_items_span_three_days_before_the_anchor() -> None:
    for name in feed_names():
        for entry in _entries(read_feed(name)):
            published = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
            assert ANCHOR - timedelta(hours=73) <= published <= ANCHOR, (name, entry.title)


def test_feeds_in_japanese_and_chinese_are_declared() -> None:
    languages = {
        n: feedparser.parse(read_feed(n).encode()).feed.get("language") for n in feed_names()
    }
    assert {"ja", "zh-Hant", "zh-Hans"} <= set(languages.values())


def test_shift_moves_rss_and_atom_dates_alike() -> None:
    rss = "<pubDate>Thu, 15 Jan 2026 09:00:00 +0000</pubDate>"
    atom = "<published>2026-01-15T09:00:00Z</published>"
    delta = timedelta(days=3, hours=1)
    assert shift_dates(rss, delta) == "<pubDate>Sun, 18 Jan 2026 10:00:00 +0000</pubDate>"
    assert shift_dates(atom, delta) == "<published>2026-01-18T10:00:00Z</published>"


def test_server_serves_fresh_dates_and_answers_304() -> None:
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    with DemoFeedServer(now=lambda: now) as server:
        url = f"{server.base_url}/feeds/circuit-daily.xml"
        first = httpx.get(url)
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("application/rss+xml")
        newest = max(
            datetime.fromtimestamp(calendar.timegm(e.published_parsed), UTC)
            for e in _entries(first.text)
        )
        assert now - timedelta(hours=12) < newest <= now
        again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert httpx.get(f"{server.base_url}/feeds/nope.xml").status_code == 404
        assert b"127.0.0.1:%d/feeds/" % server.port in server.opml()

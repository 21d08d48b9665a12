"""The shipped source list: enough real sources, well formed, in the languages our readers use."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from core.models import SourceCategory

OPML = Path(__file__).resolve().parents[2] / "core" / "ingest" / "data" / "sources.opml"


def _feeds() -> list[dict[str, str]]:
    root = ET.parse(OPML).getroot()
    return [dict(node.attrib) for node in root.iter("outline") if node.get("xmlUrl")]


def test_at_least_200_sources_with_every_attribute() -> None:
    feeds = _feeds()
    assert len(feeds) >= 200
    for feed in feeds:
        for name in ("text", "title", "xmlUrl", "htmlUrl", "category", "authority", "language"):
            assert feed.get(name), f"{feed.get('xmlUrl')}: missing {name}"
        assert feed["type"] == "rss"
        assert feed["verified"] in {"true", "false"}


def test_urls_are_absolute_http_and_unique() -> None:
    urls = [feed["xmlUrl"] for feed in _feeds()]
    duplicates = [url for url, n in Counter(urls).items() if n > 1]
    assert not duplicates
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme in {"http", "https"} and parts.netloc, url


def test_categories_and_authority_ranges() -> None:
    allowed = {c.value for c in SourceCategory}
    feeds = _feeds()
    assert {feed["category"] for feed in feeds} == allowed  # every category is used
    for feed in feeds:
        assert 0.0 <= float(feed["authority"]) <= 1.0, feed["xmlUrl"]


def test_language_coverage_for_line_and_slack_readers() -> None:
    languages = Counter(feed["language"] for feed in _feeds())
    for language, least in {
        "en": 150,
        "ja": 10,
        "zh-Hant": 5,
        "zh-Hans": 5,
        "ko": 5,
        "th": 1,
    }.items():
        assert languages[language] >= least, (language, languages[language])


def test_most_sources_are_verified_and_the_rest_are_marked() -> None:
    verified = Counter(feed["verified"] for feed in _feeds())
    assert verified["true"] >= 200
    assert verified["false"] > 0  # unconfirmed ones are marked, not hidden


def test_the_ingest_loader_reads_every_source() -> None:
    from core.ingest.sources import default_sources, load_opml

    sources = load_opml(OPML.read_bytes())
    assert len(sources) == len(_feeds())
    assert [s.url for s in default_sources()] == [s.url for s in sources]
    assert len({s.id for s in sources}) == len(sources)
    assert any(not s.verified for s in sources)

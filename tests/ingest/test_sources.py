from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import SourceError
from core.ingest.sources import default_sources, export_opml, load_opml
from core.models import FetchState, Source, SourceCategory, utcnow
from core.store.base import Store
from core.store.sources import SourceRepo

SMALL = Path(__file__).parent / "data" / "small.opml"


def test_load_opml_reads_nested_groups_and_makes_unique_ids() -> None:
    sources = load_opml(SMALL.read_bytes())
    by_url = {s.url: s for s in sources}
    assert [s.id for s in sources] == [
        "anthropic-news",
        "anthropic-news-2",
        "nikkei-example",  # "日経 AI": mostly non-Latin, so the host names it
        "ithome-ai",
        "top-level",
    ]
    first = by_url["https://example.com/anthropic.xml"]
    assert first.category is SourceCategory.LAB
    assert first.authority == 0.95
    assert first.site_url == "https://www.anthropic.com/news"
    nikkei = by_url["https://www.nikkei.example/ai.rdf"]
    assert nikkei.category is SourceCategory.REGIONAL  # from its group
    assert nikkei.language == "ja"
    assert nikkei.verified is False
    assert by_url["https://www.ithome.example/rss"].language == "zh-Hant"
    assert by_url["https://www.ithome.example/rss"].category is SourceCategory.NEWS
    assert by_url["http://toplevel.example/feed"].authority == 0.5


def test_export_round_trips() -> None:
    sources = load_opml(SMALL.read_bytes())
    again = load_opml(export_opml(sources).encode())
    assert {s.url: s for s in again} == {s.url: s for s in sources}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"not xml at all", "not valid OPML"),
        (b"<rss><channel/></rss>", "not an OPML document"),
        (b"<opml><body></body></opml>", "no feed outlines"),
        (b'<opml><body><outline xmlUrl="ftp://x/y" text="F"/></body></opml>', "not an http(s) URL"),
        (
            b'<opml><body><outline xmlUrl="https://x/y" text="F" authority="2"/></body></opml>',
            "outside 0.0-1.0",
        ),
        (
            b'<opml><body><outline xmlUrl="https://x/y" text="F" category="gossip"/></body></opml>',
            "'gossip' is not one of",
        ),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>',
            "entity declarations",
        ),
    ],
)
def test_bad_opml_gives_a_clear_error(document: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_opml(document)


def test_shipped_sources_load() -> None:
    sources = default_sources()
    assert len(sources) >= 200
    assert len({s.id for s in sources}) == len(sources)


def test_repo_seeds_defaults_once(store: Store) -> None:
    repo = SourceRepo(store)
    seeded = repo.all()
    assert len(seeded) >= 200
    for source in seeded:
        repo.remove(source.id)
    assert repo.all() == []  # removing everything does not bring the defaults back


def test_repo_put_get_remove_authority(store: Store) -> None:
    repo = SourceRepo(store)
    store.redis.set(store.keys.sources_seeded(), "1")
    source = Source(id="a", url="https://a.example/feed", title="A", authority=0.8)
    repo.put(source)
    assert repo.get("a") == source
    assert repo.authority() == {"a": 0.8}
    assert repo.by_url("https://a.example/feed") == source
    assert repo.remove("a") is True
    assert repo.remove("a") is False
    assert repo.get("a") is None


def test_fetch_state_round_trips(store: Store) -> None:
    repo = SourceRepo(store)
    state = FetchState(etag='"x"', failures=3, next_fetch_at=utcnow(), last_status=503)
    repo.save_state("a", state)
    assert repo.state("a") == state
    assert repo.states(["a", "b"]) == {"a": state, "b": FetchState()}
    repo.save_state("a", FetchState())
    assert repo.state("a") == FetchState()

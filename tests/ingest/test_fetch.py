"""Fetch behaviour through run_ingest, against a real local publisher."""

from __future__ import annotations

from datetime import timedelta

from core.ingest.pipeline import run_ingest
from core.models import Source, utcnow
from core.store.articles import ArticleRepo
from core.store.base import Store
from core.store.sources import SourceRepo
from tests.fakes.publisher import Publisher, rss
from tests.ingest.conftest import with_fetch

FEED = rss(
    "Test feed",
    [
        ("Café &amp; AI", "https://news.example/cafe?utm_source=rss"),
        ("Two", "https://news.example/two/"),
    ],
).encode()


def source(base: str, path: str, sid: str = "s") -> Source:
    return Source(id=sid, url=f"{base}{path}", title=sid)


def require(repo: SourceRepo, source_id: str) -> Source:
    """The stored source, which the test expects to be there."""
    found = repo.get(source_id)
    assert found is not None, source_id
    return found


def stored(store: Store, *sources: Source) -> SourceRepo:
    """Sources stored as the only ones (no defaults seeded)."""
    store.redis.set(store.keys.sources_seeded(), "1")
    repo = SourceRepo(store)
    repo.put_many(sources)
    return repo


async def test_conditional_get_then_304_and_honest_headers(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put("a.xml", FEED)
    stored(store, source(base, "/feeds/a.xml"))
    first = await run_ingest(store)
    assert (first.fetched, first.new_articles, first.failed) == (1, 2, [])
    assert {a.url for a in first.articles} == {
        "https://news.example/cafe",
        "https://news.example/two",
    }
    assert any(a.title == "Café & AI" for a in first.articles)
    second = await run_ingest(store)
    assert (second.fetched, second.not_modified, second.new_articles) == (0, 1, 0)
    hits = pub.hits("/feeds/a.xml")
    assert "if-none-match" not in hits[0].headers
    assert hits[1].headers["if-none-match"].startswith('"')
    assert hits[1].headers["if-modified-since"] == "Sat, 22 Aug 2026 12:00:00 GMT"
    assert hits[0].headers["user-agent"].startswith("AIToday/")
    assert "gzip" in hits[0].headers["accept-encoding"]


async def test_unchanged_body_without_validators_is_not_parsed(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put("a.xml", FEED)
    stored(store, source(base, "/plain/a.xml"))
    await run_ingest(store)
    again = await run_ingest(store)
    assert (again.fetched, again.not_modified, again.duplicates) == (0, 1, 0)


async def test_301_updates_the_url_and_302_does_not(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put("a.xml", FEED)
    pub.put("b.xml", FEED)
    repo = stored(store, source(base, "/moved/a.xml", "perm"), source(base, "/found/b.xml", "temp"))
    report = await run_ingest(store)
    assert report.fetched == 2
    assert report.moved == [{"source": "perm", "url": f"{base}/feeds/a.xml"}]
    assert require(repo, "perm").url == f"{base}/feeds/a.xml"
    assert require(repo, "temp").url == f"{base}/found/b.xml"


async def test_redirect_loop_stops_at_the_limit(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    _, base = publisher
    stored(store, source(base, "/loop/0"))
    report = await run_ingest(with_fetch(store, max_redirects=3))
    assert report.failed == [{"source": "s", "reason": "more than 3 redirects"}]


async def test_410_disables_the_source_with_its_reason(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    _, base = publisher
    repo = stored(store, source(base, "/gone"))
    report = await run_ingest(store)
    assert report.failed[0]["reason"].startswith("HTTP 410")
    gone = repo.get("s")
    assert gone is not None and not gone.enabled
    assert "410" in (gone.disabled_reason or "")
    assert (await run_ingest(store)).sources == 0


async def test_429_honours_retry_after(store: Store, publisher: tuple[Publisher, str]) -> None:
    pub, base = publisher
    repo = stored(
        store, source(base, "/ratelimited", "limited"), source(base, "/unavailable", "busy")
    )
    pub.retry_after = "7200"
    report = await run_ingest(store)
    assert {f["reason"] for f in report.failed} == {
        "HTTP 429 Too Many Requests",
        "HTTP 503 Service Unavailable",
    }
    state = repo.state("limited")
    assert state.next_fetch_at is not None
    assert state.next_fetch_at >= utcnow() + timedelta(seconds=7000)
    again = await run_ingest(store)
    assert (again.sources, again.skipped) == (0, 2)
    assert len(pub.hits("/ratelimited")) == 1


async def test_failures_back_off_and_disable_after_n(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    _, base = publisher
    repo = stored(store, source(base, "/feeds/missing.xml"))
    store = with_fetch(store, max_failures=3)
    waits = []
    for _ in range(3):
        before = utcnow()
        await run_ingest(store, [require(repo, "s")])
        state = repo.state("s")
        assert state.next_fetch_at is not None
        waits.append(state.next_fetch_at - before)
    assert waits[0] < waits[1] < waits[2]
    disabled = repo.get("s")
    assert disabled is not None and not disabled.enabled
    assert disabled.disabled_reason == "3 failures in a row; last: HTTP 404 Not Found"


async def test_slow_server_times_out(store: Store, publisher: tuple[Publisher, str]) -> None:
    pub, base = publisher
    pub.slow_seconds = 1.0
    stored(store, source(base, "/slow"))
    report = await run_ingest(with_fetch(store, read_timeout=0.2))
    assert report.failed[0]["reason"].startswith(("read timeout", "too slow"))


async def test_endless_body_is_cut_at_max_bytes(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    _, base = publisher
    stored(store, source(base, "/endless"))
    report = await run_ingest(with_fetch(store, max_bytes=256 * 1024))
    assert report.failed == [{"source": "s", "reason": "body exceeds the 262144-byte limit"}]


async def test_broken_xml_keeps_what_it_can_and_junk_fails(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    _, base = publisher
    stored(
        store,
        source(base, "/broken", "broken"),
        source(base, "/garbage", "garbage"),
        source(base, "/html", "html"),
    )
    report = await run_ingest(store)
    assert report.fetched == 1
    assert "https://broken.example/one" in {a.url for a in report.articles}
    assert report.warnings and report.warnings[0]["source"] == "broken"
    reasons = {f["source"]: f["reason"] for f in report.failed}
    assert reasons["html"] == "not a feed: the URL serves an HTML page"
    assert reasons["garbage"].startswith("not a feed")


async def test_wrong_declared_encodings(store: Store, publisher: tuple[Publisher, str]) -> None:
    pub, base = publisher
    # cp1252 bytes that claim to be UTF-8, and UTF-8 bytes labelled ISO-8859-1 by the server.
    pub.put("cp1252.xml", rss("x", [("Señor Café", "https://e.example/1")]).encode("cp1252"))
    pub.put(
        "labelled.xml",
        rss("x", [("日本語のニュース Café", "https://e.example/2")]).encode(),
        "text/xml; charset=iso-8859-1",
    )
    stored(store, source(base, "/feeds/cp1252.xml", "a"), source(base, "/feeds/labelled.xml", "b"))
    report = await run_ingest(store)
    assert report.failed == []
    assert {a.title for a in report.articles} == {"Señor Café", "日本語のニュース Café"}


async def test_ssrf_guard_blocks_private_addresses_and_redirects(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put("a.xml", FEED)
    guarded = with_fetch(store, allow_private=False)
    stored(store, source(base, "/feeds/a.xml", "direct"))
    report = await run_ingest(guarded)
    assert "private or reserved, refused" in report.failed[0]["reason"]
    assert pub.hits("/feeds/a.xml") == []
    # The publisher itself is trusted; its redirect to the metadata address is not.
    stored(store, source(base, "/ssrf", "redirect"))
    SourceRepo(store).remove("direct")
    report = await run_ingest(guarded, trusted={"127.0.0.1"})
    assert len(pub.hits("/ssrf")) == 1
    assert "169.254.169.254" in report.failed[0]["reason"]
    pub.redirect_target = "file:///etc/passwd"
    report = await run_ingest(
        guarded, [require(SourceRepo(store), "redirect")], trusted={"127.0.0.1"}
    )
    assert "only http:// and https://" in report.failed[0]["reason"]


async def test_published_never_in_the_future_and_missing_is_fetch_time(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Future</title><link>https://e.example/f</link>"
        "<pubDate>Mon, 01 Jan 2099 00:00:00 +0000</pubDate></item>"
        "<item><title>Undated</title><link>https://e.example/u</link></item>"
        "</channel></rss>"
    )
    pub.put("t.xml", body.encode())
    stored(store, source(base, "/feeds/t.xml"))
    before = utcnow()
    report = await run_ingest(store)
    after = utcnow()
    assert len(report.articles) == 2
    for art in report.articles:
        assert before <= art.published <= after
        assert art.published == art.fetched
    assert ArticleRepo(store).count() == 2


async def test_unverified_sources_are_reported_or_confirmed(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put("a.xml", FEED)
    good = source(base, "/feeds/a.xml", "good").model_copy(update={"verified": False})
    bad = source(base, "/feeds/nope.xml", "bad").model_copy(update={"verified": False})
    repo = stored(store, good, bad)
    report = await run_ingest(store)
    assert report.failed == [
        {"source": "bad", "reason": "HTTP 404 Not Found (an unverified URL in the source list)"}
    ]
    assert report.moved == []
    assert require(repo, "good").verified
    assert not require(repo, "bad").verified


async def test_malformed_urls_fail_alone(store: Store, publisher: tuple[Publisher, str]) -> None:
    pub, base = publisher
    pub.put("a.xml", FEED)
    stored(
        store,
        source(base, "/feeds/a.xml", "good"),
        Source(id="space", url="http://exa mple.com/feed", title="x"),
        Source(id="idna", url="http://xn--a.example/feed", title="x"),
    )
    report = await run_ingest(store)
    assert report.fetched == 1
    assert {f["source"] for f in report.failed} == {"space", "idna"}


async def test_gzip_bomb_stops_at_max_bytes(store: Store, publisher: tuple[Publisher, str]) -> None:
    _, base = publisher
    stored(store, source(base, "/bomb"))
    report = await run_ingest(with_fetch(store, max_bytes=1024 * 1024))
    assert report.failed == [{"source": "s", "reason": "body exceeds the 1048576-byte limit"}]

"""Article pages during ingest: read once per new article, robots.txt, failures by reason."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from core.ingest.clean import canonical_url
from core.ingest.extract import ExtractedPage
from core.ingest.pages import carries_full_text, merged
from core.ingest.pipeline import run_ingest
from core.models import Article, Source, short_hash, utcnow
from core.store.articles import ArticleRepo
from core.store.base import Store
from tests.fakes.publisher import Publisher, article_page
from tests.fakes.publisher import rss as dated_rss
from tests.ingest.conftest import with_fetch

PARAGRAPHS = [
    "The laboratory released a new open model on Tuesday, trained on public data only.",
    "Researchers said the model matches larger systems on reasoning benchmarks while "
    "using a fraction of the compute, a claim independent groups are now testing.",
    "The weights are available under a permissive licence, and the team plans a larger "
    "version before the end of the year, pending a safety review by outside auditors.",
]


def rss(title: str, items: list[tuple[str, str]]) -> str:
    """An RSS feed of items published an hour ago (older ones are not worth a page)."""
    return dated_rss(title, items, published=format_datetime(utcnow() - timedelta(hours=1)))


def _feed(pub: Publisher, base: str, names: list[str]) -> Source:
    items = [(f"Story {n}", f"{base}/articles/{n}") for n in names]
    pub.put("lab.xml", rss("Lab", items).encode())
    return Source(id="lab", url=f"{base}/feeds/lab.xml", title="Lab")


def _stored(store: Store, url: str) -> Article:
    article = ArticleRepo(store).get(short_hash(canonical_url(url)))
    assert article is not None
    return article


async def test_a_new_article_page_is_read_once(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put_page("one", article_page("Lab releases an open model", PARAGRAPHS))
    source = _feed(pub, base, ["one"])

    report = await run_ingest(store, [source])
    assert report.pages_read == 1 and report.page_failures == {}
    article = _stored(store, f"{base}/articles/one")
    assert article.full_text
    assert "independent groups are now testing" in article.text
    assert article.image == f"{base}/img/lead.jpg"
    assert article.author == "Ada Reporter"
    assert report.articles[0].text == article.text  # clustering sees the full text too

    pub.put("lab.xml", rss("Lab", [("Story one", f"{base}/articles/one")]).encode() + b" ")
    again = await run_ingest(store, [source])  # a changed feed, the same known item
    assert again.fetched == 1 and again.new_articles == 0
    assert len(pub.hits("/articles/one")) == 1
    assert again.pages_read == 0
    assert pub.hits("/articles/one")[0].headers["accept"].startswith("text/html")


async def test_robots_disallow_is_respected_and_the_setting_turns_it_off(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.robots = "User-agent: *\nDisallow: /articles/\n"
    pub.put_page("one", article_page("Lab releases an open model", PARAGRAPHS))
    pub.put_page("two", article_page("Lab opens its data", PARAGRAPHS))
    source = _feed(pub, base, ["one", "two"])

    report = await run_ingest(store, [source])
    assert report.page_failures == {"robots.txt disallows": 2}
    assert pub.hits("/articles/one") == []
    assert len(pub.hits("/robots.txt")) == 1  # once per host per run
    assert not _stored(store, f"{base}/articles/one").full_text

    pub.put_page("three", article_page("Lab hires", PARAGRAPHS))
    ignoring = with_fetch(store, robots=False)
    pub.put("lab.xml", rss("Lab", [("Story three", f"{base}/articles/three")]).encode())
    report = await run_ingest(ignoring, [source])
    assert report.pages_read == 1
    assert _stored(store, f"{base}/articles/three").full_text


async def test_an_unreachable_robots_txt_allows_nothing(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.robots, pub.robots_status = "down", 503
    pub.put_page("one", article_page("Lab releases an open model", PARAGRAPHS))
    report = await run_ingest(store, [_feed(pub, base, ["one"])])
    assert report.page_failures == {"robots.txt unreachable: HTTP 503": 1}
    assert pub.hits("/articles/one") == []


async def test_failed_pages_keep_the_blurb_and_are_counted_by_reason(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.slow_seconds = 3.0
    pub.put_page("huge", article_page("Huge", ["word " * 2000]))
    items = [
        ("Missing", f"{base}/articles/missing"),
        ("Huge", f"{base}/articles/huge"),
        ("Slow", f"{base}/slow"),
        ("Binary", f"{base}/garbage"),
    ]
    pub.put("lab.xml", rss("Lab", items).encode())
    source = Source(id="lab", url=f"{base}/feeds/lab.xml", title="Lab")
    tight = with_fetch(store, max_bytes=4096, read_timeout=0.5, connect_timeout=0.5)

    report = await run_ingest(tight, [source])
    assert report.fetched == 1 and report.failed == []  # the feed itself is fine
    assert report.new_articles == 4
    assert report.page_failures == {
        "HTTP 404": 1,
        "too large": 1,
        "timeout": 1,
        "not an HTML page": 1,
    }
    assert report.to_dict()["pages"]["failed"] == report.page_failures
    assert not any(a.full_text for a in report.articles)
    assert _stored(store, f"{base}/articles/missing").title == "Missing"


async def test_articles_older_than_the_stories_window_are_not_read(
    store: Store, publisher: tuple[Publisher, str]
) -> None:
    pub, base = publisher
    pub.put_page("old", article_page("Old news", PARAGRAPHS))
    old = dated_rss(
        "Lab", [("Old", f"{base}/articles/old")], published="Mon, 01 Jan 2024 10:00:00 +0000"
    )
    pub.put("lab.xml", old.encode())
    report = await run_ingest(store, [Source(id="lab", url=f"{base}/feeds/lab.xml", title="Lab")])
    assert report.new_articles == 1 and report.pages_too_old == 1
    assert pub.hits("/articles/old") == []


async def test_pages_off_reads_no_page(store: Store, publisher: tuple[Publisher, str]) -> None:
    pub, base = publisher
    pub.put_page("one", article_page("Lab releases an open model", PARAGRAPHS))
    report = await run_ingest(with_fetch(store, pages=False), [_feed(pub, base, ["one"])])
    assert report.new_articles == 1 and report.pages_read == 0
    assert pub.hits("/articles/one") == [] and pub.hits("/robots.txt") == []


def _item(text: str) -> Article:
    now = utcnow()
    return Article(
        id="x", url="https://a.example/x", title="t", text=text, source_id="s",
        published=now, fetched=now, content_hash="h",
    )  # fmt: skip


def test_merge_keeps_the_feeds_script_and_takes_a_different_language() -> None:
    hant = _item("blurb").model_copy(update={"language": "zh-Hant"})
    page = ExtractedPage("u", text="正文" * 50, language="zh-Hans")
    assert merged(hant, page).language == "zh-Hant"
    assert (
        merged(_item("blurb"), ExtractedPage("u", text="本文" * 50, language="ja")).language == "ja"
    )
    assert merged(_item("blurb"), page).full_text


def test_an_item_carries_full_text_unless_cut_short_or_brief() -> None:
    long = " ".join(["word"] * 300)
    assert carries_full_text(_item(long + "."), 250)
    assert not carries_full_text(_item(long + " …"), 250)
    assert not carries_full_text(_item(long + " Read more"), 250)
    assert not carries_full_text(_item("A short blurb."), 250)
    assert carries_full_text(_item("新" * 600), 250)

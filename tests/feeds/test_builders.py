"""The pure feed builders: Atom read back by feedparser, JSON Feed checked against the
1.1 spec, hostile brief text, digests merged across channels, conditional GET rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import feedparser
import pytest

from core.feeds.atom import atom_xml
from core.feeds.entries import Feed, FeedEntry, digest_entries, story_entries
from core.feeds.jsonfeed import VERSION, json_feed
from core.feeds.validators import not_modified, validators_of
from core.models import BriefImage, Edition, Story, StoryArticle
from tests.render.editions import HOSTILE, NOW, make_brief, make_edition

BASE = "https://aitoday.example"
# What XML 1.0 cannot carry (a NUL, a vertical tab, a lone surrogate) beside markup and
# a CDATA end: none of it may break the document or reach it as markup.
NASTY = "bad\x00\x0b\ud800 ]]> </content></entry><entry> &amp; &#0; " + HOSTILE


def feed_of(entries: list[FeedEntry], *, lang: str = "en") -> Feed:
    return Feed(
        id=f"{BASE}/feed/tok.xml",
        title="AIToday · your digests",
        subtitle="The digests sent to you",
        language=lang,
        home_url=BASE,
        atom_url=f"{BASE}/feed/tok.xml",
        json_url=f"{BASE}/feed/tok.json",
        updated=max((e.updated for e in entries), default=NOW),
        entries=tuple(entries),
    )


def rich_edition(edition_id: str = "ed0001", slot: datetime = NOW, **kw: Any) -> Edition:
    edition = make_edition(3, edition_id=edition_id, **kw)
    image = BriefImage(url="https://img.example/lead.jpg", alt="the lab", width=1200, height=630)
    edition.briefs[0] = edition.briefs[0].model_copy(
        update={"topics": ["models", "open-source"], "image": image}
    )
    return edition.model_copy(update={"slot": slot, "created_at": slot})


class _Canonical(HTMLParser):
    """HTML as (tag, sorted attributes) and text events: feedparser hands content back
    re-serialized (attributes sorted, void elements closed), equal in meaning."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, *sorted(f"{k}={v}" for k, v in attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.events.append(("text", data))


def canonical(html: str) -> list[tuple[str, ...]]:
    parser = _Canonical()
    parser.feed(html)
    parser.close()
    return parser.events


def parse_atom(feed: Feed) -> Any:
    parsed = feedparser.parse(atom_xml(feed), sanitize_html=False)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def check_json_feed(data: dict[str, Any]) -> None:
    """The JSON Feed 1.1 rules a reader relies on (https://jsonfeed.org/version/1.1)."""
    assert data["version"] == VERSION
    assert isinstance(data["title"], str) and data["title"]
    assert isinstance(data["items"], list)
    for key in ("home_page_url", "feed_url"):
        assert data[key].startswith(("https://", "http://"))
    for author in data.get("authors", []):
        assert set(author) <= {"name", "url", "avatar"} and author
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html") or item.get("content_text"), str)
        for key in ("date_published", "date_modified"):
            if key in item:
                datetime.fromisoformat(item[key].replace("Z", "+00:00"))  # RFC 3339
        assert isinstance(item.get("tags", []), list)
        assert "attachments" not in item or isinstance(item["attachments"], list)


def test_atom_round_trips_every_field_through_feedparser() -> None:
    older = rich_edition("ed0000", NOW - timedelta(days=1))
    entries = digest_entries([rich_edition(), older], base_url=BASE)
    feed = feed_of(entries)
    parsed = parse_atom(feed)
    assert parsed.feed.title == feed.title
    assert parsed.feed.subtitle == feed.subtitle
    assert parsed.feed.id == feed.id
    assert parsed.feed.language == "en"
    assert parsed.feed.updated_parsed[:6] == NOW.timetuple()[:6]
    assert parsed.feed.author == "AIToday"
    links = {(link.rel, link.type): link.href for link in parsed.feed.links}
    assert links[("self", "application/atom+xml")] == feed.atom_url
    assert links[("alternate", "application/feed+json")] == feed.json_url
    assert links[("alternate", "text/html")] == BASE
    assert len(parsed.entries) == 2
    for got, want in zip(parsed.entries, entries, strict=True):
        assert got.id == want.id
        assert got.title == want.title
        assert got.link == want.url
        assert got.published_parsed[:6] == want.published.timetuple()[:6]
        assert got.updated_parsed[:6] == want.updated.timetuple()[:6]
        assert got.author == "AIToday"
        assert got.summary == want.summary
        assert got.content[0].type == "text/html"
        assert canonical(got.content[0].value) == canonical(want.content_html)
        assert [t.term for t in got.tags] == ["models", "open-source"]
        assert got.media_thumbnail[0]["url"] == "https://img.example/lead.jpg"
    first = parsed.entries[0]
    assert first.title.startswith("AIToday 2026-11-27: Lab 1 releases")
    assert first.link == f"{BASE}/s/story0001"
    html = first.content[0].value
    for part in ("Key takeaway", "Takeaway 1:", "What happened", "It shipped.", "Why it matters"):
        assert part in html
    assert "Is it open?" in html and "Yes." in html  # the FAQ
    assert 'href="https://news0.example.org/story0001?a=1&amp;b=2"' in html  # sources
    assert (
        "start",
        "img",
        "alt=the lab",
        "height=630",
        "src=https://img.example/lead.jpg",
        "width=1200",
    ) in canonical(html)
    assert html.count("<article>") == 3


def test_json_feed_holds_the_same_entries_and_follows_the_spec() -> None:
    entries = digest_entries([rich_edition()], base_url=BASE)
    feed = feed_of(entries)
    data = json.loads(json_feed(feed))
    check_json_feed(data)
    assert data["title"] == feed.title
    assert data["feed_url"] == feed.json_url
    assert data["home_page_url"] == BASE
    assert data["language"] == "en"
    assert data["authors"] == [{"name": "AIToday", "url": BASE}]
    [item] = data["items"]
    want = entries[0]
    assert item["id"] == want.id
    assert item["url"] == want.url
    assert item["title"] == want.title
    assert item["summary"] == want.summary
    assert item["content_html"] == want.content_html
    assert item["date_published"] == "2026-11-27T07:30:00Z"
    assert item["date_modified"] == "2026-11-27T07:30:00Z"
    assert item["authors"] == [{"name": "AIToday"}]
    assert item["image"] == "https://img.example/lead.jpg"
    assert item["tags"] == ["models", "open-source"]


def test_hostile_text_stays_text_and_the_feeds_still_parse() -> None:
    edition = make_edition(2, hostile=True)
    edition.briefs[0] = edition.briefs[0].model_copy(
        update={
            "headline": NASTY,
            "dek": NASTY,
            "key_takeaway": NASTY,
            "topics": [NASTY],
            "image": BriefImage(url="javascript:alert(1)", alt=NASTY),
        }
    )
    sources = [
        s.model_copy(update={"url": "javascript:alert(2)", "name": NASTY})
        for s in edition.briefs[0].sources
    ]
    edition.briefs[0] = edition.briefs[0].model_copy(update={"sources": sources})
    feed = feed_of(digest_entries([edition], base_url=BASE))
    parsed = parse_atom(feed)
    assert len(parsed.entries) == 1  # the "</entry><entry>" in the text opened no entry
    entry = parsed.entries[0]
    assert "</content></entry><entry>" in entry.title  # as text, characters intact
    assert "\x00" not in entry.title and "\x0b" not in entry.title
    html = entry.content[0].value
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html  # no such href, no such image
    assert "<img" not in html
    data = json.loads(json_feed(feed))
    check_json_feed(data)
    assert "<script>" not in data["items"][0]["content_html"]


def test_a_reader_on_two_channels_gets_one_entry_per_digest() -> None:
    email = rich_edition("ed-mail", channel="email")
    slack = rich_edition("ed-slack", channel="slack")
    slack.items, slack.briefs = slack.items[:2], slack.briefs[:2]
    entries = digest_entries([email, slack], base_url=BASE)
    assert len(entries) == 1
    assert entries[0].content_html.count("<article>") == 3


def test_an_empty_feed_is_valid_in_both_forms() -> None:
    feed = feed_of([])
    parsed = parse_atom(feed)
    assert parsed.entries == []
    assert parsed.feed.title == feed.title
    data = json.loads(json_feed(feed))
    check_json_feed(data)
    assert data["items"] == []


def test_story_entries_link_the_brief_page_in_the_language_asked() -> None:
    brief = make_brief(7, language="ja").model_copy(update={"topics": ["chips"]})
    story = Story(
        id=brief.story_id,
        title=brief.headline,
        articles=[
            StoryArticle(
                id="a1", source_id="s1", url="https://x.example/1", title="t", published=NOW
            )
        ],
        first_seen=NOW - timedelta(hours=5),
        last_updated=NOW - timedelta(hours=1),
    )
    [entry] = story_entries([(story, brief)], lang="ja", base_url=BASE, now=NOW)
    assert entry.url == f"{BASE}/s/story0007?lang=ja"
    assert entry.language == "ja"
    assert entry.published == story.first_seen
    assert entry.updated == NOW  # the brief is newer than the story's last article
    assert "要点" in entry.content_html or "ポイント" in entry.content_html
    parsed = parse_atom(feed_of([entry], lang="ja"))
    assert parsed.entries[0].link == entry.url
    assert parsed.entries[0].tags[0].term == "chips"


@pytest.mark.parametrize(
    ("if_none_match", "if_modified_since", "expected"),
    [
        (None, None, False),
        ('W/"abc"', None, True),
        ('"abc"', None, True),  # weak comparison
        ('W/"zzz", W/"abc"', None, True),
        ("*", None, True),
        ('W/"zzz"', "Fri, 27 Nov 2026 08:00:00 GMT", False),  # If-None-Match wins
        (None, "Fri, 27 Nov 2026 07:30:00 GMT", True),
        (None, "Fri, 27 Nov 2026 07:29:59 GMT", False),
        (None, "not a date", False),
    ],
)
def test_conditional_get_rules(
    if_none_match: str | None, if_modified_since: str | None, expected: bool
) -> None:
    current = validators_of(["x"], NOW)
    current = type(current)('W/"abc"', current.last_modified)
    assert not_modified(current, if_none_match, if_modified_since) is expected


def test_validators_change_with_what_the_feed_is_made_of() -> None:
    one = validators_of(["xml", "en", "ed1"], NOW)
    assert one == validators_of(["xml", "en", "ed1"], NOW)
    assert one.etag != validators_of(["xml", "en", "ed1", "ed2"], NOW).etag
    assert one.etag != validators_of(["json", "en", "ed1"], NOW).etag
    assert one.etag.startswith('W/"')
    assert one.headers()["Last-Modified"] == "Fri, 27 Nov 2026 07:30:00 GMT"
    assert validators_of([], NOW.astimezone(UTC)).last_modified == NOW

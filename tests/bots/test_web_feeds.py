"""A reader's feed and the public feed through the real web app on a real port: Atom and
JSON Feed read back, conditional GETs, tokens that do not open, renewal, empty feeds."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import timedelta

import feedparser
import httpx
import pytest

from bots.web import create_app
from core import tokens
from core.feeds.service import feed_urls
from core.models import Brief, Edition, EditionItem, Story, StoryArticle, Subscriber, utcnow
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.editions import EditionRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from tests.fakes.server import serve
from tests.feeds.test_builders import check_json_feed
from tests.render.editions import HOSTILE, make_brief


@pytest.fixture
def web(store: Store) -> Iterator[httpx.Client]:
    with serve(create_app(store.settings, store)) as base, httpx.Client(base_url=base) as client:
        yield client


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def reader(store: Store, language: str = "en") -> Subscriber:
    return SubscriberRepo(store).add(new_subscriber(email="reader@example.org", language=language))


def send_edition(
    store: Store, sub: Subscriber, n: int, *, days_ago: float = 0, language: str = "en"
) -> Edition:
    """Store an edition of two stories (briefs cached) and mark it sent to ``sub``."""
    slot = (utcnow() - timedelta(days=days_ago)).replace(second=0, microsecond=0)
    briefs = [make_brief(n * 10 + k, language=language) for k in range(2)]
    if n == 0:
        briefs[0] = briefs[0].model_copy(update={"headline": f"{HOSTILE} \x0b </entry>"})
    repo = BriefRepo(store)
    items = []
    for brief in briefs:
        key = f"key-{brief.story_id}-{language}"
        repo.put(key, brief.model_copy(update={"created_at": slot}))
        items.append(EditionItem(story_id=brief.story_id, brief_key=key))
    edition = Edition(
        id=f"ed{n:04d}", channel="email", language=language, slot=slot, created_at=slot, items=items
    )
    EditionRepo(store).save(edition)
    SubscriberRepo(store).mark_editions_sent([([sub.id], edition.id)], slot)
    return edition


def test_a_readers_digests_as_atom_and_json_feed(web: httpx.Client, store: Store) -> None:
    sub = reader(store)
    send_edition(store, sub, 0, days_ago=2)
    send_edition(store, sub, 1, days_ago=1)
    send_edition(store, sub, 2, days_ago=40)  # older than the feed keeps
    urls = feed_urls(store, sub)

    answer = web.get(path_of(urls.atom))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(answer.content)
    assert parsed.bozo == 0 and parsed.version == "atom10"
    assert parsed.feed.title == "AIToday · your digests"
    assert [e.link for e in parsed.entries] == [
        f"{store.settings.web.base_url.rstrip('/')}/s/story0010",  # newest first
        f"{store.settings.web.base_url.rstrip('/')}/s/story0000",
    ]
    assert "&lt;script&gt;" in parsed.entries[1].content[0].value  # hostile text as text
    assert "</entry>" in parsed.entries[1].title

    answer = web.get(path_of(urls.json))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/feed+json; charset=utf-8"
    data = json.loads(answer.content)
    check_json_feed(data)
    assert [item["id"] for item in data["items"]] == [e.id for e in parsed.entries]
    assert [item["title"] for item in data["items"]] == [e.title for e in parsed.entries]


def test_the_feed_is_in_the_readers_language(web: httpx.Client, store: Store) -> None:
    sub = reader(store, "ja")
    send_edition(store, sub, 1, language="ja")
    parsed = feedparser.parse(web.get(path_of(feed_urls(store, sub).atom)).content)
    assert parsed.feed.title == "AIToday · あなたのダイジェスト"
    assert parsed.feed.language == "ja"
    assert "今日のAI要点" in parsed.entries[0].title or "AIToday" in parsed.entries[0].title
    assert "ポイント" in parsed.entries[0].content[0].value


def test_polls_that_change_nothing_get_304(web: httpx.Client, store: Store) -> None:
    sub = reader(store)
    edition = send_edition(store, sub, 1)
    url = path_of(feed_urls(store, sub).atom)
    first = web.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('W/"')

    assert web.get(url, headers={"If-None-Match": etag}).status_code == 304
    same_day = web.get(url, headers={"If-Modified-Since": modified})
    assert same_day.status_code == 304 and same_day.headers["etag"] == etag
    assert same_day.content == b""
    json_etag = web.get(path_of(feed_urls(store, sub).json)).headers["etag"]
    assert json_etag != etag  # two representations, two tags

    # A 304 is answered from the ids alone: with the briefs gone it is still a 304 ...
    for item in edition.items:
        BriefRepo(store).delete(item.brief_key)
    assert web.get(url, headers={"If-None-Match": etag}).status_code == 304

    # ... and a new digest changes both validators.
    send_edition(store, sub, 2)
    changed = web.get(url, headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert len(feedparser.parse(changed.content).entries) == 1  # the first lost its briefs


def test_bad_forged_and_revoked_tokens_get_the_same_404(web: httpx.Client, store: Store) -> None:
    sub = reader(store)
    send_edition(store, sub, 1)
    key = store.settings.signing_key()
    good = tokens.feed_token(key, sub.id, 0)
    forged = tokens.feed_token(b"another-key-entirely-000000000000", sub.id, 0)
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    nobody = tokens.feed_token(key, "000000000000", 0)
    preferences = tokens.sign(key, "preferences", sub.id)  # a real token, another purpose
    SubscriberRepo(store).new_feed_address(sub.id)
    answers = [
        web.get(f"/feed/{token}.{form}")
        for token in ("x", good, forged, tampered, nobody, preferences, "%00")
        for form in ("xml", "json")
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1  # no hint which check failed
    assert web.get(path_of(feed_urls(store, SubscriberRepo(store).require(sub.id)).atom)).is_success


def test_the_token_does_not_show_the_reader(store: Store) -> None:
    sub = reader(store)
    token = tokens.feed_token(store.settings.signing_key(), sub.id, 0)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for text in (token, raw.decode("latin-1")):
        assert sub.id not in text and "reader" not in text
    assert tokens.open_feed_token(store.settings.signing_key(), token) == (sub.id, 0)


def test_a_new_feed_address_from_the_preferences_page(web: httpx.Client, store: Store) -> None:
    sub = reader(store)
    old = path_of(feed_urls(store, sub).atom)
    prefs = f"/preferences/{tokens.sign(store.settings.signing_key(), 'preferences', sub.id)}"
    page = web.get(prefs)
    assert page.status_code == 200
    links = re.findall(r'href="([^"]+/feed/[^"]+)"', page.text)
    assert [path_of(link) for link in links] == [old, old.replace(".xml", ".json")]
    action = re.search(r'action="(/feed/new/[^"]+)"', page.text)
    assert action and "New feed address" in page.text

    renewed = web.post(action.group(1), follow_redirects=True)
    assert renewed.status_code == 200
    assert "no longer works" in renewed.text
    new = path_of(feed_urls(store, SubscriberRepo(store).require(sub.id)).atom)
    assert new != old and new in renewed.text.replace(store.settings.web.base_url.rstrip("/"), "")
    assert web.get(old).status_code == 404
    assert web.get(new).status_code == 200
    assert web.post("/feed/new/not-a-token").status_code == 404


def test_a_reader_with_no_digest_yet_gets_a_valid_empty_feed(
    web: httpx.Client, store: Store
) -> None:
    sub = reader(store)
    urls = feed_urls(store, sub)
    parsed = feedparser.parse(web.get(path_of(urls.atom)).content)
    assert parsed.bozo == 0 and parsed.version == "atom10" and parsed.entries == []
    data = web.get(path_of(urls.json)).json()
    check_json_feed(data)
    assert data["items"] == []


def top_story(store: Store, n: int, *, languages: tuple[str, ...]) -> Brief:
    now = utcnow()
    article = StoryArticle(
        id=f"a{n}", source_id="s1", url=f"https://x.example/{n}", title=f"t{n}", published=now
    )
    story = Story(
        id=f"story{n:04d}",
        title=f"Story {n}",
        articles=[article],
        first_seen=now - timedelta(hours=3),
        last_updated=now - timedelta(hours=1),
        score=1.0 - n / 10,
    )
    StoryRepo(store).save(story)
    brief = make_brief(n)
    for lang in languages:
        BriefRepo(store).put(f"top-{n}-{lang}", brief.model_copy(update={"language": lang}))
    return brief


def test_the_public_feed_of_the_days_top_stories(web: httpx.Client, store: Store) -> None:
    top_story(store, 1, languages=("en", "ja"))
    top_story(store, 2, languages=("en",))
    top_story(store, 3, languages=())  # no brief yet: left out

    answer = web.get("/feed/top.xml")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(answer.content)
    assert parsed.bozo == 0
    assert parsed.feed.title == "AIToday · today's top AI stories"
    assert [e.link.rsplit("/", 1)[1] for e in parsed.entries] == ["story0001", "story0002"]
    assert (
        web.get("/feed/top.xml", headers={"If-None-Match": answer.headers["etag"]}).status_code
        == 304
    )

    ja = feedparser.parse(web.get("/feed/top.xml?lang=ja").content)
    assert ja.feed.title == "AIToday · 今日の主要AIニュース"
    assert [e.link.rsplit("/", 1)[1] for e in ja.entries] == [
        "story0001?lang=ja",
        "story0002?lang=ja",
    ]
    assert [e.title_detail.language for e in ja.entries] == [
        "ja",
        "en",
    ]  # English where no ja brief

    data = web.get("/feed/top.json?lang=ja").json()
    check_json_feed(data)
    assert data["feed_url"].endswith("/feed/top.json?lang=ja")
    assert [item["language"] for item in data["items"]] == ["ja", "en"]
    assert web.get("/feed/top.json?lang=xx").json()["language"] == "en"


def test_every_page_points_feed_readers_at_the_public_feed(web: httpx.Client) -> None:
    links = re.findall(
        r'<link rel="alternate" type="([^"]+)" title="AIToday" href="([^"]+)"', web.get("/").text
    )
    assert links == [
        ("application/atom+xml", "/feed/top.xml"),
        ("application/feed+json", "/feed/top.json"),
    ]
    ja = web.get("/?lang=ja").text
    assert 'href="/feed/top.xml?lang=ja"' in ja


def test_a_deleted_readers_feed_is_gone(web: httpx.Client, store: Store) -> None:
    sub = reader(store)
    send_edition(store, sub, 1)
    url = path_of(feed_urls(store, sub).atom)
    assert web.get(url).status_code == 200
    SubscriberRepo(store).delete(sub.id)
    assert web.get(url).status_code == 404

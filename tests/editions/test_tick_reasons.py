"""Why this story, as the digest tick decides it: stored on each edition item, part of
what makes two readers share an edition, and shown by every renderer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bots.email.render import render_email
from bots.line.render import render_line
from core.editions.preview import preview_edition
from core.editions.tick import build_editions
from core.models import Edition, EditionItem, Story, StoryArticle, StoryReason, Subscriber
from core.preferences import apply_setting, new_subscriber
from core.store.base import Store
from core.store.editions import EditionRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo

# 07:30 in Tokyo on 2026-11-28 is 22:30 UTC on the 27th.
SLOT = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
BEFORE = SLOT - timedelta(hours=6)
BASE = "https://aitoday.example.org"


def make_story(n: int, title: str, sources: int, hours_ago: float, topics: list[str]) -> Story:
    """A story ``sources`` outlets told, the last ``hours_ago`` before the slot."""
    articles = [
        StoryArticle(
            id=f"art{n}-{i}",
            source_id=f"outlet{i}",
            url=f"https://outlet{i}.example/news/{n}",
            title=title,
            published=SLOT - timedelta(hours=hours_ago + 2 * i),
        )
        for i in range(sources)
    ]
    return Story(
        id=f"story{n:03d}",
        title=title,
        articles=articles,
        first_seen=min(a.published for a in articles),
        last_updated=max(a.published for a in articles),
        source_count=sources,
        topics=topics,
        score=1.0 - n / 100,
    )


def seed(store: Store) -> list[Story]:
    """Three stories: one many outlets told yesterday (chips), one alone (research), one
    that three outlets published in the last hours (models)."""
    now = datetime.now(UTC)
    shift = now - SLOT  # stored stories must be recent for the tick's pool
    made = [
        make_story(1, "Nvidia ships Blackwell Ultra GPUs to cloud providers", 5, 10, ["chips"]),
        make_story(2, "A lab publishes a paper on sparse attention", 1, 3, ["research"]),
    ]
    rising = make_story(3, "Mistral releases a new open model", 1, 0.5, ["models"])
    rising.articles = [
        a.model_copy(update={"source_id": f"wire{i}", "published": SLOT - timedelta(hours=i)})
        for i, a in enumerate([rising.articles[0]] * 3)
    ]
    made.append(rising)
    repo = StoryRepo(store)
    for story in made:
        repo.save(story.model_copy(update={"last_updated": story.last_updated + shift}))
    return made


def add(store: Store, **kw: object) -> Subscriber:
    base: dict[str, object] = {"timezone": "Asia/Tokyo", "delivery_time": "07:30", "now": BEFORE}
    base.update(kw)
    sub = new_subscriber(**base)  # type: ignore[arg-type]
    return SubscriberRepo(store).add(sub, now=BEFORE)


def reasons_of(edition: Edition) -> dict[str, StoryReason | None]:
    return {item.story_id: item.reason for item in edition.items}


def test_each_item_carries_the_reason_decided_at_the_slot(store: Store) -> None:
    seed(store)
    add(store, email="a@example.com")
    [edition] = build_editions(store, SLOT).editions
    assert reasons_of(edition) == {
        "story001": StoryReason(kind="sources", values={"n": 5}),
        "story002": StoryReason(kind="top"),
        "story003": StoryReason(kind="rising", values={"n": 3, "hours": 2}),
    }
    stored = EditionRepo(store).load_for_render(edition.id)
    assert reasons_of(stored) == reasons_of(edition)


def test_readers_with_the_same_stories_for_other_reasons_get_their_own_edition(
    store: Store,
) -> None:
    seed(store)
    plain = [add(store, email=f"p{n}@example.com") for n in range(3)]
    chips = [add(store, email=f"c{n}@example.com") for n in range(2)]
    for sub in chips:
        SubscriberRepo(store).save(apply_setting(sub, "topics", "chips"), now=BEFORE)
    robots = add(store, email="r@example.com")  # follows a topic none of the stories has
    SubscriberRepo(store).save(apply_setting(robots, "topics", "robotics"), now=BEFORE)

    result = build_editions(store, SLOT)

    members: dict[str, set[str]] = {}
    for batch in result.batches:
        members.setdefault(batch.edition_id, set()).update(
            r.subscriber_id for r in batch.recipients
        )
    by_members = {frozenset(members[e.id]): e for e in result.editions}
    assert set(by_members) == {
        frozenset({*(s.id for s in plain), robots.id}),
        frozenset(s.id for s in chips),
    }
    followed = by_members[frozenset(s.id for s in chips)]
    assert reasons_of(followed)["story001"] == StoryReason(kind="topic", values={"topic": "chips"})
    assert [i.story_id for i in followed.items] == [
        i.story_id for i in by_members[frozenset({*(s.id for s in plain), robots.id})].items
    ]


def test_the_renderers_show_the_reason_in_the_readers_language(store: Store) -> None:
    seed(store)
    sub = add(store, email="ja@example.com", language="ja")
    SubscriberRepo(store).save(apply_setting(sub, "topics", "chips"), now=BEFORE)
    [edition] = build_editions(store, SLOT).editions
    loaded = EditionRepo(store).load_for_render(edition.id)

    mail = render_email(loaded, base_url=BASE)
    assert "フォロー中のトピック: 半導体と計算資源" in mail.html
    assert "急上昇: 2時間で新たに3件の情報源" in mail.text
    assert "今日の注目ニュース" in mail.text
    line = render_line(loaded.model_copy(update={"channel": "line"}), base_url=BASE)
    assert "フォロー中のトピック: 半導体と計算資源" in str(line)


def test_the_preview_shows_the_reasons_the_tick_would_give(store: Store) -> None:
    seed(store)
    sub = add(store, email="a@example.com")
    SubscriberRepo(store).save(apply_setting(sub, "include", "Blackwell"), now=BEFORE)
    stored = SubscriberRepo(store).get(sub.id)
    assert stored is not None
    preview = preview_edition(store, stored, stored.channels[0], SLOT, edition_id="preview")
    assert reasons_of(preview) == {
        "story001": StoryReason(kind="keyword", values={"keyword": "Blackwell"}),
    }


def test_an_edition_stored_before_reasons_existed_loads_and_renders_without_them() -> None:
    item = EditionItem.model_validate_json('{"story_id": "s1", "brief_key": "k1"}')
    assert item.reason is None

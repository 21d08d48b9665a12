"""More / less like this, learned and used by the real digest tick on a real Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import feedback
from core.editions.preview import preview_edition
from core.editions.tick import build_editions, story_pool
from core.models import Edition, Story, StoryArticle, Subscriber, utcnow
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.feedback import FeedbackRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from core.stories.learned import Learned, learn, multiplier
from core.stories.personalize import pick

SLOT = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)  # 07:30 in Tokyo
BEFORE = SLOT - timedelta(hours=6)
OTHER_TOPICS = ("models", "research", "policy", "safety", "business", "robotics", "tools")


def topic_of(n: int) -> str:
    return "chips" if n % 3 == 0 else OTHER_TOPICS[n % len(OTHER_TOPICS)]


def chip_story(n: int) -> Story:
    now = utcnow()
    articles = [
        StoryArticle(
            id=f"art{n}-{i}",
            source_id=f"src{n}-{i}",
            url=f"https://src{n}-{i}.example/news/{n}",
            title=f"Lab {n} reports item number {n} for readers",
            published=now - timedelta(hours=2, minutes=i),
        )
        for i in range(2)
    ]
    return Story(
        id=f"story{n:03d}",
        title=articles[0].title,
        articles=articles,
        first_seen=articles[-1].published,
        last_updated=articles[0].published,
        source_count=2,
        topics=[topic_of(n)],
        score=1.0 - n / 100,
    )


@pytest.fixture
def stories(store: Store) -> list[Story]:
    repo = StoryRepo(store)
    made = [chip_story(n) for n in range(24)]
    for story in made:
        repo.save(story)
    return made


def add(store: Store, email: str) -> Subscriber:
    sub = new_subscriber(email=email, timezone="Asia/Tokyo", delivery_time="07:30", now=BEFORE)
    return SubscriberRepo(store).add(sub, now=BEFORE)


def edition_of(editions: list[Edition], result_plan: object, sub: Subscriber) -> list[str]:
    del editions
    rows = [row for row in result_plan if row.subscriber_id == sub.id]  # type: ignore[attr-defined]
    assert len(rows) == 1, rows
    return list(rows[0].story_ids)


def chips(ids: list[str], by_id: dict[str, Story]) -> int:
    return sum(1 for sid in ids if by_id[sid].topics == ["chips"])


def test_less_on_three_chip_stories_means_fewer_chips_the_next_day_for_that_reader_only(
    store: Store, stories: list[Story]
) -> None:
    by_id = {s.id: s for s in stories}
    tapper = add(store, "tapper@example.com")
    other = add(store, "other@example.com")
    day1 = build_editions(store, SLOT)
    first = edition_of(day1.editions, day1.plan, tapper)
    assert first == edition_of(day1.editions, day1.plan, other)
    assert chips(first, by_id) == 2  # the per-topic cap, before any tap

    tapped = [sid for sid in first if by_id[sid].topics == ["chips"]] + ["story006"]
    for sid in tapped:
        feedback.record(store, tapper.id, by_id[sid], "less", "email", now=SLOT)

    previewed = preview_edition(
        store, tapper, tapper.channels[0], SLOT + timedelta(days=1), edition_id="preview"
    )
    day2 = build_editions(store, SLOT + timedelta(days=1))
    mine = edition_of(day2.editions, day2.plan, tapper)
    assert [i.story_id for i in previewed.items] == mine  # the preview ranks as the tick
    theirs = edition_of(day2.editions, day2.plan, other)
    assert chips(theirs, by_id) == 2
    assert chips(mine, by_id) < chips(theirs, by_id)
    assert len(mine) == len(theirs) == 5
    # The other reader's list is exactly what the ranking gives without any taps.
    pool = story_pool(store, "daily")
    untouched = pick(pool, other.prefs, limit=5, already_sent=frozenset(first))
    assert theirs == [s.id for s in untouched]


def test_more_lifts_a_topic_but_never_past_the_bound(store: Store, stories: list[Story]) -> None:
    reader = add(store, "more@example.com")
    for n in (1, 8, 22):  # "research" (n % 7 == 1, not a multiple of 3)
        feedback.record(store, reader.id, stories[n], "more", "slack", now=SLOT)
    weights = feedback.tick_weights(store, [reader.id], SLOT)[reader.id]
    assert weights.strengths["topic:research"] == pytest.approx(3.0, rel=1e-3)
    assert multiplier(weights.strengths["topic:research"], 0.5) < 1.5
    assert multiplier(1000.0, 0.5) <= 1.5 and multiplier(-1000.0, 0.5) >= 0.5
    # one tap moves a topic a little: it does not hide it
    assert multiplier(-1.0, 0.5) > 0.8


def test_decay_halves_a_tap_after_the_half_life(store: Store, stories: list[Story]) -> None:
    reader = add(store, "decay@example.com")
    event = feedback.record(store, reader.id, stories[0], "less", "email", now=SLOT)
    half_life = store.settings.feedback.half_life_days
    later = SLOT + timedelta(days=half_life)
    now_weights = feedback.tick_weights(store, [reader.id], SLOT)[reader.id]
    later_weights = feedback.tick_weights(store, [reader.id], later)[reader.id]
    assert now_weights.strengths["topic:chips"] == pytest.approx(-1.0)
    assert later_weights.strengths["topic:chips"] == pytest.approx(-0.5, rel=1e-3)
    # the stored sums, relearned from the events, agree
    relearned = learn([event], later, half_life)
    assert relearned.strengths["topic:chips"] == pytest.approx(-0.5, rel=1e-3)
    # far enough, a tap is gone from the tick altogether
    far = SLOT + timedelta(days=half_life * 10)
    assert feedback.tick_weights(store, [reader.id], far) == {}


def test_one_tap_per_story_the_cap_and_undo(store: Store, stories: list[Story]) -> None:
    store.settings.feedback.max_events = 3
    reader = add(store, "cap@example.com")
    feedback.record(store, reader.id, stories[0], "less", "email", now=SLOT)
    changed = feedback.record(store, reader.id, stories[0], "more", "email", now=SLOT)
    repo = FeedbackRepo(store)
    assert [(e.story_id, e.direction) for e in repo.events(reader.id)] == [("story000", "more")]
    for n in (1, 2, 3):
        feedback.record(store, reader.id, stories[n], "less", "line", now=SLOT)
    assert [e.story_id for e in repo.events(reader.id)] == ["story001", "story002", "story003"]
    assert feedback.undo(store, reader.id, changed.id) is None  # capped out already
    last = repo.events(reader.id)[-1]
    assert feedback.undo(store, reader.id, last.id) == last
    assert [e.story_id for e in repo.events(reader.id)] == ["story001", "story002"]
    learned = Learned.from_json(repo.learned(reader.id) or "")
    assert "source:src3-0" not in learned.strengths
    assert feedback.reset(store, reader.id) == 2
    assert repo.events(reader.id) == [] and repo.learned(reader.id) is None

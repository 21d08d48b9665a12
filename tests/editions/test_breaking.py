"""Breaking alerts through the tick: threshold, opt-in, quiet hours, per-day cap."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.editions.tick import build_editions
from core.models import Source, Story, StoryArticle, Subscriber, utcnow
from core.preferences import apply_setting, new_subscriber
from core.store.base import Store
from core.store.sources import SourceRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo

STRONG = ["lab", "wire", "paper", "daily"]


def breaking_story(n: int, first_seen: datetime) -> Story:
    articles = [
        StoryArticle(
            id=f"b{n}-{i}",
            source_id=source,
            url=f"https://{source}.example/{n}",
            title=f"Major lab {n} announces a breakthrough model",
            published=first_seen + timedelta(minutes=20 * i),
        )
        for i, source in enumerate(STRONG)
    ]
    return Story(
        id=f"breaking{n}",
        title=articles[0].title,
        articles=articles,
        first_seen=first_seen,
        last_updated=articles[-1].published,
        source_count=len(STRONG),
        score=2.0,
    )


@pytest.fixture
def now(store: Store) -> datetime:
    SourceRepo(store).put_many(
        Source(id=s, url=f"https://{s}.example/feed", title=s, authority=0.9) for s in STRONG
    )
    return utcnow().replace(second=0, microsecond=0)


def subscriber(store: Store, email: str, **settings: str) -> Subscriber:
    sub = new_subscriber(email=email, timezone="UTC", delivery_time="07:30", frequency="paused")
    sub = apply_setting(sub, "breaking", "on")
    for key, value in settings.items():
        sub = apply_setting(sub, key, value)
    return SubscriberRepo(store).add(sub)


def alerted(result: object) -> set[str]:
    return {r.subscriber_id for b in result.batches for r in b.recipients}  # type: ignore[attr-defined]


def test_opted_in_subscribers_get_one_alert_per_story(store: Store, now: datetime) -> None:
    fan = subscriber(store, "fan@example.com")
    SubscriberRepo(store).add(new_subscriber(email="quiet@example.com", frequency="paused"))
    StoryRepo(store).save(breaking_story(1, now - timedelta(hours=2)))
    first = build_editions(store, now)
    assert alerted(first) == {fan.id}
    assert [e.kind for e in first.editions] == ["breaking"]
    assert alerted(build_editions(store, now + timedelta(minutes=5))) == set()


def test_quiet_hours_defer_until_they_end(store: Store, now: datetime) -> None:
    start = (now - timedelta(hours=1)).strftime("%H:%M")
    end = (now + timedelta(hours=1)).strftime("%H:%M")
    sleeper = subscriber(store, "sleeper@example.com", quiet=f"{start}-{end}")
    StoryRepo(store).save(breaking_story(1, now - timedelta(hours=1)))
    assert alerted(build_editions(store, now)) == set()
    assert alerted(build_editions(store, now + timedelta(minutes=30))) == set()
    assert alerted(build_editions(store, now + timedelta(hours=1))) == {sleeper.id}


def test_at_most_k_alerts_a_day(store: Store, now: datetime) -> None:
    store.settings.digest.breaking_per_day = 1
    fan = subscriber(store, "fan@example.com")
    repo = StoryRepo(store)
    repo.save(breaking_story(1, now - timedelta(hours=2)))
    assert alerted(build_editions(store, now)) == {fan.id}
    repo.save(breaking_story(2, now - timedelta(hours=1)))
    assert alerted(build_editions(store, now)) == set()  # same minute: same local day


def test_muted_words_hold_back_an_alert(store: Store, now: datetime) -> None:
    subscriber(store, "picky@example.com", mute="word:breakthrough")
    StoryRepo(store).save(breaking_story(1, now - timedelta(hours=2)))
    assert alerted(build_editions(store, now)) == set()

"""The digest tick against a real Redis, with stories stored through the stories room's
StoryRepo, its real ``pick`` and real (extractive) briefs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.editions.tick import build_editions, weekly_pool
from core.models import ChannelStatus, ScoreParts, Story, StoryArticle, Subscriber, utcnow
from core.preferences import apply_setting, new_subscriber
from core.store.base import Store
from core.store.editions import EditionRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from core.stories.rank import CROWD_FREE
from core.tokens import verify

# 07:30 in Tokyo on 2026-11-28 is 22:30 UTC on the 27th.
SLOT = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
BEFORE = SLOT - timedelta(hours=6)


def make_story(n: int, topics: list[str] | None = None, sources: int = 2) -> Story:
    now = utcnow()
    articles = [
        StoryArticle(
            id=f"art{n}-{i}",
            source_id=f"source{i}",
            url=f"https://source{i}.example/news/{n}",
            title=f"Lab {n} releases model number {n} for developers",
            published=now - timedelta(hours=2, minutes=i),
        )
        for i in range(sources)
    ]
    return Story(
        id=f"story{n:03d}",
        title=articles[0].title,
        articles=articles,
        first_seen=articles[-1].published,
        last_updated=articles[0].published,
        source_count=sources,
        topics=topics or [],
        score=1.0 - n / 100,
    )


@pytest.fixture
def stories(store: Store) -> list[Story]:
    repo = StoryRepo(store)
    made = [make_story(n) for n in range(12)]
    for story in made:
        repo.save(story)
    return made


def add(store: Store, **kw: object) -> Subscriber:
    base: dict[str, object] = {"timezone": "Asia/Tokyo", "delivery_time": "07:30", "now": BEFORE}
    base.update(kw)
    sub = new_subscriber(**base)  # type: ignore[arg-type]
    return SubscriberRepo(store).add(sub, now=BEFORE)


def test_variants_batches_and_tokens(store: Store, stories: list[Story]) -> None:
    a = add(store, email="a@example.com")
    b = add(store, email="b@example.com")
    ja = add(store, email="ja@example.com", language="ja")
    slack = add(store, slack="T1/C1")
    SubscriberRepo(store).save(apply_setting(slack, "slack.items", "3"), now=BEFORE)
    gone = add(store, email="gone@example.com")
    SubscriberRepo(store).set_channel_status(gone.id, "email", ChannelStatus.BOUNCED, "550")
    later = add(store, email="later@example.com", delivery_time="08:00")

    result = build_editions(store, SLOT)

    assert result.due == 4
    by_channel = {(e.channel, e.language): e for e in result.editions}
    assert set(by_channel) == {("email", "en"), ("email", "ja"), ("slack", "en")}
    assert len(by_channel[("email", "en")].items) == 5
    assert len(by_channel[("slack", "en")].items) == 3
    recipients = {r.subscriber_id: r for batch in result.batches for r in batch.recipients}
    assert set(recipients) == {a.id, b.id, ja.id, slack.id}
    assert gone.id not in recipients and later.id not in recipients
    key = store.settings.signing_key()
    assert verify(key, "unsubscribe", recipients[a.id].unsubscribe_token or "") == f"{a.id}:email"
    assert recipients[slack.id].unsubscribe_token is None
    loaded = EditionRepo(store).load_for_render(by_channel[("email", "ja")].id)
    assert [b.story_id for b in loaded.briefs] == [i.story_id for i in loaded.items]
    assert SubscriberRepo(store).sent_story_ids(a.id) == {
        i.story_id for i in by_channel[("email", "en")].items
    }


def test_batches_respect_the_batch_size(store: Store, stories: list[Story]) -> None:
    store.settings.digest.batch_size = 2
    for n in range(5):
        add(store, email=f"u{n}@example.com")
    result = build_editions(store, SLOT)
    assert [len(b.recipients) for b in result.batches] == [2, 2, 1]
    assert len({b.job_id for b in result.batches}) == 3


def test_a_second_tick_and_concurrent_ticks_build_nothing_twice(
    store: Store, stories: list[Story]
) -> None:
    ids = {add(store, email=f"u{n}@example.com").id for n in range(20)}
    results = []

    def tick() -> None:
        results.append(build_editions(store, SLOT))

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    got = [r.subscriber_id for res in results for b in res.batches for r in b.recipients]
    assert sorted(got) == sorted(ids)
    again = build_editions(store, SLOT + timedelta(minutes=5))
    assert again.batches == [] and again.editions == []


def test_catch_up_within_the_window_and_skip_beyond(store: Store, stories: list[Story]) -> None:
    recent = add(store, email="recent@example.com", delivery_time="07:30")
    old = add(store, email="old@example.com", delivery_time="04:00")
    late = SLOT + timedelta(minutes=170)  # 10:20 JST; 04:00 JST was 6h20 ago
    result = build_editions(store, late)
    got = {r.subscriber_id for b in result.batches for r in b.recipients}
    assert got == {recent.id}
    assert result.skipped["slot missed"] == 1
    repo = SubscriberRepo(store)
    assert repo.next_due(old.id) == datetime(2026, 11, 28, 19, 0, tzinfo=UTC)  # 04:00 JST 29th
    assert repo.next_due(recent.id) == SLOT + timedelta(days=1)


def test_never_two_digests_a_day(store: Store, stories: list[Story]) -> None:
    sub = add(store, email="a@example.com")
    assert build_editions(store, SLOT).recipients == 1
    repo = SubscriberRepo(store)
    moved = apply_setting(repo.require(sub.id), "time", "09:00")
    repo.save(moved, now=SLOT + timedelta(minutes=10))
    nine = SLOT + timedelta(minutes=90)
    result = build_editions(store, nine)
    assert result.recipients == 0
    assert result.skipped["already sent today"] == 1
    assert repo.next_due(sub.id) == nine + timedelta(days=1)


def test_daily_digests_do_not_repeat_stories(store: Store, stories: list[Story]) -> None:
    sub = add(store, email="a@example.com")
    first = build_editions(store, SLOT)
    second = build_editions(store, SLOT + timedelta(days=1))
    one = {i.story_id for i in first.editions[0].items}
    two = {i.story_id for i in second.editions[0].items}
    assert len(one) == len(two) == 5 and not one & two
    assert second.batches[0].recipients[0].subscriber_id == sub.id


def test_dst_change_delivers_at_local_time_once_a_day(store: Store, stories: list[Story]) -> None:
    sub = new_subscriber(email="ny@example.com", timezone="America/New_York", max_items=1)
    start = datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
    SubscriberRepo(store).add(sub, now=start)
    sent: list[datetime] = []
    at = start
    while at < start + timedelta(days=4):
        result = build_editions(store, at)
        sent.extend(result.at for b in result.batches for _ in b.recipients)
        at += timedelta(minutes=30)
    local = [s.astimezone(ZoneInfo("America/New_York")).strftime("%m-%d %H:%M") for s in sent]
    assert local == ["03-06 07:30", "03-07 07:30", "03-08 07:30", "03-09 07:30"]


def test_dry_run_writes_nothing_and_plans_addresses(store: Store, stories: list[Story]) -> None:
    add(store, email="a@example.com")
    before = {k: store.redis.dump(k) for k in store.redis.scan_iter(match=store.keys.pattern())}
    result = build_editions(store, SLOT, dry_run=True)
    after = {k: store.redis.dump(k) for k in store.redis.scan_iter(match=store.keys.pattern())}
    assert before == after
    assert [(r.address, r.note, len(r.story_ids)) for r in result.plan] == [
        ("a@example.com", "due", 5)
    ]


def test_weekly_channel_gets_the_weekly_edition(store: Store, stories: list[Story]) -> None:
    # 2026-11-28 is a Saturday in Tokyo.
    sub = add(store, email="w@example.com", frequency="weekly:sat")
    result = build_editions(store, SLOT)
    assert [e.kind for e in result.editions] == ["weekly"]
    assert result.batches[0].recipients[0].subscriber_id == sub.id
    assert SubscriberRepo(store).next_due(sub.id) == SLOT + timedelta(days=7)


def test_nothing_to_send_is_retried_not_claimed(store: Store) -> None:
    sub = add(store, email="a@example.com")
    empty = build_editions(store, SLOT)
    assert empty.editions == [] and empty.skipped["nothing to send"] == 1
    assert SubscriberRepo(store).next_due(sub.id) == SLOT
    repo = StoryRepo(store)
    repo.save(make_story(1))
    assert build_editions(store, SLOT + timedelta(minutes=5)).recipients == 1


def test_weekly_pool_ranks_by_lasting_importance() -> None:
    fresh_minor = make_story(1).model_copy(
        update={"score": 0.9, "score_parts": ScoreParts(authority=0.2, relevance=0.5, recency=1.0)}
    )
    old_major = make_story(2).model_copy(
        update={
            "score": 0.1,
            "score_parts": ScoreParts(authority=0.95, relevance=0.9, recency=0.05),
        }
    )
    pool = weekly_pool([fresh_minor, old_major], 5)
    assert [s.id for s in pool] == [old_major.id, fresh_minor.id]
    assert pool[0].score > pool[1].score


def _scored(story: Story, source: str, authority: float) -> Story:
    articles = [a.model_copy(update={"source_id": source}) for a in story.articles]
    parts = ScoreParts(authority=authority, relevance=0.9, novelty=1.0, recency=0.1)
    return story.model_copy(update={"articles": articles, "score": 0.1, "score_parts": parts})


def test_a_flooding_source_cannot_fill_a_weekly_recap(store: Store) -> None:
    flood = [_scored(make_story(n, sources=1), "flooder", 0.9) for n in range(10)]
    others = [_scored(make_story(n, sources=1), f"desk{n}", 0.6) for n in range(10, 14)]
    repo = StoryRepo(store)
    for story in flood + others:
        repo.save(story)
    add(store, email="w@example.com", frequency="weekly:sat", max_items=5)

    (edition,) = build_editions(store, SLOT).editions

    assert edition.kind == "weekly" and len(edition.items) == 5
    flooded = {s.id for s in flood} & {i.story_id for i in edition.items}
    assert len(flooded) == CROWD_FREE


def test_extractive_digests_hold_only_stories_the_reader_can_read(store: Store) -> None:
    repo = StoryRepo(store)
    english, japanese = make_story(1), make_story(2)
    japanese = japanese.model_copy(
        update={"articles": [a.model_copy(update={"language": "ja"}) for a in japanese.articles]}
    )
    for story in (english, japanese):
        repo.save(story)
    en = add(store, email="en@example.com")
    ja = add(store, email="ja@example.com", language="ja")

    result = build_editions(store, SLOT)  # no LLM configured: briefs are extractive

    items = {e.language: [i.story_id for i in e.items] for e in result.editions}
    assert items == {"en": [english.id], "ja": [english.id, japanese.id]}
    assert {r.subscriber_id for b in result.batches for r in b.recipients} == {en.id, ja.id}

"""SubscriberRepo against a real Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import ValidationError
from core.models import ChannelStatus, Subscriber
from core.preferences import apply_setting, new_subscriber
from core.store.base import Store
from core.store.subscribers import SubscriberRepo

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def tokyo(
    email: str = "ann@example.com", line: str | None = None, slack: str | None = None
) -> Subscriber:
    return new_subscriber(
        email=email, line=line, slack=slack, timezone="Asia/Tokyo", delivery_time="07:30", now=NOW
    )


def test_add_get_and_due_index(store: Store) -> None:
    repo = SubscriberRepo(store)
    sub = repo.add(tokyo(), now=NOW)
    assert repo.get(sub.id) == sub
    slot = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
    assert repo.next_due(sub.id) == slot
    assert repo.due(datetime(2026, 11, 27, 22, 29, tzinfo=UTC)) == []
    assert repo.due(slot) == [sub.id]


def test_save_reindexes_and_refuses_taken_addresses(store: Store) -> None:
    repo = SubscriberRepo(store)
    ann = repo.add(tokyo(), now=NOW)
    bob = repo.add(tokyo("bob@example.com"), now=NOW)
    with pytest.raises(ValidationError):
        repo.add(tokyo("ANN@example.com"), now=NOW)
    moved = apply_setting(ann, "time", "06:00")
    repo.save(moved, now=NOW)
    assert repo.next_due(ann.id) == datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        repo.save(apply_setting(bob, "email", "ann@example.com"))
    changed = apply_setting(ann, "email", "ann@new.example")
    repo.save(changed, now=NOW)
    assert repo.by_address("email", "ann@example.com") is None
    found = repo.by_address("email", "Ann@New.Example")
    assert found is not None and found.id == ann.id


def test_address_lookup_holds_no_address(store: Store) -> None:
    repo = SubscriberRepo(store)
    repo.add(tokyo(line="U" + "c" * 32), now=NOW)
    for key in store.redis.scan_iter(match=store.keys.pattern()):
        kind = store.redis.type(key)
        if kind == b"hash" and b"addr" in key:
            for field, _ in store.redis.hgetall(key).items():
                assert b"@" not in field and b"ccc" not in field


def test_record_is_compact(store: Store) -> None:
    repo = SubscriberRepo(store)
    sub = repo.add(tokyo(), now=NOW)
    raw = store.redis.hget(store.keys.subscribers(), sub.id)
    assert raw is not None
    assert b"max_items" not in raw and b"topics_muted" not in raw
    assert len(raw) < 300


def test_channel_status_and_paused_leave_the_due_index(store: Store) -> None:
    repo = SubscriberRepo(store)
    sub = repo.add(tokyo(), now=NOW)
    updated = repo.set_channel_status(sub.id, "email", ChannelStatus.BOUNCED, "550 no such user")
    assert updated is not None
    email = updated.channels[0]
    assert (email.status, email.status_reason) == (ChannelStatus.BOUNCED, "550 no such user")
    assert repo.next_due(sub.id) is None
    assert repo.set_channel_status(sub.id, "line", "blocked") is None
    assert repo.set_channel_status("nobody", "email", "blocked") is None


def test_sent_history_is_bounded_and_expires(store: Store) -> None:
    repo = SubscriberRepo(store)
    sub = repo.add(tokyo(), now=NOW)
    repo.mark_sent(sub.id, [f"story{i:03d}" for i in range(100)])
    sent = repo.sent_story_ids(sub.id)
    assert len(sent) == 40
    assert store.redis.ttl(store.keys.subscriber_sent(sub.id)) > 0


def test_export_and_delete_leave_nothing(store: Store) -> None:
    repo = SubscriberRepo(store)
    sub = repo.add(tokyo(slack="T1/C1"))
    repo.save(apply_setting(sub, "breaking", "on"))
    repo.mark_sent(sub.id, ["s1"])
    today = datetime.now(UTC).date().isoformat()
    store.redis.hset(store.keys.slot_marker(today), sub.id, "tick1")
    store.redis.hset(store.keys.breaking_sent(today), sub.id, 1)
    store.redis.zadd(store.keys.breaking_deferred(), {f"{sub.id}:story1": 1.0})
    data = repo.export(sub.id)
    assert data["per_day_markers"] == {f"slots:{today}": "tick1", f"breaking:count:{today}": "1"}
    assert data["subscriber"]["channels"][0]["address"] == "ann@example.com"
    assert data["sent"].keys() == {"s:s1"}
    assert data["breaking_alerts_index"] is True
    assert repo.delete(sub.id)
    assert repo.get(sub.id) is None
    assert repo.by_address("slack", "T1/C1") is None
    for key in store.redis.scan_iter(match=store.keys.pattern()):
        kind = store.redis.type(key)
        if kind == b"hash":
            assert not store.redis.hexists(key, sub.id)
            assert sub.id.encode() not in store.redis.hvals(key)
        elif kind == b"zset":
            assert store.redis.zscore(key, sub.id) is None
        elif kind == b"set":
            assert not store.redis.sismember(key, sub.id)
        else:
            assert sub.id.encode() not in key
    assert not repo.delete(sub.id)


def test_iter_all_and_count(store: Store) -> None:
    repo = SubscriberRepo(store)
    subs = [tokyo(f"u{i}@example.com") for i in range(30)]
    repo.add_many(subs, now=NOW)
    assert repo.count() == 30
    assert {s.id for s in repo.iter_all(batch=7)} == {s.id for s in subs}


def test_sent_history_reads_stories_through_editions(store: Store) -> None:
    from core.models import Edition, EditionItem
    from core.store.editions import EditionRepo

    repo = SubscriberRepo(store)
    sub = repo.add(tokyo(), now=NOW)
    items = [EditionItem(story_id=f"st{i}", brief_key=f"k{i}") for i in range(3)]
    edition = Edition(
        id="ed1", channel="email", language="en", slot=NOW, created_at=NOW, items=items
    )
    EditionRepo(store).save(edition)
    repo.mark_editions_sent([([sub.id], "ed1"), ([sub.id], "expired-edition")], NOW)
    repo.mark_sent(sub.id, ["alone"])
    assert repo.sent_story_ids(sub.id) == {"st0", "st1", "st2", "alone"}
    assert repo.sent_many([sub.id, "nobody"]) == {
        sub.id: {"st0", "st1", "st2", "alone"},
        "nobody": set(),
    }


def test_concurrent_sign_ups_of_one_address_leave_one_owner(store: Store) -> None:
    import threading

    repo = SubscriberRepo(store)
    outcomes: list[str] = []

    def sign_up() -> None:
        try:
            repo.add(tokyo("same@example.com"), now=NOW)
            outcomes.append("added")
        except ValidationError as exc:
            outcomes.append(exc.field)

    threads = [threading.Thread(target=sign_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added"] + ["email"] * 7
    assert repo.count() == 1


def test_save_does_not_revive_a_deleted_subscriber(store: Store) -> None:
    repo = SubscriberRepo(store)
    sub = repo.add(tokyo(), now=NOW)
    repo.delete(sub.id)
    with pytest.raises(ValidationError) as info:
        repo.save(apply_setting(sub, "time", "08:00"))
    assert info.value.field == "id"
    assert repo.count() == 0


def test_reschedule_keeps_a_slot_changed_while_the_tick_ran(store: Store) -> None:
    repo = SubscriberRepo(store)
    stays = repo.add(tokyo("stays@example.com"), now=NOW)
    moved = repo.add(tokyo("moved@example.com"), now=NOW)
    paused = repo.add(tokyo("paused@example.com"), now=NOW)
    tick = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
    repo.save(apply_setting(moved, "time", "09:00"), now=tick)  # the user, mid-tick
    tomorrow = tick + timedelta(days=1)
    repo.reschedule({stays.id: tomorrow, moved.id: tomorrow, paused.id: None}, seen=tick)
    assert repo.next_due(stays.id) == tomorrow
    assert repo.next_due(moved.id) == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # 09:00 JST
    assert repo.next_due(paused.id) is None

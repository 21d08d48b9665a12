"""Applying reports to real Redis: marked once, counted once, never reviving a reader."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.bounces.apply import apply_events
from core.bounces.events import BounceEvent, BounceKind
from core.models import ChannelStatus, StatusSource, utcnow
from core.store.base import Store
from core.store.bounces import BounceRepo
from core.store.subscribers import SubscriberRepo
from tests.bounces.readers import add, status


def event(
    kind: BounceKind, address: str, event_id: str = "e1", at: datetime | None = None
) -> BounceEvent:
    return BounceEvent(kind, address, StatusSource.WEBHOOK, "ses", event_id, at=at)


def test_complaint_outranks_a_bounce(store: Store) -> None:
    sid = add(store, "a@example.com")
    apply_events(store, [event(BounceKind.BOUNCED, "a@example.com", "1")])
    apply_events(store, [event(BounceKind.COMPLAINED, "a@example.com", "2")])
    assert status(store, sid) is ChannelStatus.COMPLAINED
    assert BounceRepo(store).addresses() == {"complained": {"webhook": 1}}


def test_an_unsubscribed_reader_stays_unsubscribed(store: Store) -> None:
    sid = add(store, "a@example.com")
    SubscriberRepo(store).set_channel_status(sid, "email", ChannelStatus.UNSUBSCRIBED, "link")
    report = apply_events(store, [event(BounceKind.COMPLAINED, "a@example.com")])
    assert (report.unchanged, status(store, sid)) == (1, ChannelStatus.UNSUBSCRIBED)


def test_a_report_older_than_the_last_change_changes_nothing(store: Store) -> None:
    sid = add(store, "a@example.com")
    old = event(BounceKind.BOUNCED, "a@example.com", at=utcnow() - timedelta(days=1))
    assert apply_events(store, [old]).unchanged == 1
    assert status(store, sid) is ChannelStatus.ACTIVE


def test_unknown_addresses_are_counted(store: Store) -> None:
    report = apply_events(store, [event(BounceKind.BOUNCED, "nobody@example.com")])
    assert report.unknown == 1
    assert BounceRepo(store).received() == {"webhook:ses": {"unknown": 1}}


def test_address_index_follows_the_record(store: Store) -> None:
    repo = SubscriberRepo(store)
    smtp, hook = add(store, "s@example.com"), add(store, "h@example.com")
    repo.set_channel_status(smtp, "email", ChannelStatus.BOUNCED, "bounced: 550 5.1.1 unknown")
    apply_events(store, [event(BounceKind.BOUNCED, "h@example.com")])
    assert BounceRepo(store).addresses() == {"bounced": {"smtp": 1, "webhook": 1}}
    repo.set_channel_status(smtp, "email", ChannelStatus.ACTIVE, "confirmed again")
    repo.delete(hook)
    assert BounceRepo(store).addresses() == {}


def test_recount_rebuilds_the_index_from_the_records(store: Store) -> None:
    repo = SubscriberRepo(store)
    sid = add(store, "s@example.com")
    repo.set_channel_status(sid, "email", ChannelStatus.BOUNCED, "bounced: 550 5.1.1 unknown")
    store.redis.delete(store.keys.bounced_addresses())  # as before the index existed
    assert BounceRepo(store).addresses() == {}
    assert repo.recount_bounced() == 1
    assert BounceRepo(store).addresses() == {"bounced": {"smtp": 1}}

"""Apply bounce reports: mark the address bounced or complained, once, and count it.

Idempotent by construction: the status is set first (setting it twice changes nothing),
then the report is marked seen and counted only if it was not seen before, so a relay's
retry, a replay or a crash between the two steps never counts a report twice.
A report older than the channel's last status change (the reader confirmed again since)
changes nothing; a transient failure (4.x.x, deferred) is counted and changes nothing.
A mailed report (anyone can write to the bounce mailbox) counts only when the message it
returns names the address's owner (``BounceEvent.returned_id``); otherwise "unverified".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta

from core import metrics
from core.bounces.events import BounceEvent, BounceKind
from core.logs import scrub
from core.models import ChannelStatus, ChannelSub, StatusSource, Subscriber
from core.preferences import find_channel
from core.store.base import Store
from core.store.bounces import BounceRepo
from core.store.subscribers import SubscriberRepo

STATUS = {
    BounceKind.BOUNCED: ChannelStatus.BOUNCED,
    BounceKind.COMPLAINED: ChannelStatus.COMPLAINED,
}
# What each kind may replace: a complaint outranks a bounce; neither revives a reader
# who unsubscribed, nor touches one blocked or revoked.
REPLACES = {
    BounceKind.BOUNCED: {ChannelStatus.ACTIVE, ChannelStatus.PENDING},
    BounceKind.COMPLAINED: {ChannelStatus.ACTIVE, ChannelStatus.PENDING, ChannelStatus.BOUNCED},
}
# Relays' clocks and second-rounded timestamps: a report this much "before" the last
# change still counts. A stale replay after a re-subscription is hours or days old.
CLOCK_SLACK = timedelta(minutes=2)


@dataclass
class ApplyReport:
    """What a batch of reports did (the webhook answer and `aitoday bounces poll` print it)."""

    events: int = 0
    marked: int = 0  # addresses newly bounced or complained
    transient: int = 0
    unknown: int = 0  # no subscriber has that address
    duplicates: int = 0  # seen before (a retry or a replay)
    unchanged: int = 0  # already marked, unsubscribed, or older than the last change
    unverified: int = 0  # a mailed report whose returned message is not one we sent them

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def apply_events(store: Store, events: Iterable[BounceEvent]) -> ApplyReport:
    """Apply each report once (see the module docstring)."""
    report = ApplyReport()
    bounces, subscribers = BounceRepo(store), SubscriberRepo(store)
    for event in events:
        report.events += 1
        outcome = _apply_one(subscribers, event)
        if not bounces.first_time(event.provider, event.event_id):
            report.duplicates += 1
            continue
        kind = outcome if outcome in ("unknown", "unverified") else event.kind.value
        bounces.count(event.source.value, event.provider, kind)
        metrics.incr(
            store, "aitoday_bounce_reports_total",
            source=event.source.value, provider=event.provider, kind=kind,
        )  # fmt: skip
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _apply_one(subscribers: SubscriberRepo, event: BounceEvent) -> str:
    """The ApplyReport field this report adds to."""
    sub = _subscriber(subscribers, event)
    channel = None if sub is None else find_channel(sub, "email")
    if sub is None or channel is None:
        return "unknown"
    if event.source is StatusSource.DSN and event.returned_id != sub.id:
        return "unverified"
    if event.kind is BounceKind.TRANSIENT:
        return "transient"
    if not _changes(channel, event):
        return "unchanged"
    reason = scrub(event.reason())
    subscribers.set_channel_status(sub.id, "email", STATUS[event.kind], reason)
    return "marked"


def _subscriber(subscribers: SubscriberRepo, event: BounceEvent) -> Subscriber | None:
    found = subscribers.by_address("email", event.address) if event.address else None
    if found is None and event.returned_id:
        # a feedback loop that redacted the address, or a forwarding address: the
        # Message-ID of the digest we sent names the reader
        found = subscribers.get(event.returned_id)
    return found


def _changes(channel: ChannelSub, event: BounceEvent) -> bool:
    if channel.status not in REPLACES[event.kind]:
        return False
    changed = channel.status_at
    return event.at is None or changed is None or event.at + CLOCK_SLACK >= changed

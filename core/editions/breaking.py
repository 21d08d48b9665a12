"""Breaking alerts: a story that many strong sources carry within a few hours.

Rules (each a constant or a setting):

- A story is *breaking* when at least ``MIN_STRONG_SOURCES`` distinct sources with
  authority >= ``STRONG_AUTHORITY`` published it within ``WINDOW_HOURS`` of its first
  article, and it is still less than ``FRESH_HOURS`` old. Each story alerts once.
- Only subscribers with ``breaking_alerts`` on, on their ACTIVE channels, get it, and only
  when their preferences let the story through (muted topics, sources and words are
  honoured by the same ``pick`` as the digest) and it was not already sent to them.
- At most ``settings.digest.breaking_per_day`` alerts per subscriber per local day.
- Inside the subscriber's quiet hours the alert is deferred to the end of them; a deferred
  alert older than ``FRESH_HOURS`` by then is dropped (it is no longer news), and the
  story still reaches them in the next digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from core.editions.schedule import floor_minute
from core.editions.variants import Picker
from core.editions.writes import TickWrites
from core.models import ChannelSub, Story, Subscriber, active_channels, local_day, zone
from core.store.base import Store
from core.store.breaking import BreakingRepo
from core.store.sources import SourceRepo
from core.store.subscribers import SubscriberRepo

__all__ = [
    "FRESH_HOURS",
    "MIN_STRONG_SOURCES",
    "Alert",
    "in_quiet_hours",
    "is_breaking",
    "quiet_end",
    "select_alerts",
]

MIN_STRONG_SOURCES = 4
STRONG_AUTHORITY = 0.6
WINDOW_HOURS = 6.0
FRESH_HOURS = 12.0
DEFAULT_AUTHORITY = 0.5


@dataclass(frozen=True)
class Alert:
    """One breaking story for one subscriber on one channel."""

    subscriber: Subscriber
    channel: ChannelSub
    story_id: str


def is_breaking(story: Story, authority: Mapping[str, float], now: datetime) -> bool:
    """Whether enough strong sources carried the story fast enough, and it is fresh."""
    if now - story.first_seen > timedelta(hours=FRESH_HOURS):
        return False
    window = timedelta(hours=WINDOW_HOURS)
    strong = {
        a.source_id
        for a in story.articles
        if authority.get(a.source_id, DEFAULT_AUTHORITY) >= STRONG_AUTHORITY
        and a.published - story.first_seen <= window
    }
    return len(strong) >= MIN_STRONG_SOURCES


def _clock(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


def in_quiet_hours(sub: Subscriber, at: datetime) -> bool:
    """Whether ``at`` falls in the subscriber's quiet hours (which may span midnight)."""
    if not sub.quiet_start or not sub.quiet_end:
        return False
    now = at.astimezone(zone(sub.timezone)).time()
    start, end = _clock(sub.quiet_start), _clock(sub.quiet_end)
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end


def quiet_end(sub: Subscriber, at: datetime) -> datetime:
    """The next end of quiet hours after ``at`` (UTC)."""
    tz = zone(sub.timezone)
    local = at.astimezone(tz)
    end = _clock(sub.quiet_end or "00:00")
    for offset in (0, 1):
        day = local.date() + timedelta(days=offset)
        instant = datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
        if instant > at:
            return instant
    return at + timedelta(days=1)  # pragma: no cover - one of the two days is after


def select_alerts(
    store: Store,
    at: datetime,
    stories: Sequence[Story],
    pick: Picker,
    *,
    writes: TickWrites,
) -> list[Alert]:
    """Alerts to send at ``at``: new breaking stories plus deferred ones now due.

    Writes through ``writes``: the stories alerted, deferrals, the per-day counts.
    """
    minute = floor_minute(at)
    repo = SubscriberRepo(store)
    by_id = {s.id: s for s in stories}
    wanted = _deferred_due(store, minute, writes) + _new_breaking(store, stories, minute, writes)
    if not wanted:
        return []
    subs = {s.id: s for s in repo.get_many(sorted({sid for sid, _ in wanted}))}
    sent = repo.sent_many(sorted(subs))
    alerts: list[Alert] = []
    deferrals: dict[str, float] = {}
    for sub_id, story_id in wanted:
        sub, story = subs.get(sub_id), by_id.get(story_id)
        if sub is None or story is None or not sub.breaking_alerts:
            continue
        if minute - story.first_seen > timedelta(hours=FRESH_HOURS):
            continue
        if story_id in sent.get(sub_id, set()) or not pick([story], sub.prefs, limit=1):
            continue
        if in_quiet_hours(sub, minute):
            deferrals[f"{sub_id}:{story_id}"] = quiet_end(sub, minute).timestamp()
            continue
        day = local_day(sub, minute).isoformat()
        if writes.count_alert(day, sub_id) > store.settings.digest.breaking_per_day:
            continue
        alerts.extend(Alert(sub, c, story_id) for c in active_channels(sub))
        sent.setdefault(sub_id, set()).add(story_id)
    writes.defer(deferrals)
    return alerts


def _new_breaking(
    store: Store, stories: Iterable[Story], minute: datetime, writes: TickWrites
) -> list[tuple[str, str]]:
    """(subscriber, story) pairs for breaking stories not alerted yet; marks them alerted."""
    authority = _authority(store)
    fresh = [s for s in stories if is_breaking(s, authority, minute)]
    if not fresh:
        return []
    new = [s for s in fresh if writes.mark_alerted(s.id, minute.timestamp())]
    writes.trim_alerted(minute.timestamp())
    if not new:
        return []
    ids = sorted(SubscriberRepo(store).breaking_ids())
    return [(sub_id, story.id) for story in new for sub_id in ids]


def _deferred_due(store: Store, minute: datetime, writes: TickWrites) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for member in BreakingRepo(store).deferred_until(minute.timestamp()):
        if not writes.take_deferred(member):
            continue  # another tick took it
        sub_id, _, story_id = member.partition(":")
        pairs.append((sub_id, story_id))
    return pairs


def _authority(store: Store) -> dict[str, float]:
    return SourceRepo(store).authority()

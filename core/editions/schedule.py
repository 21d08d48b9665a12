"""When a subscriber is due: slots in local time, turned into UTC minutes.

A *slot* is the instant of one delivery: the subscriber's ``delivery_time`` on a local
calendar day that the frequency allows, in their IANA time zone. It is computed per day
from the zone rules, so 07:30 in America/New_York is 12:30 UTC in winter and 11:30 UTC in
summer, on both sides of the change, once a day. Two edge cases of the clock:

- a local time that does not exist (the spring-forward gap, e.g. 02:30) is delivered at
  the same wall-clock offset as before the change (03:30 local): late, never skipped;
- a local time that happens twice (the fall-back hour) is delivered at the first one;
  the per-day slot marker keeps the second from sending again.

Channels share the subscriber's time and zone; each may override the frequency, so a
slot is due when at least one ACTIVE channel's frequency allows that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.models import ChannelStatus, ChannelSub, Frequency, Subscriber

__all__ = [
    "active_channels",
    "channels_due",
    "effective_frequency",
    "floor_minute",
    "last_slot",
    "local_day",
    "next_slot",
    "slot_on",
    "zone",
]

_LOOKAHEAD_DAYS = 8  # a weekly slot is at most 7 days away


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """A time zone, cached: ZoneInfo keeps only a few strongly and re-reads the rest."""
    return ZoneInfo(name)


def floor_minute(at: datetime) -> datetime:
    """``at`` in UTC, seconds dropped (naive input is taken as UTC)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(second=0, microsecond=0)


def effective_frequency(sub: Subscriber, channel: ChannelSub) -> Frequency:
    """The channel's override, else the subscriber's default."""
    return channel.frequency or sub.frequency


def allows(frequency: Frequency, day: date, weekly_day: int) -> bool:
    """Whether a frequency delivers on a local calendar day."""
    if frequency is Frequency.DAILY:
        return True
    if frequency is Frequency.WEEKDAYS:
        return day.weekday() < 5
    if frequency is Frequency.WEEKLY:
        return day.weekday() == weekly_day
    return False


def active_channels(sub: Subscriber) -> list[ChannelSub]:
    """Channels that receive digests now."""
    return [c for c in sub.channels if c.status is ChannelStatus.ACTIVE]


def channels_due(sub: Subscriber, day: date) -> list[ChannelSub]:
    """ACTIVE channels whose frequency delivers on the local ``day``."""
    return [
        c for c in active_channels(sub) if allows(effective_frequency(sub, c), day, sub.weekly_day)
    ]


def slot_on(sub: Subscriber, day: date) -> datetime:
    """The UTC instant of the subscriber's delivery time on a local calendar day."""
    hour, minute = (int(part) for part in sub.delivery_time.split(":"))
    local = datetime.combine(day, time(hour, minute), tzinfo=zone(sub.timezone))
    # fold=0: the first of a repeated time; a time in the gap keeps the old offset.
    return local.astimezone(UTC)


def local_day(sub: Subscriber, at: datetime) -> date:
    """The subscriber's calendar day at instant ``at``."""
    return at.astimezone(zone(sub.timezone)).date()


def _days(sub: Subscriber, around: datetime, offsets: Iterable[int]) -> Iterable[date]:
    today = local_day(sub, around)
    return (today + timedelta(days=offset) for offset in offsets)


def next_slot(sub: Subscriber, after: datetime) -> datetime | None:
    """The first due slot strictly after ``after``; None when nothing will ever be due."""
    if not active_channels(sub):
        return None
    for day in _days(sub, after, range(_LOOKAHEAD_DAYS + 1)):
        instant = slot_on(sub, day)
        if instant > after and channels_due(sub, day):
            return instant
    return None


def last_slot(sub: Subscriber, at: datetime, window: timedelta) -> tuple[date, datetime] | None:
    """The latest due slot in ``(at - window, at]`` and its local day, else None."""
    if not active_channels(sub):
        return None
    back = window.days + 2
    for day in _days(sub, at, range(1, -back - 1, -1)):
        instant = slot_on(sub, day)
        if instant > at:
            continue
        if at - instant > window:
            return None
        if channels_due(sub, day):
            return day, instant
    return None

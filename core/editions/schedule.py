"""The digest tick's clock: whole UTC minutes and the latest slot inside a window.

What a slot is, and when a subscriber's next one falls (``next_slot``, ``slot_on``,
``channels_due``, ...), is core/models.py ("when a subscriber is due"): the store scores
its due index by it. The tick adds the window it looks back over.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.models import Subscriber, active_channels, channels_due, local_day, slot_on

__all__ = ["floor_minute", "last_slot"]


def floor_minute(at: datetime) -> datetime:
    """``at`` in UTC, seconds dropped (naive input is taken as UTC)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(second=0, microsecond=0)


def last_slot(sub: Subscriber, at: datetime, window: timedelta) -> tuple[date, datetime] | None:
    """The latest due slot in ``(at - window, at]`` and its local day, else None."""
    if not active_channels(sub):
        return None
    today = local_day(sub, at)
    back = window.days + 2
    for offset in range(1, -back - 1, -1):
        day = today + timedelta(days=offset)
        instant = slot_on(sub, day)
        if instant > at:
            continue
        if at - instant > window:
            return None
        if channels_due(sub, day):
            return day, instant
    return None

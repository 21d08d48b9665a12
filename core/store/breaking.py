"""Breaking-alert bookkeeping: stories already alerted, alerts deferred past quiet hours,
and each subscriber's alerts sent per day."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.store.base import Store
from core.store.keys import SLOT_MARKER_TTL

__all__ = ["BreakingRepo"]


class BreakingRepo:
    """Every storage query about breaking alerts, in one place."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis: Any = store.redis
        self.keys = store.keys

    # -- stories alerted --------------------------------------------------------------
    def was_alerted(self, story_id: str) -> bool:
        """Whether a story was alerted already (read only, for a dry run)."""
        return self.redis.zscore(self.keys.breaking_alerted(), story_id) is not None

    def mark_alerted(self, story_id: str, at: float) -> bool:
        """Mark a story alerted at ``at``; False if it was already (NX: two ticks never
        alert the same story twice)."""
        return bool(self.redis.zadd(self.keys.breaking_alerted(), {story_id: at}, nx=True))

    def trim_alerted(self, before: float) -> None:
        """Forget stories alerted before ``before`` (epoch seconds)."""
        self.redis.zremrangebyscore(self.keys.breaking_alerted(), "-inf", before)

    # -- deferred past quiet hours ----------------------------------------------------
    def defer(self, deferrals: Mapping[str, float]) -> None:
        """Keep ``"subscriber_id:story_id" -> when quiet hours end`` for a later tick."""
        self.redis.zadd(self.keys.breaking_deferred(), dict(deferrals))

    def deferred_until(self, until: float) -> list[str]:
        """Deferred ``"subscriber_id:story_id"`` members due by ``until``."""
        members = self.redis.zrangebyscore(self.keys.breaking_deferred(), "-inf", until)
        return [m.decode() for m in members]

    def take_deferred(self, member: str) -> bool:
        """Remove a deferred member; False if another tick took it first."""
        return bool(self.redis.zrem(self.keys.breaking_deferred(), member))

    # -- per-day cap ------------------------------------------------------------------
    def sent_on(self, day: str, subscriber_id: str) -> int:
        """Alerts sent to a subscriber on ``day`` (read only, for a dry run)."""
        raw: Any = self.redis.hget(self.keys.breaking_sent(day), subscriber_id)
        return int(raw) if raw is not None else 0

    def count_sent(self, day: str, subscriber_id: str) -> int:
        """Count one more alert sent to a subscriber on ``day``; the new count."""
        key = self.keys.breaking_sent(day)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hincrby(key, subscriber_id, 1)
        pipe.expire(key, SLOT_MARKER_TTL)
        return int(pipe.execute()[0])

"""Short-lived counters and once-only markers: rate-limit windows and redelivery dedupe.

The callers build the key (``keys.signup_limit``, ``keys.chat_rate``, ``keys.line_seen``,
``keys.slack_seen``) and pick the window; these store and count.
"""

from __future__ import annotations

from typing import Any

from core.store.base import Store

__all__ = ["LimitRepo"]


class LimitRepo:
    """Counters per window and first-seen markers, each expiring on its own."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis: Any = store.redis

    def hit(self, key: str, seconds: int) -> int:
        """Count one hit in the window ``key`` (kept ``seconds``); the count with it."""
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, seconds)
        count, _ = pipe.execute()
        return int(count)

    def first_time(self, key: str, seconds: int) -> bool:
        """Mark ``key`` seen for ``seconds``; False when it was seen already (SET NX)."""
        return bool(self.redis.set(key, b"1", nx=True, ex=seconds))

"""Bounce reports in Redis: which were applied, how many came, who is bounced now.

Layout (builders in core.store.keys, bounces section)::

    bounce:seen:<digest>   string  a report applied once (BOUNCE_SEEN_TTL)
    bounce:counts          hash    "<source>:<provider>:<kind>" -> reports received
    bounce:addresses       hash    subscriber id -> "<status>|<source>" while bounced or
                                   complained (written with the subscriber record)
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.models import short_hash
from core.store.base import Store
from core.store.keys import BOUNCE_SEEN_TTL

__all__ = ["BounceRepo"]


class BounceRepo:
    """Every storage query about bounce reports."""

    def __init__(self, store: Store) -> None:
        self.redis: Any = store.redis
        self.keys = store.keys

    def first_time(self, provider: str, event_id: str) -> bool:
        """Mark the report seen; True only the first time (a retry or replay is False)."""
        key = self.keys.bounce_seen(short_hash("bounce", provider, event_id, size=12))
        return bool(self.redis.set(key, "1", nx=True, ex=BOUNCE_SEEN_TTL))

    def count(self, source: str, provider: str, kind: str) -> None:
        """One more report of this kind from this source and provider."""
        self.redis.hincrby(self.keys.bounce_counts(), f"{source}:{provider}:{kind}", 1)

    def received(self) -> dict[str, dict[str, int]]:
        """Reports received, by "<source>:<provider>" then kind."""
        found: dict[str, dict[str, int]] = {}
        for field, value in self.redis.hgetall(self.keys.bounce_counts()).items():
            source, provider, kind = field.decode().split(":", 2)
            found.setdefault(f"{source}:{provider}", {})[kind] = int(value)
        return found

    def addresses(self) -> dict[str, dict[str, int]]:
        """Addresses bounced or complained now, by status then source."""
        tally: Counter[tuple[str, str]] = Counter()
        for value in self.redis.hvals(self.keys.bounced_addresses()):
            status, _, source = value.decode().partition("|")
            tally[status, source] += 1
        found: dict[str, dict[str, int]] = {}
        for (status, source), n in sorted(tally.items()):
            found.setdefault(status, {})[source] = n
        return found

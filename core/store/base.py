"""``Store``: the Redis client, the key builder and the settings, passed together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis

from core.config import Settings
from core.models import Source
from core.store.connection import connect, keys_for, redis_url
from core.store.keys import Keys


@dataclass(frozen=True)
class Store:
    """What every repository needs: a client, the keys and the settings."""

    redis: redis.Redis
    keys: Keys
    settings: Settings
    # What a Redis that never held sources starts with (SourceRepo seeds it on first
    # use): the shipped list, handed in by the process that opens the store.
    shipped_sources: Callable[[], Sequence[Source]] | None = None

    @property
    def url(self) -> str:
        return redis_url(self.settings)

    def ping(self) -> None:
        """Raise unless Redis answers (the health check)."""
        self.redis.ping()

    def delete_all(self) -> None:
        """Delete every key under this store's prefix (the demo's clean rerun)."""
        pipe = self.redis.pipeline(transaction=False)
        for key in self.redis.scan_iter(match=self.keys.pattern(), count=1000):
            pipe.delete(key)
        pipe.execute()


def open_store(
    settings: Settings,
    *,
    check: bool = True,
    shipped_sources: Callable[[], Sequence[Source]] | None = None,
) -> Store:
    """Connect (starting the embedded Redis when no URL is set) and bundle the keys."""
    client = connect(settings, check=check)
    return Store(client, keys_for(settings), settings, shipped_sources)

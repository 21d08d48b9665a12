"""The cron's lock (one cron runs at a time) and what each of its jobs did last."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.store.base import Store

__all__ = ["CronRepo"]

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class CronRepo:
    """The lock string and the job-state hash (``<job>:last_at`` and so on)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis: Any = store.redis
        self.keys = store.keys

    # -- the lock ---------------------------------------------------------------------
    def take_lock(self, token: str, ttl_ms: int) -> bool:
        """Take the lock for ``token``, or renew it when it holds it; False when another
        token does."""
        return bool(self.redis.eval(_RENEW, 1, self.keys.cron_lock(), token, ttl_ms))

    def release_lock(self, token: str) -> None:
        """Give the lock up, only if ``token`` still holds it."""
        self.redis.eval(_RELEASE, 1, self.keys.cron_lock(), token)

    def lock_holder(self) -> str | None:
        """The token holding the lock now."""
        raw = self.redis.get(self.keys.cron_lock())
        return raw.decode() if raw else None

    def lock_held(self) -> bool:
        """Whether any cron holds the lock."""
        return bool(self.redis.exists(self.keys.cron_lock()))

    # -- job state --------------------------------------------------------------------
    def field(self, name: str) -> str | None:
        """One field of the job state (``"ingest:last_at"``), or None."""
        raw = self.redis.hget(self.keys.cron_state(), name)
        return None if raw is None else str(raw.decode())

    def forget(self, name: str) -> None:
        """Remove one field of the job state."""
        self.redis.hdel(self.keys.cron_state(), name)

    def save(self, fields: Mapping[str, str]) -> None:
        """Set fields of the job state."""
        self.redis.hset(self.keys.cron_state(), mapping=dict(fields))

    def state(self) -> dict[str, str]:
        """Every field of the job state."""
        raw: dict[bytes, bytes] = self.redis.hgetall(self.keys.cron_state())
        return {k.decode(): v.decode() for k, v in raw.items()}

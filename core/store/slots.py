"""Slot markers: which subscribers' local day is claimed (its digest built) by a tick.

One hash per local day, ``subscriber id -> tick id``, kept SLOT_MARKER_TTL. A claim is
HSETNX, so of two ticks racing for one subscriber's day exactly one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.store.base import Store
from core.store.keys import SLOT_MARKER_TTL

__all__ = ["SlotRepo"]

_CHUNK = 5000

_CLAIM = """
local out = {}
for i = 3, #ARGV do out[i - 2] = redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return out
"""


class SlotRepo:
    """Read and claim the per-day slot markers."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis: Any = store.redis
        self.keys = store.keys

    def claimed(self, day: str, ids: Sequence[str]) -> list[bool]:
        """For each subscriber id, whether its local ``day`` is already claimed."""
        out: list[bool] = []
        for start in range(0, len(ids), _CHUNK):
            marks = self.redis.hmget(self.keys.slot_marker(day), ids[start : start + _CHUNK])
            out.extend(mark is not None for mark in marks)
        return out

    def claim(self, day: str, ids: Sequence[str], tick_id: str) -> set[str]:
        """Claim ``day`` for each id for ``tick_id``; the ids this call won."""
        script = self.redis.register_script(_CLAIM)
        won: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            replies: Any = script(
                keys=[self.keys.slot_marker(day)], args=[tick_id, SLOT_MARKER_TTL, *chunk]
            )
            won.update(i for i, ok in zip(chunk, replies, strict=True) if ok)
        return won

"""``ByIdentity``: a bounded memo keyed by an object's identity, for values derived from
objects that are replaced, not edited, when they change (a story, a tick's story list).

The memo holds the object itself beside its value, so the object's id is never reused
while its entry lives; when full it starts again empty (a tick needs a few hundred entries
at most, so a full memo means an old tick's leftovers)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")

__all__ = ["ByIdentity"]


class ByIdentity(Generic[T, V]):
    """``memo(obj, build)`` is ``build(obj)``, computed once per object (and ``extra``)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._entries: dict[tuple[int, Hashable], tuple[T, V]] = {}

    def __call__(self, obj: T, build: Callable[[T], V], extra: Hashable = None) -> V:
        key = (id(obj), extra)
        hit = self._entries.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        if len(self._entries) >= self._limit:
            self._entries.clear()
        value = build(obj)
        self._entries[key] = (obj, value)
        return value

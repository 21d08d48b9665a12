"""The counters' storage: one Redis hash per metric, field = label set, value = total."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.store.base import Store

__all__ = ["MetricRepo"]


class MetricRepo:
    """Add to and read the counter hashes (names and labels are ``core.metrics``')."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.redis: Any = store.redis
        self.keys = store.keys

    def add(self, name: str, labels: str, amount: float) -> None:
        """Add ``amount`` to the counter ``name`` at the label set ``labels``."""
        self.redis.hincrbyfloat(self.keys.metric(name), labels, amount)

    def read(self, names: Sequence[str]) -> list[dict[str, float]]:
        """Each counter's values, {label set: total}, in the order of ``names`` (one pipeline)."""
        pipe = self.redis.pipeline()
        for name in names:
            pipe.hgetall(self.keys.metric(name))
        return [{k.decode(): float(v) for k, v in values.items()} for values in pipe.execute()]

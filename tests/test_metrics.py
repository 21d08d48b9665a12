"""Counters kept in Redis and their Prometheus exposition (core.metrics)."""

from __future__ import annotations

import pytest

from core import metrics
from core.store.base import Store


def test_counters_are_shared_through_redis(store: Store) -> None:
    metrics.incr(store, "aitoday_deliveries_total", channel="email", outcome="sent")
    metrics.incr(store, "aitoday_deliveries_total", 2, channel="email", outcome="sent")
    text = metrics.exposition(store)
    assert 'aitoday_deliveries_total{channel="email",outcome="sent"} 3.0' in text
    with pytest.raises(KeyError):
        metrics.incr(store, "no_such_metric")

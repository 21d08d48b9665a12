"""Fewer cyclic garbage collections while a batch job builds many small objects.

A digest tick loads every due subscriber (100,000 pydantic models at scale) and builds
hundreds of thousands of short-lived lists, tuples and models around them. With
CPython's default first-generation threshold (700 allocations) the collector runs
thousands of times during one tick, and each older-generation pass walks the whole live
heap of subscribers again: about a quarter of a tick's time (BENCHMARKS.md,
bench.feedback). Nothing the tick makes forms cycles that must be freed before it ends,
so it raises the threshold for its own duration and restores it after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BATCH_THRESHOLD", "fewer_collections"]

BATCH_THRESHOLD = 100_000  # allocations between young collections (CPython default: 700)


@contextmanager
def fewer_collections(threshold: int = BATCH_THRESHOLD) -> Iterator[None]:
    """Raise the young generation's threshold to at least ``threshold`` inside the block.

    Collections still happen (memory stays bounded), only less often; the old thresholds
    come back when the block ends, also when it raises. Nested blocks keep the outer
    setting."""
    old = gc.get_threshold()
    if not gc.isenabled() or old[0] >= threshold:
        yield
        return
    gc.set_threshold(threshold, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)

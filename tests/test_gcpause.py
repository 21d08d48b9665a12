"""fewer_collections: the tick's raised GC threshold, and that it always comes back."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from core.gcpause import BATCH_THRESHOLD, fewer_collections


@pytest.fixture(autouse=True)
def default_gc() -> Iterator[None]:
    before, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(700, 10, 10)
    gc.enable()
    yield
    gc.set_threshold(*before)
    (gc.enable if enabled else gc.disable)()


def test_the_threshold_is_raised_inside_and_restored_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (BATCH_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_it_is_restored_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("tick failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_nested_block_keeps_the_outer_setting() -> None:
    with fewer_collections(50_000):
        with fewer_collections(20_000):
            assert gc.get_threshold()[0] == 50_000
        assert gc.get_threshold()[0] == 50_000
    assert gc.get_threshold()[0] == 700


def test_a_disabled_collector_is_left_alone() -> None:
    gc.disable()
    with fewer_collections():
        assert not gc.isenabled() and gc.get_threshold()[0] == 700
    assert not gc.isenabled()


def test_collections_still_happen_inside() -> None:
    gc.collect()
    before = sum(s["collections"] for s in gc.get_stats())
    with fewer_collections(1_000):
        kept: list[list[int]] = [
            [] for _ in range(20_000)
        ]  # live container objects, as a tick makes them
    assert len(kept) == 20_000
    assert sum(s["collections"] for s in gc.get_stats()) > before

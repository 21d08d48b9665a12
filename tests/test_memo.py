from __future__ import annotations

from core.memo import ByIdentity


def test_built_once_per_object_and_extra() -> None:
    built: list[list[int]] = []
    memo: ByIdentity[list[int], int] = ByIdentity(limit=8)

    def total(values: list[int]) -> int:
        built.append(values)
        return sum(values)

    one, twin = [1, 2], [1, 2]
    assert memo(one, total) == memo(one, total) == 3
    assert memo(twin, total) == 3  # equal but another object: built again
    assert memo(one, total, extra="x") == 3
    assert len(built) == 3


def test_a_full_memo_starts_again() -> None:
    calls: list[int] = []
    memo: ByIdentity[tuple[int], int] = ByIdentity(limit=2)

    def first(item: tuple[int]) -> int:
        calls.append(item[0])
        return item[0]

    kept = [(n,) for n in range(3)]
    for item in kept:
        memo(item, first)
    memo(kept[0], first)  # dropped when the memo filled
    assert calls == [0, 1, 2, 0]

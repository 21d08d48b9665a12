from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.store.base import Store
from tests.fakes.publisher import Publisher
from tests.fakes.server import serve


@pytest.fixture
def publisher() -> Iterator[tuple[Publisher, str]]:
    """A fake publisher on a real local port: (its state, its base URL)."""
    pub = Publisher()
    with serve(pub.app()) as base:
        yield pub, base


def with_fetch(store: Store, **fetch: Any) -> Store:
    """The same store with some fetch settings changed."""
    settings = store.settings.model_copy(
        update={"fetch": store.settings.fetch.model_copy(update=fetch)}
    )
    return Store(redis=store.redis, keys=store.keys, settings=settings)

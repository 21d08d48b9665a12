"""Run real workers for the tests: in this process (SimpleWorker) or as `aitoday worker`."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from rq import SimpleWorker

from core.config import Settings, load_settings
from core.store.base import Store
from workers.cli.worker import drain
from workers.jobs import configure
from workers.queues import all_queues

ROOT = Path(__file__).resolve().parents[2]


def drain_here(store: Store) -> int:
    """Work every delivery queue to the end (and due retries) in this process."""
    configure(store.settings, store)
    return drain(store, all_queues(store), SimpleWorker, logging_level="WARNING")


def own_settings(tmp_path: Path, key_prefix: str = "", **redis: Any) -> Settings:
    """Settings for workers on a Redis of the test's own (``redis``: its URL or Sentinels):
    data and outbox under ``tmp_path``, the key prefix given or a fresh one."""
    return load_settings(
        **redis,
        data_dir=tmp_path / "data",
        key_prefix=key_prefix or f"aitodaytest-{uuid.uuid4().hex[:12]}",
        secret_key="test-secret-key-not-for-production",
        digest={"outbox_dir": tmp_path / "outbox"},
    )


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment an ``aitoday`` process needs to see these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AITODAY_")}
    env.update(
        AITODAY_REDIS_URL=settings.redis_url or "",
        AITODAY_KEY_PREFIX=settings.key_prefix,
        AITODAY_DATA_DIR=str(settings.data_dir),
        AITODAY_SECRET_KEY="test-secret-key-not-for-production",
        AITODAY_DIGEST__OUTBOX_DIR=str(settings.digest.outbox_dir),
        AITODAY_LOG__LEVEL="WARNING",
    )
    env.update(extra)
    return env


def aitoday(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start ``aitoday ARGS`` in a session of its own (so a test can kill the group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "workers.cli", *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def aitoday_ok(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run ``aitoday ARGS`` to the end; its stdout, or AssertionError with its stderr."""
    proc = aitoday(env, *args)
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err.decode()
    return out.decode()

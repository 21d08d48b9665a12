"""`aitoday worker` stopped the moment it registers leaves no ghost behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from rq import Worker

from core.store.base import Store
from core.store.queues import queue_names
from tests.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


def ours(store: Store) -> list[str]:
    names = set(queue_names(store).values())
    workers = Worker.all(connection=store.redis)
    return [w.name for w in workers if names.intersection(w.queue_names())]


def test_sigterm_right_after_registration_deregisters(store: Store) -> None:
    env = dict(os.environ)
    env.update(
        AITODAY_REDIS_URL=store.settings.redis_url or "",
        AITODAY_KEY_PREFIX=store.keys.prefix,
        AITODAY_DATA_DIR=str(store.settings.data_dir),
        AITODAY_SECRET_KEY="test-secret-key-not-for-production",
        PYTHONPATH=str(ROOT),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "workers.cli", "worker"], env=env, stderr=subprocess.PIPE
    )
    try:
        # registered: RQ has not installed its handlers yet
        registered = eventually(lambda: ours(store) or _exited(process), timeout=60, interval=0.002)
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert registered, "the worker never registered"
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err.decode()
    assert ours(store) == []


def _exited(process: subprocess.Popen[bytes]) -> bool:
    return process.poll() is not None

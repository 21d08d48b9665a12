"""Point ``aitoday`` (workers/cli) at a test's own Redis and data folder, through the
environment the CLI reads its settings from: in this process (Click's runner) or in a
child process run to the end."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from core.config import Settings
from core.store.base import Store

ROOT = Path(__file__).resolve().parents[2]


def point_cli_at(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the CLI's environment from ``settings`` (undone by ``monkeypatch`` after the test)."""
    for name, value in (
        ("AITODAY_REDIS_URL", settings.redis_url or ""),
        ("AITODAY_KEY_PREFIX", settings.key_prefix),
        ("AITODAY_DATA_DIR", str(settings.data_dir)),
        ("AITODAY_SECRET_KEY", "test-secret-key-not-for-production"),
    ):
        monkeypatch.setenv(name, value)


def store_env(store: Store) -> dict[str, str]:
    """The settings that point a child ``aitoday`` at ``store``: its Redis, prefix and data."""
    return {
        "AITODAY_REDIS_URL": store.settings.redis_url or "",
        "AITODAY_KEY_PREFIX": store.settings.key_prefix,
        "AITODAY_DATA_DIR": str(store.settings.data_dir),
    }


def run_aitoday(
    *args: str, env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``aitoday ARGS`` to the end, seeing no AITODAY_ setting but those in ``env``."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AITODAY_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "workers.cli.__main__", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=timeout,
    )

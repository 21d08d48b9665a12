"""Point ``aitoday`` (workers/cli) at a test's own Redis and data folder, through the
environment the CLI reads its settings from."""

from __future__ import annotations

import pytest

from core.config import Settings


def point_cli_at(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the CLI's environment from ``settings`` (undone by ``monkeypatch`` after the test)."""
    for name, value in (
        ("AITODAY_REDIS_URL", settings.redis_url or ""),
        ("AITODAY_KEY_PREFIX", settings.key_prefix),
        ("AITODAY_DATA_DIR", str(settings.data_dir)),
        ("AITODAY_SECRET_KEY", "test-secret-key-not-for-production"),
    ):
        monkeypatch.setenv(name, value)

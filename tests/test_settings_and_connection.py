"""Settings, the Redis connection and the CLI's error handling."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.config import load_settings, masked
from core.errors import ConfigError, StoreError
from core.logs import scrub
from core.store.base import Store, open_store
from core.store.connection import safe_url
from tests.workers.cli_env import run_aitoday


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_aitoday(*args, env=env or {}, timeout=60)


def test_bad_redis_url_is_one_clear_line() -> None:
    with pytest.raises(ConfigError, match="AITODAY_REDIS_URL"):
        load_settings(redis_url="nonsense")


def test_bad_value_from_environment_fails_cli_without_traceback() -> None:
    result = run_cli("config", env={"AITODAY_REDIS_URL": "nonsense"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "aitoday: invalid setting AITODAY_REDIS_URL: must start with redis://, rediss:// "
        "or unix:// (got 'nonsense')"
    ]


def test_config_masks_secrets() -> None:
    result = run_cli(
        "config",
        env={"AITODAY_SLACK__BOT_TOKEN": "xoxb-very-secret", "AITODAY_LLM__FALLBACKS": "a,b"},
    )
    assert result.returncode == 0, result.stderr
    assert "xoxb-very-secret" not in result.stdout
    assert "AITODAY_SLACK__BOT_TOKEN = **********" in result.stdout
    assert "AITODAY_LLM__FALLBACKS = ['a', 'b']" in result.stdout


def test_nested_settings_and_masked_dict() -> None:
    settings = load_settings(smtp={"from": "News <n@example.org>", "password": "pw"})
    assert settings.smtp.from_ == "News <n@example.org>"
    assert masked(settings)["smtp"]["password"] == "**********"


def test_unreachable_redis_names_the_url_not_the_password() -> None:
    settings = load_settings(redis_url="redis://user:hunter2@127.0.0.1:1/0")
    with pytest.raises(StoreError) as info:
        open_store(settings)
    message = str(info.value)
    assert "127.0.0.1:1" in message
    assert "hunter2" not in message
    assert safe_url("redis://u:pw@h:1/0") == "redis://u:****@h:1/0"


def test_embedded_redis_when_no_url(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    store = open_store(settings)
    store.redis.set(store.keys.sources(), b"x")
    assert store.redis.get(store.keys.sources()) == b"x"
    assert (tmp_path / "data" / "redis.db").parent.is_dir()


def test_store_fixture_uses_private_prefix(store: Store) -> None:
    store.redis.set(store.keys.ingest_last_run(), "{}")
    assert store.keys.prefix.startswith("aitodaytest-")


def test_scrub_masks_addresses_and_tokens() -> None:
    line = scrub("sent to alice@example.com with xoxb-123-abc and redis://u:pw@h/0")
    assert "alice@example.com" not in line
    assert "a***@example.com" in line
    assert "xoxb-123-abc" not in line
    assert "pw@" not in line


def test_secret_key_empty_means_unset_and_weak_keys_are_refused(tmp_path: Path) -> None:
    settings = load_settings(secret_key="", data_dir=tmp_path)
    assert settings.secret_key is None
    made = settings.signing_key()
    assert len(made) >= 32 and made == settings.signing_key()  # made once, then kept
    for weak in ("short", "change-me-to-a-long-random-string"):
        with pytest.raises(ConfigError, match="AITODAY_SECRET_KEY: must be a random string"):
            load_settings(secret_key=weak)


def test_tracebacks_in_plain_logs_are_scrubbed() -> None:
    import logging

    from core.logs import PlainFormatter

    try:
        raise RuntimeError("login failed for bob@example.com with token xoxb-1-secret")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "send failed", None, sys.exc_info()
        )
    line = PlainFormatter("%(message)s").format(record)
    assert "RuntimeError" in line
    assert "bob@example.com" not in line and "xoxb-1-secret" not in line

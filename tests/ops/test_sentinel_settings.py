"""The Sentinel settings: a comma-separated host:port list, refused with one clear line."""

from __future__ import annotations

import pytest

from core.config import load_settings
from core.errors import ConfigError
from core.store.connection import _master_options


def test_sentinels_are_a_comma_separated_host_port_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AITODAY_REDIS_SENTINELS", "10.0.0.5:26379, 10.0.0.6:26379,[::1]:26380")
    monkeypatch.setenv("AITODAY_REDIS_MASTER_NAME", "aitoday")
    settings = load_settings()
    assert settings.redis_sentinels == ["10.0.0.5:26379", "10.0.0.6:26379", "[::1]:26380"]
    assert settings.redis_master_name == "aitoday"


@pytest.mark.parametrize("entry", ["10.0.0.5", "10.0.0.5:", ":26379", "host:port", "h:70000"])
def test_a_sentinel_without_host_and_port_is_one_clear_line(entry: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(redis_sentinels=entry)
    assert str(info.value).startswith("invalid setting AITODAY_REDIS_SENTINELS: ")
    assert entry in str(info.value)


def test_with_sentinels_the_url_gives_only_password_user_and_db() -> None:
    assert _master_options("redis://reader:s3cr%40t@ignored-host:1/3") == {
        "password": "s3cr@t",
        "username": "reader",
        "db": 3,
    }
    assert _master_options(None) == {}

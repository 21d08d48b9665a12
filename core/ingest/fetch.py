"""Fetching feeds: httpx, async, polite, bounded. Results are values, not exceptions.

Limits: a global concurrency cap and a per-origin cap; connect/read timeouts and an
overall deadline (a server dripping one byte a second cannot hold a slot forever);
the body is read as a stream and abandoned past ``max_bytes``; redirects are followed
by hand, at most ``max_redirects``, each hop checked by the SSRF guard when it dials.
Conditional GET with the validators we kept; compressed responses are accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from core.config import FetchSettings
from core.errors import SourceError
from core.ingest.inflate import ACCEPT_ENCODING, BoundedInflater
from core.ingest.ssrf import GuardedBackend, check_url

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchResult:
    """What one fetch gave: a body, a 304, or an error (``error`` set)."""

    url: str
    final_url: str
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None  # the new URL after only permanent redirects (301/308)
    retry_after: float | None = None  # seconds, from 429/503
    error: str | None = None
    seconds: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304 and self.error is None

    @property
    def ok(self) -> bool:
        return self.body is not None and self.error is None


class Fetcher:
    """httpx clients with our limits; use as ``async with Fetcher(settings) as f``.

    One client (connection pool) per origin: httpcore scans every pooled connection
    on each request, so one shared pool of 64 made each of 250 fetches pay for the
    other 63; a per-origin pool holds at most ``per_host`` connections.
    """

    def __init__(self, settings: FetchSettings, *, trusted: Iterable[str] = ()) -> None:
        self.settings = settings
        self.trusted = frozenset(trusted)
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._open = False

    async def __aenter__(self) -> Fetcher:
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._open = False
        clients, self._clients = list(self._clients.values()), {}
        await asyncio.gather(*(client.aclose() for client in clients))

    def _client(self, url: str) -> httpx.AsyncClient:
        assert self._open, "use Fetcher as an async context manager"
        origin = _origin(url)
        client = self._clients.get(origin)
        if client is None:
            client = self._clients[origin] = httpx.AsyncClient(
                transport=_guarded_transport(self.settings, self.trusted),
                headers={
                    "User-Agent": self.settings.user_agent,
                    "Accept": ACCEPT,
                    "Accept-Encoding": ACCEPT_ENCODING,
                },
                timeout=httpx.Timeout(
                    connect=self.settings.connect_timeout,
                    read=self.settings.read_timeout,
                    write=self.settings.read_timeout,
                    pool=None,
                ),
                follow_redirects=False,
                trust_env=False,
            )
        return client

    @property
    def deadline(self) -> float:
        """Seconds one fetch (all hops, whole body) may take in total."""
        return self.settings.connect_timeout + 2 * self.settings.read_timeout

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET a feed (or, with ``accept``, another document), conditionally; never
        raises for network or HTTP trouble."""
        started = time.perf_counter()
        headers = {"Accept": accept} if accept else {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # The feed's own origin slot first, then a global one, then the clock starts:
        # waiting behind other feeds of the same host must neither hold a global slot
        # nor count against this fetch's deadline.
        async with self._host_slot(url), self._global:
            try:
                async with asyncio.timeout(self.deadline):
                    result = await self._follow(url, headers)
            except TimeoutError:
                result = FetchResult(
                    url, url, error=f"too slow: no full response in {self.deadline:g}s"
                )
            except SourceError as exc:
                result = FetchResult(url, url, error=str(exc))
            except httpx.HTTPError as exc:
                result = FetchResult(url, url, error=describe(exc))
            except (httpx.InvalidURL, ValueError) as exc:  # UnicodeError (IDNA) included
                result = FetchResult(url, url, error=f"invalid URL: {exc}")
        return _with_seconds(result, time.perf_counter() - started)

    async def _follow(self, url: str, headers: dict[str, str]) -> FetchResult:
        current, moved_to, permanent = url, None, True
        for _ in range(self.settings.max_redirects + 1):
            check_url(current)
            result = await self._get(url, current, headers)
            if result.status not in REDIRECTS:
                return _moved(result, moved_to)
            if result.error:
                return result
            nxt = result.final_url
            permanent = permanent and result.status in PERMANENT
            moved_to = nxt if permanent else moved_to
            current = nxt
        return FetchResult(url, current, error=f"more than {self.settings.max_redirects} redirects")

    async def _get(self, url: str, current: str, headers: dict[str, str]) -> FetchResult:
        # A redirect to another origin takes that origin's slot too (the first is held).
        other = _origin(current) != _origin(url)
        async with (
            self._host_slot(current) if other else contextlib.nullcontext(),
            self._client(current).stream("GET", current, headers=headers) as response,
        ):
            status = response.status_code
            if status in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    return FetchResult(
                        url, current, status, error=f"HTTP {status} without Location"
                    )
                return FetchResult(url, urljoin(current, location), status)
            common = {
                "etag": response.headers.get("etag"),
                "last_modified": response.headers.get("last-modified"),
                "content_type": response.headers.get("content-type"),
            }
            if status == 304:
                return FetchResult(url, current, status, **common)
            if not 200 <= status < 300:
                return FetchResult(
                    url,
                    current,
                    status,
                    retry_after=retry_after(response.headers.get("retry-after")),
                    error=f"HTTP {status} {response.reason_phrase}".strip(),
                )
            body = await self._read(response)
            return FetchResult(url, current, status, body=body, **common)

    async def _read(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise SourceError(f"body of {int(declared)} bytes exceeds the {limit}-byte limit")
        inflater = BoundedInflater(response.headers.get("content-encoding"), limit)
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += inflater.feed(chunk)
        body += inflater.flush()
        return bytes(body)

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        origin = _origin(url)
        slot = self._hosts.get(origin)
        if slot is None:
            slot = self._hosts[origin] = asyncio.Semaphore(self.settings.per_host)
        return slot


def _guarded_transport(settings: FetchSettings, trusted: Iterable[str]) -> httpx.AsyncHTTPTransport:
    limits = httpx.Limits(
        max_connections=settings.per_host, max_keepalive_connections=settings.per_host
    )
    context = _ssl_context()
    transport = httpx.AsyncHTTPTransport(limits=limits, verify=context)
    # httpx has no public hook for the network backend; swapping the pool for one with
    # the guarded backend keeps every other behaviour (TLS, keep-alive, error mapping).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(allow_private=settings.allow_private, trusted=trusted),
    )
    return transport


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process (loading the CA bundle costs ~70 ms)."""
    return httpx.create_ssl_context()


def _moved(result: FetchResult, moved_to: str | None) -> FetchResult:
    if moved_to is None:
        return result
    return FetchResult(**{**result.__dict__, "moved_to": moved_to})


def _with_seconds(result: FetchResult, seconds: float) -> FetchResult:
    return FetchResult(**{**result.__dict__, "seconds": seconds})


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def describe(exc: httpx.HTTPError) -> str:
    """A short, user-facing reason for a transport error."""
    kinds: list[tuple[type[httpx.HTTPError], str]] = [
        (httpx.ConnectTimeout, "connect timeout"),
        (httpx.ReadTimeout, "read timeout"),
        (httpx.TimeoutException, "timeout"),
        (httpx.ConnectError, "connection failed"),
        (httpx.DecodingError, "bad compressed body"),
        (httpx.RemoteProtocolError, "protocol error"),
    ]
    for kind, label in kinds:
        if isinstance(exc, kind):
            detail = str(exc).strip()
            return f"{label}: {detail}" if detail else label
    return f"{type(exc).__name__}: {exc}"

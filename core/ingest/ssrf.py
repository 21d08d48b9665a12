"""The SSRF guard: a feed URL may not reach loopback, private, link-local or metadata
addresses, unless ``AITODAY_FETCH__ALLOW_PRIVATE=true`` (tests and the demo).

The check runs where the connection is made (a guarded httpcore network backend), on
the resolved address that is then actually dialled. So it holds for every redirect
hop and cannot be dodged by DNS answering differently on a second lookup.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from httpcore import AsyncNetworkStream
from httpcore._backends.auto import AutoBackend

from core.errors import SourceError

ALLOWED_SCHEMES = ("http", "https")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(SourceError):
    """The URL resolves to an address a feed may not live at."""


def check_url(url: str) -> None:
    """Refuse a URL that is not absolute http(s) with a host (no I/O)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise SourceError(f"{url!r}: only http:// and https:// feeds are fetched")
    if not parts.hostname:
        raise SourceError(f"{url!r}: the URL has no host")
    if parts.username or parts.password:
        raise SourceError(f"{url!r}: credentials in feed URLs are refused")


def is_public(ip: IPAddress) -> bool:
    """True for globally routable unicast addresses only."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def allowed(ip: IPAddress, *, allow_private: bool, trusted: Iterable[str] = ()) -> bool:
    """Whether a connection to ``ip`` may be made."""
    return allow_private or is_public(ip) or str(ip) in set(trusted)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (numeric hosts resolve to themselves)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SourceError(f"cannot resolve {host}: {exc.strerror}") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_host(host: str, port: int, *, allow_private: bool) -> None:
    """Raise BlockedAddress when ``host`` resolves to an address we refuse."""
    for ip in await resolve(host, port):
        if not allowed(ip, allow_private=allow_private):
            raise BlockedAddress(f"{host} resolves to {ip}, a private or reserved address")


class GuardedBackend(AutoBackend):
    """An httpcore backend that dials only addresses the guard allows.

    ``trusted`` lists addresses allowed despite being private; the tests use it to
    let the fake publisher on 127.0.0.1 through while checking that a redirect to
    another private address is refused.
    """

    def __init__(self, *, allow_private: bool, trusted: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.trusted = frozenset(trusted)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncNetworkStream:
        if self.allow_private:
            target = host
        else:
            target = await self._pick(host, port)
        return await super().connect_tcp(
            target,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def _pick(self, host: str, port: int) -> str:
        addresses = await resolve(host, port)
        for ip in addresses:
            if allowed(ip, allow_private=False, trusted=self.trusted):
                return str(ip)
        shown = ", ".join(sorted({str(ip) for ip in addresses}))
        raise BlockedAddress(f"{host} resolves to {shown}: private or reserved, refused")

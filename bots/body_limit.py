"""Request bodies capped per route while they stream in, before any route reads them.

An ASGI middleware around the whole web app. A ``Content-Length`` above the route's cap
is answered 413 without reading a byte of the body; a body without one (chunked) is
counted message by message and answered 413 as soon as the count passes the cap, so an
unsigned 300 MB body costs at most one cap of memory. Bodies under the cap are buffered
(they are small by construction) and handed to the app as one message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB = 1024


@dataclass(frozen=True)
class BodyCap:
    """At most ``max_bytes`` of body for paths starting with ``prefix``."""

    prefix: str
    max_bytes: int


# Slack payloads are a few KB (a modal submission at most tens); LINE batches events, a
# few KB each; our forms are a handful of short fields. First matching prefix wins.
ROUTE_CAPS: tuple[BodyCap, ...] = (
    BodyCap("/slack/", 256 * KIB),
    BodyCap("/line/", 1024 * KIB),
    BodyCap("/bounces/", 1024 * KIB),  # SendGrid batches events up to ~768 KB
)
DEFAULT_CAP = 16 * KIB  # the sign-up forms, and every route that takes no body at all


def cap_for(path: str, caps: Sequence[BodyCap] = ROUTE_CAPS, default: int = DEFAULT_CAP) -> int:
    """The body cap of a request path."""
    return next((c.max_bytes for c in caps if path.startswith(c.prefix)), default)


class BodyTooLarge(Exception):
    """The body passed its route's cap."""


class BodyLimit:
    """Answer 413 to any request whose body passes its route's cap (see module doc)."""

    def __init__(
        self, app: ASGIApp, caps: Sequence[BodyCap] = ROUTE_CAPS, default: int = DEFAULT_CAP
    ) -> None:
        self.app = app
        self.caps = tuple(caps)
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = cap_for(scope.get("path", ""), self.caps, self.default)
        if _declared_length(scope) > cap:
            await _refuse(send, cap)
            return
        try:
            first = await _read_capped(receive, cap)
        except BodyTooLarge:
            await _refuse(send, cap)
            return
        await self.app(scope, _replay(first, receive), send)


def _declared_length(scope: Scope) -> int:
    """The Content-Length, 0 when absent; a garbled one counts as too large."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 1 << 62
    return 0


async def _read_capped(receive: Receive, cap: int) -> Message:
    """The whole body as one message, or BodyTooLarge the moment it passes ``cap``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message  # a disconnect: the app sees it as it would have
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


def _replay(first: Message, receive: Receive) -> Receive:
    """A receive that gives the buffered body once, then defers to the server's."""
    pending = [first]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


async def _refuse(send: Send, cap: int) -> None:
    # "connection: close" makes the server drop the rest of the body instead of reading it.
    body = f"request body too large (at most {cap} bytes here)\n".encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})

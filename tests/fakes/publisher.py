"""A fake feed publisher: a real Starlette app (serve it with ``tests.fakes.server.serve``).

It serves feeds put into it (the corpus, replay days, test fixtures) with ETag and
Last-Modified, answers conditional GETs with 304, compresses with gzip, and plays the
hostile or broken publishers ingestion must survive. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

Handler = Callable[[Request], Awaitable[Response]]

LAST_MODIFIED = "Sat, 22 Aug 2026 12:00:00 GMT"

HTML_PAGE = b"""<!DOCTYPE html><html><head><title>Welcome</title></head>
<body><h1>Our blog</h1><p>No feed here.</p></body></html>"""

BROKEN_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Broken & unescaped</title>
<item><title>First item survives</title><link>https://broken.example/one</link></item>
<item><title>Second <b>item</title><link>https://broken.example/two</link>
"""

GARBAGE = b"\x00\x01binary junk, not XML at all \xff\xfe"


def article_page(title: str, paragraphs: list[str], *, image: str = "/img/lead.jpg") -> bytes:
    """A news article page: og:image, an author, a date, navigation and the body."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Example News</title>
<meta property="og:title" content="{title}">
<meta property="og:image" content="{image}">
<meta name="author" content="Ada Reporter">
<meta property="article:published_time" content="2026-08-20T08:30:00Z">
</head><body><nav><a href="/">Home</a> <a href="/tech">Tech</a></nav>
<article><h1>{title}</h1>{body}</article>
<footer><p>Copyright Example News. All rights reserved.</p></footer></body></html>""".encode()


def rss(
    title: str,
    items: list[tuple[str, str]],
    *,
    encoding: str = "utf-8",
    published: str = "Fri, 21 Aug 2026 10:00:00 +0000",
) -> str:
    """A minimal RSS 2.0 document with ``(title, link)`` items declaring ``encoding``."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{published}</pubDate></item>"
        for t, link in items
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{body}</channel></rss>"
    )


@functools.cache
def _bomb() -> bytes:
    return gzip.compress(b"<rss>" + b" " * (32 * 1024 * 1024), compresslevel=9)


@dataclass
class Recorded:
    """One request the publisher received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Publisher:
    """Feeds by path, and the knobs of the misbehaving routes."""

    feeds: dict[str, bytes] = field(default_factory=dict)
    pages: dict[str, bytes] = field(default_factory=dict)  # article pages by name
    robots: str | None = None  # robots.txt; None answers 404
    robots_status: int = 200  # e.g. 503: a site whose robots.txt is down
    content_types: dict[str, str] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    slow_seconds: float = 5.0
    retry_after: str = "3600"
    redirect_target: str = "http://169.254.169.254/latest/meta-data/"

    def put(self, name: str, body: bytes, content_type: str = "application/rss+xml") -> None:
        """Serve ``body`` at ``/feeds/{name}``."""
        self.feeds[name] = body
        self.content_types[name] = content_type

    def put_page(self, name: str, body: bytes) -> None:
        """Serve an article page at ``/articles/{name}``."""
        self.pages[name] = body

    def put_corpus(self, directory: Path) -> list[str]:
        """Serve every ``*.xml`` of ``directory`` under its file name; returns the names."""
        names = []
        for path in sorted(directory.glob("*.xml")):
            self.put(path.name, path.read_bytes())
            names.append(path.name)
        return names

    def hits(self, path: str) -> list[Recorded]:
        """Requests received for ``path``."""
        return [r for r in self.requests if r.path == path]

    # -- routes -------------------------------------------------------------------
    def app(self) -> Starlette:
        """The ASGI app."""
        routes = [
            Route("/feeds/{name:path}", self.feed),
            Route("/articles/{name:path}", self.page),
            Route("/robots.txt", self.robots_txt),
            Route("/plain/{name:path}", self.plain),
            Route("/moved/{name:path}", self.moved),
            Route("/found/{name:path}", self.found),
            Route("/loop/{n:int}", self.loop),
            Route("/gone", self.status(410)),
            Route("/ratelimited", self.status(429)),
            Route("/unavailable", self.status(503)),
            Route("/slow", self.slow),
            Route("/endless", self.endless),
            Route("/html", self.fixed(HTML_PAGE, "text/html; charset=utf-8")),
            Route("/broken", self.fixed(BROKEN_XML, "application/xml")),
            Route("/garbage", self.fixed(GARBAGE, "application/octet-stream")),
            Route("/ssrf", self.ssrf),
            Route("/bomb", self.bomb),
        ]
        middleware = [Middleware(GZipMiddleware, minimum_size=256)]
        return Starlette(routes=routes, middleware=middleware)

    def _record(self, request: Request) -> None:
        self.requests.append(
            Recorded(
                request.method, request.url.path, {k.lower(): v for k, v in request.headers.items()}
            )
        )

    async def feed(self, request: Request) -> Response:
        """A feed with validators; 304 when the client's validators match."""
        self._record(request)
        name = request.path_params["name"]
        body = self.feeds.get(name)
        if body is None:
            return Response("no such feed", status_code=404)
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=self.content_types[name], headers=headers)

    async def page(self, request: Request) -> Response:
        """An article page put with ``put_page``; 404 otherwise."""
        self._record(request)
        body = self.pages.get(request.path_params["name"])
        if body is None:
            return Response("no such article", status_code=404)
        return Response(body, media_type="text/html; charset=utf-8")

    async def robots_txt(self, request: Request) -> Response:
        self._record(request)
        if self.robots is None:
            return Response("not found", status_code=404)
        return Response(self.robots, status_code=self.robots_status, media_type="text/plain")

    async def plain(self, request: Request) -> Response:
        """A feed without validators (the client must skip by body hash)."""
        self._record(request)
        body = self.feeds.get(request.path_params["name"])
        if body is None:
            return Response("no such feed", status_code=404)
        return Response(body, media_type=self.content_types[request.path_params["name"]])

    async def moved(self, request: Request) -> Response:
        self._record(request)
        return RedirectResponse(f"/feeds/{request.path_params['name']}", status_code=301)

    async def found(self, request: Request) -> Response:
        self._record(request)
        return RedirectResponse(f"/feeds/{request.path_params['name']}", status_code=302)

    async def loop(self, request: Request) -> Response:
        self._record(request)
        return RedirectResponse(f"/loop/{request.path_params['n'] + 1}", status_code=302)

    def status(self, code: int) -> Handler:
        async def handler(request: Request) -> Response:
            self._record(request)
            return Response("go away", status_code=code, headers={"Retry-After": self.retry_after})

        return handler

    def fixed(self, body: bytes, content_type: str) -> Handler:
        async def handler(request: Request) -> Response:
            self._record(request)
            return Response(body, media_type=content_type)

        return handler

    async def slow(self, request: Request) -> Response:
        """Answers only after ``slow_seconds`` (longer than the client's read timeout)."""
        self._record(request)
        await asyncio.sleep(self.slow_seconds)
        return Response(BROKEN_XML, media_type="application/xml")

    async def endless(self, request: Request) -> Response:
        """A "feed" that never ends (a 1 GB body must not be read into memory)."""
        self._record(request)

        async def chunks() -> AsyncIterator[bytes]:
            yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
            while True:
                yield b"<!-- " + b"x" * 65_536 + b" -->"
                await asyncio.sleep(0)

        return StreamingResponse(chunks(), media_type="application/rss+xml")

    async def bomb(self, request: Request) -> Response:
        """A small gzip body that inflates to 32 MiB (a "gzip bomb")."""
        self._record(request)
        return Response(
            _bomb(), media_type="application/rss+xml", headers={"Content-Encoding": "gzip"}
        )

    async def ssrf(self, request: Request) -> Response:
        """Redirects to an internal address (cloud metadata by default)."""
        self._record(request)
        return RedirectResponse(self.redirect_target, status_code=302)

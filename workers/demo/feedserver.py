"""A small static HTTP server for the bundled demo feeds, with dates moved to "now".

The feeds in ``workers/demo/feeds`` were written relative to a fixed :data:`ANCHOR`; the
server shifts every date by ``now - ANCHOR`` when it serves them, so the demo always
shows the last three days. It answers conditional GETs (ETag) like a real publisher, so a
second ingest in the same run sees 304s.

It also plays the publishers' web sites: every item link is rewritten to
``/articles/<host>/<path>`` on a port of the publisher's own (one listener per site
host, all on 127.0.0.1), which answers with an HTML article page (the item's summary,
then, for the stories in ``articles/stories.json``, a longer body; an og:image, the
author and the date), so the demo's briefs are built from full text. One port per site
keeps the publishers apart as real hosts would: clustering reads two pages of one site
as one publisher's.

The lead images outlive this server: ``aitoday demo`` points each page's og:image at the
web app's copy (``bots/static/demo/<name>.svg``, the same pictures :func:`lead_image`
draws), so the briefs' pictures still load from ``aitoday web --demo`` once the demo has
exited. Without ``image_base`` the server answers ``/img/<name>.svg`` itself.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import html
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

ANCHOR = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

_RFC822 = re.compile(r"<(pubDate|lastBuildDate)>([^<]+)</\1>")
_ISO = re.compile(r"<(published|updated)>([^<]+)</\1>")
# Item links (RSS <link>x</link>, Atom href="x") with a path: the site's own pages.
_ITEM_LINK = re.compile(r"(<link>|<link[^>]*?href=\")https?://([^/<\"]+)(/[^<\"\s]+)")


def feed_names() -> list[str]:
    """The bundled feed file names (``aurora-newsroom.xml`` ...)."""
    folder = resources.files("workers.demo").joinpath("feeds")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".xml"))


def read_feed(name: str) -> str:
    """One bundled feed, as written (dates relative to ANCHOR)."""
    return resources.files("workers.demo").joinpath("feeds", name).read_text("utf-8")


def demo_opml(port: int) -> bytes:
    """The demo sources as OPML, pointing at a feed server on 127.0.0.1:``port``."""
    text = resources.files("workers.demo").joinpath("sources.opml").read_text("utf-8")
    return text.replace("{port}", str(port)).encode("utf-8")


def shift_dates(xml: str, delta: timedelta) -> str:
    """Move every RSS (RFC 822) and Atom (ISO 8601) date in ``xml`` by ``delta``."""

    def rfc822(match: re.Match[str]) -> str:
        when = parsedate_to_datetime(match.group(2).strip()) + delta
        return f"<{match.group(1)}>{format_datetime(when.astimezone(UTC))}</{match.group(1)}>"

    def iso(match: re.Match[str]) -> str:
        when = datetime.fromisoformat(match.group(2).strip().replace("Z", "+00:00")) + delta
        stamp = when.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return f"<{match.group(1)}>{stamp}</{match.group(1)}>"

    return _ISO.sub(iso, _RFC822.sub(rfc822, xml))


def shift_to(now: datetime) -> timedelta:
    """The shift that puts ANCHOR at ``now`` (whole minutes, so reruns match)."""
    minutes = int((now - ANCHOR).total_seconds() // 60)
    return timedelta(minutes=minutes)


@functools.cache
def stories() -> list[dict[str, Any]]:
    """The demo's article bodies: ``{"match", "image", "paragraphs"}`` per story."""
    text = resources.files("workers.demo").joinpath("articles", "stories.json").read_text("utf-8")
    return list(json.loads(text)["stories"])


def site_hosts() -> list[str]:
    """The publishers' hosts that the bundled feeds' item links point at."""
    return sorted(
        {m.group(2) for name in feed_names() for m in _ITEM_LINK.finditer(read_feed(name))}
    )


def rewrite_links(xml: str, site_url: Callable[[str], str]) -> str:
    """Point every item link of ``xml`` at ``site_url(host)/articles/<host>/<path>``."""
    return _ITEM_LINK.sub(
        lambda m: f"{m.group(1)}{site_url(m.group(2))}/articles/{m.group(2)}{m.group(3)}", xml
    )


def article_pages(
    feed_xml: bytes, base_url: str, image_base: str | None = None
) -> dict[str, bytes]:
    """The article page of every item of one (already rewritten) feed, by path; images
    under ``image_base`` (else ``base_url/img/``)."""
    import feedparser

    parsed = feedparser.parse(feed_xml, response_headers={"content-location": base_url + "/"})
    language = parsed.feed.get("language") or "en"
    pages = {}
    for entry in parsed.entries:
        link = urlsplit(str(entry.get("link", "")))
        if link.hostname != "127.0.0.1" or not link.path.startswith("/articles/"):
            continue
        pages[link.path] = article_page(entry, language, image_base or f"{base_url}/img")
    return pages


def article_page(entry: Any, language: str, image_base: str | None = None) -> bytes:
    """One article page: title, og:image, author, date, the summary and a story body."""
    title = str(entry.get("title", ""))
    summary = re.sub(r"<[^>]+>", " ", str(entry.get("summary", ""))).strip()
    story = _story_for(title)
    paragraphs = [summary, *(story["paragraphs"] if story else [])]
    image = story["image"] if story else DEFAULT_IMAGE
    if image_base is not None:
        image = f"{image_base.rstrip('/')}/{image.rsplit('/', 1)[-1]}"
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    stamp = datetime.fromtimestamp(calendar.timegm(published), UTC).isoformat() if published else ""
    esc = html.escape
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs if p)
    return (
        f'<!DOCTYPE html><html lang="{esc(language)}"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title>"
        f'<meta property="og:title" content="{esc(title)}">'
        f'<meta property="og:image" content="{esc(image)}">'
        f'<meta name="author" content="{esc(str(entry.get("author", "")))}">'
        f'<meta property="article:published_time" content="{stamp}">'
        f'</head><body><nav><a href="/">Home</a> <a href="/ai">AI</a></nav>'
        f"<article><h1>{esc(title)}</h1>{body}</article>"
        f"<footer><p>A fictional AIToday demo publisher.</p></footer></body></html>"
    ).encode()


def _story_for(title: str) -> dict[str, Any] | None:
    if not title.isascii():  # the bodies are English; other languages keep their summary
        return None
    return next((s for s in stories() if any(m in title for m in s["match"])), None)


DEFAULT_IMAGE = "/img/default.svg"


def image_paths() -> list[str]:
    """Every lead image path the demo pages use (``/img/<name>.svg``)."""
    return sorted({DEFAULT_IMAGE, *(str(s["image"]) for s in stories())})


def lead_image(path: str) -> bytes:
    """A small SVG standing in for a story's photo (its colour from the path)."""
    hue = int(hashlib.blake2b(path.encode(), digest_size=2).hexdigest(), 16) % 360
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630">'
        f'<rect width="1200" height="630" fill="hsl({hue},55%,45%)"/>'
        '<text x="60" y="560" font-size="64" fill="#fff" font-family="sans-serif">'
        "AIToday demo</text></svg>"
    ).encode()


class DemoFeedServer:
    """Serves ``/feeds/<name>.xml`` on 127.0.0.1 in a background thread.

    Use as a context manager; ``base_url`` and ``port`` are set once it is running.
    ``now`` is injectable so tests can pin the clock; ``image_base`` is where the pages'
    og:images point (the web app's static copies), else this server's ``/img/``.
    """

    def __init__(
        self,
        port: int = 0,
        now: Callable[[], datetime] | None = None,
        image_base: str | None = None,
    ) -> None:
        self._now = now or (lambda: datetime.now(UTC))
        self._image_base = image_base
        self._bodies: dict[str, bytes] = {}
        handler = self._handler()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._sites = {
            host: ThreadingHTTPServer(("127.0.0.1", 0), handler) for host in site_hosts()
        }
        self._bodies.update(self._render())  # links need the ports, known once bound
        self._threads = []
        for httpd in (self._httpd, *self._sites.values()):
            httpd.daemon_threads = True
            self._threads.append(threading.Thread(target=httpd.serve_forever, daemon=True))

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def site_url(self, host: str) -> str:
        """Where the publisher ``host``'s pages are served (a port of its own)."""
        return f"http://127.0.0.1:{self._sites[host].server_address[1]}"

    def opml(self) -> bytes:
        """The demo sources pointing at this server."""
        return demo_opml(self.port)

    def __enter__(self) -> DemoFeedServer:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for httpd in (self._httpd, *self._sites.values()):
            httpd.shutdown()
            httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _render(self) -> dict[str, bytes]:
        delta = shift_to(self._now())
        bodies = {}
        for name in feed_names():
            feed = rewrite_links(shift_dates(read_feed(name), delta), self.site_url)
            bodies[f"/feeds/{name}"] = feed.encode("utf-8")
            pages = article_pages(bodies[f"/feeds/{name}"], self.base_url, self._image_base)
            bodies.update(pages)
        return bodies

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        bodies = self._bodies

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path.startswith("/img/"):
                    self._send(lead_image(path), "image/svg+xml")
                    return
                body = bodies.get(path)
                if body is not None and path.startswith("/articles/"):
                    self._send(body, "text/html; charset=utf-8")
                    return
                if body is None:
                    self.send_error(404, "no such demo feed")
                    return
                etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                kind = "application/atom+xml" if b"<feed" in body[:200] else "application/rss+xml"
                self.send_response(200)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def _send(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the demo shows progress bars, not access logs

        return Handler

"""A small static HTTP server for the bundled demo feeds, with dates moved to "now".

The feeds in ``workers/demo/feeds`` were written relative to a fixed :data:`ANCHOR`; the
server shifts every date by ``now - ANCHOR`` when it serves them, so the demo always
shows the last three days. It answers conditional GETs (ETag) like a real publisher, so a
second ingest in the same run sees 304s.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from types import TracebackType

ANCHOR = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

_RFC822 = re.compile(r"<(pubDate|lastBuildDate)>([^<]+)</\1>")
_ISO = re.compile(r"<(published|updated)>([^<]+)</\1>")


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


class DemoFeedServer:
    """Serves ``/feeds/<name>.xml`` on 127.0.0.1 in a background thread.

    Use as a context manager; ``base_url`` and ``port`` are set once it is running.
    ``now`` is injectable so tests can pin the clock.
    """

    def __init__(self, port: int = 0, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))
        self._bodies = self._render()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def opml(self) -> bytes:
        """The demo sources pointing at this server."""
        return demo_opml(self.port)

    def __enter__(self) -> DemoFeedServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _render(self) -> dict[str, bytes]:
        delta = shift_to(self._now())
        return {
            f"/feeds/{name}": shift_dates(read_feed(name), delta).encode("utf-8")
            for name in feed_names()
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        bodies = self._bodies

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = bodies.get(self.path.split("?", 1)[0])
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

            def log_message(self, format: str, *args: object) -> None:
                pass  # the demo shows progress bars, not access logs

        return Handler

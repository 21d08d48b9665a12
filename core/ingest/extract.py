"""Article pages -> full text: trafilatura's main-text extraction plus page metadata.

``extract_page`` is pure CPU (run it off the event loop: ``extract_in``); it never
raises for bad input. Garbage, empty, oversized or text-less pages come back as an
``ExtractedPage`` with ``error`` set, so one bad page is a counted reason, not a crash.

trafilatura is imported inside the function that uses it: it pulls lxml, justext and
courlan, which a process that never reads a page (web, delivery workers) need not load.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit

from core.ingest.clean import normalise_language, strip_invisible

MAX_PAGE_BYTES = 4 * 1024 * 1024  # decoded HTML; a larger "article" is not one
TEXT_CHARS = 20_000  # as parse.TEXT_CHARS: what an Article keeps of a text
GZIP_MAGIC = b"\x1f\x8b"

_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)")
_PUBLISHED_META = re.compile(
    rb"<meta\b[^>]*?(?:property|name|itemprop)\s*=\s*[\"']"
    rb"(?:article:published_time|datePublished|pubdate|og:published_time)[\"'][^>]*>",
    re.IGNORECASE,
)
_CONTENT_ATTR = re.compile(rb"content\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class ExtractedPage:
    """What one article page gave; ``error`` says why there is no text."""

    url: str
    title: str | None = None
    text: str = ""
    language: str | None = None
    image: str | None = None  # absolute URL of the lead image (og:image)
    author: str | None = None
    published: datetime | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.text)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``aitoday extract``."""
        return {
            "title": self.title,
            "text": self.text,
            "language": self.language,
            "image": self.image,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "error": self.error,
        }


def decompress(body: bytes, limit: int = MAX_PAGE_BYTES) -> bytes | None:
    """``body`` itself, or its gzip inflation (``.html.gz`` files) cut at ``limit`` + 1
    bytes (a bomb stops there); None for a broken gzip stream."""
    if not body.startswith(GZIP_MAGIC):
        return body
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, limit + 1)
    except zlib.error:
        return None


def extract_page(body: bytes, url: str) -> ExtractedPage:
    """Main text and metadata of one HTML page; never raises for bad input."""
    html = decompress(body)
    if html is None:
        return ExtractedPage(url, error="broken gzip data")
    if len(html) > MAX_PAGE_BYTES:
        return ExtractedPage(url, error=f"page larger than {MAX_PAGE_BYTES} bytes")
    if not html.strip():
        return ExtractedPage(url, error="empty page")
    try:
        doc = _bare(html, url)
    except Exception as exc:  # a parser crash on one page is that page's reason
        return ExtractedPage(url, error=f"extractor error: {type(exc).__name__}")
    if doc is None or not (doc.get("text") or "").strip():
        return ExtractedPage(url, error="no main text found")
    title = _clean_line(doc.get("title"))
    return ExtractedPage(
        url,
        title=title,
        text=_clean_text(_without_title(doc["text"], title)),
        language=_language(html, doc.get("language")),
        image=_absolute(doc.get("image"), url),
        author=_clean_line(doc.get("author")),
        published=_published(html, doc.get("date")),
    )


async def extract_in(executor: Executor | None, body: bytes, url: str) -> ExtractedPage:
    """``extract_page`` in ``executor`` (None: the loop's default thread pool)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, partial(extract_page, body, url))


def _bare(html: bytes, url: str) -> dict[str, Any] | None:
    import trafilatura  # heavy (lxml, justext, courlan): only where pages are read

    # favor_precision: chosen on the tune half of bench.extract (F1 0.970 -> 0.975) and
    # confirmed on the held-out half (0.953 -> 0.970); navigation and teasers stay out.
    doc = trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, favor_precision=True
    )
    if doc is None:
        return None
    return dict(doc.as_dict()) if hasattr(doc, "as_dict") else dict(doc)


def _without_title(text: str, title: str | None) -> str:
    # Pages repeat their headline as the body's first line; the Article has it already
    # (and a brief must not quote it as a sentence). Tune half F1 0.976 -> 0.977.
    first, _, rest = text.strip().partition("\n")
    same = title is not None and " ".join(first.split()).casefold() == title.casefold()
    return rest if same and rest.strip() else text


def _clean_text(text: str) -> str:
    text = strip_invisible(text).replace("\r", "")
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if len(text) > TEXT_CHARS:
        cut = text[:TEXT_CHARS].rsplit(" ", 1)[0] or text[:TEXT_CHARS]
        text = cut.rstrip(" ,.;:") + "…"
    return text


def _clean_line(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    line = " ".join(strip_invisible(value).split())
    return line[:300] or None


def _language(html: bytes, detected: object) -> str | None:
    # The page's own declaration first: trafilatura detects only with py3langid.
    match = _HTML_LANG.search(html[:4096])
    tag = match.group(1).decode("ascii") if match else None
    return normalise_language(tag) or normalise_language(
        detected if isinstance(detected, str) else None
    )


def _absolute(image: object, url: str) -> str | None:
    if not isinstance(image, str) or not image.strip():
        return None
    absolute = urljoin(url, image.strip()) if url else image.strip()
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _published(html: bytes, date: object) -> datetime | None:
    # A full timestamp from the page's meta beats trafilatura's day-only date.
    for meta in _PUBLISHED_META.finditer(html[:262_144]):
        content = _CONTENT_ATTR.search(meta.group(0))
        when = _parse_iso(content.group(1).decode("ascii", "ignore")) if content else None
        if when is not None:
            return when
    return _parse_iso(date) if isinstance(date, str) else None


def _parse_iso(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)

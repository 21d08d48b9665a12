"""Parsing: feed bytes -> clean Articles. Pure and synchronous: it runs in a worker
(process pool; see BENCHMARKS.md for why) off the event loop.

feedparser gets bytes only (never a URL or a path: it would fetch or open it), with
its own sanitizer off for speed; everything we keep goes through ``clean`` instead.

A feed keeps at most ``max_items`` items per fetch, the newest (``fetch.max_items_per_feed``).
feedparser builds every entry it sees, ~3 KB each, so a feed of far more items than that
is cut in its bytes first (:func:`trim_items`): only the items at its two ends reach the
parser, since a feed lists its newest first (or, rarely, last). 100,000 items: 380 MiB
and 15 s of parsing become 75 MiB and 0.3 s (BENCHMARKS.md).
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from core.ingest.clean import canonical_url, clean_text, normalise_language
from core.ingest.dedupe import keyed_articles
from core.models import Article, short_hash
from core.store.articles import KeyedArticle

TITLE_CHARS = 300
SUMMARY_CHARS = 1_000
TEXT_CHARS = 20_000
MAX_LINKS = 10

_HREF = re.compile(r"""href\s*=\s*["'](https?://[^"'\s<>]+)["']""", re.IGNORECASE)
_CHARSET = re.compile(r";\s*charset\s*=\s*[\"']?[\w.:-]+[\"']?", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedFeed:
    """Articles of one feed body, or why there are none."""

    articles: list[Article] = field(default_factory=list)
    error: str | None = None  # not a feed at all: the fetch counts as failed
    warning: str | None = None  # malformed, but entries were recovered
    title: str | None = None
    skipped: int = 0  # entries without a usable http(s) link
    over_cap: int = 0  # items beyond max_items, the oldest: not kept
    keyed: list[KeyedArticle] = field(default_factory=list)  # set by parse_for_store


def parse_for_store(body: bytes, **kwargs: Any) -> ParsedFeed:
    """:func:`parse_feed`, returning the articles encoded for the store (``keyed``).

    What the ingest workers run: encoding here keeps that CPU off the event loop's
    process, and JSON strings cross the process boundary cheaper than models.
    """
    parsed = parse_feed(body, **kwargs)
    return replace(parsed, articles=[], keyed=keyed_articles(parsed.articles))


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    source_id: str,
    language: str,
    fetched: datetime,
    max_items: int | None = None,
) -> ParsedFeed:
    """Parse and clean one feed body into Articles of ``source_id``: the newest
    ``max_items`` of them when given (``over_cap`` counts the rest)."""
    body, cut = trim_items(body, max_items) if max_items is not None else (body, 0)
    doc = feedparser.parse(
        body,
        # No content-location: resolving every element against it costs ~25% of the
        # parse; _link resolves the one URL we keep against the feed's URL instead.
        response_headers={"content-type": _content_type(body, content_type)},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not doc.get("version") and not doc.entries:
        return ParsedFeed(error=_not_a_feed(body, doc))
    feed_language = normalise_language(doc.feed.get("language"))
    lang = feed_language if language == "en" and feed_language else language
    articles: list[Article] = []
    skipped = 0
    links = [_link(entry, url) for entry in doc.entries]
    keep = _significant_fragments(links)
    for entry, link in zip(doc.entries, links, strict=True):
        article = _article(
            entry, link, source_id=source_id, language=lang, fetched=fetched, keep=keep
        )
        if article is None:
            skipped += 1
        else:
            articles.append(article)
    if max_items is not None and len(articles) > max_items:
        cut += len(articles) - max_items
        articles = newest(articles, max_items)
    warning = f"malformed feed: {doc.get('bozo_exception')}" if doc.get("bozo") else None
    title = clean_text(doc.feed.get("title", ""), TITLE_CHARS) or None
    return ParsedFeed(
        articles=articles, warning=warning, title=title, skipped=skipped, over_cap=cut
    )


# Where an RSS <item> or Atom <entry> opens (not <items>, RSS 1.0's table of contents).
_ITEM_START = re.compile(rb"<(?:item|entry)[\s>/]")


def trim_items(body: bytes, keep: int) -> tuple[bytes, int]:
    """``body`` with all but its first and last ``keep`` items cut out, and how many
    were cut; unchanged when it holds at most ``2 * keep``.

    Cutting bytes between one item's start and a later one's leaves well-formed XML
    (whatever sat between items goes too). The newest of what is left are chosen after
    parsing, by date.
    """
    starts = [m.start() for m in _ITEM_START.finditer(body)]
    if len(starts) <= 2 * keep:
        return body, 0
    head, tail = starts[keep], starts[len(starts) - keep]
    return body[:head] + body[tail:], len(starts) - 2 * keep


def newest(articles: list[Article], count: int) -> list[Article]:
    """The ``count`` most recently published articles, in feed order."""
    ranked = sorted(range(len(articles)), key=lambda i: articles[i].published, reverse=True)
    return [articles[i] for i in sorted(ranked[:count])]


def _content_type(body: bytes, declared: str | None) -> str:
    """The declared type, minus a charset that contradicts a valid UTF-8 body.

    Valid UTF-8 with non-ASCII bytes is almost never another encoding, while servers
    that label every response ISO-8859-1 are common; trusting the label would turn
    every accented letter into mojibake.
    """
    declared = declared or "application/xml"
    match = _CHARSET.search(declared)
    if match is None or "utf-8" in match.group(0).lower() or body.isascii():
        return declared
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return declared
    return _CHARSET.sub("", declared)


_ROOT_TAG = re.compile(rb"<([a-z][\w:.-]*)")
_HTML_TAGS = {b"head", b"body", b"meta", b"title", b"link", b"script", b"div", b"p", b"span"}


def _not_a_feed(body: bytes, doc: Any) -> str:
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "not a feed: the URL serves an HTML page"
    if not body.strip():
        return "not a feed: empty body"
    # The parser's own text ("<unknown>:2:1: not well-formed") means nothing to a reader:
    # say what the URL serves instead.
    return f"not a feed: the URL serves {_what_it_serves(head, doc)}, not RSS or Atom"


def _what_it_serves(head: bytes, doc: Any) -> str:
    if head.startswith((b"{", b"[")):
        return "JSON"
    if not head.startswith(b"<"):
        return "plain text"
    root = _ROOT_TAG.search(head)
    if root and root.group(1) in _HTML_TAGS:
        return "HTML"
    if doc.get("bozo_exception") is not None:
        return "XML that does not parse"
    return f"an XML document <{root.group(1).decode()}>" if root else "an XML document"


def _significant_fragments(links: list[str | None]) -> frozenset[str]:
    """Pages whose fragment tells this feed's items apart (a changelog's ``#v2.3``).

    Fragments are dropped from canonical URLs, except where one feed links several
    items to one page with different fragments: there the fragment is the identity.
    """
    seen: dict[str, set[str]] = {}
    for link in links:
        if link is not None and "#" in link:
            page, _, fragment = link.partition("#")
            seen.setdefault(canonical_url(page), set()).add(fragment)
    return frozenset(page for page, fragments in seen.items() if len(fragments) > 1)


def _article(
    entry: Any,
    link: str | None,
    *,
    source_id: str,
    language: str,
    fetched: datetime,
    keep: frozenset[str] = frozenset(),
) -> Article | None:
    if link is None:
        return None
    url = canonical_url(link)
    fragment = link.partition("#")[2]
    if fragment and url in keep:
        url = f"{url}#{fragment}"
    summary_html = entry.get("summary", "") or ""
    content_html = _content(entry)
    summary = clean_text(summary_html, SUMMARY_CHARS)
    text = clean_text(content_html, TEXT_CHARS) if content_html else ""
    if text == summary:
        text = ""
    title = clean_text(entry.get("title", ""), TITLE_CHARS) or clean_text(summary, 120) or url
    return Article(
        id=short_hash(url),
        url=url,
        title=title,
        summary=summary,
        text=text,
        source_id=source_id,
        published=_published(entry, fetched),
        fetched=fetched,
        author=clean_text(entry.get("author", "") or "", 200) or None,
        language=language,
        guid=(entry.get("id") or "").strip() or None,
        content_hash=short_hash(title, summary, text),
        links=_outbound(summary_html + content_html, url),
    )


def _link(entry: Any, base: str) -> str | None:
    candidates = [entry.get("link")]
    guid = entry.get("id") or ""
    if guid.startswith(("http://", "https://")):
        candidates.append(guid)
    for candidate in candidates:
        if not candidate:
            continue
        absolute = str(candidate).strip()
        if not absolute.startswith(("http://", "https://")):
            absolute = urljoin(base, absolute)
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and parts.hostname:
            return absolute
    return None


def _content(entry: Any) -> str:
    contents = entry.get("content") or []
    return "\n".join(str(c.get("value", "")) for c in contents)


def _published(entry: Any, fetched: datetime) -> datetime:
    """UTC; the fetch time when missing, and never later than the fetch time."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed is None:
        return fetched
    try:
        when = datetime.fromtimestamp(_timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return fetched
    return min(when, fetched)


def _timegm(parsed: time.struct_time) -> float:
    return float(calendar.timegm(parsed))


def _outbound(markup: str, own_url: str) -> list[str]:
    """Distinct outbound links of an item (aggregators point at the real story)."""
    links: list[str] = []
    for match in _HREF.finditer(markup):
        link = canonical_url(match.group(1))
        if link != own_url and link not in links:
            links.append(link)
            if len(links) == MAX_LINKS:
                break
    return links

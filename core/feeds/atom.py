"""A Feed as Atom (RFC 4287), written with xml.etree: every text and attribute escaped.

Entry content is ``type="html"`` (the fragment of :mod:`core.feeds.content`, escaped once
more as element text), the summary plain text; the lead image also rides as a Media RSS
``media:thumbnail``, which most readers show as the entry's picture.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from core.feeds.content import xml_safe
from core.feeds.entries import Feed, FeedEntry

__all__ = ["CONTENT_TYPE", "atom_xml", "rfc3339"]

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"


def rfc3339(when: datetime) -> str:
    """``2026-12-03T07:30:00Z``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, {_name(k): xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        child.text = xml_safe(text)
    return child


def _name(attr: str) -> str:
    return "xml:lang" if attr == "lang" else attr


def _author(parent: ET.Element, name: str, uri: str | None = None) -> None:
    author = _add(parent, "author")
    _add(author, "name", name)
    if uri:
        _add(author, "uri", uri)


def atom_xml(feed: Feed) -> bytes:
    """The Atom document of ``feed``, UTF-8, with its XML declaration."""
    root = ET.Element(
        "feed", {"xmlns": ATOM, "xmlns:media": MEDIA, "xml:lang": xml_safe(feed.language)}
    )
    _add(root, "id", feed.id)
    _add(root, "title", feed.title, type="text")
    _add(root, "subtitle", feed.subtitle, type="text")
    _add(root, "updated", rfc3339(feed.updated))
    _add(root, "link", rel="self", type="application/atom+xml", href=feed.atom_url)
    _add(root, "link", rel="alternate", type="application/feed+json", href=feed.json_url)
    _add(root, "link", rel="alternate", type="text/html", href=feed.home_url)
    _author(root, feed.author, feed.home_url)
    _add(root, "generator", feed.author, uri=feed.home_url)
    for entry in feed.entries:
        _entry(root, entry)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _entry(root: ET.Element, entry: FeedEntry) -> None:
    element = _add(root, "entry", lang=entry.language)
    _add(element, "id", entry.id)
    _add(element, "title", entry.title, type="text")
    _add(element, "link", rel="alternate", type="text/html", href=entry.url)
    _add(element, "published", rfc3339(entry.published))
    _add(element, "updated", rfc3339(entry.updated))
    _author(element, entry.author)
    for tag in entry.tags:
        _add(element, "category", term=tag)
    _add(element, "summary", entry.summary, type="text")
    _add(element, "content", entry.content_html, type="html")
    if entry.image:
        _add(element, "media:thumbnail", url=entry.image)

"""Sources as OPML: read (``load_opml``), write (``export_opml``), and the shipped list.

The attribute spec the shipped ``data/sources.opml`` follows::

    <outline type="rss" text=".." title=".." xmlUrl=".." htmlUrl=".."
             category="lab|research|news|..." authority="0.0-1.0"
             language="en|ja|zh-Hant|..." verified="true|false"/>

Feed outlines may sit inside group outlines; a group whose text names a category
(``<outline text="research">``) gives its feeds that category unless they carry one.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from importlib import resources
from urllib.parse import urlsplit

from core.errors import SourceError
from core.ingest.clean import normalise_language
from core.models import Source, SourceCategory

_CATEGORIES = {c.value for c in SourceCategory}
_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def default_sources() -> list[Source]:
    """The curated sources shipped in ``core/ingest/data/sources.opml``."""
    data = resources.files("core.ingest").joinpath("data/sources.opml").read_bytes()
    return load_opml(data)


def load_opml(data: bytes) -> list[Source]:
    """Every feed outline of an OPML document as a Source, with unique slug ids.

    Raises SourceError with one clear sentence when the document is not OPML or an
    outline carries a bad value (the outline's title is named).
    """
    root = _parse_xml(data)
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise SourceError("not an OPML document: expected <opml> with a <body>")
    sources: list[Source] = []
    taken: set[str] = set()
    for outline, group in _feed_outlines(body, None):
        source = _source(outline, group)
        source = source.model_copy(update={"id": unique_id(source.id, taken)})
        taken.add(source.id)
        sources.append(source)
    if not sources:
        raise SourceError("the OPML document has no feed outlines (no xmlUrl attribute)")
    return sources


def _parse_xml(data: bytes) -> ET.Element:
    if b"<!ENTITY" in data[:4096].upper():
        raise SourceError("OPML with entity declarations is refused")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise SourceError(f"not valid OPML (XML error: {exc})") from None


def _feed_outlines(
    parent: ET.Element, group: str | None
) -> Iterator[tuple[ET.Element, str | None]]:
    for outline in parent.findall("outline"):
        if outline.get("xmlUrl"):
            yield outline, group
            continue
        label = (outline.get("category") or outline.get("text") or "").strip().lower()
        yield from _feed_outlines(outline, label if label in _CATEGORIES else group)


def _source(outline: ET.Element, group: str | None) -> Source:
    url = (outline.get("xmlUrl") or "").strip()
    title = (outline.get("title") or outline.get("text") or "").strip() or host_of(url)
    where = f"outline {title!r}"
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise SourceError(f"{where}: xmlUrl {url!r} is not an http(s) URL")
    category = (outline.get("category") or group or "news").strip().lower()
    if category not in _CATEGORIES:
        raise SourceError(f"{where}: category {category!r} is not one of {sorted(_CATEGORIES)}")
    return Source(
        id=source_slug(title, url),
        url=url,
        title=title,
        site_url=(outline.get("htmlUrl") or "").strip() or None,
        category=SourceCategory(category),
        authority=_authority(outline.get("authority"), where),
        language=normalise_language(outline.get("language")) or "en",
        verified=_flag(outline.get("verified"), default=True),
    )


def _authority(value: str | None, where: str) -> float:
    if value is None or not value.strip():
        return 0.5
    try:
        number = float(value)
    except ValueError:
        raise SourceError(f"{where}: authority {value!r} is not a number") from None
    if not 0.0 <= number <= 1.0:
        raise SourceError(f"{where}: authority {value} is outside 0.0-1.0")
    return number


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("true", "1", "yes")


def slugify(text: str) -> str:
    """``"Anthropic News"`` -> ``"anthropic-news"``; non-Latin text keeps nothing."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_STRIP.sub("-", ascii_text.lower()).strip("-")[:60].strip("-")


def source_slug(title: str, url: str) -> str:
    """A readable id: from the title, or from the host when the title is mostly
    non-Latin ("36氪" would leave "36", "IT之家" "it": the host says more)."""
    slug = slugify(title)
    lost = any(ch.isalpha() and not ch.isascii() for ch in title)
    if (len(slug) < 6 and lost) or not slug:
        slug = slugify(host_of(url)) or slug
    return slug or "source"


def host_of(url: str) -> str:
    """The host of a URL without ``www.``."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` ... whichever is not taken."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def export_opml(sources: Sequence[Source]) -> str:
    """An OPML 2.0 document of ``sources``, grouped by category (round-trips load_opml)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "AIToday sources"
    body = ET.SubElement(root, "body")
    for category in SourceCategory:
        members = [s for s in sources if s.category == category]
        if not members:
            continue
        group = ET.SubElement(body, "outline", text=category.value)
        for source in members:
            ET.SubElement(group, "outline", _attributes(source))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _attributes(source: Source) -> dict[str, str]:
    attrs = {
        "type": "rss",
        "text": source.title,
        "title": source.title,
        "xmlUrl": source.url,
        "category": source.category.value,
        "authority": f"{source.authority:g}",
        "language": source.language,
        "verified": "true" if source.verified else "false",
    }
    if source.site_url:
        attrs["htmlUrl"] = source.site_url
    return attrs

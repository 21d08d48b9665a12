"""One story's brief as an HTML fragment for a feed entry, built as a tree, never as text.

Every string from a brief goes in as element text or an attribute value, so the
serializer escapes it; characters XML 1.0 cannot carry are dropped first (a feed with
one of them would not parse at all); only http(s) links become hrefs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from core.i18n import label
from core.render.common import StoryView, key_points_heading

__all__ = ["digest_html", "story_html", "web_link", "xml_safe"]

# Not allowed anywhere in an XML 1.0 document (section 2.2), not even as a reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def web_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) link we may put in an href, else None."""
    if not url or not url.startswith(("https://", "http://")):
        return None
    return xml_safe(url)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text:
        child.text = xml_safe(text)
    return child


def _link(parent: ET.Element, url: str | None, text: str) -> None:
    href = web_link(url)
    if href is None:
        parent.text = (parent.text or "") + xml_safe(text)
        return
    _add(parent, "a", text, href=href)


def _story(parent: ET.Element, view: StoryView, lang: str) -> None:
    article = _add(parent, "article")
    _link(_add(article, "h2"), view.url, view.headline)
    if view.reason:
        _add(_add(article, "p"), "em", view.reason)
    if view.image is not None and (src := web_link(view.image.url)):
        figure = _add(article, "p")
        attrs = {"src": src, "alt": view.image.alt or view.headline}
        if view.image.width and view.image.height:
            attrs.update(width=str(view.image.width), height=str(view.image.height))
        _add(figure, "img", **attrs)
    if view.dek:
        _add(article, "p", view.dek)
    takeaway = _add(article, "p")
    _add(takeaway, "strong", label("key_takeaway", lang))
    _add(takeaway, "span", " " + view.key_takeaway)
    _points(article, view, lang)
    _faq(article, view, lang)
    _sources(article, view, lang)


def _points(article: ET.Element, view: StoryView, lang: str) -> None:
    points = view.key_points()
    if not points:
        return
    _add(article, "h3", key_points_heading(len(points), lang))
    items = _add(article, "ul")
    for key, text in points:
        item = _add(items, "li")
        _add(item, "strong", label(key, lang))
        _add(item, "span", " " + text)


def _faq(article: ET.Element, view: StoryView, lang: str) -> None:
    if not view.faq:
        return
    _add(article, "h3", label("faq", lang))
    pairs = _add(article, "dl")
    for item in view.faq:
        _add(pairs, "dt", item.question)
        _add(pairs, "dd", item.answer)


def _sources(article: ET.Element, view: StoryView, lang: str) -> None:
    if not view.sources:
        return
    _add(article, "h3", label("sources", lang))
    listed = _add(article, "ul")
    for source in view.sources:
        _link(_add(listed, "li"), source.url, source.name)


def _html(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode", method="html")


def story_html(view: StoryView, lang: str) -> str:
    """One brief: headline, reason, lead image, dek, key takeaway, key points, FAQ, sources."""
    root = ET.Element("div")
    _story(root, view, lang)
    return _html(root)


def digest_html(views: list[StoryView], lang: str) -> str:
    """Every brief of a digest, in order."""
    root = ET.Element("div")
    for view in views:
        _story(root, view, lang)
    return _html(root)

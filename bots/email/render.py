"""Edition -> e-mail: a subject, a responsive HTML part and a plain-text part.

The HTML is table-based with inline styles (what every mail client honours), a
``<style>`` block only for narrow screens and dark mode. The only images are the briefs'
lead images: the article's own picture, linked to the article, with width, height and alt
text so the mail reads the same with images off; no pixel, no tracking parameters.
Rendered once per variant; per-recipient links are the
placeholders of :mod:`core.render.common`, filled by :meth:`EmailPayload.personalize`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from bots.base import declared
from bots.email.limits import LIMITS
from core.briefs.text import shorten
from core.i18n import label
from core.models import BriefImage, Edition
from core.render.common import (
    BRAND,
    PREFERENCES_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    StoryView,
    edition_date,
    key_points_heading,
    source_names,
    story_views,
    subject_line,
)

TEMPLATES = Path(__file__).parent / "templates"
MAX_HTML_BYTES = declared(LIMITS.max_payload_bytes, "max_payload_bytes")
# (dek, key takeaway, each key point) in characters; None: the brief as written
_BUDGETS: tuple[tuple[int, int, int] | None, ...] = (
    None,
    (280, 400, 300),
    (200, 240, 160),
    (120, 140, 80),
    (60, 80, 40),
)
IMAGE_WIDTH = 552  # the card's inner width at 600 px
MAX_FAQ = 3
LABEL_KEYS = (
    "key_takeaway",
    "what_happened",
    "faq",
    "why_it_matters",
    "what_to_watch",
    "sources",
    "read_brief",
    "unsubscribe",
    "preferences",
)


@dataclass(frozen=True)
class EmailPayload:
    """One rendered variant; ``html`` and ``text`` still hold the link placeholders."""

    edition_id: str
    language: str
    subject: str
    html: str
    text: str
    story_ids: tuple[str, ...]

    def personalize(self, *, unsubscribe_url: str, preferences_url: str) -> tuple[str, str]:
        """(html, text) for one recipient: the placeholders replaced by their links."""
        filled_html = self.html.replace(
            UNSUBSCRIBE_PLACEHOLDER, html.escape(unsubscribe_url)
        ).replace(PREFERENCES_PLACEHOLDER, html.escape(preferences_url))
        filled_text = self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url).replace(
            PREFERENCES_PLACEHOLDER, preferences_url
        )
        return filled_html, filled_text


def render_email(edition: Edition, *, base_url: str) -> EmailPayload:
    """The e-mail of one edition variant (pure: no I/O beyond the packaged template).

    Gmail clips an HTML part above ~102 KB behind a "view entire message" link (and the
    unsubscribe link with it), so a long digest is re-rendered with shorter prose until
    the HTML fits :data:`MAX_HTML_BYTES`.
    """
    full = story_views(edition, base_url=base_url)
    subject = subject_line(edition, full)
    for budget in _BUDGETS:
        views = [_shortened(v, budget) for v in full] if budget else full
        html = _html(edition, views, subject)
        if len(html.encode()) <= MAX_HTML_BYTES:
            break
    return EmailPayload(
        edition_id=edition.id,
        language=edition.language,
        subject=subject,
        html=html,
        text=_text(edition, views),
        story_ids=tuple(v.story_id for v in views),
    )


def _shortened(view: StoryView, budget: tuple[int, int, int]) -> StoryView:
    dek, takeaway, point = budget
    return replace(
        view,
        dek=shorten(view.dek, dek),
        key_takeaway=shorten(view.key_takeaway, takeaway),
        what_happened=shorten(view.what_happened, point) if view.what_happened else None,
        faq=tuple(f.model_copy(update={"answer": shorten(f.answer, point)}) for f in view.faq),
        why_it_matters=shorten(view.why_it_matters, point) if view.why_it_matters else None,
        what_to_watch=shorten(view.what_to_watch, point) if view.what_to_watch else None,
    )


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("email.html.j2")


def _html(edition: Edition, views: list[StoryView], subject: str) -> str:
    lang = edition.language
    context: dict[str, Any] = {
        "lang": lang,
        "brand": BRAND,
        "subject": subject,
        "tagline": label("tagline", lang),
        "date": edition_date(edition),
        "preheader": shorten(" · ".join(v.headline for v in views[1:4]) or subject, 140),
        "labels": {key: label(key, lang) for key in LABEL_KEYS},
        "stories": [_story_context(v, lang) for v in views],
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
    }
    return _template().render(**context)


def _story_context(view: StoryView, lang: str) -> dict[str, Any]:
    return {
        "rank": view.rank,
        "url": view.url,
        "headline": view.headline,
        "dek": view.dek,
        "key_takeaway": view.key_takeaway,
        "points_heading": key_points_heading(len(view.key_points()), lang),
        "points": [(label(key, lang), text) for key, text in view.key_points()],
        "faq": [(f.question, f.answer) for f in view.faq[:MAX_FAQ]],
        "image": _image(view.image, view.image_link or view.url, view.headline),
        "sources": [
            {
                "name": s.name,
                "url": _safe_url(s.url),
                "reading": label("min_read", lang, n=s.reading_minutes),
            }
            for s in view.sources
        ],
        "sources_line": source_names(view.sources),
        "age": view.age,
        "reading": label("min_read", lang, n=view.reading_minutes),
        "language_note": view.language_note,
    }


def _image(image: BriefImage | None, link: str, headline: str) -> dict[str, Any] | None:
    """The lead image at the card's width; height kept in proportion when known."""
    if image is None:
        return None
    height = None
    if image.width and image.height:
        height = round(IMAGE_WIDTH * image.height / image.width)
    # The URL goes as the publisher gave it: adding parameters would make it a tracker.
    return {
        "url": image.url,
        "link": _safe_url(link),
        "alt": image.alt or headline,
        "width": IMAGE_WIDTH,
        "height": height,
    }


def _safe_url(url: str) -> str:
    # only web links become hrefs; anything else (javascript:, data:) points nowhere
    return url if url.startswith(("https://", "http://")) else "#"


def _text(edition: Edition, views: list[StoryView]) -> str:
    lang = edition.language
    lines = [f"{BRAND} · {label('tagline', lang)} · {edition_date(edition)}", ""]
    for view in views:
        lines += [f"{view.rank}. {view.headline}", f"   {view.url}"]
        if view.dek:
            lines.append(f"   {view.dek}")
        lines.append(f"   {label('key_takeaway', lang)}: {view.key_takeaway}")
        points = view.key_points()
        if points:
            lines.append(f"   {key_points_heading(len(points), lang)}")
        lines += [f"   - {label(key, lang)}: {text}" for key, text in points]
        if view.faq:
            lines.append(f"   {label('faq', lang)}")
        for item in view.faq[:MAX_FAQ]:
            lines += [f"   Q: {item.question}", f"   A: {item.answer}"]
        if view.language_note:
            lines.append(f"   ({view.language_note})")
        reading = label("min_read", lang, n=view.reading_minutes)
        lines.append(f"   {label('sources', lang)}: {source_names(view.sources)} · {reading}")
        lines.append("")
    lines += [
        "--",
        f"{label('preferences', lang)}: {PREFERENCES_PLACEHOLDER}",
        f"{label('unsubscribe', lang)}: {UNSUBSCRIBE_PLACEHOLDER}",
        "",
    ]
    return "\n".join(lines)

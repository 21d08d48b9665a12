"""Edition -> e-mail: a subject, a responsive HTML part and a plain-text part.

The HTML is table-based with inline styles (what every mail client honours), a
``<style>`` block only for narrow screens and dark mode. The only images are the briefs'
lead images: the article's own picture, linked to the article, with width, height and alt
text so the mail reads the same with images off; no pixel, no tracking parameters.
Rendered once per variant; per-recipient links are the
placeholders of :mod:`core.render.common`, filled by :meth:`EmailPayload.personalize`.

Size: Gmail clips an HTML part above ~102 KB behind "view entire message", and the
unsubscribe footer with it, so the HTML is held to :data:`MAX_HTML_BYTES` by steps, each
measured: every brief in full; every brief with shorter prose (:data:`_BUDGETS`, fewer
sources named); then the top stories in full and the rest as cards with the takeaway and
"Read the brief →" (the brief page); then later stories as a linked headline; last, the
stories that still do not fit leave the mail behind one "+N" link to the web. The footer
is part of every step.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2
import markupsafe

from bots.base import declared
from bots.email.limits import LIMITS
from core.briefs.text import shorten
from core.i18n import label
from core.models import BriefImage, Edition
from core.render.common import (
    BRAND,
    FEED_PLACEHOLDER,
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
# The reader's signed feedback token (core.tokens.feedback_token), filled per recipient by
# bots.email.compose; as long as a real token, so the size budget measures the real mail.
FEEDBACK_PLACEHOLDER = "%%AITODAY_FEEDBACK_TOKEN" + "_" * 78 + "%%"
Budget = tuple[int, int, int]
# (dek, key takeaway, each key point) in characters; None: the brief as written
_BUDGETS: tuple[Budget | None, ...] = (
    None,
    (280, 400, 300),
    (200, 240, 160),
    (120, 140, 80),
    (60, 80, 40),
)
SHORT_SOURCES = 4  # sources named under a shortened brief ("+N" for the rest)
SHORT_ALT = 120  # an image's alt text under a shortened brief
COMPACT_TAKEAWAY = 200  # the takeaway on a compact card
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
    "more_like_this",
    "less_like_this",
    "unsubscribe",
    "preferences",
    "feed_heading",
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

    def personalize(
        self,
        *,
        unsubscribe_url: str,
        preferences_url: str,
        feed_url: str | None = None,
        feedback_token: str = "",
    ) -> tuple[str, str]:
        """(html, text) for one recipient: the placeholders replaced by their links (the
        feed's, when not given, by the preferences page, which shows it) and their signed
        more / less token (none: the links open the brief page without the buttons)."""
        feed = feed_url or preferences_url
        filled_html = (
            self.html.replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(unsubscribe_url))
            .replace(PREFERENCES_PLACEHOLDER, html.escape(preferences_url))
            .replace(FEED_PLACEHOLDER, html.escape(feed))
            .replace(FEEDBACK_PLACEHOLDER, html.escape(feedback_token))
        )
        filled_text = (
            self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url)
            .replace(PREFERENCES_PLACEHOLDER, preferences_url)
            .replace(FEED_PLACEHOLDER, feed)
            .replace(FEEDBACK_PLACEHOLDER, feedback_token)
        )
        return filled_html, filled_text


Form = Literal["full", "compact", "link"]


@dataclass(frozen=True)
class _Card:
    """One story as the mail shows it: its view, the view shortened as shown, its form
    and its HTML."""

    view: StoryView
    shown: StoryView
    form: Form
    html: str

    @property
    def size(self) -> int:
        return len(self.html.encode())


def render_email(edition: Edition, *, base_url: str) -> EmailPayload:
    """The e-mail of one edition variant (pure: no I/O beyond the packaged templates),
    its HTML within :data:`MAX_HTML_BYTES` (the steps are in the module docstring)."""
    full = story_views(edition, base_url=base_url)
    subject = subject_line(edition, full)
    room = MAX_HTML_BYTES - len(_html(edition, full, [], subject).encode())
    cards, omitted = _fit(full, edition.language, room)
    rows = [c.html for c in cards] + ([_more(omitted, edition.language)] if omitted else [])
    return EmailPayload(
        edition_id=edition.id,
        language=edition.language,
        subject=subject,
        html=_html(edition, full, rows, subject),
        text=_text(edition, cards, omitted),
        story_ids=tuple(c.view.story_id for c in cards),
    )


def _fit(views: list[StoryView], lang: str, room: int) -> tuple[list[_Card], list[StoryView]]:
    """The richest cards whose HTML fits ``room`` bytes, and the stories left out."""
    for budget in _BUDGETS:
        cards = [_full(v, lang, budget) for v in views]
        if _total(cards) <= room:
            return cards, []
    cards, omitted = _lean(views, lang, room)
    return _upgrade(cards, lang, room - _more_size(omitted, lang)), omitted


def _lean(views: list[StoryView], lang: str, room: int) -> tuple[list[_Card], list[StoryView]]:
    """Compact cards; the last ones as linked headlines, then left out, until they fit."""
    cards = [_compact(v, lang) for v in views]
    for i in reversed(range(len(cards))):
        if _total(cards) <= room:
            break
        cards[i] = _link(views[i], lang)
    while cards and _total(cards) + _more_size(views[len(cards) :], lang) > room:
        cards.pop()
    return cards, views[len(cards) :]


def _upgrade(cards: list[_Card], lang: str, room: int) -> list[_Card]:
    """The top stories back to full (shortened) briefs, in rank order, while they fit."""
    for i, card in enumerate(cards):
        spare = room - _total(cards)
        richer = (_full(card.view, lang, b) for b in _BUDGETS if b is not None)
        upgrade = next((c for c in richer if c.size - card.size <= spare), None)
        if upgrade is None:
            break
        cards[i] = upgrade
    return cards


def _total(cards: list[_Card]) -> int:
    return sum(c.size for c in cards)


def _full(view: StoryView, lang: str, budget: Budget | None) -> _Card:
    shown = _shortened(view, budget) if budget else view
    context = _story_context(shown, lang, sources_max=SHORT_SOURCES if budget else None)
    return _Card(view, shown, "full", str(_cards().full(context, _labels(lang))))


def _compact(view: StoryView, lang: str) -> _Card:
    shown = replace(view, key_takeaway=shorten(view.key_takeaway, COMPACT_TAKEAWAY))
    context = _story_context(shown, lang, sources_max=SHORT_SOURCES)
    return _Card(view, shown, "compact", str(_cards().compact(context, _labels(lang))))


def _link(view: StoryView, lang: str) -> _Card:
    context = {
        "font": font_family(lang),
        "rank": view.rank,
        "url": view.url,
        "headline": view.headline,
        "reason": view.reason,
    }
    return _Card(view, view, "link", str(_cards().link(context)))


def _more(omitted: list[StoryView], lang: str) -> str:
    return str(_cards().more(omitted[0].url, _more_words(omitted, lang)))


def _more_size(omitted: list[StoryView], lang: str) -> int:
    return len(_more(omitted, lang).encode()) if omitted else 0


def _more_words(omitted: list[StoryView], lang: str) -> str:
    return label("subject_more", lang, n=len(omitted)).strip()


def _shortened(view: StoryView, budget: Budget) -> StoryView:
    dek, takeaway, point = budget
    return replace(
        view,
        dek=shorten(view.dek, dek),
        key_takeaway=shorten(view.key_takeaway, takeaway),
        what_happened=shorten(view.what_happened, point) if view.what_happened else None,
        faq=tuple(
            f.model_copy(
                update={"question": shorten(f.question, point), "answer": shorten(f.answer, point)}
            )
            for f in view.faq
        ),
        why_it_matters=shorten(view.why_it_matters, point) if view.why_it_matters else None,
        what_to_watch=shorten(view.what_to_watch, point) if view.what_to_watch else None,
        image=(
            view.image.model_copy(update={"alt": shorten(view.image.alt, SHORT_ALT)})
            if view.image and view.image.alt
            else view.image
        ),
    )


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@cache
def _template() -> jinja2.Template:
    return _environment().get_template("email.html.j2")


@cache
def _cards() -> Any:
    """The story macros of cards.html.j2 (full, compact, link, more)."""
    return _environment().get_template("cards.html.j2").module


_BASE_FONTS = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial"
# The reader's script first, so a Chinese or Korean reader gets their glyph forms (a CJK
# font drawing another CJK language's text uses its own shapes for the shared characters).
_SCRIPT_FONTS = {
    "ja": "'Hiragino Sans','Yu Gothic','Noto Sans CJK JP'",
    "zh-Hant": "'PingFang TC','Microsoft JhengHei','Noto Sans CJK TC'",
    "zh-Hans": "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC'",
    "ko": "'Apple SD Gothic Neo','Malgun Gothic','Noto Sans CJK KR'",
    "th": "'Thonburi','Leelawadee UI','Noto Sans Thai'",
}


def font_family(lang: str) -> markupsafe.Markup:
    """The e-mail's font-family for a reader of ``lang``."""
    script = _SCRIPT_FONTS.get(lang, "")
    stack = ",".join(x for x in (_BASE_FONTS, script, "'Noto Sans','Noto Sans CJK JP'") if x)
    return markupsafe.Markup(f"{stack},sans-serif")


@cache
def _labels(lang: str) -> dict[str, str]:
    return {key: label(key, lang) for key in LABEL_KEYS}


def _html(edition: Edition, views: list[StoryView], cards: list[str], subject: str) -> str:
    lang = edition.language
    context: dict[str, Any] = {
        "lang": lang,
        "font": font_family(lang),
        "brand": BRAND,
        "subject": subject,
        "tagline": label("tagline", lang),
        "date": edition_date(edition),
        "preheader": shorten(" · ".join(v.headline for v in views[1:4]) or subject, 140),
        "labels": _labels(lang),
        "cards": [markupsafe.Markup(card) for card in cards],
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
        "feed_url": FEED_PLACEHOLDER,
    }
    return _template().render(**context)


def _story_context(view: StoryView, lang: str, *, sources_max: int | None) -> dict[str, Any]:
    sources = view.sources[:sources_max]
    return {
        "font": font_family(lang),
        "rank": view.rank,
        "url": view.url,
        "more_url": feedback_url(view.url, "more"),
        "less_url": feedback_url(view.url, "less"),
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
            for s in sources
        ],
        "more_sources": len(view.sources) - len(sources),
        "sources_line": source_names(view.sources),
        "age": view.age,
        "reading": label("min_read", lang, n=view.reading_minutes),
        "language_note": view.language_note,
        "reason": view.reason,
    }


def feedback_url(story_url: str, tap: str) -> str:
    """A story's "more / less like this" link: its brief page with the reader's signed
    token and the tap to confirm there (a GET records nothing: mail scanners open links)."""
    return f"{story_url}?t={FEEDBACK_PLACEHOLDER}&tap={tap}"


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


def _text(edition: Edition, cards: list[_Card], omitted: list[StoryView]) -> str:
    lang = edition.language
    lines = [f"{BRAND} · {label('tagline', lang)} · {edition_date(edition)}", ""]
    for card in cards:
        lines += _text_story(card, lang)
    if omitted:
        lines += [f"{_more_words(omitted, lang)}: {omitted[0].url}", ""]
    lines += [
        "--",
        f"{label('preferences', lang)}: {PREFERENCES_PLACEHOLDER}",
        f"{label('feed_heading', lang)}: {FEED_PLACEHOLDER}",
        f"{label('unsubscribe', lang)}: {UNSUBSCRIBE_PLACEHOLDER}",
        "",
    ]
    return "\n".join(lines)


def _text_story(card: _Card, lang: str) -> list[str]:
    view = card.shown
    lines = [f"{view.rank}. {view.headline}", f"   {view.url}"]
    if view.reason:
        lines.append(f"   {view.reason}")
    if card.form == "link":
        return [*lines, ""]
    if card.form == "compact":
        takeaway = f"   {label('key_takeaway', lang)}: {view.key_takeaway}"
        return [*lines, takeaway, *_text_feedback(view, lang), ""]
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
    lines += _text_feedback(view, lang)
    lines.append("")
    return lines


def _text_feedback(view: StoryView, lang: str) -> list[str]:
    """The more / less links of a story in the plain-text part."""
    return [
        f"   {label(f'{tap}_like_this', lang)}: {feedback_url(view.url, tap)}"
        for tap in ("more", "less")
    ]

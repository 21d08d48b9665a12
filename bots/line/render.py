"""Edition -> LINE messages: a Flex carousel (<= 12 bubbles, <= 50 KB) with quick replies.

Returns plain message objects (JSON-ready dicts as the Messaging API takes them), at
most 5 per request. Each bubble: the lead image as hero (https only; tap: the article),
the headline (tap: the brief page), why this story (one line), the dek, the key
takeaway, the key points under their labels, the first FAQ item, the sources with
reading time, and buttons: read the
brief (URI), and when the brief has a topic, more / less like this as the postbacks the
LINE webhook records as feedback: ``more=<story id>`` and ``less=<story id>`` (short
labels, side by side: one line each in every language). The altText carries the readers' local
date and the headlines, for notifications and for clients that cannot show Flex. Quick
replies are postbacks ``cmd=<command>`` labelled in the reader's language.

Size: a carousel over :data:`MAX_FLEX_BYTES` is rebuilt, each step measured, with
shorter text (:data:`_BUDGETS`), then without the lead images of its last bubbles (a
publisher's image URL may take 1,000 characters), then as two smaller carousels while
the request has room for another message (at most 5); a carousel of one bubble that
still does not fit leaves that story out rather than being refused by LINE.
"""

from __future__ import annotations

import json
from typing import Any

from bots.base import declared
from bots.line.limits import LIMITS, MAX_ACTION_LABEL, MAX_ALT_TEXT, MAX_QUICK_REPLIES, MAX_URI
from core.briefs.text import shorten
from core.i18n import label
from core.models import BriefImage, Edition
from core.render.common import (
    StoryView,
    edition_title,
    key_points_heading,
    safe_image,
    story_views,
)

MAX_MESSAGES = LIMITS.max_messages_per_call
MAX_BUBBLES = LIMITS.max_items
MAX_FLEX_BYTES = declared(LIMITS.max_payload_bytes, "max_payload_bytes")
DEFAULT_ASPECT = "20:13"  # LINE's default hero ratio, for images of unknown size
REASON_MAX = 80  # why this story: one short line under the headline

#: Commands offered as quick replies (the webhook turns ``cmd=<command>`` into the command).
QUICK_COMMANDS = ("today", "topics", "settings", "help")

# Text budgets per bubble (headline, dek, takeaway and each key point, FAQ items),
# tightened in steps if a carousel would pass 50 KB.
_BUDGETS = (
    (140, 280, 400, 1),
    (120, 200, 240, 1),
    (100, 120, 160, 0),
    (80, 0, 100, 0),
    (60, 0, 60, 0),
)

Message = dict[str, Any]


def render_line(edition: Edition, *, base_url: str) -> list[Message]:
    """One carousel per 12 stories (at most 5 messages), quick replies on the last one."""
    views = story_views(edition, base_url=base_url)[: MAX_BUBBLES * MAX_MESSAGES]
    lang = edition.language
    alt = alt_text(edition, views)
    if not views:
        messages = [{"type": "flex", "altText": alt, "contents": _empty_bubble(lang)}]
    else:
        groups = [views[i : i + MAX_BUBBLES] for i in range(0, len(views), MAX_BUBBLES)]
        messages = [_flex(c, alt) for c in _carousels(groups, lang)]
    messages[-1]["quickReply"] = quick_reply(lang)
    return messages


def _carousels(groups: list[list[StoryView]], lang: str) -> list[Message]:
    """Each group as a carousel within the size limit; a group that does not fit even
    without images splits in two while the request has room for one more message."""
    done: list[Message] = []
    pending = list(groups)
    while pending:
        group = pending.pop(0)
        contents = _fitted(group, lang)
        if contents is not None:
            done.append(contents)
        elif len(group) > 1 and len(done) + len(pending) + 2 <= MAX_MESSAGES:
            half = (len(group) + 1) // 2
            pending[:0] = [group[:half], group[half:]]
        else:
            done.append(_dropping(group, lang))
    return done


def _flex(contents: Message, alt: str) -> Message:
    return {"type": "flex", "altText": alt, "contents": contents}


def _fitted(views: list[StoryView], lang: str) -> Message | None:
    """The richest carousel of ``views`` within :data:`MAX_FLEX_BYTES`, or None."""
    for budget in _BUDGETS:
        contents = _carousel_of(views, lang, budget, len(views))
        if flex_size(contents) <= MAX_FLEX_BYTES:
            return contents
    for with_images in reversed(range(len(views))):  # the last bubbles lose theirs first
        contents = _carousel_of(views, lang, _BUDGETS[-1], with_images)
        if flex_size(contents) <= MAX_FLEX_BYTES:
            return contents
    return None


def _dropping(views: list[StoryView], lang: str) -> Message:
    """The leanest carousel, leaving out its last stories until it fits (never all)."""
    while True:
        contents = _carousel_of(views, lang, _BUDGETS[-1], 0)
        if len(views) == 1 or flex_size(contents) <= MAX_FLEX_BYTES:
            return contents
        views = views[:-1]


def _carousel_of(
    views: list[StoryView], lang: str, budget: tuple[int, int, int, int], with_images: int
) -> Message:
    bubbles = [bubble(v, lang, budget, image=i < with_images) for i, v in enumerate(views)]
    return {"type": "carousel", "contents": bubbles}


def alt_text(edition: Edition, views: list[StoryView]) -> str:
    """ "AIToday · … · 2026-11-27: headline 1 / headline 2 / …" within LINE's limit."""
    headlines = " / ".join(v.headline for v in views)
    text = f"{edition_title(edition)}: {headlines}" if headlines else edition_title(edition)
    return shorten(text, MAX_ALT_TEXT)


def flex_size(contents: dict[str, Any]) -> int:
    """Bytes of the Flex contents as sent (compact UTF-8 JSON)."""
    return len(json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode())


def bubble(
    view: StoryView,
    lang: str,
    budget: tuple[int, int, int, int] = _BUDGETS[0],
    *,
    image: bool = True,
) -> Message:
    """One story as a Flex bubble; text cut to ``budget`` (headline, dek, point, FAQ
    items); ``image=False`` leaves out the lead image."""
    headline_max, dek_max, point_max, faq_max = budget
    meta = f"{view.rank} · {_source_line(view, lang)} · {view.age}"
    body: list[Message] = [
        _text(shorten(meta, 80), size="xxs", color="#6b7280"),
        {
            **_text(shorten(view.headline, headline_max), size="md", weight="bold"),
            "action": {"type": "uri", "label": "open", "uri": view.url},
        },
    ]
    if view.reason:
        body.append(_text(shorten(view.reason, REASON_MAX), size="xs", color="#1d4ed8"))
    if view.dek and dek_max:
        body.append(_text(shorten(view.dek, dek_max), size="sm", color="#374151"))
    if view.key_takeaway:
        body.append(_heading(label("key_takeaway", lang)))
        body.append(_text(shorten(view.key_takeaway, point_max), size="sm"))
    body += _points(view, lang, point_max)
    for item in view.faq[:faq_max]:
        body.append(_heading(label("faq", lang)))
        body.append(_text(shorten(item.question, point_max), size="sm", weight="bold"))
        body.append(_text(shorten(item.answer, point_max), size="sm"))
    if view.language_note:
        body.append(_text(view.language_note, size="xxs", color="#6b7280", margin="md"))
    result: Message = {
        "type": "bubble",
        "size": "mega",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
        "footer": _footer(view, lang),
    }
    hero = _hero(view) if image else None
    if hero:
        result["hero"] = hero
    return result


def _heading(text: str) -> Message:
    return _text(text, size="xs", weight="bold", color="#1d4ed8", margin="md")


def _points(view: StoryView, lang: str, point_max: int) -> list[Message]:
    points = view.key_points()
    if not points:
        return []
    rows = [_heading(key_points_heading(len(points), lang))]
    for key, text in points:
        rows.append(_text(label(key, lang), size="xxs", weight="bold", color="#374151"))
        rows.append(_text(shorten(text, point_max), size="sm"))
    return rows


def _hero(view: StoryView) -> Message | None:
    """The lead image as the bubble's hero: https only (LINE refuses http), tap: article."""
    image = safe_image(view.image, https_only=True)
    if image is None or len(image.url) > MAX_URI:
        return None
    hero: Message = {
        "type": "image",
        "url": image.url,
        "size": "full",
        "aspectMode": "cover",
        "aspectRatio": _aspect(image),
    }
    link = view.image_link or view.url
    if link.startswith("https://") and len(link) <= MAX_URI:
        hero["action"] = {"type": "uri", "label": "image", "uri": link}
    return hero


def _aspect(image: BriefImage) -> str:
    # LINE takes "W:H" with the height at most three times the width
    if image.width and image.height and image.height <= 3 * image.width:
        return f"{min(image.width, 100000)}:{min(image.height, 100000)}"
    return DEFAULT_ASPECT


def _source_line(view: StoryView, lang: str) -> str:
    names = [s.name for s in view.sources[:2]]
    extra = len(view.sources) - 2
    reading = label("min_read", lang, n=view.reading_minutes)
    return ", ".join(names) + (f" +{extra}" if extra > 0 else "") + f" · {reading}"


def _text(text: str, **style: str) -> Message:
    # Flex refuses an empty text component
    return {"type": "text", "text": text or "-", "wrap": True, **style}


def _footer(view: StoryView, lang: str) -> Message:
    read = {"type": "uri", "label": _label(label("read_brief", lang)), "uri": view.url}
    contents: list[Message] = [
        {"type": "button", "style": "primary", "height": "sm", "action": read}
    ]
    if view.topics:
        # the webhook records "more=<story>" / "less=<story>" as feedback (core.feedback)
        contents.append(
            {
                "type": "box",
                "layout": "horizontal",
                "spacing": "sm",
                "contents": [
                    _postback_button(label("more_short", lang), f"more={view.story_id}", view),
                    _postback_button(label("less_short", lang), f"less={view.story_id}", view),
                ],
            }
        )
    return {"type": "box", "layout": "vertical", "spacing": "sm", "contents": contents}


def _postback_button(text: str, data: str, view: StoryView) -> Message:
    return {
        "type": "button",
        "style": "secondary",
        "height": "sm",
        "action": {
            "type": "postback",
            "label": _label(text),
            "data": data[:300],
            "displayText": shorten(f"{text}: {view.headline}", 300),
        },
    }


def _label(text: str) -> str:
    return shorten(text, MAX_ACTION_LABEL)


def _empty_bubble(lang: str) -> Message:
    body = {"type": "box", "layout": "vertical", "contents": [_text(label("tagline", lang))]}
    return {"type": "bubble", "body": body}


def quick_reply(lang: str = "en") -> dict[str, Any]:
    """Quick replies for the commands people use after reading a digest, in ``lang``."""
    items = []
    for command in QUICK_COMMANDS[:MAX_QUICK_REPLIES]:
        words = _label(label(f"chat_{command}", lang))
        action = {
            "type": "postback",
            "label": words,
            "data": f"cmd={command}",
            "displayText": words,
        }
        items.append({"type": "action", "action": action})
    return {"items": items}

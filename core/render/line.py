"""Edition -> LINE messages: a Flex carousel (<= 12 bubbles, <= 50 KB) with quick replies.

Returns plain message objects (JSON-ready dicts as the Messaging API takes them), at
most 5 per request. Each bubble: the headline (tap: the brief page), the dek, why it
matters (or the key takeaway when an extractive brief has none), and buttons: read the
brief (URI), and when the brief has a topic, more / less like this as the postbacks the
LINE webhook turns into commands: ``follow=<topic>`` and ``mute=<topic>``. The altText
carries the date and the headlines, for notifications and for clients that cannot show
Flex.
"""

from __future__ import annotations

import json
from typing import Any

from core.briefs.text import shorten
from core.i18n import label
from core.models import Edition
from core.render.common import StoryView, edition_title, story_views

MAX_MESSAGES = 5
MAX_BUBBLES = 12
MAX_FLEX_BYTES = 50 * 1024
MAX_ALT_TEXT = 400  # LINE allows 1,500; notifications show far less
MAX_QUICK_REPLIES = 13
MAX_ACTION_LABEL = 20

#: Text commands offered as quick replies (core.commands understands them in every language).
QUICK_COMMANDS = ("today", "topics", "settings", "help")

# Text budgets per bubble, tightened in steps if a carousel would pass 50 KB.
_BUDGETS = ((140, 280, 600), (120, 200, 360), (100, 120, 200), (80, 0, 120))

Message = dict[str, Any]


def render_line(edition: Edition, *, base_url: str) -> list[Message]:
    """One carousel per 12 stories (at most 5 messages), quick replies on the last one."""
    views = story_views(edition, base_url=base_url)[: MAX_BUBBLES * MAX_MESSAGES]
    lang = edition.language
    alt = alt_text(edition, views)
    groups = [views[i : i + MAX_BUBBLES] for i in range(0, len(views), MAX_BUBBLES)] or [[]]
    messages = [_carousel(group, lang, alt) for group in groups]
    messages[-1]["quickReply"] = quick_reply()
    return messages


def alt_text(edition: Edition, views: list[StoryView]) -> str:
    """ "AIToday · … · 2026-11-27: headline 1 / headline 2 / …" within LINE's limit."""
    headlines = " / ".join(v.headline for v in views)
    text = f"{edition_title(edition)}: {headlines}" if headlines else edition_title(edition)
    return shorten(text, MAX_ALT_TEXT)


def _carousel(views: list[StoryView], lang: str, alt: str) -> Message:
    if not views:
        return {"type": "flex", "altText": alt, "contents": _empty_bubble(lang)}
    for budget in _BUDGETS:
        contents = {"type": "carousel", "contents": [bubble(v, lang, budget) for v in views]}
        if flex_size(contents) <= MAX_FLEX_BYTES:
            break
    return {"type": "flex", "altText": alt, "contents": contents}


def flex_size(contents: dict[str, Any]) -> int:
    """Bytes of the Flex contents as sent (compact UTF-8 JSON)."""
    return len(json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode())


def bubble(view: StoryView, lang: str, budget: tuple[int, int, int] = _BUDGETS[0]) -> Message:
    """One story as a Flex bubble; text cut to ``budget`` (headline, dek, why)."""
    headline_max, dek_max, why_max = budget
    why = view.why_it_matters or view.key_takeaway
    why_label = label("why_it_matters" if view.why_it_matters else "key_takeaway", lang)
    meta = f"{view.rank} · {_source_line(view)} · {view.age}"
    body: list[Message] = [
        _text(shorten(meta, 80), size="xxs", color="#6b7280"),
        {
            **_text(shorten(view.headline, headline_max), size="md", weight="bold"),
            "action": {"type": "uri", "label": "open", "uri": view.url},
        },
    ]
    if view.dek and dek_max:
        body.append(_text(shorten(view.dek, dek_max), size="sm", color="#374151"))
    body.append(_text(why_label, size="xs", weight="bold", color="#1d4ed8", margin="md"))
    body.append(_text(shorten(why, why_max), size="sm"))
    if view.language_note:
        body.append(_text(view.language_note, size="xxs", color="#6b7280", margin="md"))
    return {
        "type": "bubble",
        "size": "mega",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
        "footer": _footer(view, lang),
    }


def _source_line(view: StoryView) -> str:
    names = [s.name for s in view.sources[:2]]
    extra = len(view.sources) - 2
    return ", ".join(names) + (f" +{extra}" if extra > 0 else "")


def _text(text: str, **style: str) -> Message:
    # Flex refuses an empty text component
    return {"type": "text", "text": text or "-", "wrap": True, **style}


def _footer(view: StoryView, lang: str) -> Message:
    read = {"type": "uri", "label": _label(label("read_brief", lang)), "uri": view.url}
    contents: list[Message] = [
        {"type": "button", "style": "primary", "height": "sm", "action": read}
    ]
    if view.topics:
        # the webhook maps "follow=x" / "mute=x" postbacks to the chat commands
        topic = view.topics[0]
        contents.append(
            {
                "type": "box",
                "layout": "horizontal",
                "spacing": "sm",
                "contents": [
                    _postback_button(label("more_like_this", lang), f"follow={topic}", view),
                    _postback_button(label("less_like_this", lang), f"mute={topic}", view),
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


def quick_reply() -> dict[str, Any]:
    """Quick replies for the commands people use after reading a digest."""
    items = [
        {"type": "action", "action": {"type": "message", "label": cmd, "text": cmd}}
        for cmd in QUICK_COMMANDS[:MAX_QUICK_REPLIES]
    ]
    return {"items": items}

"""Edition -> Slack Block Kit messages, each within Slack's limits, with a text fallback.

Per story: the title as a link, the dek, the key takeaway, the key points under their
labels, the FAQ (the lead image as the section's accessory), its sources with reading
time, and three buttons
whose ``action_id`` the Slack app handles (``brief_open``, ``more_like_this``,
``less_like_this``; ``value`` = the story id). Every piece of story text is escaped
(``&``, ``<``, ``>``) so no content can ping a channel or a user or forge a link. A digest
longer than one message's block budget is split at story boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bots.base import declared
from bots.slack.limits import (
    LIMITS,
    MAX_ALT_CHARS,
    MAX_BUTTON_CHARS,
    MAX_CONTEXT_CHARS,
    MAX_FALLBACK_CHARS,
    MAX_HEADER_CHARS,
    MAX_IMAGE_URL_CHARS,
)
from core.briefs.text import shorten
from core.i18n import label
from core.models import Edition
from core.render.common import (
    StoryView,
    edition_title,
    key_points_heading,
    source_names,
    story_views,
)

MAX_BLOCKS = declared(LIMITS.max_blocks_per_message, "max_blocks_per_message")
MAX_SECTION_CHARS = LIMITS.max_chars
MAX_FAQ = 2  # a digest is a skim: the brief page has the rest

ACTION_BRIEF = "brief_open"
ACTION_MORE = "more_like_this"
ACTION_LESS = "less_like_this"

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage body: ``text`` (fallback and notification) and ``blocks``."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks, "unfurl_links": False}


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: after it, ``<!channel>`` or ``<@U1>`` is plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, text: str) -> str:
    """``<url|text>`` with both parts unable to break out of the link."""
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
    safe_url = safe_url.replace("|", "%7C").replace(" ", "%20")
    return f"<{safe_url}|{escape(text).replace('|', '¦')}>"


def render_slack(edition: Edition, *, base_url: str) -> list[SlackMessage]:
    """The edition as one or more messages (each <= 50 blocks), in reading order."""
    views = story_views(edition, base_url=base_url)
    header = _header(edition)
    chunks: list[list[Block]] = [[header]]
    for view in views:
        blocks = story_blocks(view, edition.language)
        if len(chunks[-1]) + len(blocks) > MAX_BLOCKS:
            chunks.append([])
        chunks[-1].extend(blocks)
    if not views:
        chunks[0].append(_section(escape(label("tagline", edition.language))))
    return [
        SlackMessage(text=_fallback(edition, views, n, len(chunks)), blocks=blocks)
        for n, blocks in enumerate(chunks, start=1)
    ]


def _header(edition: Edition) -> Block:
    text = shorten(edition_title(edition), MAX_HEADER_CHARS)
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def story_blocks(view: StoryView, lang: str) -> list[Block]:
    """Section (the brief, its image as accessory), context (sources), actions, divider."""
    section = _section(_story_text(view, lang), block_id=f"story-{view.rank}-{view.story_id}"[:255])
    if view.image and len(view.image.url) <= MAX_IMAGE_URL_CHARS:
        section["accessory"] = {
            "type": "image",
            "image_url": view.image.url,
            "alt_text": shorten(view.image.alt or view.headline, MAX_ALT_CHARS),
        }
    return [
        section,
        _context(view, lang),
        _actions(view, lang),
        {"type": "divider"},
    ]


def _story_text(view: StoryView, lang: str) -> str:
    title = f"*{link(view.url, f'{view.rank}. {view.headline}')}*"
    parts = [title]
    if view.dek:
        parts.append(escape(view.dek))
    if view.key_takeaway:
        parts.append(f"*{escape(label('key_takeaway', lang))}:* {escape(view.key_takeaway)}")
    points = view.key_points()
    if points:
        parts.append(f"*{escape(key_points_heading(len(points), lang))}*")
        parts += [f"• *{escape(label(key, lang))}:* {escape(text)}" for key, text in points]
    if view.faq:
        parts.append(f"*{escape(label('faq', lang))}*")
        parts += [f"_{escape(f.question)}_ {escape(f.answer)}" for f in view.faq[:MAX_FAQ]]
    return _fit_section(parts, title)


def _fit_section(parts: list[str], title: str) -> str:
    text = "\n".join(parts)
    if len(text) <= MAX_SECTION_CHARS:
        return text
    # cut the prose, never the link markup (a cut link would show raw "<url|")
    room = MAX_SECTION_CHARS - len(title) - 1
    body = shorten("\n".join(parts[1:]), room)
    # an escape sequence cut in half ("&am…") would show; drop a trailing partial one
    amp = body.rfind("&", max(0, len(body) - 6))
    if amp != -1 and ";" not in body[amp:]:
        body = body[:amp] + "…"
    return f"{title}\n{body}"


def _section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _context(view: StoryView, lang: str) -> Block:
    links = ", ".join(
        f"{link(s.url, s.name)} ({escape(label('min_read', lang, n=s.reading_minutes))})"
        for s in view.sources[:5]
    )
    extra = len(view.sources) - 5
    if extra > 0:
        links += f" +{extra}"
    text = f"{escape(label('sources', lang))}: {links} · {escape(view.age)}"
    if view.language_note:
        text += f"\n_{escape(view.language_note)}_"
    if len(text) > MAX_CONTEXT_CHARS:
        text = escape(f"{label('sources', lang)}: {source_names(view.sources)}")
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _actions(view: StoryView, lang: str) -> Block:
    return {
        "type": "actions",
        "block_id": f"actions-{view.rank}-{view.story_id}"[:255],
        "elements": [
            _button(label("read_brief", lang), ACTION_BRIEF, view.story_id, url=view.url),
            _button(label("more_like_this", lang), ACTION_MORE, view.story_id),
            _button(label("less_like_this", lang), ACTION_LESS, view.story_id),
        ],
    }


def _button(text: str, action_id: str, value: str, url: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": shorten(text, MAX_BUTTON_CHARS), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if url:
        button["url"] = url
    if action_id == ACTION_BRIEF:
        button["style"] = "primary"
    return button


def _fallback(edition: Edition, views: list[StoryView], part: int, parts: int) -> str:
    title = edition_title(edition) + (f" ({part}/{parts})" if parts > 1 else "")
    lines = [escape(title)] + [f"{v.rank}. {escape(v.headline)}" for v in views]
    return shorten("\n".join(lines), MAX_FALLBACK_CHARS)

"""Edition -> Slack Block Kit messages: one digest message and each story's brief in its thread.

The first message (the *parent*) is what the channel sees: the edition's title and one
line per story, its headline linking to the brief page and, when the ranking gave one, its
"why this story" line under it. Each following message is one story's full brief, posted
as a reply in the parent's thread (the adapter sets ``thread_ts``): the key takeaway (the
lead image as the section's accessory), the key points under their labels, the FAQ, the
sources with reading time, and three buttons whose ``action_id`` the Slack app handles
(``brief_open``, ``more_like_this``, ``less_like_this``; ``value`` = the story id).

Every piece of story text is escaped (``&``, ``<``, ``>``) so no content can ping a
channel or a user or forge a link. Each message stays within one message's block budget
and each section within Slack's 3,000 characters.
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
MAX_SOURCES = 5  # named in a brief's context line; the rest are counted

ACTION_BRIEF = "brief_open"
ACTION_MORE = "more_like_this"
ACTION_LESS = "less_like_this"

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage body: ``text`` (fallback and notification) and ``blocks``.

    ``in_thread`` marks a reply: it goes into the thread of the digest's first message.
    """

    text: str
    blocks: list[Block] = field(default_factory=list)
    in_thread: bool = False

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
    """The digest message first, then one thread reply per story, in reading order."""
    views = story_views(edition, base_url=base_url)
    lang = edition.language
    parent = SlackMessage(text=_fallback(edition, views), blocks=digest_blocks(edition, views))
    replies = [
        SlackMessage(text=_reply_fallback(view), blocks=brief_blocks(view, lang), in_thread=True)
        for view in views
    ]
    return [parent, *replies]


def reason_of(view: StoryView) -> str | None:
    """The story's "why this story" line, when the ranking gave one."""
    return view.reason.strip() if view.reason and view.reason.strip() else None


# -- the digest message ---------------------------------------------------------------


def digest_blocks(edition: Edition, views: list[StoryView]) -> list[Block]:
    """Header, one section per story (headline link, reason), a pointer to the thread."""
    lang = edition.language
    blocks = [_header(edition)]
    if not views:
        return [*blocks, _section(escape(label("tagline", lang)))]
    # LIMITS.max_items (20) stories + header + context stay well inside MAX_BLOCKS
    blocks += [_headline(view) for view in views[: MAX_BLOCKS - 2]]
    hint = escape(label("slack_thread_hint", lang))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": hint}]})
    return blocks


def _header(edition: Edition) -> Block:
    text = shorten(edition_title(edition), MAX_HEADER_CHARS)
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _headline(view: StoryView) -> Block:
    title = f"*{link(view.url, f'{view.rank}. {view.headline}')}*"
    reason = reason_of(view)
    parts = [title, f"_{escape(reason)}_"] if reason else [title]
    return _section(_fit_section(parts, title), block_id=f"head-{view.rank}-{view.story_id}"[:255])


# -- one story's brief (a thread reply) -----------------------------------------------


def brief_blocks(view: StoryView, lang: str) -> list[Block]:
    """The takeaway (image beside it), key points, FAQ, sources, the three buttons."""
    blocks = [_takeaway(view, lang)]
    points = view.key_points()
    if points:
        heading = f"*{escape(key_points_heading(len(points), lang))}*"
        lines = [f"• *{escape(label(key, lang))}:* {escape(text)}" for key, text in points]
        blocks.append(_section(_fit_section([heading, *lines], heading)))
    if view.faq:
        heading = f"*{escape(label('faq', lang))}*"
        lines = [f"*{escape(f.question)}*\n{escape(f.answer)}" for f in view.faq]
        blocks.append(_section(_fit_section([heading, *lines], heading)))
    return [*blocks, sources_context(view, lang), _actions(view, lang)]


def _takeaway(view: StoryView, lang: str) -> Block:
    title = f"*{link(view.url, f'{view.rank}. {view.headline}')}*"
    parts = [title]
    reason = reason_of(view)
    if reason:
        parts.append(f"_{escape(reason)}_")
    if view.dek:
        parts.append(escape(view.dek))
    if view.key_takeaway:
        parts.append(f"*{escape(label('key_takeaway', lang))}:* {escape(view.key_takeaway)}")
    block_id = f"story-{view.rank}-{view.story_id}"[:255]
    section = _section(_fit_section(parts, title), block_id=block_id)
    if view.image and len(view.image.url) <= MAX_IMAGE_URL_CHARS:
        section["accessory"] = image_accessory(view)
    return section


def image_accessory(view: StoryView) -> Block:
    """The lead image as a section's accessory (the caller checked it is there)."""
    assert view.image is not None
    return {
        "type": "image",
        "image_url": view.image.url,
        "alt_text": shorten(view.image.alt or view.headline, MAX_ALT_CHARS),
    }


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


def sources_context(view: StoryView, lang: str, *, age: bool = True) -> Block:
    """ "Sources: <link|A> (3 min read), ... · 3h ago" (and the untranslated note)."""
    links = ", ".join(
        f"{link(s.url, s.name)} ({escape(label('min_read', lang, n=s.reading_minutes))})"
        for s in view.sources[:MAX_SOURCES]
    )
    extra = len(view.sources) - MAX_SOURCES
    if extra > 0:
        links += f" +{extra}"
    text = f"{escape(label('sources', lang))}: {links}"
    if age:
        text += f" · {escape(view.age)}"
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


def _fallback(edition: Edition, views: list[StoryView]) -> str:
    lines = [escape(edition_title(edition))] + [f"{v.rank}. {escape(v.headline)}" for v in views]
    return shorten("\n".join(lines), MAX_FALLBACK_CHARS)


def _reply_fallback(view: StoryView) -> str:
    return shorten(f"{view.rank}. {escape(view.headline)}", MAX_FALLBACK_CHARS)

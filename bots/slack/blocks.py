"""A command :class:`core.commands.Reply` as Slack Block Kit (answers, not digests).

Every text from a story or brief is escaped (&, <, >) so nothing in it can ping anyone or
become a link we did not make. Sizes stay under Slack's limits (3,000 chars per section,
150 per header, 50 blocks per message, 100 in the Home tab).
"""

from __future__ import annotations

from typing import Any

from bots.slack.limits import LIMITS
from bots.slack.render import escape, link
from core.commands import Reply, describe
from core.i18n import label
from core.models import Brief, Edition, Story, Subscriber
from core.render.common import StoryView, key_points_heading, story_views

SECTION_MAX = LIMITS.max_chars
HEADER_MAX = 150
Block = dict[str, Any]


def plain(text: str, limit: int) -> str:
    """Text for a plain_text field: Slack does not parse mentions there, but angle
    brackets from a headline are turned into look-alikes so no client ever could."""
    return _cut(text.replace("<", "‹").replace(">", "›"), limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SECTION_MAX)}}


def reply_blocks(reply: Reply, base_url: str) -> list[Block]:
    """The blocks for one reply: its text, then its stories or its brief."""
    if reply.briefs:
        return brief_blocks(reply.briefs[0], base_url, reply.language)
    if reply.stories:
        head = escape(reply.text.splitlines()[0]) if reply.text else ""
        blocks = [section(f"*{head}*")] if head else []
        for n, story in enumerate(reply.stories, 1):
            blocks.extend(story_blocks(story, n, base_url, reply.language))
        return blocks[:50]
    return [section(escape(reply.text))]


def story_blocks(story: Story, n: int, base_url: str, lang: str) -> list[Block]:
    """One numbered story: its title linking to the brief page, and a "read brief" button."""
    url = f"{base_url.rstrip('/')}/s/{story.id}"
    sources = f"{story.source_count} sources" if story.source_count > 1 else "1 source"
    text = f"*{n}. {link(url, _cut(story.title, 300))}*\n{sources}"
    block = section(text)
    block["accessory"] = {
        "type": "button",
        "action_id": "brief_open",
        "text": {"type": "plain_text", "text": _cut(label("read_brief", lang), 75)},
        "value": story.id,
    }
    return [block]


def brief_blocks(brief: Brief, base_url: str, lang: str) -> list[Block]:
    """A brief in the seed's order: headline, key takeaway (the lead image beside it),
    the key points under their labels, FAQ, sources with reading time, feedback buttons."""
    view = _view_of(brief, base_url)
    points = view.key_points()
    url = view.url
    sources = " · ".join(
        f"{link(s.url, s.name)} ({escape(label('min_read', lang, n=s.reading_minutes))})"
        for s in brief.sources[:5]
    )
    takeaway = section(f"*{escape(label('key_takeaway', lang))}*\n{escape(brief.key_takeaway)}")
    if view.image:
        takeaway["accessory"] = {
            "type": "image",
            "image_url": view.image.url,
            "alt_text": _cut(view.image.alt or brief.headline, 2000),
        }
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(brief.headline, 150)}},
        takeaway,
    ]
    if points:
        heading = escape(key_points_heading(len(points), lang))
        lines = [f"*{escape(label(key, lang))}*\n{escape(text)}" for key, text in points]
        blocks.append(section(f"*{heading}*\n" + "\n".join(lines)))
    if view.faq:
        faq = [f"*{escape(f.question)}*\n{escape(f.answer)}" for f in view.faq[:3]]
        blocks.append(section(f"*{escape(label('faq', lang))}*\n" + "\n".join(faq)))
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(sources, 2000) or "-"}]}
    )
    blocks.append(feedback_actions(brief.story_id, url, lang))
    return blocks


def _view_of(brief: Brief, base_url: str) -> StoryView:
    """The brief as the renderers see it (one reply: no edition around it)."""
    now = brief.created_at
    edition = Edition(
        id="reply",
        channel="slack",
        language=brief.language,
        slot=now,
        created_at=now,
        items=[],
        briefs=[brief],
    )
    return story_views(edition, base_url=base_url)[0]


def feedback_actions(story_id: str, url: str, lang: str) -> Block:
    """The "read", "more like this", "less like this" buttons of a story."""

    def button(action: str, key: str) -> Block:
        text = {"type": "plain_text", "text": _cut(label(key, lang), 75)}
        return {"type": "button", "action_id": action, "text": text, "value": story_id}

    read = {
        "type": "button",
        "action_id": "open_page",
        "text": {"type": "plain_text", "text": _cut(label("read_brief", lang), 75)},
        "url": url,
    }
    return {
        "type": "actions",
        "elements": [
            read,
            button("more_like_this", "more_like_this"),
            button("less_like_this", "less_like_this"),
        ],
    }


def home_view(stories: list[Story], sub: Subscriber | None, base_url: str) -> dict[str, Any]:
    """The App Home tab: today's stories and the user's settings."""
    lang = sub.language if sub else "en"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": label("tagline", lang)}}
    ]
    if stories:
        for n, story in enumerate(stories[:10], 1):
            blocks.extend(story_blocks(story, n, base_url, lang))
    else:
        blocks.append(section("No stories yet. They appear after the next update."))
    blocks.append({"type": "divider"})
    if sub is None:
        blocks.append(
            section("*Your digest*\nType `/aitoday subscribe` in a channel or here to get it.")
        )
    else:
        blocks.append(section("*Your digest*\n" + escape(describe(sub))))
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "`/aitoday help` lists every command."}],
        }
    )
    return {"type": "home", "blocks": blocks[:100]}

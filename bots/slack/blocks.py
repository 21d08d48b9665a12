"""Slack Block Kit for what is not a digest: command answers (a :class:`core.commands.Reply`),
the App Home tab (today's stories, the reader's settings as controls) and the card a shared
brief-page link unfolds into.

Every text from a story or brief is escaped (&, <, >) so nothing in it can ping anyone or
become a link we did not make. Sizes stay under Slack's limits (3,000 chars per section,
150 per header, 50 blocks per message, 100 in the Home tab).
"""

from __future__ import annotations

from typing import Any

from bots.slack.limits import LIMITS
from bots.slack.render import escape, image_accessory, link, sources_context
from core.commands import Reply
from core.i18n import LANGUAGE_NAMES, label, source_count
from core.models import Brief, Edition, Story, Subscriber
from core.render.common import StoryView, key_points_heading, story_url, story_views
from core.stories.topics import TOPICS, topic_name

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
    sources = escape(source_count(story.source_count, lang))
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


# -- the App Home tab ---------------------------------------------------------------

HOME_STORIES = 10
HOME_ACTION = "home_"  # every Home control's action_id starts so (one listener)
HOME_TIME = "home_time"
HOME_LANGUAGE = "home_language"


def home_view(stories: list[Story], sub: Subscriber | None, base_url: str) -> dict[str, Any]:
    """The App Home tab in the reader's language: today's stories, then their settings as
    controls (delivery time, language, topics to follow and to mute). The subscriber's id
    rides in ``private_metadata`` so a tap changes that digest (Slack signs it back)."""
    lang = sub.language if sub else "en"
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": plain(label("tagline", lang), 150)},
        },
        section(f"*{escape(label('slack_home_today', lang))}*"),
    ]
    if stories:
        blocks += [
            _home_story(s, n, base_url, lang) for n, s in enumerate(stories[:HOME_STORIES], 1)
        ]
    else:
        blocks.append(section(escape(label("slack_home_empty", lang))))
    blocks.append({"type": "divider"})
    blocks += _home_settings(sub, lang) if sub else [_home_join(lang)]
    help_text = escape(label("slack_home_help", lang))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": help_text}]})
    view: dict[str, Any] = {"type": "home", "blocks": blocks[:100]}
    if sub is not None:
        view["private_metadata"] = sub.id
    return view


def _home_story(story: Story, n: int, base_url: str, lang: str) -> Block:
    url = story_url(base_url, story.id)
    count = escape(source_count(story.source_count, lang))
    block = section(f"*{n}. {link(url, _cut(story.title, 300))}*\n{count}")
    block["accessory"] = {
        "type": "button",
        "action_id": "brief_open",
        "text": {"type": "plain_text", "text": _cut(label("read_brief", lang), 75)},
        "value": story.id,
    }
    return block


def _home_join(lang: str) -> Block:
    return section(
        f"*{escape(label('slack_home_digest', lang))}*\n{escape(label('slack_home_join', lang))}"
    )


def _home_settings(sub: Subscriber, lang: str) -> list[Block]:
    prefs = sub.prefs
    followed = [topic_name(t, lang) for t in prefs.topics_followed]
    muted = [
        *(topic_name(t, lang) for t in prefs.topics_muted),
        *prefs.sources_muted,
        *prefs.exclude_keywords,
    ]
    lines = [
        f"*{escape(label('slack_home_digest', lang))}*",
        f"{escape(label('slack_home_time', lang))}: {sub.delivery_time} ({escape(sub.timezone)})",
        f"{escape(label('slack_home_following', lang))}: "
        + escape(", ".join(followed) or label("settings_everything", lang)),
        f"{escape(label('slack_home_muted', lang))}: "
        + escape(", ".join(muted) or label("settings_nothing", lang)),
    ]
    time_picker = section(f"*{escape(label('slack_home_time', lang))}*")
    time_picker["accessory"] = {
        "type": "timepicker",
        "action_id": HOME_TIME,
        "initial_time": sub.delivery_time,
    }
    language = section(f"*{escape(label('language_field', lang))}*")
    options = [_option(name, code) for code, name in LANGUAGE_NAMES.items()]
    language["accessory"] = {
        "type": "static_select",
        "action_id": HOME_LANGUAGE,
        "options": options,
        "initial_option": next((o for o in options if o["value"] == sub.language), options[0]),
    }
    return [
        section("\n".join(lines)),
        time_picker,
        language,
        section(f"*{escape(label('slack_home_follow', lang))}*"),
        _topic_buttons("follow", set(prefs.topics_followed), lang),
        section(f"*{escape(label('slack_home_mute', lang))}*"),
        _topic_buttons("mute", set(prefs.topics_muted), lang),
    ]


def _option(text: str, value: str) -> Block:
    return {"text": {"type": "plain_text", "text": _cut(text, 75)}, "value": value}


def _topic_buttons(verb: str, chosen: set[str], lang: str) -> Block:
    """One button per topic, named in ``lang``: on ones read "✓ name" and turn it off
    when tapped."""

    def button(slug: str, name: str) -> Block:
        on = slug in chosen
        text = f"✓ {name}" if on else name
        element: Block = {
            "type": "button",
            "action_id": f"{HOME_ACTION}{verb}_{slug}",
            "text": {"type": "plain_text", "text": _cut(text, 75)},
            "value": f"{'un' if on else ''}{verb}:{slug}",
        }
        if on:
            element["style"] = "danger" if verb == "mute" else "primary"
        return element

    return {
        "type": "actions",
        "block_id": f"home-{verb}",
        "elements": [button(slug, topic_name(slug, lang)) for slug in list(TOPICS)[:25]],
    }


def home_setting(action: dict[str, Any]) -> tuple[str, str] | None:
    """The (setting, value) a Home control's action carries, or None when it is not one."""
    action_id = str(action.get("action_id") or "")
    if action_id == HOME_TIME:
        return ("time", str(action.get("selected_time") or ""))
    if action_id == HOME_LANGUAGE:
        return ("lang", str((action.get("selected_option") or {}).get("value") or ""))
    verb, _, slug = str(action.get("value") or "").partition(":")
    if action_id.startswith(HOME_ACTION) and verb in {"follow", "unfollow", "mute", "unmute"}:
        return (verb, slug) if slug in TOPICS else None
    return None


# -- a brief page's link, unfurled ------------------------------------------------------


def unfurl_blocks(brief: Brief, base_url: str, lang: str) -> list[Block]:
    """The card a shared ``/s/{id}`` link unfolds into: headline, takeaway, the first key
    point, sources (the lead image beside the takeaway)."""
    view = _view_of(brief, base_url)
    takeaway = f"*{escape(label('key_takeaway', lang))}:* {escape(view.key_takeaway)}"
    head = section(f"*{link(view.url, _cut(view.headline, 300))}*\n{takeaway}")
    if view.image:
        head["accessory"] = image_accessory(view)
    blocks = [head]
    points = view.key_points()
    if points:
        key, text = points[0]
        blocks.append(section(f"*{escape(label(key, lang))}:* {escape(text)}"))
    blocks.append(sources_context(view, lang, age=False))
    return blocks

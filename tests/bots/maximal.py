"""The largest digest the product makes, and what each channel's rendering of it measures.

Largest: the most stories a reader can ask for, every brief field at the length the brief
guard allows (core.briefs.schema.LIMITS), every part present (dek, takeaway, three key
points, the most FAQ items, topics, a lead image, many sources, a note that the text is
quoted untranslated, the longest "why this story" reason), in Japanese (three UTF-8 bytes
a character) with ``&<>`` that grow when escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bots.email.render import EmailPayload
from bots.line.adapter import LinePayload
from bots.slack.adapter import SlackPayload
from core.briefs.schema import LIMITS
from core.models import (
    Brief,
    BriefImage,
    BriefSource,
    Channel,
    Edition,
    FAQItem,
    Generator,
    KeyPoints,
    StoryReason,
)
from tests.render.editions import NOW, edition_of

MOST_STORIES = 20  # core.preferences.validate_max_items: 1..20 stories a digest
SOURCES = 12
CJK = "新しい大規模言語モデル<&>が公開された。"


def _text(size: int, seed: str = CJK) -> str:
    return (seed * (size // len(seed) + 1))[:size]


def maximal_brief(n: int) -> Brief:
    story_id = f"story-{n:04d}-" + "x" * 40
    return Brief(
        story_id=story_id,
        headline=_text(LIMITS.headline, f"{n}. {CJK}"),
        sources=[
            BriefSource(
                name=_text(60, f"報道機関{k}<&>"),
                url=f"https://news{k}.example.org/{story_id}/" + "a" * 300 + "?a=1&b=2",
                published=NOW - timedelta(hours=k + 1),
                reading_minutes=k + 2,
            )
            for k in range(SOURCES)
        ],
        dek=_text(LIMITS.dek),
        key_takeaway=_text(LIMITS.key_takeaway),
        key_points=KeyPoints(
            what_happened=_text(LIMITS.key_point),
            why_it_matters=_text(LIMITS.key_point),
            what_to_watch=_text(LIMITS.key_point),
        ),
        faq=[
            FAQItem(question=_text(LIMITS.question), answer=_text(LIMITS.answer))
            for _ in range(LIMITS.faq_max)
        ],
        topics=[_text(LIMITS.topic, f"topic{k}") for k in range(LIMITS.topics_max)],
        language="ja",
        content_language="en",  # quoted untranslated: the renderers add a note
        generator=Generator(kind="llm", prompt_version="t1"),
        created_at=NOW,
        image=BriefImage(
            url=f"https://img.example.org/{story_id}/" + "i" * 900 + ".jpg",
            alt=_text(300),
            width=1200,
            height=630,
            link=f"https://news0.example.org/{story_id}",
        ),
    )


# The longest reason: two long source names (core.stories.reasons caps the line).
WIDEST_REASON = StoryReason(kind="sources", values={"n": 999})


def maximal_edition(channel: Channel) -> Edition:
    briefs = [maximal_brief(n) for n in range(1, MOST_STORIES + 1)]
    edition = edition_of(briefs, channel=channel, language="ja", edition_id="ed-maximal")
    items = [item.model_copy(update={"reason": WIDEST_REASON}) for item in edition.items]
    return edition.model_copy(update={"items": items})


@dataclass(frozen=True)
class Measured:
    """One rendered digest, in the units ChannelLimits counts."""

    stories: int
    messages_per_call: int
    stories_per_message: list[int]
    text_chars: list[int]  # per text block
    blocks_per_message: list[int]
    payload_bytes: list[int]  # per message


def _email(payload: EmailPayload) -> Measured:
    html = payload.html
    return Measured(
        stories=len(payload.story_ids),
        messages_per_call=1,
        stories_per_message=[len(payload.story_ids)],
        text_chars=[len(html), len(payload.text)],
        blocks_per_message=[1],
        payload_bytes=[len(html.encode())],
    )


def _slack(payload: SlackPayload) -> Measured:
    messages = payload.messages  # each one a chat.postMessage call
    stories = [sum(_is_story(b) for b in m.blocks) for m in messages]
    texts = [
        len(block["text"]["text"])
        for m in messages
        for block in m.blocks
        if block["type"] == "section"
    ]
    return Measured(
        stories=sum(stories),
        messages_per_call=1,
        stories_per_message=stories,
        text_chars=[*texts, *(len(m.text) for m in messages)],
        blocks_per_message=[len(m.blocks) for m in messages],
        payload_bytes=[_compact_bytes(m.as_kwargs()) for m in messages],
    )


def _is_story(block: dict[str, Any]) -> bool:
    return str(block.get("block_id", "")).startswith("story-")


def _line(payload: LinePayload) -> Measured:
    messages = payload.messages  # all of them go in one multicast
    bubbles = [len(m["contents"].get("contents", [m["contents"]])) for m in messages]
    texts = [_utf16(t) for m in messages for t in [m["altText"], *_texts(m["contents"])]]
    return Measured(
        stories=sum(bubbles),
        messages_per_call=len(messages),
        stories_per_message=bubbles,
        text_chars=texts,
        blocks_per_message=bubbles,
        payload_bytes=[_compact_bytes(m["contents"]) for m in messages],
    )


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "text":
            yield str(node.get("text", ""))
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _compact_bytes(contents: Any) -> int:
    return len(json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode())


MEASURES: dict[str, Callable[[Any], Measured]] = {"email": _email, "slack": _slack, "line": _line}

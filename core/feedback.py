"""More / less like this: a reader's tap becomes an event; events become learned weights.

Every surface (Slack and LINE buttons, the e-mail's signed links, the brief page) calls
:func:`record` and offers :func:`undo` right after; the preferences page shows
:func:`learned_view` and can :func:`undo` one tap or :func:`reset` them all. One tap per
story: tapping again on the same story replaces the earlier tap (a change of mind, not a
second vote). The tick reads :func:`tick_weights` (core.editions.tick).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from core.i18n import label
from core.models import FeedbackEvent, Story, utcnow
from core.store.base import Store
from core.store.feedback import FeedbackRepo, Summary
from core.store.sources import SourceRepo
from core.stories.learned import Learned, Weights, learn, story_feature_lists, strongest
from core.stories.topics import TOPICS

__all__ = [
    "Direction",
    "LearnedView",
    "describe",
    "learned_view",
    "noted_text",
    "parse_direction",
    "record",
    "reset",
    "tap_line",
    "tapped_on",
    "tick_weights",
    "undo",
]

Direction = Literal["more", "less"]

# How organisations' slugs (core.stories.orgs) are written for a reader.
ENTITY_NAMES = {
    "openai": "OpenAI",
    "xai": "xAI",
    "huggingface": "Hugging Face",
    "deepseek": "DeepSeek",
    "ibm": "IBM",
    "aisi": "AISI",
    "aws": "AWS",
}


def parse_direction(text: str) -> Direction | None:
    """ "more" / "less" as typed in a link or a postback; None for anything else."""
    if text == "more":
        return "more"
    if text == "less":
        return "less"
    return None


def new_event(story: Story, direction: Direction, channel: str, now: datetime) -> FeedbackEvent:
    """The tap, with what the story is about now (a story changes; the tap keeps this)."""
    features = story_feature_lists(story)
    return FeedbackEvent(
        id=secrets.token_hex(6),
        story_id=story.id,
        direction=direction,
        at=now,
        channel=channel,
        topics=features["topic"],
        sources=features["source"],
        entities=features["entity"],
    )


def record(
    store: Store,
    subscriber_id: str,
    story: Story,
    direction: Direction,
    channel: str,
    now: datetime | None = None,
) -> FeedbackEvent:
    """Store the tap (replacing an earlier one on the same story), keep the newest
    ``feedback.max_events``, and relearn the weights."""
    at = now or utcnow()
    event = new_event(story, direction, channel, at)
    cap = store.settings.feedback.max_events

    def change(events: list[FeedbackEvent]) -> list[FeedbackEvent]:
        kept = [e for e in events if e.story_id != story.id]
        return [*kept, event][-cap:]

    FeedbackRepo(store).update(subscriber_id, change, _summarizer(store, at))
    return event


def undo(
    store: Store, subscriber_id: str, event_id: str, now: datetime | None = None
) -> FeedbackEvent | None:
    """Remove one tap; the removed event, or None when there was none by that id."""
    removed: list[FeedbackEvent] = []

    def change(events: list[FeedbackEvent]) -> list[FeedbackEvent]:
        removed[:] = [e for e in events if e.id == event_id]
        return [e for e in events if e.id != event_id]

    FeedbackRepo(store).update(subscriber_id, change, _summarizer(store, now or utcnow()))
    return removed[0] if removed else None


def reset(store: Store, subscriber_id: str) -> int:
    """Forget every tap; how many there were."""
    count: list[int] = []

    def change(events: list[FeedbackEvent]) -> list[FeedbackEvent]:
        count[:] = [len(events)]
        return []

    FeedbackRepo(store).update(subscriber_id, change, _summarizer(store, utcnow()))
    return count[0] if count else 0


def _summarizer(store: Store, now: datetime) -> Summary:
    half_life = store.settings.feedback.half_life_days

    def summarize(events: list[FeedbackEvent]) -> str | None:
        learned = learn(events, now, half_life)
        return learned.to_json() if learned.strengths else None

    return summarize


def tick_weights(store: Store, subscriber_ids: Sequence[str], now: datetime) -> dict[str, Weights]:
    """Subscriber id -> weights decayed to ``now``, for those who ever tapped."""
    settings = store.settings.feedback
    at = now.timestamp()
    found: dict[str, Weights] = {}
    for sub_id, text in FeedbackRepo(store).learned_many(subscriber_ids).items():
        learned = Learned.from_json(text)
        decay = learned.decay_to(at, settings.half_life_days)
        weights = Weights(learned.strengths, settings.max_effect, text, decay)
        if weights.active:
            found[sub_id] = weights
    return found


# -- what a reader sees -----------------------------------------------------------------


def describe(store: Store, feature: str) -> str:
    """A feature key ("topic:chips", "source:src1", "entity:openai") as a reader reads it."""
    kind, _, value = feature.partition(":")
    if kind == "topic":
        topic = TOPICS.get(value)
        return topic.label if topic else value
    if kind == "source":
        source = SourceRepo(store).get(value)
        return source.title if source else value
    return ENTITY_NAMES.get(value, value[:1].upper() + value[1:])


def tapped_on(store: Store, event: FeedbackEvent) -> str:
    """What a tap was about, in a word: the story's first topic, else its first name."""
    if event.topics:
        return describe(store, f"topic:{event.topics[0]}")
    if event.entities:
        return describe(store, f"entity:{event.entities[0]}")
    return ""


def noted_text(store: Store, event: FeedbackEvent, lang: str) -> str:
    """The reply to a tap: "Got it. Fewer stories like this (Chips & hardware)."."""
    what = tapped_on(store, event)
    key = "feedback_noted_more" if event.direction == "more" else "feedback_noted_less"
    return label(key, lang, what=f" ({what})" if what else "")


def tap_line(store: Store, event: FeedbackEvent, lang: str) -> str:
    """One tap as the preferences page lists it: "Less: Chips & hardware"."""
    key = "feedback_learned_more" if event.direction == "more" else "feedback_learned_less"
    what = tapped_on(store, event) or event.story_id
    return f"{label(key, lang)}: {what}"


@dataclass(frozen=True)
class LearnedView:
    """The preferences page's "what your taps taught us"."""

    more: list[str]  # described features, strongest first
    less: list[str]
    events: list[FeedbackEvent]  # newest first


def learned_view(store: Store, subscriber_id: str, now: datetime | None = None) -> LearnedView:
    """What their taps add up to now, described, and the taps themselves."""
    events = FeedbackRepo(store).events(subscriber_id)
    at = now or utcnow()
    strengths = learn(events, at, store.settings.feedback.half_life_days).strengths
    more, less = strongest(strengths)
    return LearnedView(
        more=[describe(store, f) for f in more],
        less=[describe(store, f) for f in less],
        events=list(reversed(events)),
    )

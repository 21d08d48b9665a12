"""Pick a subscriber's stories: filters, a boost for followed topics, a cap per topic.

It runs for every subscriber on every tick (~10,000 times over the same few hundred
stories), so what depends only on the story (its words, sources, topics) is computed once
per story and cached; per subscriber only set lookups and substring tests remain.
Keywords are plain words or phrases matched on word boundaries; never patterns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from core.models import Prefs, Story
from core.stories.rank import story_sources
from core.stories.topics import resolve_topic

FOLLOW_BOOST = 1.5

_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class _Facts:
    text: str  # " word word ... " normalised, for phrase tests
    sources: frozenset[str]
    topics: tuple[str, ...]


def normal_words(text: str) -> str:
    """Lower-case words separated by single spaces, padded with one space each side."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " " + " ".join(_NON_WORD.sub(" ", folded).split()) + " "


@lru_cache(maxsize=4096)
def _facts_cached(story_id: str, version: str, text: str, sources: frozenset[str],
                  topics: tuple[str, ...]) -> _Facts:  # fmt: skip
    return _Facts(normal_words(text), sources, topics)


def facts(story: Story) -> _Facts:
    """What filtering needs of a story, computed once per story version."""
    text = " ".join([story.title, *(a.title for a in story.articles)])
    version = f"{story.last_updated.isoformat()}:{len(story.articles)}"
    return _facts_cached(
        story.id, version, text, frozenset(story_sources(story)), tuple(story.topics)
    )


@lru_cache(maxsize=16384)
def _phrase(keyword: str) -> str:
    return normal_words(keyword)


def _mentions(text: str, keywords: Sequence[str]) -> bool:
    for keyword in keywords:
        phrase = _phrase(keyword)
        if phrase.strip() and phrase in text:
            return True
    return False


def _slugs(values: Sequence[str]) -> frozenset[str]:
    return frozenset(resolve_topic(v) or v for v in values)


def allowed(story: Story, prefs: Prefs) -> bool:
    """Whether the story passes the subscriber's filters (mutes, exclude, include)."""
    f = facts(story)
    if _slugs(prefs.topics_muted) & set(f.topics):
        return False
    if f.sources and f.sources <= frozenset(prefs.sources_muted):
        return False  # every source that carried it is muted; others keep it
    if prefs.exclude_keywords and _mentions(f.text, prefs.exclude_keywords):
        return False
    return not prefs.include_keywords or _mentions(f.text, prefs.include_keywords)


def pick(
    stories: Sequence[Story],
    prefs: Prefs,
    *,
    limit: int,
    already_sent: AbstractSet[str] = frozenset(),
    per_topic_cap: int = 2,
) -> list[Story]:
    """The top ``limit`` stories for these preferences, best first.

    Never a story in ``already_sent``. Followed topics multiply the score by
    ``FOLLOW_BOOST``. At most ``per_topic_cap`` stories share a first topic while
    others are left; when too few remain, capped stories fill the list.
    """
    if limit <= 0:
        return []
    followed = _slugs(prefs.topics_followed)
    ranked: list[tuple[float, int, Story]] = []
    for order, story in enumerate(stories):
        if story.id in already_sent or not allowed(story, prefs):
            continue
        boost = FOLLOW_BOOST if followed and followed & set(story.topics) else 1.0
        ranked.append((-story.score * boost, order, story))
    ranked.sort(key=lambda item: (item[0], item[1]))
    chosen: list[Story] = []
    overflow: list[Story] = []
    per_topic: dict[str, int] = {}
    for _, _, story in ranked:
        topic = story.topics[0] if story.topics else ""
        if topic and per_topic.get(topic, 0) >= per_topic_cap:
            overflow.append(story)
            continue
        per_topic[topic] = per_topic.get(topic, 0) + 1
        chosen.append(story)
        if len(chosen) == limit:
            return chosen
    chosen.extend(overflow[: limit - len(chosen)])
    return chosen

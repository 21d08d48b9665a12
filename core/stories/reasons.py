"""Why this story: the one short reason a digest shows beside each story.

The reason is decided when the edition is built (:func:`reason_for`, from the story's own
articles and the reader's preferences) and stored on the edition item as a
:class:`~core.models.StoryReason`; it is worded in the reader's language when the edition
is rendered (:func:`describe`). The single most telling reason wins, in this order:

1. ``keyword``: a word the reader asked for (``include_keywords``) is in the story:
   "Your keyword 'Nvidia'". The first of the reader's keywords that matches is named.
2. ``topic``: the story has a topic the reader follows: "Matches your topic: Chips &
   compute". The story's first followed topic is named, never every keyword behind it,
   so readers of one topic keep sharing one edition.
3. ``rising``: at least ``RISING_SOURCES`` distinct sources published it in the last
   ``VELOCITY_HOURS`` (the score's velocity window): "Rising: 4 new sources in 3 h".
4. ``sources``: more than one source told it: "Told by 7 sources, incl. A, B" (the names
   are the brief's first sources, filled in at render time).
5. ``top``: otherwise it is there on its score alone: "One of today's top stories".

Personal reasons (1, 2) come only from preferences; with default preferences every reader
of a tick gets the same reason for a story, so reasons split no default editions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from core.briefs.text import shorten
from core.i18n import label
from core.models import Prefs, Story, StoryReason
from core.stories.personalize import facts, normal_words
from core.stories.rank import VELOCITY_HOURS, story_sources
from core.stories.topics import resolve_topic, topic_name

__all__ = [
    "RISING_SOURCES",
    "ReasonKey",
    "describe",
    "reason_for",
    "reason_key",
    "story_reason",
]

RISING_SOURCES = 3  # distinct sources within VELOCITY_HOURS that make a story "rising"
NAMES_SHOWN = 2  # sources named in "told by 7 sources, incl. A, B"
KEYWORD_MAX = 40  # characters of the reader's keyword a reason repeats
REASON_MAX = 100  # characters of the worded reason, whatever the names and keyword


def reason_for(story: Story, prefs: Prefs, *, now: datetime) -> StoryReason:
    """The single most telling reason ``story`` is in this reader's edition (module
    docstring: keyword > followed topic > rising > several sources > top story)."""
    return _personal(story, prefs) or story_reason(story, now=now)


def story_reason(story: Story, *, now: datetime) -> StoryReason:
    """The reason from the story alone (the public brief page, and readers with no
    personal match): rising > several sources > top story."""
    rising = _rising(story, now)
    if rising is not None:
        return rising
    count = len(story_sources(story))
    if count > 1:
        return StoryReason(kind="sources", values={"n": count})
    return StoryReason(kind="top")


def _personal(story: Story, prefs: Prefs) -> StoryReason | None:
    text = facts(story).text
    for keyword in prefs.include_keywords:
        phrase = normal_words(keyword)
        if phrase.strip() and phrase in text:
            shown = shorten(" ".join(keyword.split()), KEYWORD_MAX)
            return StoryReason(kind="keyword", values={"keyword": shown})
    followed = {resolve_topic(t) or t for t in prefs.topics_followed}
    for topic in story.topics:
        if topic in followed:
            return StoryReason(kind="topic", values={"topic": topic})
    return None


def _rising(story: Story, now: datetime) -> StoryReason | None:
    since = now - timedelta(hours=VELOCITY_HOURS)
    first: dict[str, datetime] = {}
    for article in story.articles:
        if since <= article.published <= now:
            earlier = first.get(article.source_id)
            first[article.source_id] = min(earlier or article.published, article.published)
    if len(first) < RISING_SOURCES:
        return None
    hours = math.ceil((now - min(first.values())).total_seconds() / 3600.0)
    return StoryReason(kind="rising", values={"n": len(first), "hours": max(1, hours)})


ReasonKey = tuple[str, tuple[tuple[str, str | int], ...]]


def reason_key(reason: StoryReason | None) -> ReasonKey:
    """The reason as a hashable value, for grouping readers into editions (cheap: the
    tick takes it for every reader and story)."""
    if reason is None:
        return ("", ())
    return (reason.kind, tuple(reason.values.items()))


def describe(
    reason: StoryReason | None, lang: str, *, names: Sequence[str] = (), weekly: bool = False
) -> str | None:
    """The reason as one line of at most ``REASON_MAX`` characters in ``lang``;
    ``names`` are source names the ``sources`` reason may show, ``weekly`` words ``top``
    for a weekly recap."""
    if reason is None:
        return None
    return shorten(_worded(reason, lang, names, weekly), REASON_MAX)


def _worded(reason: StoryReason, lang: str, names: Sequence[str], weekly: bool) -> str:
    values = reason.values
    if reason.kind == "keyword":
        return label("reason_keyword", lang, keyword=values.get("keyword", ""))
    if reason.kind == "topic":
        return label("reason_topic", lang, topic=topic_name(str(values.get("topic", "")), lang))
    if reason.kind == "rising":
        return label("reason_rising", lang, n=values.get("n", 0), hours=values.get("hours", 1))
    if reason.kind == "sources":
        shown = [n for n in names if n][:NAMES_SHOWN]
        if not shown:
            return label("reason_sources_bare", lang, n=values.get("n", 0))
        return label("reason_sources", lang, n=values.get("n", 0), names=", ".join(shown))
    return label("reason_top_week" if weekly else "reason_top", lang)

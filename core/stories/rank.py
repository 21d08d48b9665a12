"""A story's score, in parts a reader can check (``aitoday stories --explain``).

::

    total = recency * crowding * (0.40 authority + 0.20 velocity + 0.25 relevance
                                  + 0.15 novelty)

- authority: distinct sources weighted by their authority, saturating:
  ``1 - exp(-sum(authority))``; a story that three strong sources carry is near 1.
- recency: ``0.5 ** (hours since first seen / half_life_hours)``.
- velocity: distinct sources that reported it in the last ``velocity_hours``, saturating.
- relevance: how clearly the story is about AI (``core.stories.topics.ai_relevance``).
- novelty: 1 for a first-hand report; lower for round-ups, digests and recaps, which
  retell other stories.
- crowding: how many stories told by one source alone rank above this one (set across
  the window by :func:`spread_sources`; 1 for a single story scored on its own). A
  source's best ``CROWD_FREE`` such stories keep 1; each further one weighs
  ``CROWD_DECAY`` times the one before, so one prolific or flooding feed cannot fill
  the top of the ranking. A story more than one source carries is not crowded.

A weekly recap ranks by ``crowding * lasting`` (:func:`weekly_ranked`): the weighted
authority, relevance and novelty, with crowding counted over the week's stories.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from core.models import ScoreParts, Story
from core.stories.topics import ai_relevance

WEIGHTS = {"authority": 0.40, "velocity": 0.20, "relevance": 0.25, "novelty": 0.15}
DEFAULT_AUTHORITY = 0.5
VELOCITY_HOURS = 6.0
CROWD_FREE = 3  # a source's best three stories of its own rank on their merit alone
CROWD_DECAY = 0.7  # each further one of that source weighs this much of the one before

_ROUNDUP = re.compile(
    r"\b(?:round-?up|digest|recap|newsletter|this week in|weekly|week in review|"
    r"links? for|issue #?\d+|episode \d+|podcast)\b",
    re.IGNORECASE,
)


def story_sources(story: Story) -> set[str]:
    """Distinct sources of a story, including those recorded as also carrying an item."""
    sources = {a.source_id for a in story.articles}
    for article in story.articles:
        sources.update(article.also_in)
    return sources


def score(
    story: Story,
    *,
    now: datetime,
    authority: Mapping[str, float],
    half_life_hours: float = 18.0,
    summaries: str = "",
) -> ScoreParts:
    """The score of a story at ``now``; ``summaries`` adds text for the relevance part."""
    sources = story_sources(story)
    weight = sum(authority.get(s, DEFAULT_AUTHORITY) for s in sources)
    authority_part = 1.0 - math.exp(-weight)
    age_hours = max(0.0, (now - story.first_seen).total_seconds() / 3600.0)
    recency = 0.5 ** (age_hours / half_life_hours)
    since = now - timedelta(hours=VELOCITY_HOURS)
    recent = {a.source_id for a in story.articles if since <= a.published <= now}
    velocity = 1.0 - math.exp(-len(recent) / 2.0)
    text = " ".join([story.title, *(a.title for a in story.articles[:20]), summaries])
    relevance = ai_relevance(text)
    novelty = 0.4 if _ROUNDUP.search(story.title) else 1.0
    return combine(
        ScoreParts(
            authority=round(authority_part, 4),
            recency=round(recency, 4),
            velocity=round(velocity, 4),
            relevance=round(relevance, 4),
            novelty=round(novelty, 4),
        )
    )


def combine(parts: ScoreParts) -> ScoreParts:
    """The parts with their ``total`` computed (see the module docstring)."""
    base = parts.crowding * (
        WEIGHTS["authority"] * parts.authority
        + WEIGHTS["velocity"] * parts.velocity
        + WEIGHTS["relevance"] * parts.relevance
        + WEIGHTS["novelty"] * parts.novelty
    )
    return parts.model_copy(update={"total": round(parts.recency * base, 6)})


def keep_relevance(parts: ScoreParts, earlier: ScoreParts) -> ScoreParts:
    """Relevance learnt from summaries seen earlier is not lost when only titles remain."""
    if earlier.relevance <= parts.relevance:
        return parts
    return combine(parts.model_copy(update={"relevance": earlier.relevance}))


def spread_sources(stories: Iterable[Story]) -> list[Story]:
    """The stories with their ``crowding`` part (module docstring) set and totals redone."""
    out = list(stories)
    crowding = crowding_of(out, [_uncrowded(story.score_parts) for story in out])
    return [_crowded(story, c) for story, c in zip(out, crowding, strict=True)]


def crowding_of(stories: Sequence[Story], merits: Sequence[float]) -> list[float]:
    """Each story's crowding factor, ``merits[i]`` ranking the stories a source tells alone.

    Among the stories each source tells alone, its k-th best gets
    ``CROWD_DECAY ** (k - CROWD_FREE)`` from the ``CROWD_FREE + 1``-th on; others get 1.
    """
    alone: dict[str, list[int]] = {}
    for index, story in enumerate(stories):
        sources = story_sources(story)
        if len(sources) == 1:
            alone.setdefault(next(iter(sources)), []).append(index)
    crowding = [1.0] * len(stories)
    for indexes in alone.values():
        indexes.sort(key=lambda i: (-merits[i], stories[i].id))
        for k, index in enumerate(indexes):
            crowding[index] = round(CROWD_DECAY ** max(0, k + 1 - CROWD_FREE), 4)
    return crowding


def lasting(parts: ScoreParts) -> float:
    """The weighted parts that still matter a week later: authority, relevance, novelty
    (recency and velocity only say how fresh a story is)."""
    return (
        WEIGHTS["authority"] * parts.authority
        + WEIGHTS["relevance"] * parts.relevance
        + WEIGHTS["novelty"] * parts.novelty
    )


def weekly_ranked(stories: Iterable[Story]) -> list[Story]:
    """The stories best first for a weekly recap, as copies whose ``score`` is the weekly one.

    A story's score decays with age, which would fill a weekly recap with yesterday's news;
    the weekly score is ``crowding * lasting`` (an unscored story keeps its score in place
    of ``lasting``), crowding counted over these stories, so one flooding source cannot
    fill the week either.
    """
    out = list(stories)
    merits = [_lasting_or_score(story) for story in out]
    crowding = crowding_of(out, merits)
    weekly = [
        story.model_copy(update={"score": c * merit})
        for story, c, merit in zip(out, crowding, merits, strict=True)
    ]
    return sorted(weekly, key=lambda story: story.score, reverse=True)


def _lasting_or_score(story: Story) -> float:
    merit = lasting(story.score_parts)
    return merit if merit > 0 else story.score


def _uncrowded(parts: ScoreParts) -> float:
    return combine(parts.model_copy(update={"crowding": 1.0})).total


def _crowded(story: Story, crowding: float) -> Story:
    if story.score_parts.crowding == crowding and story.score == story.score_parts.total:
        return story
    parts = combine(story.score_parts.model_copy(update={"crowding": crowding}))
    return story.model_copy(update={"score": parts.total, "score_parts": parts})

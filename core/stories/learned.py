"""Learned preferences: per-subscriber weights over topics, sources and entities, from
their "more / less like this" taps. Pure: no Redis, no I/O.

A tap adds +1 (more) or -1 (less) to the features of the story it was about, split evenly
within each kind (a story told by six sources gives each a sixth). Taps decay: a tap
``half_life_days`` old counts half. Decay scales every strength by the same factor, so
the sums are kept at one instant (:class:`Learned` ``at``) and scaled when read.

In the ranking a story's score is multiplied by ``1 + max_effect * tanh(x / SATURATION)``,
``x`` the kind-weighted mean strength of its features: bounded both ways, so no number of
taps hides a topic (at most ``max_effect`` off its score: a filter never comes from
taps) and one tap moves a story a little (x0.84 for one "less" on its only topic).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from itertools import repeat
from typing import Any

import numpy as np
import pydantic_core

from core.memo import ByIdentity
from core.models import FeedbackEvent, Story
from core.stories.orgs import named_orgs
from core.stories.rank import story_sources
from core.stories.text import word_key, words

__all__ = [
    "KIND_WEIGHT",
    "SATURATION",
    "Learned",
    "Weights",
    "event_features",
    "learn",
    "ranking",
    "story_entities",
    "strongest",
]

KIND_WEIGHT = {"topic": 1.0, "entity": 0.8, "source": 0.6}
SATURATION = 3.0  # three taps on one feature reach tanh(1) = 0.76 of the most effect
NEGLIGIBLE = 0.01  # a strength this small (after decay) is dropped
DAY_SECONDS = 86_400.0


def story_entities(story: Story) -> list[str]:
    """The organisations the story's headline names ("openai", "nvidia"), in order."""
    return named_orgs([word_key(w) for w in words(story.title)])


def story_feature_lists(story: Story) -> dict[str, list[str]]:
    """The story's features by kind, as a tap records them."""
    return {
        "topic": list(story.topics),
        "source": sorted(story_sources(story)),
        "entity": story_entities(story),
    }


def event_features(event: FeedbackEvent) -> dict[str, float]:
    """Feature -> share of the tap (``kind:value``); each kind's shares sum to 1."""
    shares: dict[str, float] = {}
    for kind, values in (
        ("topic", event.topics),
        ("source", event.sources),
        ("entity", event.entities),
    ):
        for value in values:
            key = f"{kind}:{value}"
            shares[key] = shares.get(key, 0.0) + 1.0 / len(values)
    return shares


def decayed(strengths: Mapping[str, float], factor: float) -> dict[str, float]:
    """``strengths`` times a decay ``factor``, negligible ones dropped."""
    return {k: v * factor for k, v in strengths.items() if abs(v * factor) >= NEGLIGIBLE}


def _decay(seconds: float, half_life_days: float) -> float:
    return float(0.5 ** (max(seconds, 0.0) / (half_life_days * DAY_SECONDS)))


@dataclass(frozen=True)
class Learned:
    """Signed, decayed strengths per feature, as of ``at`` (epoch seconds)."""

    at: float
    strengths: Mapping[str, float]

    def to_json(self) -> str:
        rounded = {k: round(v, 4) for k, v in self.strengths.items()}
        return json.dumps({"at": round(self.at, 3), "w": rounded}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Learned:
        # pydantic's parser: a tick reads tens of thousands of these, 2-3x json.loads
        data = pydantic_core.from_json(text, cache_strings="keys")
        return cls(at=float(data["at"]), strengths=data["w"])

    def decay_to(self, now: float, half_life_days: float) -> float:
        """What the time from ``at`` to ``now`` leaves of each strength (a factor <= 1)."""
        return _decay(now - self.at, half_life_days)

    def at_time(self, now: float, half_life_days: float) -> dict[str, float]:
        """The strengths decayed to ``now``, negligible ones dropped."""
        return decayed(self.strengths, self.decay_to(now, half_life_days))


def learn(events: Iterable[FeedbackEvent], now: datetime, half_life_days: float) -> Learned:
    """What the taps add up to at ``now``."""
    at = now.timestamp()
    strengths: dict[str, float] = {}
    for event in events:
        sign = 1.0 if event.direction == "more" else -1.0
        weight = sign * _decay(at - event.at.timestamp(), half_life_days)
        for key, share in event_features(event).items():
            strengths[key] = strengths.get(key, 0.0) + weight * share
    kept = {k: v for k, v in strengths.items() if abs(v) >= NEGLIGIBLE}
    return Learned(at=at, strengths=kept)


def strongest(strengths: Mapping[str, float], limit: int = 6) -> tuple[list[str], list[str]]:
    """(more, less): the features leaned towards and away from, strongest first."""
    ranked = sorted(strengths.items(), key=lambda kv: -abs(kv[1]))
    more = [k for k, v in ranked if v >= 0.5][:limit]
    less = [k for k, v in ranked if v <= -0.5][:limit]
    return more, less


@dataclass(frozen=True)
class Weights:
    """One subscriber's strengths, ready for :func:`ranking`: ``stored`` as of their last
    tap, times ``decay`` for the time since (the tick reads thousands of readers' weights
    and scales them in the ranking's vector, not a dict per reader). ``key`` names them
    for memoization (two subscribers with the same ``key`` rank alike)."""

    stored: Mapping[str, float]
    max_effect: float
    key: str
    decay: float = 1.0

    @property
    def strengths(self) -> dict[str, float]:
        """The strengths now, negligible ones dropped."""
        return decayed(self.stored, self.decay)

    @cached_property
    def active(self) -> bool:
        """Whether any strength is still more than negligible."""
        return max(map(abs, self.stored.values()), default=0.0) * self.decay >= NEGLIGIBLE


class _Pool:
    """A story list's features as a matrix (feature x story, in row order), built once per
    list: a subscriber's weights then cost one vector product, not a loop per story. Its
    last row is all zeros: features no story of the list has land there."""

    def __init__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        stories = [row[2] for row in rows]
        self.keys = np.fromiter((row[0] for row in rows), dtype=np.float64, count=len(rows))
        self.orders = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
        self.index: dict[str, int] = {}
        cells: list[tuple[int, int, float]] = []
        for column, story in enumerate(stories):
            for kind, values in story_feature_lists(story).items():
                for value in dict.fromkeys(values):
                    at = self.index.setdefault(f"{kind}:{value}", len(self.index))
                    cells.append((at, column, KIND_WEIGHT[kind] / len(values)))
        self.absent = len(self.index)
        self.matrix = np.zeros((self.absent + 1, len(stories)), dtype=np.float64)
        for at, column, share in cells:
            self.matrix[at, column] += share

    def lean(self, weights: Weights) -> np.ndarray:
        """Per story, the kind-weighted mean strength of its features."""
        stored = weights.stored
        count = len(stored)
        at = np.fromiter(
            map(self.index.get, stored, repeat(self.absent, count)), dtype=np.intp, count=count
        )
        values = np.fromiter(stored.values(), dtype=np.float64, count=count) * weights.decay
        values[np.abs(values) < NEGLIGIBLE] = 0.0
        vector = np.zeros(self.absent + 1, dtype=np.float64)
        vector[at] = values  # features absent from every story all land on the zero row
        result: np.ndarray = vector @ self.matrix
        return result


_POOLS: ByIdentity[Sequence[tuple[Any, ...]], _Pool] = ByIdentity(64)


def _pool(rows: Sequence[tuple[Any, ...]]) -> _Pool:
    return _POOLS(rows, _Pool)


def factors(pool: _Pool, weights: Weights) -> np.ndarray:
    """The score multiplier of each of the pool's stories, within 1 +- ``max_effect``."""
    lean = pool.lean(weights)
    result: np.ndarray = 1.0 + weights.max_effect * np.tanh(lean / SATURATION)
    return result


def ranking(
    rows: Sequence[tuple[Any, ...]], weights: Weights, scale: np.ndarray | None = None
) -> list[int]:
    """Indices of ``rows`` ``(-score, order, story, ...)``, best first, once their keys are
    multiplied by the learned factors (and by ``scale``, one factor per row, when given)
    and sorted again by (key, order). ``rows`` is the same list object for every
    subscriber of a tick (core.stories.personalize caches it), so its matrix is built once
    and a subscriber costs one vector product and one sort, with no row copied."""
    if not rows:
        return []
    pool = _pool(rows)
    keys = pool.keys * factors(pool, weights)
    if scale is not None:
        keys = keys * scale
    ranked: list[int] = np.lexsort((pool.orders, keys)).tolist()
    return ranked


def multiplier(strength: float, max_effect: float) -> float:
    """The multiplier one feature's ``strength`` gives alone (for tests and the README)."""
    return 1.0 + max_effect * math.tanh(strength / SATURATION)

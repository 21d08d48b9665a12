"""Pick a subscriber's stories: filters, a boost for followed topics, a cap per topic.

It runs for every subscriber on every tick (~10,000 times over the same few hundred
stories), so what depends only on the story (its words, sources, topics) is computed once
per story and cached; per subscriber only set lookups and substring tests remain.
Keywords are plain words or phrases matched on word boundaries; never patterns.

A last safety net for clustering: a story whose title retells one already picked (the
same names and numbers, in any language: :func:`retells`) is left out of the pick.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.memo import ByIdentity
from core.models import Prefs, Story
from core.stories.learned import Weights, ranking
from core.stories.rank import story_sources
from core.stories.text import anchors
from core.stories.topics import resolve_topic

FOLLOW_BOOST = 1.5

_NON_WORD = re.compile(r"[^\w]+")
_LATIN_CAPITALISED = re.compile(r"[A-Z][A-Za-z]+")


@dataclass(frozen=True)
class _Facts:
    text: str  # " word word ... " normalised, for phrase tests
    sources: frozenset[str]
    topics: tuple[str, ...]
    languages: frozenset[str]  # of its articles; empty when none is known
    names: frozenset[str]  # anchors of its title (core.stories.text.anchors)
    figures: frozenset[str]


def normal_words(text: str) -> str:
    """Lower-case words separated by single spaces, padded with one space each side."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " " + " ".join(_NON_WORD.sub(" ", folded).split()) + " "


_FACTS: ByIdentity[Story, _Facts] = ByIdentity(5_000)  # a tick offers a few hundred


def facts(story: Story) -> _Facts:
    """What filtering needs of a story, computed once per story object."""
    return _FACTS(story, _facts)


def _facts(story: Story) -> _Facts:
    text = " ".join([story.title, *(a.title for a in story.articles)])
    languages = frozenset(a.language for a in story.articles if a.language)
    _, figures = anchors(story.title)
    names = _names(story.title)
    return _Facts(
        normal_words(text),
        frozenset(story_sources(story)),
        tuple(story.topics),
        languages,
        names,
        figures,
    )


@lru_cache(maxsize=16384)
def _phrase(keyword: str) -> str:
    return normal_words(keyword)


def _slugs(values: Sequence[str]) -> frozenset[str]:
    return frozenset(resolve_topic(v) or v for v in values)


@dataclass(frozen=True)
class _Wants:
    muted_topics: frozenset[str]
    muted_sources: frozenset[str]
    followed: frozenset[str]
    exclude: tuple[str, ...]
    include: tuple[str, ...]

    @classmethod
    def of(cls, prefs: Prefs) -> _Wants:
        """The filters of ``prefs``, built once per distinct set of them (readers who
        tapped get a pick of their own, but most share their filters with others)."""
        return _wants(
            tuple(prefs.topics_muted),
            tuple(prefs.sources_muted),
            tuple(prefs.topics_followed),
            tuple(prefs.exclude_keywords),
            tuple(prefs.include_keywords),
        )

    def allows(self, f: _Facts) -> bool:
        if self.muted_topics and not self.muted_topics.isdisjoint(f.topics):
            return False
        if self.muted_sources and f.sources and f.sources <= self.muted_sources:
            return False  # every source that carried it is muted; others keep it
        if any(p in f.text for p in self.exclude):
            return False
        return not self.include or any(p in f.text for p in self.include)


@lru_cache(maxsize=4096)
def _wants(
    muted_topics: tuple[str, ...],
    muted_sources: tuple[str, ...],
    followed: tuple[str, ...],
    exclude: tuple[str, ...],
    include: tuple[str, ...],
) -> _Wants:
    def phrases(words: Sequence[str]) -> tuple[str, ...]:
        return tuple(p for p in (_phrase(w) for w in words) if p.strip())

    return _Wants(
        muted_topics=_slugs(muted_topics),
        muted_sources=frozenset(muted_sources),
        followed=_slugs(followed),
        exclude=phrases(exclude),
        include=phrases(include),
    )


RETELL_COVER = 0.75  # share of the fewer names two titles of one event have in common


def retells(story: Story, other: Story) -> bool:
    """Whether two stories' titles tell one event: the same names (capitalised, in Latin
    script, so across languages too: most of the fewer, one at least) and the same
    amount ("$2 billion" = "20億ドル"), or two other numbers in common ("GPT-5" alone is
    a name: its launch and its price cut are two events)."""
    return _retells(facts(story), facts(other))


def _retells(a: _Facts, b: _Facts) -> bool:
    figures = a.figures & b.figures
    amounts = sum(1 for f in figures if f.startswith("="))
    if not amounts and len(figures) < 2:
        return False
    shared = len(a.names & b.names)
    fewer = min(len(a.names), len(b.names))
    return shared >= 1 and shared >= RETELL_COVER * fewer


def _names(title: str) -> frozenset[str]:
    """Capitalised Latin-script words of a title (names: "Aurora", "OpenAI", "GPT")."""
    names, _ = anchors(title)
    written = {w.lower() for w in _LATIN_CAPITALISED.findall(title)}
    return names & written


def allowed(story: Story, prefs: Prefs) -> bool:
    """Whether the story passes the subscriber's filters (mutes, exclude, include)."""
    return _Wants.of(prefs).allows(facts(story))


_ORDERED: ByIdentity[Sequence[Story], list[tuple[float, int, Story, _Facts]]] = ByIdentity(64)


def _ordered(stories: Sequence[Story]) -> list[tuple[float, int, Story, _Facts]]:
    """Stories best first with their facts, computed once per list of stories (the
    same list is offered to every subscriber of a tick; a list grown since is new)."""
    return _ORDERED(stories, _rows, extra=len(stories))


def _rows(stories: Sequence[Story]) -> list[tuple[float, int, Story, _Facts]]:
    return sorted(
        ((-story.score, order, story, facts(story)) for order, story in enumerate(stories)),
        key=lambda row: (row[0], row[1]),
    )


def _boosted(
    rows: list[tuple[float, int, Story, _Facts]], followed: frozenset[str], boost: bool
) -> Iterator[tuple[float, int, Story, _Facts]]:
    factor = FOLLOW_BOOST if boost else 1.0
    for key, order, story, f in rows:
        if followed.isdisjoint(f.topics) != boost:
            yield key * factor, order, story, f


_BOOSTS: ByIdentity[list[tuple[float, int, Story, _Facts]], np.ndarray] = ByIdentity(4096)


def _boosts(
    rows: list[tuple[float, int, Story, _Facts]], followed: frozenset[str]
) -> np.ndarray | None:
    """Each row's follow boost (``FOLLOW_BOOST`` or 1), None when nothing is followed;
    once per list of rows and set of followed topics (readers who tapped share both)."""
    if not followed:
        return None

    def boosts(rows: list[tuple[float, int, Story, _Facts]]) -> np.ndarray:
        return np.array([1.0 if followed.isdisjoint(f.topics) else FOLLOW_BOOST for *_, f in rows])

    return _BOOSTS(rows, boosts, extra=followed)


def pick(
    stories: Sequence[Story],
    prefs: Prefs,
    *,
    limit: int,
    already_sent: AbstractSet[str] = frozenset(),
    per_topic_cap: int = 2,
    readable: AbstractSet[str] | None = None,
    learned: Weights | None = None,
) -> list[Story]:
    """The top ``limit`` stories for these preferences, best first.

    Never a story in ``already_sent``. With ``readable`` (the languages the reader's
    briefs can be in), a story told only in other languages is left out; None means
    any language (an LLM writes the briefs in the reader's language).
    Followed topics multiply the score by ``FOLLOW_BOOST``; ``learned`` weights (the
    reader's more / less taps, :mod:`core.stories.learned`) by a bounded factor. At most
    ``per_topic_cap`` stories share a first topic while others are left; when too few
    remain, capped stories fill the list.
    A story retelling one already picked (:func:`retells`) is left out.
    Stories are examined lazily in score order, so a pick costs about ``limit`` steps.
    """
    if limit <= 0:
        return []
    wants = _Wants.of(prefs)
    rows = _ordered(stories)
    ranked: Iterable[tuple[float, int, Story, _Facts]] = rows
    if learned is not None and learned.active:
        ranked = (rows[i] for i in ranking(rows, learned, _boosts(rows, wants.followed)))
    elif wants.followed:
        ranked = heapq.merge(
            _boosted(rows, wants.followed, True),
            _boosted(rows, wants.followed, False),
            key=lambda row: (row[0], row[1]),
        )
    chosen: list[Story] = []
    overflow: list[Story] = []
    per_topic: dict[str, int] = {}
    told: list[_Facts] = []
    for _, _, story, f in ranked:
        if story.id in already_sent or not wants.allows(f):
            continue
        if readable is not None and f.languages and f.languages.isdisjoint(readable):
            continue
        if any(_retells(f, seen) for seen in told):
            continue  # clustering missed that these are one event: show it once
        told.append(f)
        topic = f.topics[0] if f.topics else ""
        if topic and per_topic.get(topic, 0) >= per_topic_cap:
            overflow.append(story)
            continue
        per_topic[topic] = per_topic.get(topic, 0) + 1
        chosen.append(story)
        if len(chosen) == limit:
            return chosen
    chosen.extend(overflow[: limit - len(chosen)])
    return chosen

"""The offline brief writer: the AIToday format from the sources' own sentences.

Deterministic (the same story gives the same brief) and inventing nothing: every sentence
is quoted from an article's title, summary or text, after the same hygiene as everything
else (hidden text, links, mentions, markup and orders to a model are never quoted).

- headline: the story's title (or the first safe article title);
- key_takeaway and what_happened: the lead article's first quotable sentences, then one
  per other source in turn (so several voices show), none repeating the headline;
- dek: the first of them, once there are three or more sentences to go round;
- why_it_matters, what_to_watch, FAQ: left empty. The sources do not say why something
  matters in a way we can find by extraction; inventing it is what this writer must not do.

Language: it cannot translate. ``Brief.language`` is the reader's language (labels are
localised by the renderers); ``Brief.content_language`` is the language the quotes are in.
Renderers show ``label("original_language_note", lang)`` when the two differ.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from core.briefs.inputs import SourceText, brief_sources
from core.briefs.schema import EXTRACTIVE_VERSION, LIMITS
from core.briefs.text import is_harmless, is_quotable, sentences, shorten
from core.models import Brief, Generator, KeyPoints, Story, utcnow

_TOKEN = re.compile(r"\w+")


def extractive_brief(
    story: Story, inputs: Sequence[SourceText], language: str, now: datetime | None = None
) -> Brief:
    """Write the brief of ``story`` for a reader of ``language`` without any model."""
    pool = _sentence_pool(inputs, _headline(story, inputs))
    dek, takeaway, happened = _assign(pool)
    return Brief(
        story_id=story.id,
        headline=shorten(_headline(story, inputs), LIMITS.headline),
        sources=brief_sources(inputs),
        dek=shorten(dek, LIMITS.dek),
        key_takeaway=shorten(" ".join(takeaway), LIMITS.key_takeaway),
        key_points=KeyPoints(what_happened=shorten(" ".join(happened), LIMITS.key_point)),
        topics=list(story.topics[: LIMITS.topics_max]),
        language=language,
        content_language=_content_language(inputs),
        generator=Generator(kind="extractive", model=None, prompt_version=EXTRACTIVE_VERSION),
        created_at=now or utcnow(),
    )


def _assign(pool: list[str]) -> tuple[str, list[str], list[str]]:
    """dek, key takeaway sentences, what-happened sentences, without repeating any.

    The key takeaway and what happened come first; the dek only once there are three
    sentences, so a short story is not spread thin across empty-looking sections.
    """
    if len(pool) <= 2:
        return "", pool[:1], pool[1:2]
    if len(pool) == 3:
        return pool[0], pool[1:2], pool[2:3]
    return pool[0], pool[1:3], pool[3:6]


def _sentence_pool(inputs: Sequence[SourceText], headline: str) -> list[str]:
    """Quotable sentences: the lead article's first, then one per source in turn; none
    that repeats the headline or an earlier sentence."""
    per_source = [_quotable(item) for item in inputs]
    ordered: list[str] = per_source[0][:3] if per_source else []
    rounds = max((len(s) for s in per_source), default=0)
    for i in range(rounds):
        for n, candidates in enumerate(per_source):
            if i < len(candidates) and not (n == 0 and i < 3):
                ordered.append(candidates[i])
    said = set(_TOKEN.findall(headline.lower()))
    return _distinct([s for s in ordered if not _restates(s, said)])


def _quotable(item: SourceText) -> list[str]:
    found = [s for s in sentences(f"{item.summary} {item.text}") if is_quotable(s)]
    return found[:8]


def _distinct(candidates: list[str]) -> list[str]:
    """Drop sentences that say nearly the same as an earlier one (syndicated copies)."""
    kept: list[str] = []
    kept_tokens: list[set[str]] = []
    for sentence in candidates:
        tokens = set(_TOKEN.findall(sentence.lower()))
        if any(_overlap(tokens, other) > 0.6 for other in kept_tokens):
            continue
        kept.append(sentence)
        kept_tokens.append(tokens)
    return kept


def _restates(sentence: str, headline_tokens: set[str]) -> bool:
    """True when a sentence is little more than the headline again."""
    tokens = set(_TOKEN.findall(sentence.lower()))
    return len(tokens & headline_tokens) >= 0.8 * max(1, len(tokens))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def _headline(story: Story, inputs: Sequence[SourceText]) -> str:
    titles = [story.title, *(item.title for item in inputs)]
    for title in titles:
        if _safe_title(title):
            return title
    return story.id  # every title was hostile: say nothing rather than repeat it


def _safe_title(title: str) -> bool:
    return bool(title.strip()) and is_harmless(title)


def _content_language(inputs: Sequence[SourceText]) -> str:
    counts = Counter(item.language for item in inputs)
    return counts.most_common(1)[0][0] if counts else "en"

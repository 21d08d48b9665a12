"""Feeds as values: a reader's digests (one entry per digest) and top stories (one each).

Pure: editions come in with their briefs loaded (``EditionRepo.load_many_for_render``),
stories with theirs; what comes out is what ``atom`` and ``jsonfeed`` write. Entry ids are
``urn:uuid:`` names derived from what the entry is (its editions; a story and language),
so an entry keeps its id from poll to poll and says nothing about who reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from core.briefs.text import shorten
from core.feeds.content import digest_html, story_html, web_link, xml_safe
from core.models import Brief, Edition, EditionItem, Story
from core.render.common import BRAND, StoryView, story_views, subject_line

__all__ = ["Feed", "FeedEntry", "digest_entries", "story_entries", "with_language"]

SUMMARY_CHARS = 300


@dataclass(frozen=True)
class FeedEntry:
    """One entry: a digest, or one story of the top-stories feed."""

    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str
    language: str
    image: str | None = None
    tags: tuple[str, ...] = ()
    author: str = BRAND


@dataclass(frozen=True)
class Feed:
    """A whole feed; ``atom_url`` and ``json_url`` are its two forms (each one's self link)."""

    id: str
    title: str
    subtitle: str
    language: str
    home_url: str
    atom_url: str
    json_url: str
    updated: datetime
    entries: tuple[FeedEntry, ...]
    author: str = BRAND


def _urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'aitoday:' + ':'.join(parts))}"


def _text(text: str) -> str:
    return xml_safe(" ".join(text.split()))


def digest_entries(editions: Sequence[Edition], *, base_url: str) -> list[FeedEntry]:
    """One entry per digest, in the order given (newest first from the caller).

    A reader on two channels gets one edition per channel at the same slot: those make
    one entry, their stories merged in order.
    """
    groups: dict[tuple[str, datetime], list[Edition]] = {}
    for edition in editions:
        groups.setdefault((edition.kind, edition.slot), []).append(edition)
    return [_digest(group, base_url) for group in groups.values()]


def _digest(group: list[Edition], base_url: str) -> FeedEntry:
    first = group[0]
    views = _merged(story_views(e, base_url=base_url) for e in group)
    lang = first.language
    image = next((v.image.url for v in views if v.image is not None), None)
    return FeedEntry(
        id=_urn("digest", *sorted(e.id for e in group)),
        title=_text(subject_line(first, views)),
        url=views[0].url if views else base_url,
        published=first.slot,
        updated=first.slot,
        summary=_text(shorten(" · ".join(v.headline for v in views), SUMMARY_CHARS)),
        content_html=digest_html(views, lang),
        language=lang,
        image=web_link(image),
        tags=_tags(views),
    )


def _merged(lists: Iterable[list[StoryView]]) -> list[StoryView]:
    seen: set[str] = set()
    merged: list[StoryView] = []
    for views in lists:
        for view in views:
            if view.story_id not in seen:
                seen.add(view.story_id)
                merged.append(view)
    return merged


def _tags(views: Iterable[StoryView]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(xml_safe(t) for v in views for t in v.topics if t.strip()))


def story_entries(
    pairs: Sequence[tuple[Story, Brief]], *, lang: str, base_url: str, now: datetime
) -> list[FeedEntry]:
    """One entry per story, in the order given, each with its brief in ``lang``."""
    # story_views words a story the way every channel does; it reads an edition, so the
    # stories are put in one (the channel plays no part in a view).
    edition = Edition(
        id="top",
        channel="email",
        language=lang,
        slot=now,
        created_at=now,
        items=[EditionItem(story_id=b.story_id, brief_key=b.story_id) for _, b in pairs],
        briefs=[brief for _, brief in pairs],
    )
    views = story_views(edition, base_url=base_url)
    stories = {story.id: (story, brief) for story, brief in pairs}
    return [_story(view, *stories[view.story_id], lang) for view in views]


def _story(view: StoryView, story: Story, brief: Brief, lang: str) -> FeedEntry:
    url = with_language(view.url, lang)
    return FeedEntry(
        id=_urn("story", story.id, lang),
        title=_text(view.headline),
        url=url,
        published=story.first_seen,
        updated=max(story.last_updated, brief.created_at),
        summary=_text(shorten(view.key_takeaway, SUMMARY_CHARS)),
        content_html=story_html(view, lang),
        language=brief.language,
        image=web_link(view.image.url) if view.image else None,
        tags=_tags([view]),
    )


def with_language(url: str, lang: str) -> str:
    """``url`` asking for ``lang`` (English needs no parameter)."""
    return url if lang == "en" else f"{url}?lang={quote(lang)}"

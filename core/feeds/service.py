"""What a feed reads from the store: its validators first (cheap), then the feed itself.

A reader's feed holds the editions they were sent in the last :data:`FEED_DAYS` (the sent
history remembers the last ``SENT_KEEP`` of them), newest first; the public feed holds
the day's top stories (else the last three days'), each in the language asked, falling
back to the English brief, leaving out a story that has no brief yet.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core import tokens
from core.feeds.entries import Feed, FeedEntry, digest_entries, story_entries
from core.feeds.validators import Validators, validators_of
from core.i18n import DEFAULT_LANGUAGE, label
from core.models import Brief, Story, Subscriber, utcnow
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.editions import EditionRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo

__all__ = [
    "FEED_DAYS",
    "FeedUrls",
    "ReaderBasis",
    "TopBasis",
    "feed_urls",
    "reader_basis",
    "reader_feed",
    "top_basis",
    "top_feed",
]

FEED_DAYS = 30
TOP_COUNT = 10
TOP_HOURS = 24.0
TOP_FALLBACK_HOURS = 72.0
# Every poller of the public feed asks for the same list: a few seconds of memory spare
# reading and parsing the day's stories on each request.
TOP_CACHE_SECONDS = 30.0
_top_cache: dict[str, tuple[float, list[Story]]] = {}


@dataclass(frozen=True)
class FeedUrls:
    """Where a feed lives: the site, and the feed in each form."""

    home: str
    atom: str
    json: str


def feed_urls(store: Store, sub: Subscriber) -> FeedUrls:
    """Where a reader's feed lives now (its current generation)."""
    token = tokens.feed_token(store.settings.signing_key(), sub.id, sub.feed_generation)
    base = store.settings.web.base_url.rstrip("/")
    return FeedUrls(home=base, atom=f"{base}/feed/{token}.xml", json=f"{base}/feed/{token}.json")


@dataclass(frozen=True)
class ReaderBasis:
    """What a reader's feed is made of: their editions (id, when sent), newest first."""

    sent: tuple[tuple[str, datetime], ...]
    validators: Validators


@dataclass(frozen=True)
class TopBasis:
    """The public feed's stories with the brief key chosen for each."""

    lang: str
    stories: tuple[Story, ...]
    brief_keys: tuple[str, ...]
    validators: Validators


def reader_basis(
    store: Store, sub: Subscriber, form: str, *, now: datetime | None = None
) -> ReaderBasis:
    """The reader's editions of the last FEED_DAYS and the feed's validators (one call)."""
    since = (now or utcnow()) - timedelta(days=FEED_DAYS)
    sent = tuple(SubscriberRepo(store).sent_editions(sub.id, since))
    parts = [form, sub.language, *(edition_id for edition_id, _ in sent)]
    newest = sent[0][1] if sent else sub.created
    return ReaderBasis(sent, validators_of(parts, newest))


def reader_feed(store: Store, sub: Subscriber, basis: ReaderBasis, urls: FeedUrls) -> Feed:
    """The reader's feed: one entry per digest sent (editions expired are left out)."""
    editions = EditionRepo(store).load_many_for_render([i for i, _ in basis.sent])
    entries = digest_entries(editions, base_url=urls.home)
    return _feed("feed", sub.language, urls, entries, basis.validators.last_modified)


def top_stories(store: Store) -> list[Story]:
    """The day's top stories (else the last three days'), best first; cached briefly."""
    now = time.monotonic()
    cached = _top_cache.get(store.keys.prefix)
    if cached is not None and cached[0] > now:
        return cached[1]
    repo = StoryRepo(store)
    stories = repo.recent(TOP_HOURS, limit=TOP_COUNT) or repo.recent(
        TOP_FALLBACK_HOURS, limit=TOP_COUNT
    )
    _top_cache[store.keys.prefix] = (now + TOP_CACHE_SECONDS, stories)
    return stories


def top_basis(store: Store, lang: str, form: str) -> TopBasis:
    """The top stories that have a brief, the key of each, and the feed's validators."""
    stories = top_stories(store)
    keys = _brief_keys(store, stories, lang)
    kept = [(story, key) for story, key in zip(stories, keys, strict=True) if key]
    parts = [form, lang, *(f"{story.id}={key}" for story, key in kept)]
    newest = max((s.last_updated for s, _ in kept), default=utcnow().replace(minute=0, second=0))
    return TopBasis(
        lang,
        tuple(s for s, _ in kept),
        tuple(k for _, k in kept if k),
        validators_of(parts, newest),
    )


def _brief_keys(store: Store, stories: Sequence[Story], lang: str) -> list[str | None]:
    """The newest brief key of each story in ``lang``, else in English (one MGET)."""
    ids = [story.id for story in stories]
    wanted = BriefRepo(store).latest_keys(ids, lang)
    if lang == DEFAULT_LANGUAGE:
        return wanted
    english = BriefRepo(store).latest_keys(ids, DEFAULT_LANGUAGE)
    return [key or fallback for key, fallback in zip(wanted, english, strict=True)]


def top_feed(store: Store, basis: TopBasis, urls: FeedUrls) -> Feed:
    """The public feed of the day's top stories, each with its brief."""
    found = BriefRepo(store).get_many(list(basis.brief_keys))
    pairs: list[tuple[Story, Brief]] = [
        (story, found[key])
        for story, key in zip(basis.stories, basis.brief_keys, strict=True)
        if key in found
    ]
    now = utcnow()
    entries = story_entries(pairs, lang=basis.lang, base_url=urls.home, now=now)
    return _feed("feed_top", basis.lang, urls, entries, basis.validators.last_modified)


def _feed(
    kind: str, lang: str, urls: FeedUrls, entries: Sequence[FeedEntry], last_modified: datetime
) -> Feed:
    """A feed of ``entries`` titled by the ``kind`` labels ("feed", "feed_top")."""
    return Feed(
        id=urls.atom,
        title=label(f"{kind}_title", lang),
        subtitle=label(f"{kind}_subtitle", lang),
        language=lang,
        home_url=urls.home,
        atom_url=urls.atom,
        json_url=urls.json,
        updated=max((e.updated for e in entries), default=last_modified),
        entries=tuple(entries),
    )

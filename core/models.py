"""The domain nouns: Source, Article, Story, Brief, Subscriber, Edition, Delivery.

Pydantic models, serialised as JSON into Redis by the repositories in ``core.store``.
Times are timezone-aware UTC datetimes. Ids are short hex digests or slugs made by us.
Beside them, the few plain rules and records the store needs, so ``core.store`` imports
nothing else of the domain: when a subscriber is next due (``next_slot``), which path
set a bounced status (``status_source``), a source's fetch memory (``FetchState``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["email", "slack", "line"]
CHANNELS: tuple[Channel, ...] = ("email", "slack", "line")

LANGUAGES: tuple[str, ...] = ("en", "ja", "zh-Hant", "zh-Hans", "ko", "th", "es", "fr", "de")


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


def short_hash(*parts: str, size: int = 16) -> str:
    """A short stable hex id from text parts."""
    h = hashlib.blake2b(digest_size=size)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


class Model(BaseModel):
    """Base: strict about unknown fields, JSON round-trips."""

    model_config = ConfigDict(extra="forbid")


# -- sources and articles ---------------------------------------------------------------


class SourceCategory(StrEnum):
    LAB = "lab"
    RESEARCH = "research"
    NEWS = "news"
    NEWSLETTER = "newsletter"
    COMMUNITY = "community"
    POLICY = "policy"
    PODCAST = "podcast"
    REGIONAL = "regional"
    BLOG = "blog"
    AGGREGATOR = "aggregator"


class Source(Model):
    """A feed we read."""

    id: str  # slug, unique
    url: str  # the feed URL (updated on 301/308)
    title: str
    site_url: str | None = None
    category: SourceCategory = SourceCategory.NEWS
    authority: float = Field(default=0.5, ge=0.0, le=1.0)
    language: str = "en"
    verified: bool = True  # False: URL not confirmed; the first live run reports it
    enabled: bool = True
    disabled_reason: str | None = None
    added_by_user: bool = False  # user-added sources get the SSRF guard


@dataclass(frozen=True)
class FetchState:
    """Per-source fetch memory, changed by the rules in ``core.ingest.state`` (stored as
    a Redis hash by ``SourceRepo``)."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    failures: int = 0
    next_fetch_at: datetime | None = None
    last_error: str | None = None
    last_status: int | None = None
    last_fetch_at: datetime | None = None

    def to_redis(self) -> dict[str, str]:
        """Flat string fields; ``None`` fields are left out (and deleted on save)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = value.isoformat() if isinstance(value, datetime) else str(value)
        return out

    @classmethod
    def from_redis(cls, raw: dict[bytes, bytes]) -> FetchState:
        """Read back what :meth:`to_redis` wrote; unknown fields are ignored."""
        data = {k.decode(): v.decode() for k, v in raw.items()}
        return cls(
            etag=data.get("etag"),
            last_modified=data.get("last_modified"),
            body_hash=data.get("body_hash"),
            failures=int(data.get("failures", "0")),
            next_fetch_at=_dt(data.get("next_fetch_at")),
            last_error=data.get("last_error"),
            last_status=int(data["last_status"]) if data.get("last_status") else None,
            last_fetch_at=_dt(data.get("last_fetch_at")),
        )

    def is_due(self, now: datetime) -> bool:
        """True when no back-off or Retry-After holds this source back."""
        return self.next_fetch_at is None or self.next_fetch_at <= now


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Article(Model):
    """One item of one feed, cleaned. ``id`` is a digest of the canonical URL."""

    id: str
    url: str  # canonical: tracking parameters and fragment removed
    title: str
    summary: str = ""
    text: str = ""  # longer content when the feed carries it (clean text, capped)
    source_id: str
    also_in: list[str] = Field(default_factory=list)  # other sources that carried it
    published: datetime
    fetched: datetime
    author: str | None = None
    language: str = "en"
    guid: str | None = None
    content_hash: str
    links: list[str] = Field(default_factory=list)  # outbound links (aggregator items)
    # From the article page (core.ingest.extract), when it was read: the lead image
    # (og:image) and whether ``text`` is the page's full text rather than the feed's.
    image: str | None = None
    full_text: bool = False


# -- stories ----------------------------------------------------------------------------


class StoryArticle(Model):
    """An article as a story holds it."""

    id: str
    source_id: str
    url: str
    title: str
    published: datetime
    also_in: list[str] = Field(default_factory=list)  # other sources that carried it
    language: str | None = None  # the article's language; None: unknown


class ScoreParts(Model):
    """The components of a story's score, for ``aitoday stories --explain``."""

    authority: float = 0.0
    recency: float = 0.0
    velocity: float = 0.0
    relevance: float = 0.0
    novelty: float = 0.0
    crowding: float = 1.0  # less for a source's 4th, 5th... story of its own (rank.py)
    total: float = 0.0


class Story(Model):
    """One event, told by one or more sources."""

    id: str
    title: str  # representative: from the most authoritative source
    articles: list[StoryArticle]
    first_seen: datetime
    last_updated: datetime
    source_count: int = 1
    topics: list[str] = Field(default_factory=list)
    score: float = 0.0
    score_parts: ScoreParts = Field(default_factory=ScoreParts)

    def article_set_hash(self) -> str:
        """Changes when the story's articles change (the brief cache key uses it)."""
        return short_hash(*sorted(a.id for a in self.articles))


# -- briefs -----------------------------------------------------------------------------


class BriefSource(Model):
    name: str
    url: str
    published: datetime
    reading_minutes: int = Field(default=1, ge=1)


class KeyPoints(Model):
    what_happened: str
    why_it_matters: str | None = None  # extractive briefs may leave these out
    what_to_watch: str | None = None


class FAQItem(Model):
    question: str
    answer: str


class Generator(Model):
    kind: Literal["llm", "extractive"]
    model: str | None = None
    prompt_version: str


class Usage(Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


class BriefImage(Model):
    """The lead image of a story's main article, shown linked (never a tracking pixel)."""

    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None
    link: str | None = None  # the article the image belongs to (what a click opens)


class Grounding(Model):
    """What the guard checked in a model's brief: sentences removed as unsupported."""

    sentences_checked: int = 0
    sentences_removed: int = 0
    retries: int = 0
    fallbacks: list[str] = Field(default_factory=list)  # parts filled extractively
    removed: list[str] = Field(default_factory=list)  # why, one line per removal


class Brief(Model):
    """The AIToday format: what every channel shows for a story."""

    story_id: str
    headline: str
    sources: list[BriefSource]
    dek: str
    key_takeaway: str
    key_points: KeyPoints
    faq: list[FAQItem] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    language: str = "en"
    generator: Generator
    created_at: datetime
    usage: Usage | None = None
    # The language the text is written in. It differs from ``language`` (the reader's,
    # which the labels use) when an extractive brief quotes untranslated sources.
    content_language: str | None = None
    image: BriefImage | None = None
    grounding: Grounding | None = None  # LLM briefs: what the grounding guard removed


# -- subscribers ------------------------------------------------------------------------


class ChannelStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"  # the reader marked a digest as spam (ARF, webhooks)
    BLOCKED = "blocked"
    REVOKED = "revoked"


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    PAUSED = "paused"


class Prefs(Model):
    """What a subscriber wants to read."""

    topics_followed: list[str] = Field(default_factory=list)
    topics_muted: list[str] = Field(default_factory=list)
    sources_muted: list[str] = Field(default_factory=list)
    include_keywords: list[str] = Field(default_factory=list)
    exclude_keywords: list[str] = Field(default_factory=list)


class ChannelSub(Model):
    """One channel of a subscriber. ``None`` overrides inherit the subscriber's default."""

    channel: Channel
    address: str  # email address | LINE user/group id | "TEAM/CHANNEL" or "TEAM/USER"
    status: ChannelStatus = ChannelStatus.ACTIVE
    status_reason: str | None = None
    status_at: datetime | None = None
    verified: bool = True
    max_items: int | None = Field(default=None, ge=1, le=20)
    frequency: Frequency | None = None


def normalize_address(channel: str, address: str) -> str:
    """The form an address is looked up by: e-mail addresses compare case-insensitively."""
    text = address.strip()
    return text.lower() if channel == "email" else text


def set_status(
    target: ChannelSub, status: ChannelStatus, reason: str | None, when: datetime | None = None
) -> None:
    """Change a channel's status in place, with the reason and the time."""
    target.status = status
    target.status_reason = reason
    target.status_at = when or utcnow()
    if status is ChannelStatus.ACTIVE:
        target.verified = True


class StatusSource(StrEnum):
    """Which path set a bounced or complained status (``aitoday status`` counts by it)."""

    SMTP = "smtp"  # refused while sending (workers.jobs)
    WEBHOOK = "webhook"
    DSN = "dsn"  # the bounce mailbox
    MANUAL = "manual"  # set by hand (`aitoday users set`)


def status_source(reason: str | None) -> StatusSource:
    """Which path set a bounced/complained status, read from its reason's first word.

    The SMTP adapter writes "bounced: 550 ..."; bounce reports start with their source
    ("webhook ses bounced 5.1.1", "dsn dsn complained abuse": core.bounces.events).
    """
    first = (reason or "").split(" ", 1)[0].rstrip(":")
    if first in (StatusSource.WEBHOOK, StatusSource.DSN):
        return StatusSource(first)
    if first == "bounced":
        return StatusSource.SMTP
    return StatusSource.MANUAL


class Subscriber(Model):
    """A person, a Slack channel, a LINE group or a list address."""

    id: str
    created: datetime
    language: str = "en"
    timezone: str = "UTC"
    delivery_time: str = "07:30"  # HH:MM local
    frequency: Frequency = Frequency.DAILY
    weekly_day: int = Field(default=0, ge=0, le=6)  # Monday=0, for weekly
    max_items: int = Field(default=5, ge=1, le=20)
    prefs: Prefs = Field(default_factory=Prefs)
    breaking_alerts: bool = False
    quiet_start: str | None = None  # "22:00"
    quiet_end: str | None = None  # "07:00"
    channels: list[ChannelSub] = Field(default_factory=list)
    feed_generation: int = Field(default=0, ge=0)  # "new feed address" bumps it (core.tokens)


# -- when a subscriber is due -----------------------------------------------------------
# A *slot* is the instant of one delivery: the subscriber's ``delivery_time`` on a local
# calendar day that the frequency allows, in their IANA time zone. It is computed per day
# from the zone rules, so 07:30 in America/New_York is 12:30 UTC in winter and 11:30 UTC
# in summer, on both sides of the change, once a day. Two edge cases of the clock:
#
# - a local time that does not exist (the spring-forward gap, e.g. 02:30) is delivered at
#   the same wall-clock offset as before the change (03:30 local): late, never skipped;
# - a local time that happens twice (the fall-back hour) is delivered at the first one;
#   the per-day slot marker keeps the second from sending again.
#
# Channels share the subscriber's time and zone; each may override the frequency, so a
# slot is due when at least one ACTIVE channel's frequency allows that day. The store
# scores its due index by next_slot; the tick's window (last_slot) is core.editions.schedule.

_LOOKAHEAD_DAYS = 8  # a weekly slot is at most 7 days away


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """A time zone, cached: ZoneInfo keeps only a few strongly and re-reads the rest."""
    return ZoneInfo(name)


def effective_frequency(sub: Subscriber, channel: ChannelSub) -> Frequency:
    """The channel's override, else the subscriber's default."""
    return channel.frequency or sub.frequency


def allows(frequency: Frequency, day: date, weekly_day: int) -> bool:
    """Whether a frequency delivers on a local calendar day."""
    if frequency is Frequency.DAILY:
        return True
    if frequency is Frequency.WEEKDAYS:
        return day.weekday() < 5
    if frequency is Frequency.WEEKLY:
        return day.weekday() == weekly_day
    return False


def active_channels(sub: Subscriber) -> list[ChannelSub]:
    """Channels that receive digests now."""
    return [c for c in sub.channels if c.status is ChannelStatus.ACTIVE]


def channels_due(sub: Subscriber, day: date) -> list[ChannelSub]:
    """ACTIVE channels whose frequency delivers on the local ``day``."""
    return [
        c for c in active_channels(sub) if allows(effective_frequency(sub, c), day, sub.weekly_day)
    ]


def slot_on(sub: Subscriber, day: date) -> datetime:
    """The UTC instant of the subscriber's delivery time on a local calendar day."""
    hour, minute = (int(part) for part in sub.delivery_time.split(":"))
    local = datetime.combine(day, time(hour, minute), tzinfo=zone(sub.timezone))
    # fold=0: the first of a repeated time; a time in the gap keeps the old offset.
    return local.astimezone(UTC)


def local_day(sub: Subscriber, at: datetime) -> date:
    """The subscriber's calendar day at instant ``at``."""
    return at.astimezone(zone(sub.timezone)).date()


def next_slot(sub: Subscriber, after: datetime) -> datetime | None:
    """The first due slot strictly after ``after``; None when nothing will ever be due."""
    if not active_channels(sub):
        return None
    today = local_day(sub, after)
    for offset in range(_LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        instant = slot_on(sub, day)
        if instant > after and channels_due(sub, day):
            return instant
    return None


# -- editions and deliveries ------------------------------------------------------------


ReasonKind = Literal["keyword", "topic", "rising", "sources", "top"]


class StoryReason(Model):
    """Why a story is in an edition, decided when the edition is built
    (core.stories.reasons): a kind and its few values, worded at render time."""

    kind: ReasonKind
    values: dict[str, str | int] = Field(default_factory=dict)


class EditionItem(Model):
    """A story in an edition, by reference to its brief."""

    story_id: str
    brief_key: str  # the content hash under which the brief is cached
    reason: StoryReason | None = None  # None: editions built before reasons existed


class Edition(Model):
    """One digest variant: same items, language and channel for all its recipients."""

    id: str
    kind: Literal["daily", "weekly", "breaking"] = "daily"
    channel: Channel
    language: str
    slot: datetime  # the UTC minute it was built for
    created_at: datetime
    # The readers' local date at the slot (what every date shown to them says); None:
    # the slot's UTC date (replies and editions built before this field existed).
    day: date | None = None
    items: list[EditionItem]
    briefs: list[Brief] = Field(default_factory=list)  # filled when loaded for rendering


class Recipient(Model):
    """Who an edition goes to on a channel, with what a renderer may need per person."""

    subscriber_id: str
    address: str
    unsubscribe_token: str | None = None
    feed_token: str | None = None  # their feed's URL token (core.tokens.feed_token)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DEFERRED = "deferred"
    GONE = "gone"
    REJECTED = "rejected"


class DeliveryBatch(Model):
    """Recipients of one edition on one channel, sent by one job (hundreds, not one)."""

    edition_id: str
    channel: Channel
    batch_no: int
    recipients: list[Recipient]

    @property
    def job_id(self) -> str:
        """A stable RQ job id (letters, digits, '_' and '-' only)."""
        return f"deliver-{self.edition_id}-{self.channel}-{self.batch_no}"


# -- feedback ---------------------------------------------------------------------------


class FeedbackEvent(Model):
    """One "more / less like this" tap, with what the story was about when it was tapped."""

    id: str
    story_id: str
    direction: Literal["more", "less"]
    at: datetime
    channel: str  # where it was tapped: "email", "web", "slack", "line"
    topics: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)  # organisations the headline names

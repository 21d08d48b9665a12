"""One text-command layer for every chat surface (Slack, LINE, and whatever comes next).

A surface hands :func:`answer` the words a person typed and who typed them (a
:class:`Chat`); it gets back a channel-neutral :class:`Reply` (text, stories or briefs to
show, quick-reply suggestions) and renders it its own way. Anything we do not understand
gets a short usage answer; no error ever reaches a chat as a trace.

Commands::

    today                  top stories now              search <words>   last 30 days
    brief <n>              the brief of story n of the last list (or a story id)
    subscribe              the daily digest here        unsubscribe      stop it
    time 07:30             tz Asia/Tokyo                lang ja
    topics                 follow <topic>               mute <topic|source|word>
    settings               feed                         help
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date
from zoneinfo import ZoneInfo

from core import metrics
from core.errors import AITodayError, ValidationError
from core.feeds.service import feed_urls
from core.i18n import LABELS, label, normalize_language
from core.models import Brief, Channel, ChannelStatus, Story, Subscriber, utcnow
from core.preferences import apply_setting, find_channel, new_subscriber
from core.store.base import Store
from core.store.chats import ChatRepo
from core.store.sources import SourceRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo, address_digest
from core.stories.search import search
from core.stories.topics import TOPICS

log = logging.getLogger(__name__)

TODAY_HOURS = 24.0
FALLBACK_HOURS = 72.0
LIST_SIZE = 5
MAX_INPUT = 500  # characters of a command we read; the rest is ignored

HELP_LINES = (
    "today · top AI stories now",
    "search <words> · stories of the last 30 days",
    "brief <n> · the brief of story n",
    "subscribe / unsubscribe · the daily digest here",
    "time 07:30 · tz Asia/Tokyo · lang ja",
    "topics · follow <topic> · mute <topic|source|word>",
    "settings · feed · help",
)
SUGGESTIONS = ("today", "search", "settings", "help")


@dataclass(frozen=True)
class Chat:
    """Who is asking: the channel and its address ("TEAM/CHANNEL", a LINE user id)."""

    channel: Channel
    address: str
    language: str | None = None  # a hint from the platform (LINE profile, Slack locale)


@dataclass(frozen=True)
class Reply:
    """What a chat shows: text, plus stories or briefs to render, plus suggestions."""

    command: str
    text: str
    stories: list[Story] = field(default_factory=list)
    briefs: list[Brief] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    ok: bool = True
    language: str = "en"
    day: date | None = None  # the reader's local date (what a date shown to them says)


Handler = Callable[[Store, Chat, str], Awaitable[Reply]]


async def answer(store: Store, chat: Chat, text: str) -> Reply:
    """The reply to one typed command; never raises for anything a person can type."""
    words = " ".join(text[:MAX_INPUT].split())
    name, _, rest = words.partition(" ")
    name = name.lower().lstrip("/")
    name = ALIASES.get(name, name)
    handler = COMMANDS.get(name)
    try:
        reply = await handler(store, chat, rest) if handler else usage(chat, name)
    except ValidationError as exc:
        reply = Reply(name, exc.message, suggestions=["help"], ok=False)
    except AITodayError as exc:
        log.warning("command %r failed: %s", name, exc)
        reply = Reply(name, "Sorry, that did not work. Please try again later.", ok=False)
    except Exception:
        log.exception("command %r crashed", name)
        reply = Reply(name, "Sorry, something went wrong. Please try again later.", ok=False)
    _count(store, chat, reply)
    return _for_reader(store, chat, reply)


def _for_reader(store: Store, chat: Chat, reply: Reply) -> Reply:
    """The reply in the reader's language, dated by their calendar (after "lang ja" too)."""
    try:
        lang, day = reader(store, chat)
    except Exception:  # the store is down: the words are right, only the labels are English
        log.debug("reader of %s unknown", chat.channel, exc_info=True)
        return reply
    return replace(reply, language=lang, day=day)


def reader(store: Store, chat: Chat) -> tuple[str, date]:
    """The language and local date of whoever writes from this chat (UTC when unknown)."""
    sub = subscriber_of(store, chat)
    if sub is None:
        return normalize_language(chat.language or "") or "en", utcnow().date()
    return sub.language, utcnow().astimezone(ZoneInfo(sub.timezone)).date()


_SUGGESTION = re.compile(r"([a-z]+)( .*)?")


def suggestion_label(suggestion: str, lang: str) -> str:
    """A suggested command as a button says it: "brief 1" -> "ブリーフ 1" for a ja reader.

    The command sent stays the English one (core.commands understands it in every
    language); a command without a label keeps its own words.
    """
    found = _SUGGESTION.fullmatch(suggestion)
    if found is None or f"chat_{found.group(1)}" not in LABELS:
        return suggestion
    return label(f"chat_{found.group(1)}", lang) + (found.group(2) or "")


def _count(store: Store, chat: Chat, reply: Reply) -> None:
    command = reply.command if reply.command in COMMANDS else "unknown"
    try:
        metrics.incr(store, "aitoday_commands_total", surface=chat.channel, command=command)
    except Exception:  # a counter must never cost a reply
        log.debug("commands counter not written", exc_info=True)


def usage(chat: Chat, name: str = "") -> Reply:
    """The short usage answer (also for anything unknown)."""
    head = f"I don't know “{name[:30]}”. " if name and name != "help" else ""
    text = head + "Try:\n" + "\n".join(f"• {line}" for line in HELP_LINES)
    return Reply("unknown" if head else "help", text, suggestions=list(SUGGESTIONS), ok=not head)


# -- reading ----------------------------------------------------------------------------


def _stories(store: Store) -> StoryRepo:
    return StoryRepo(store)


async def _help(store: Store, chat: Chat, rest: str) -> Reply:
    return usage(chat)


# The top stories change when ingest runs (every half hour or so), and everyone asking
# "today" gets the same list: a few seconds of memory spares a Redis read and JSON parsing
# per request when a whole workspace asks at 9:00.
TODAY_CACHE_SECONDS = 15.0
_today_cache: dict[str, tuple[float, list[Story]]] = {}


def top_stories(store: Store) -> list[Story]:
    """The stories of the last day, best first (else of the last three days); cached."""
    now = time.monotonic()
    cached = _today_cache.get(store.keys.prefix)
    if cached is not None and cached[0] > now:
        return cached[1]
    repo = _stories(store)
    stories: list[Story] = repo.recent(TODAY_HOURS, limit=LIST_SIZE)
    if not stories:
        stories = repo.recent(FALLBACK_HOURS, limit=LIST_SIZE)
    _today_cache[store.keys.prefix] = (now + TODAY_CACHE_SECONDS, stories)
    return stories


async def _today(store: Store, chat: Chat, rest: str) -> Reply:
    stories = top_stories(store)
    lang, day = reader(store, chat)
    if not stories:
        return Reply("today", "No stories yet. Try again after the next update.", language=lang)
    remember_list(store, chat, stories)
    text = f"{label('tagline', lang)} · {day.isoformat()}\n" + _numbered(stories)
    suggestions = ["brief 1", "brief 2"]
    return Reply("today", text, stories=stories, suggestions=suggestions, language=lang, day=day)


async def _search(store: Store, chat: Chat, rest: str) -> Reply:
    words = rest.strip()
    if not words:
        return Reply("search", "Search for what? For example: search chips", ok=False)
    stories: list[Story] = search(_stories(store), words, days=30, limit=LIST_SIZE)
    lang = _language(store, chat)
    if not stories:
        return Reply("search", f"Nothing about “{words[:60]}” in the last 30 days.", language=lang)
    remember_list(store, chat, stories)
    text = f"Stories about “{words[:60]}” (last 30 days):\n" + _numbered(stories)
    return Reply("search", text, stories=stories, suggestions=["brief 1"], language=lang)


async def _brief(store: Store, chat: Chat, rest: str) -> Reply:
    story = _pick_story(store, chat, rest.strip())
    if story is None:
        return Reply("brief", "Which story? Send “today” first, then “brief 1”.", ok=False)
    from core.briefs.service import brief_for  # imported when first needed: it is heavy

    lang = _language(store, chat)
    _key, brief = await brief_for(store, story, lang)
    return Reply("brief", brief.headline, briefs=[brief], suggestions=["today"], language=lang)


def _pick_story(store: Store, chat: Chat, ref: str) -> Story | None:
    if ref.isdigit():
        ids = last_list(store, chat)
        index = int(ref) - 1
        if not 0 <= index < len(ids):
            return None
        ref = ids[index]
    if not ref or len(ref) > 80:
        return None
    story: Story | None = _stories(store).get(ref)
    return story


def _numbered(stories: list[Story]) -> str:
    lines = []
    for n, story in enumerate(stories, 1):
        more = f" ({story.source_count} sources)" if story.source_count > 1 else ""
        lines.append(f"{n}. {story.title}{more}")
    return "\n".join(lines)


def remember_list(store: Store, chat: Chat, stories: list[Story]) -> None:
    """Keep the story ids last shown to this chat, for "brief <n>"."""
    ChatRepo(store).remember_list(chat.channel, _address_digest(chat), [s.id for s in stories])


def last_list(store: Store, chat: Chat) -> list[str]:
    """The story ids last shown to this chat (empty when none or expired)."""
    return ChatRepo(store).last_list(chat.channel, _address_digest(chat))


def _address_digest(chat: Chat) -> str:
    return address_digest(chat.channel, chat.address)


# -- the subscriber behind a chat --------------------------------------------------------


def _subscribers(store: Store) -> SubscriberRepo:
    return SubscriberRepo(store)


def subscriber_of(store: Store, chat: Chat) -> Subscriber | None:
    """The subscriber this chat address belongs to, if any."""
    sub: Subscriber | None = _subscribers(store).by_address(chat.channel, chat.address)
    return sub


def ensure_subscriber(store: Store, chat: Chat) -> tuple[Subscriber, bool]:
    """This chat's subscriber, active on its channel; True when it was just created."""
    repo = _subscribers(store)
    sub: Subscriber | None = repo.by_address(chat.channel, chat.address)
    if sub is None:
        language = normalize_language(chat.language or "") or "en"
        sub = new_subscriber(
            email=chat.address if chat.channel == "email" else None,
            line=chat.address if chat.channel == "line" else None,
            slack=chat.address if chat.channel == "slack" else None,
            language=language,
        )
        repo.add(sub)
        return sub, True
    channel = find_channel(sub, chat.channel)
    if channel is None or channel.status is not ChannelStatus.ACTIVE:
        repo.set_channel_status(sub.id, chat.channel, ChannelStatus.ACTIVE, "chat subscribe")
    return sub, False


def _language(store: Store, chat: Chat) -> str:
    sub = subscriber_of(store, chat)
    if sub is not None:
        return sub.language
    return normalize_language(chat.language or "") or "en"


async def _subscribe(store: Store, chat: Chat, rest: str) -> Reply:
    sub, created = ensure_subscriber(store, chat)
    head = "Subscribed!" if created else "You're subscribed."
    text = (
        f"{head} The digest arrives daily at {sub.delivery_time} ({sub.timezone}). "
        "Change it with “time 07:30” and “tz Asia/Tokyo”."
    )
    return Reply("subscribe", text, suggestions=["time 07:30", "settings", "today"])


async def _unsubscribe(store: Store, chat: Chat, rest: str) -> Reply:
    sub = subscriber_of(store, chat)
    if sub is not None:
        repo = _subscribers(store)
        repo.set_channel_status(sub.id, chat.channel, ChannelStatus.UNSUBSCRIBED, "chat command")
    text = "Unsubscribed: no more digests here. Send “subscribe” to come back."
    return Reply("unsubscribe", text, suggestions=["subscribe"])


def _setting(key: str, example: str) -> Handler:
    async def change(store: Store, chat: Chat, rest: str) -> Reply:
        value = rest.strip()
        if not value:
            return Reply(key, f"Usage: {key} {example}", ok=False)
        sub = subscriber_of(store, chat)
        if sub is None:
            return Reply(key, "Send “subscribe” first.", suggestions=["subscribe"], ok=False)
        updated = apply_setting(sub, key, value, sources=_source_ids(store))
        _subscribers(store).save(updated)
        return Reply(key, "Saved. " + describe(updated), suggestions=["settings", "today"])

    return change


def _source_ids(store: Store) -> set[str]:
    return SourceRepo(store).ids()


async def _topics(store: Store, chat: Chat, rest: str) -> Reply:
    sub = subscriber_of(store, chat)
    followed = set(sub.prefs.topics_followed) if sub else set()
    lines = [f"{'★' if slug in followed else '•'} {slug}" for slug in TOPICS]
    text = "Topics (★ = you follow it):\n" + "\n".join(lines) + "\nSend “follow <topic>”."
    return Reply("topics", text, suggestions=[f"follow {slug}" for slug in list(TOPICS)[:4]])


async def _settings(store: Store, chat: Chat, rest: str) -> Reply:
    sub = subscriber_of(store, chat)
    if sub is None:
        return Reply(
            "settings", "Not subscribed here. Send “subscribe”.", suggestions=["subscribe"]
        )
    return Reply("settings", describe(sub), suggestions=["time 07:30", "lang ja", "topics"])


async def _feed(store: Store, chat: Chat, rest: str) -> Reply:
    sub = subscriber_of(store, chat)
    if sub is None:
        return Reply("feed", "Not subscribed here. Send “subscribe”.", suggestions=["subscribe"])
    urls = feed_urls(store, sub)
    text = f"{label('chat_feed_reply', sub.language)}\nAtom: {urls.atom}\nJSON Feed: {urls.json}"
    return Reply("feed", text, language=sub.language)


def describe(sub: Subscriber) -> str:
    """A subscriber's settings in a few lines."""
    prefs = sub.prefs
    muted = [*prefs.topics_muted, *prefs.sources_muted, *prefs.exclude_keywords]
    return "\n".join(
        [
            f"Time: {sub.delivery_time} ({sub.timezone}), {sub.frequency.value}",
            f"Language: {sub.language} · Stories: {sub.max_items}",
            f"Following: {', '.join(prefs.topics_followed) or 'everything'}",
            f"Muted: {', '.join(muted) or 'nothing'}",
        ]
    )


COMMANDS: dict[str, Handler] = {
    "help": _help,
    "today": _today,
    "search": _search,
    "brief": _brief,
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "time": _setting("time", "07:30"),
    "tz": _setting("tz", "Asia/Tokyo"),
    "lang": _setting("lang", "ja"),
    "follow": _setting("follow", "chips"),
    "unfollow": _setting("unfollow", "chips"),
    "mute": _setting("mute", "crypto"),
    "unmute": _setting("unmute", "crypto"),
    "topics": _topics,
    "settings": _settings,
    "feed": _feed,
}

ALIASES = {
    "?": "help",
    "start": "help",
    "top": "today",
    "news": "today",
    "find": "search",
    "stop": "unsubscribe",
    "timezone": "tz",
    "language": "lang",
    "prefs": "settings",
    "ヘルプ": "help",
    "今日": "today",
    "検索": "search",
}

"""One text-command layer for every chat surface (Slack, LINE, and whatever comes next).

A surface hands :func:`answer` the words a person typed and who typed them (a
:class:`Chat`); it gets back a channel-neutral :class:`Reply` (text, stories or briefs to
show, quick-reply suggestions) and renders it its own way. Anything we do not understand
gets a short usage answer; no error ever reaches a chat as a trace. Every reply is worded
in the reader's language (the subscriber's, else the chat's hint; labels ``reply_*`` in
core/labels/chat.py); the commands quoted in it stay as people type them.

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
from core.preferences import SettingError, apply_setting, find_channel, new_subscriber
from core.store.base import Store
from core.store.chats import ChatRepo
from core.store.sources import SourceRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo, address_digest
from core.stories.search import search
from core.stories.topics import TOPICS, topic_name

log = logging.getLogger(__name__)

TODAY_HOURS = 24.0
FALLBACK_HOURS = 72.0
LIST_SIZE = 5
MAX_INPUT = 500  # characters of a command we read; the rest is ignored

# The lines of "help": a label (core/labels/chat.py), or commands alone, alike in every language.
HELP_LINES = (
    "reply_help_today",
    "reply_help_search",
    "reply_help_brief",
    "reply_help_subscribe",
    "time 07:30 · tz Asia/Tokyo · lang ja",
    "reply_help_topics",
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
        if handler is None:
            reply = usage(chat, name, _language_or_hint(store, chat))
        else:
            reply = await handler(store, chat, rest)
    except SettingError as exc:
        text = exc.worded(_language_or_hint(store, chat))
        reply = Reply(name, text, suggestions=["help"], ok=False)
    except ValidationError as exc:
        reply = Reply(name, exc.message, suggestions=["help"], ok=False)
    except AITodayError as exc:
        log.warning("command %r failed: %s", name, exc)
        text = label("reply_failed", _language_or_hint(store, chat))
        reply = Reply(name, text, ok=False)
    except Exception:
        log.exception("command %r crashed", name)
        reply = Reply(name, label("reply_crashed", _language_or_hint(store, chat)), ok=False)
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
        return _hint(chat), utcnow().date()
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


def usage(chat: Chat, name: str = "", lang: str | None = None) -> Reply:
    """The short usage answer (also for anything unknown), in ``lang`` (else the chat's hint)."""
    lang = lang or _hint(chat)
    unknown = bool(name) and name != "help"
    head = label("reply_unknown", lang, name=name[:30]) if unknown else label("reply_try", lang)
    lines = (label(line, lang) if line in LABELS else line for line in HELP_LINES)
    text = head + "\n" + "\n".join(f"• {line}" for line in lines)
    return Reply(
        "unknown" if unknown else "help",
        text,
        suggestions=list(SUGGESTIONS),
        ok=not unknown,
        language=lang,
    )


# -- reading ----------------------------------------------------------------------------


def _stories(store: Store) -> StoryRepo:
    return StoryRepo(store)


async def _help(store: Store, chat: Chat, rest: str) -> Reply:
    return usage(chat, lang=_language(store, chat))


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
        return Reply("today", label("reply_no_stories", lang), language=lang)
    remember_list(store, chat, stories)
    text = f"{label('tagline', lang)} · {day.isoformat()}\n" + _numbered(stories, lang)
    suggestions = ["brief 1", "brief 2"]
    return Reply("today", text, stories=stories, suggestions=suggestions, language=lang, day=day)


async def _search(store: Store, chat: Chat, rest: str) -> Reply:
    words = rest.strip()
    lang = _language(store, chat)
    if not words:
        return Reply("search", label("reply_search_what", lang), ok=False, language=lang)
    stories: list[Story] = search(_stories(store), words, days=30, limit=LIST_SIZE)
    if not stories:
        text = label("reply_search_none", lang, words=words[:60])
        return Reply("search", text, language=lang)
    remember_list(store, chat, stories)
    text = label("reply_search_found", lang, words=words[:60]) + "\n" + _numbered(stories, lang)
    return Reply("search", text, stories=stories, suggestions=["brief 1"], language=lang)


async def _brief(store: Store, chat: Chat, rest: str) -> Reply:
    lang = _language(store, chat)
    story = _pick_story(store, chat, rest.strip())
    if story is None:
        return Reply("brief", label("reply_which_story", lang), ok=False, language=lang)
    from core.briefs.service import brief_for  # imported when first needed: it is heavy

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


def _numbered(stories: list[Story], lang: str) -> str:
    lines = []
    for n, story in enumerate(stories, 1):
        count = label("n_sources", lang, n=story.source_count)
        more = f" ({count})" if story.source_count > 1 else ""
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
        language = _hint(chat)
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


def _hint(chat: Chat) -> str:
    """The language the platform says this chat speaks (English when it says none we serve)."""
    return normalize_language(chat.language or "") or "en"


def _language(store: Store, chat: Chat) -> str:
    return _language_of(subscriber_of(store, chat), chat)


def _language_of(sub: Subscriber | None, chat: Chat) -> str:
    """The subscriber's language, else the chat's hint (for a chat that is no subscriber)."""
    return sub.language if sub is not None else _hint(chat)


def _language_or_hint(store: Store, chat: Chat) -> str:
    """The reader's language for a failure's words, even when the store is what failed."""
    try:
        return _language(store, chat)
    except Exception:
        log.debug("language of %s unknown", chat.channel, exc_info=True)
        return _hint(chat)


async def _subscribe(store: Store, chat: Chat, rest: str) -> Reply:
    sub, created = ensure_subscriber(store, chat)
    lang = sub.language
    head = label("reply_subscribed" if created else "reply_still_subscribed", lang)
    when = label("reply_digest_when", lang, time=sub.delivery_time, zone=sub.timezone)
    suggestions = ["time 07:30", "settings", "today"]
    return Reply("subscribe", f"{head} {when}", suggestions=suggestions, language=lang)


async def _unsubscribe(store: Store, chat: Chat, rest: str) -> Reply:
    sub = subscriber_of(store, chat)
    if sub is not None:
        repo = _subscribers(store)
        repo.set_channel_status(sub.id, chat.channel, ChannelStatus.UNSUBSCRIBED, "chat command")
    lang = _language_of(sub, chat)
    text = label("reply_unsubscribed", lang)
    return Reply("unsubscribe", text, suggestions=["subscribe"], language=lang)


def _setting(key: str, example: str) -> Handler:
    async def change(store: Store, chat: Chat, rest: str) -> Reply:
        value = rest.strip()
        sub = subscriber_of(store, chat)
        lang = _language_of(sub, chat)
        if not value:
            text = label("reply_usage", lang, example=f"{key} {example}")
            return Reply(key, text, ok=False, language=lang)
        if sub is None:
            text = label("reply_subscribe_first", lang)
            return Reply(key, text, suggestions=["subscribe"], ok=False, language=lang)
        updated = apply_setting(sub, key, value, sources=_source_ids(store))
        _subscribers(store).save(updated)
        text = f"{label('reply_saved', updated.language)} {describe(updated)}"
        return Reply(key, text, suggestions=["settings", "today"], language=updated.language)

    return change


def _source_ids(store: Store) -> set[str]:
    return SourceRepo(store).ids()


async def _topics(store: Store, chat: Chat, rest: str) -> Reply:
    sub = subscriber_of(store, chat)
    lang = _language_of(sub, chat)
    followed = set(sub.prefs.topics_followed) if sub else set()
    lines = [
        f"{'★' if slug in followed else '•'} {topic_name(slug, lang)} ({slug})" for slug in TOPICS
    ]
    head, tail = label("reply_topics_head", lang), label("reply_topics_tail", lang)
    text = "\n".join([head, *lines, tail])
    suggestions = [f"follow {slug}" for slug in list(TOPICS)[:4]]
    return Reply("topics", text, suggestions=suggestions, language=lang)


async def _settings(store: Store, chat: Chat, rest: str) -> Reply:
    sub = subscriber_of(store, chat)
    if sub is None:
        return _not_subscribed("settings", chat)
    suggestions = ["time 07:30", "lang ja", "topics"]
    return Reply("settings", describe(sub), suggestions=suggestions, language=sub.language)


async def _feed(store: Store, chat: Chat, rest: str) -> Reply:
    sub = subscriber_of(store, chat)
    if sub is None:
        return _not_subscribed("feed", chat)
    urls = feed_urls(store, sub)
    text = f"{label('chat_feed_reply', sub.language)}\nAtom: {urls.atom}\nJSON Feed: {urls.json}"
    return Reply("feed", text, language=sub.language)


def _not_subscribed(command: str, chat: Chat) -> Reply:
    lang = _hint(chat)
    return Reply(
        command, label("reply_not_subscribed", lang), suggestions=["subscribe"], language=lang
    )


def describe(sub: Subscriber) -> str:
    """A subscriber's settings in a few lines, in their language."""
    lang, prefs = sub.language, sub.prefs
    following = [topic_name(slug, lang) for slug in prefs.topics_followed]
    muted = [topic_name(slug, lang) for slug in prefs.topics_muted]
    muted += [*prefs.sources_muted, *prefs.exclude_keywords]
    frequency = label(f"freq_{sub.frequency.value}", lang).lower()
    when = {"time": sub.delivery_time, "zone": sub.timezone, "frequency": frequency}
    return "\n".join(
        [
            label("reply_settings_time", lang, **when),
            label("reply_settings_language", lang, language=sub.language, n=sub.max_items),
            label("reply_settings_following", lang, topics=_listed(following, "everything", lang)),
            label("reply_settings_muted", lang, muted=_listed(muted, "nothing", lang)),
        ]
    )


def _listed(names: list[str], empty: str, lang: str) -> str:
    return ", ".join(names) or label(f"settings_{empty}", lang)


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

"""Subscribers built and changed from user input, validated at the edge.

Every entry point (``aitoday users add|set``, the chat commands "time 07:30",
"tz Asia/Tokyo", "lang ja", "follow chips", "mute ...", the web preferences form) goes
through :func:`new_subscriber` or :func:`apply_setting`, so one set of rules decides what
is accepted. A refusal is a :class:`core.errors.ValidationError` naming the field; the
refusals a chat reader can meet are a :class:`SettingError`, worded in their language.

Settings understood by :func:`apply_setting` (aliases in brackets)::

    time [delivery_time]      07:30                  local delivery time, HH:MM
    tz [timezone]             Asia/Tokyo             IANA name
    lang [language]           ja | 日本語 | zh-tw
    frequency [freq]          daily | weekdays | weekly[:mon] | paused
    day [weekly_day]          mon..sun | 0..6        the weekly digest's day
    items [max_items]         1..20
    topics                    chips, policy          replaces the followed topics
    follow / unfollow         chips
    mute / unmute             a topic, "source:ID", "word:text"; a known source id, else
                              a plain word to exclude
    include / exclude         words (comma separated) a story must / must not contain
    breaking                  on | off
    quiet                     22:00-07:00 | off      quiet hours for breaking alerts
    <channel>.items           10 | inherit           per-channel override (email, slack, line)
    <channel>.frequency       weekly | inherit
    <channel>.status          active | unsubscribed | paused-like statuses
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.errors import ValidationError
from core.i18n import label, normalize_language
from core.models import (
    CHANNELS,
    LANGUAGES,
    Channel,
    ChannelStatus,
    ChannelSub,
    Frequency,
    Prefs,
    Subscriber,
    normalize_address,
    set_status,
    utcnow,
)
from core.stories.topics import TOPICS, resolve_topic

__all__ = [
    "DAYS",
    "LINE_ID",
    "SettingError",
    "apply_setting",
    "channel_address",
    "new_subscriber",
    "normalize_address",
    "parse_setting",
    "set_status",
    "validate_email",
    "validate_language",
    "validate_time",
    "validate_timezone",
    "validate_topic",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_WORDS = 50  # per keyword list: a bound on what one subscriber can make us store
MAX_WORD_LEN = 60

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
# Pragmatic, not RFC 5322: one @, a dotted domain, no spaces or angle brackets.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# A LINE user (U...), group (C...) or room (R...) id: the letter and 32 hex digits. The
# LINE adapter sends only to ids of this form (one malformed id fails a whole multicast).
LINE_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")


class SettingError(ValidationError):
    """A refused setting whose words a reader gets in their own language.

    ``message`` is the English of the label ``key`` (core/labels/chat.py ``setting_*``)
    formatted with ``values``; a chat words it again as ``label(key, lang, **values)``.
    """

    def __init__(self, field: str, key: str, **values: object) -> None:
        super().__init__(field, label(key, "en", **values))
        self.key = key
        self.values = values

    def worded(self, lang: str) -> str:
        """The refusal in ``lang``."""
        return label(self.key, lang, **self.values)


# -- single values ----------------------------------------------------------------------


def validate_timezone(value: str) -> str:
    """The canonical IANA name ("asia/tokyo" -> "Asia/Tokyo"); refuses unknown names."""
    text = value.strip()
    if not text:
        raise SettingError("timezone", "setting_no_timezone")
    if text.upper() in {"UTC", "Z", "GMT"}:
        return "UTC"
    name = _zone_names().get(text.lower())
    if name is None:
        raise SettingError("timezone", "setting_bad_timezone", value=text)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError("timezone", "setting_bad_timezone", value=text) from None
    return name


_ZONES: dict[str, str] = {}


def _zone_names() -> dict[str, str]:
    if not _ZONES:
        _ZONES.update({name.lower(): name for name in available_timezones()})
    return _ZONES


def validate_time(value: str, field: str = "time") -> str:
    """ "7:30", "07.30", "7h30" -> "07:30"; refuses "25:99" and anything not a clock time."""
    match = _TIME.match(value.strip())
    if match is None:
        raise SettingError(field, "setting_bad_time", value=value.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def validate_email(value: str) -> str:
    """The address with its domain lower-cased; refuses anything that is not one address."""
    text = value.strip()
    if len(text) > 254 or _EMAIL.match(text) is None:
        raise ValidationError("email", f"{text!r} is not an e-mail address")
    local, domain = text.rsplit("@", 1)
    if ".." in local or local.startswith(".") or local.endswith("."):
        raise ValidationError("email", f"{text!r} is not an e-mail address")
    return f"{local}@{domain.lower()}"


def validate_language(value: str) -> str:
    """One of core.models.LANGUAGES ("JA", "日本語", "zh-tw" accepted)."""
    code = normalize_language(value.strip())
    if code is None or code not in LANGUAGES:
        choices = ", ".join(LANGUAGES)
        raise SettingError("language", "setting_bad_language", value=value.strip(), choices=choices)
    return code


def validate_topic(value: str) -> str:
    """A topic slug from core.stories.topics ("Chips & compute" -> "chips")."""
    text = value.strip()
    slug = resolve_topic(text) if text else None
    if slug is None:
        choices = ", ".join(sorted(TOPICS))
        raise SettingError("topic", "setting_bad_topic", value=text, choices=choices)
    return slug


def validate_words(value: str | Iterable[str], field: str) -> list[str]:
    """Plain words or phrases (comma separated), trimmed, de-duplicated, bounded."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    words: list[str] = []
    for part in parts:
        word = " ".join(part.split())
        if not word:
            continue
        if len(word) > MAX_WORD_LEN:
            raise SettingError(field, "setting_word_too_long", value=word[:20], n=MAX_WORD_LEN)
        if word.lower() not in (w.lower() for w in words):
            words.append(word)
    if len(words) > MAX_WORDS:
        raise SettingError(field, "setting_too_many_words", n=MAX_WORDS)
    return words


def validate_max_items(value: str | int, field: str = "max_items") -> int:
    """An item count between 1 and 20."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(field, f"{value!r} is not a number") from None
    if not 1 <= number <= 20:
        raise ValidationError(field, "must be between 1 and 20")
    return number


def validate_frequency(value: str) -> tuple[Frequency, int | None]:
    """ "daily" | "weekdays" | "weekly" | "weekly:mon" | "paused" -> (frequency, day)."""
    text = value.strip().lower()
    name, _, day = text.partition(":")
    try:
        frequency = Frequency(name)
    except ValueError:
        choices = ", ".join(f.value for f in Frequency)
        raise ValidationError("frequency", f"{value!r} is not one of {choices}") from None
    if day and frequency is not Frequency.WEEKLY:
        raise ValidationError("frequency", "only weekly takes a day (weekly:mon)")
    return frequency, (validate_day(day) if day else None)


def validate_day(value: str) -> int:
    """ "mon".."sun", "Monday", or 0..6 (Monday=0)."""
    text = value.strip().lower()
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    for number, day in enumerate(DAYS):
        if text[:3] == day and len(text) >= 3:
            return number
    raise ValidationError("weekly_day", f"{value!r} is not a day (mon..sun)")


def validate_quiet(value: str) -> tuple[str | None, str | None]:
    """ "22:00-07:00" -> ("22:00", "07:00"); "off" -> (None, None)."""
    text = value.strip().lower()
    if text in {"off", "none", "no", ""}:
        return None, None
    start, sep, end = text.partition("-")
    if not sep:
        raise ValidationError("quiet", "use START-END, e.g. 22:00-07:00, or off")
    return validate_time(start, "quiet"), validate_time(end, "quiet")


def _flag(value: str, field: str) -> bool:
    text = value.strip().lower()
    if text in {"on", "yes", "true", "1"}:
        return True
    if text in {"off", "no", "false", "0"}:
        return False
    raise ValidationError(field, f"{value!r}: use on or off")


# -- addresses --------------------------------------------------------------------------


def channel_address(channel: str, value: str) -> str:
    """The validated, normalized address of a channel (e-mail, LINE id, "TEAM/CHANNEL")."""
    text = value.strip()
    if channel == "email":
        return validate_email(text)
    if channel == "line":
        if LINE_ID.match(text) is None:
            raise ValidationError("line", f"{text!r} is not a LINE user, group or room id")
        return text
    if channel == "slack":
        team, sep, target = text.partition("/")
        if not sep or _SLACK_ID.match(team) is None or _SLACK_ID.match(target) is None:
            raise ValidationError("slack", f"{text!r}: use TEAM_ID/CHANNEL_ID or TEAM_ID/USER_ID")
        return f"{team}/{target}"
    raise ValidationError("channel", f"unknown channel {channel!r}")


# -- building ---------------------------------------------------------------------------


def new_subscriber(
    *,
    email: str | None = None,
    line: str | None = None,
    slack: str | None = None,
    timezone: str = "UTC",
    delivery_time: str = "07:30",
    language: str = "en",
    topics: Iterable[str] = (),
    frequency: str = "daily",
    max_items: int | str | None = None,
    pending: bool = False,
    subscriber_id: str | None = None,
    now: datetime | None = None,
) -> Subscriber:
    """A validated Subscriber with the channels given.

    ``pending`` starts every channel as PENDING (e-mail awaiting confirmation); otherwise
    the caller vouches for the addresses (an operator import, a LINE follow, a Slack
    command in that channel) and they start ACTIVE.
    """
    addresses: dict[Channel, str | None] = {"email": email, "line": line, "slack": slack}
    if not any(addresses.values()):
        raise ValidationError("channel", "give at least one of --email, --line, --slack")
    when = now or utcnow()
    status = ChannelStatus.PENDING if pending else ChannelStatus.ACTIVE
    channels = [
        ChannelSub(
            channel=name,
            address=channel_address(name, value),
            status=status,
            status_at=when,
            verified=not pending,
        )
        for name, value in addresses.items()
        if value
    ]
    freq, day = validate_frequency(frequency)
    sub = Subscriber(
        id=subscriber_id or new_id(),
        created=when,
        language=validate_language(language),
        timezone=validate_timezone(timezone),
        delivery_time=validate_time(delivery_time),
        frequency=freq,
        weekly_day=day or 0,
        prefs=Prefs(topics_followed=_topics(topics)),
        channels=channels,
    )
    if max_items is not None:
        sub.max_items = validate_max_items(max_items)
    return sub


def new_id() -> str:
    """A short random subscriber id (12 hex characters; ids appear in signed links)."""
    return secrets.token_hex(6)


def _topics(values: Iterable[str]) -> list[str]:
    slugs: list[str] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                slug = validate_topic(part)
                if slug not in slugs:
                    slugs.append(slug)
    return slugs


# -- changing ---------------------------------------------------------------------------


def parse_setting(text: str) -> tuple[str, str]:
    """ "key=value" -> (key, value); the CLI's ``users set ID key=value``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValidationError("setting", f"{text!r}: use key=value, e.g. time=07:30")
    return key.strip().lower(), value.strip()


def apply_setting(
    sub: Subscriber, key: str, value: str, *, sources: Collection[str] = ()
) -> Subscriber:
    """A copy of ``sub`` with one setting changed; ValidationError names a bad field.

    ``sources`` (known source ids) lets "mute NAME" mute a source rather than a word.
    """
    name = key.strip().lower().replace("-", "_")
    updated = sub.model_copy(deep=True)
    channel, dot, field = name.partition(".")
    if dot:
        _apply_channel(updated, channel, field, value)
        return updated
    if name in CHANNELS:
        _set_address(updated, name, value)
        return updated
    setter = _SETTERS.get(_ALIASES.get(name, name))
    if setter is None:
        known = ", ".join(sorted(_SETTERS))
        raise ValidationError("setting", f"unknown setting {key!r}; known: {known}")
    if name == "mute":
        _mute(updated, value, sources)
    else:
        setter(updated, value)
    return updated


def _set_time(sub: Subscriber, value: str) -> None:
    sub.delivery_time = validate_time(value)


def _set_timezone(sub: Subscriber, value: str) -> None:
    sub.timezone = validate_timezone(value)


def _set_language(sub: Subscriber, value: str) -> None:
    sub.language = validate_language(value)


def _set_frequency(sub: Subscriber, value: str) -> None:
    sub.frequency, day = validate_frequency(value)
    if day is not None:
        sub.weekly_day = day


def _set_day(sub: Subscriber, value: str) -> None:
    sub.weekly_day = validate_day(value)


def _set_items(sub: Subscriber, value: str) -> None:
    sub.max_items = validate_max_items(value)


def _set_topics(sub: Subscriber, value: str) -> None:
    sub.prefs.topics_followed = _topics([value])


def _follow(sub: Subscriber, value: str) -> None:
    slug = validate_topic(value)
    if slug not in sub.prefs.topics_followed:
        sub.prefs.topics_followed.append(slug)
    sub.prefs.topics_muted = [t for t in sub.prefs.topics_muted if t != slug]


def _unfollow(sub: Subscriber, value: str) -> None:
    slug = validate_topic(value)
    sub.prefs.topics_followed = [t for t in sub.prefs.topics_followed if t != slug]


def _mute(sub: Subscriber, value: str, sources: Collection[str]) -> None:
    kind, target = _mute_target(value, sources)
    prefs = sub.prefs
    if kind == "topic":
        prefs.topics_followed = [t for t in prefs.topics_followed if t != target]
        if target not in prefs.topics_muted:
            prefs.topics_muted.append(target)
    elif kind == "source":
        if target not in prefs.sources_muted:
            prefs.sources_muted.append(target)
    else:
        prefs.exclude_keywords = validate_words([*prefs.exclude_keywords, target], "mute")


def _mute_target(value: str, sources: Collection[str]) -> tuple[str, str]:
    text = " ".join(value.split())
    if not text:
        raise SettingError("mute", "setting_no_mute")
    prefix, sep, rest = text.partition(":")
    if sep and prefix.lower() in {"topic", "source", "word"} and rest.strip():
        kind = prefix.lower()
        target = rest.strip()
        return kind, validate_topic(target) if kind == "topic" else target
    if text.lower() in {s.lower() for s in sources}:
        return "source", next(s for s in sources if s.lower() == text.lower())
    topic = resolve_topic(text)
    if topic is not None:
        return "topic", topic
    return "word", validate_words(text, "mute")[0]


def _unmute(sub: Subscriber, value: str) -> None:
    text = " ".join(value.split())
    prefix, sep, rest = text.partition(":")
    target = rest.strip() if sep and prefix.lower() in {"topic", "source", "word"} else text
    topic = resolve_topic(target)
    prefs = sub.prefs
    prefs.topics_muted = [t for t in prefs.topics_muted if t not in {target, topic}]
    prefs.sources_muted = [s for s in prefs.sources_muted if s.lower() != target.lower()]
    prefs.exclude_keywords = [w for w in prefs.exclude_keywords if w.lower() != target.lower()]


def _set_include(sub: Subscriber, value: str) -> None:
    sub.prefs.include_keywords = validate_words(value, "include")


def _set_exclude(sub: Subscriber, value: str) -> None:
    sub.prefs.exclude_keywords = validate_words(value, "exclude")


def _set_breaking(sub: Subscriber, value: str) -> None:
    sub.breaking_alerts = _flag(value, "breaking")


def _set_quiet(sub: Subscriber, value: str) -> None:
    sub.quiet_start, sub.quiet_end = validate_quiet(value)


_SETTERS: dict[str, Callable[[Subscriber, str], None]] = {
    "time": _set_time,
    "tz": _set_timezone,
    "lang": _set_language,
    "frequency": _set_frequency,
    "day": _set_day,
    "items": _set_items,
    "topics": _set_topics,
    "follow": _follow,
    "unfollow": _unfollow,
    "mute": lambda sub, value: _mute(sub, value, ()),
    "unmute": _unmute,
    "include": _set_include,
    "exclude": _set_exclude,
    "breaking": _set_breaking,
    "quiet": _set_quiet,
}

_ALIASES = {
    "delivery_time": "time",
    "timezone": "tz",
    "language": "lang",
    "freq": "frequency",
    "weekly_day": "day",
    "max_items": "items",
    "include_keywords": "include",
    "exclude_keywords": "exclude",
    "breaking_alerts": "breaking",
    "quiet_hours": "quiet",
}


def _apply_channel(sub: Subscriber, channel: str, field: str, value: str) -> None:
    target = _find_channel(sub, channel)
    inherit = value.strip().lower() in {"", "inherit", "default", "none"}
    if field in {"items", "max_items"}:
        target.max_items = None if inherit else validate_max_items(value, f"{channel}.items")
    elif field in {"frequency", "freq"}:
        if inherit:
            target.frequency = None
        else:
            target.frequency, day = validate_frequency(value)
            if day is not None:
                sub.weekly_day = day
    elif field == "status":
        set_status(target, _status(value), "changed by an operator")
    else:
        raise ValidationError("setting", f"{channel}.{field}: use {channel}.items, .frequency")


def _set_address(sub: Subscriber, channel: str, value: str) -> None:
    """Add the channel, or change its address (a new address starts over as ACTIVE)."""
    address = channel_address(channel, value)
    existing = next((c for c in sub.channels if c.channel == channel), None)
    if existing is None:
        name = cast(Channel, channel)
        sub.channels.append(ChannelSub(channel=name, address=address, status_at=utcnow()))
    elif existing.address != address:
        existing.address = address
        set_status(existing, ChannelStatus.ACTIVE, "address changed")


def _find_channel(sub: Subscriber, channel: str) -> ChannelSub:
    if channel not in CHANNELS:
        raise ValidationError("channel", f"unknown channel {channel!r}; one of {CHANNELS}")
    for item in sub.channels:
        if item.channel == channel:
            return item
    raise ValidationError("channel", f"this subscriber has no {channel} channel")


def _status(value: str) -> ChannelStatus:
    try:
        return ChannelStatus(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in ChannelStatus)
        raise ValidationError("status", f"{value!r} is not one of {choices}") from None


def find_channel(sub: Subscriber, channel: Channel) -> ChannelSub | None:
    """The subscriber's channel of that kind, if any."""
    return next((c for c in sub.channels if c.channel == channel), None)

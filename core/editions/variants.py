"""Variants: subscribers whose item list, language and channel are identical share one
edition, rendered once and sent in batches. Pure: no Redis, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from core.models import Channel, ChannelSub, Frequency, Prefs, Story, Subscriber

__all__ = [
    "Due",
    "EditionKind",
    "Personalizer",
    "Picker",
    "Variant",
    "edition_kind",
    "group_variants",
    "item_limit",
]

EditionKind = Literal["daily", "weekly", "breaking"]

# pick(stories, prefs, *, limit, already_sent) -> stories: core.stories.personalize.pick
Picker = Callable[..., list[Story]]


@dataclass(frozen=True)
class Due:
    """A subscriber due at a slot, with the channels that deliver on that local day."""

    subscriber: Subscriber
    slot: datetime
    day: date
    channels: tuple[ChannelSub, ...]


@dataclass
class Variant:
    """One future edition: the same stories, language and channel for every member."""

    kind: EditionKind
    channel: Channel
    language: str
    story_ids: tuple[str, ...]
    members: list[tuple[Subscriber, ChannelSub]] = field(default_factory=list)
    # the members' local date: readers due at one UTC minute in zones on different dates
    # get different editions, each dated as its readers' calendar says
    day: date | None = None

    @property
    def key(self) -> tuple[str, str, str, tuple[str, ...], str]:
        day = self.day.isoformat() if self.day else ""
        return (self.kind, self.channel, self.language, self.story_ids, day)


def edition_kind(sub: Subscriber, channel: ChannelSub) -> EditionKind:
    """Weekly channels get the week's top stories; every other channel the daily digest."""
    frequency = channel.frequency or sub.frequency
    return "weekly" if frequency is Frequency.WEEKLY else "daily"


def item_limit(sub: Subscriber, channel: ChannelSub) -> int:
    """The channel's override, else the subscriber's count."""
    return channel.max_items or sub.max_items


class Personalizer:
    """Runs ``pick`` once per distinct (preferences, history, kind, limit).

    Thousands of subscribers keep the default preferences and got the same editions,
    so most picks repeat: memoizing them is what keeps a 10,000-subscriber tick fast.
    """

    def __init__(
        self,
        pick: Picker,
        pools: Mapping[EditionKind, Sequence[Story]],
        *,
        translated: bool = False,
    ) -> None:
        self._pick = pick
        self._pools = pools
        self._translated = translated
        self._pool_ids = {kind: {s.id for s in pool} for kind, pool in pools.items()}
        self._memo: dict[
            tuple[str, frozenset[str], str, int, frozenset[str] | None], tuple[str, ...]
        ] = {}
        self.calls = 0

    def readable(self, language: str) -> frozenset[str] | None:
        """Languages a reader's briefs can be in. Extractive briefs quote their sources and
        cannot translate: a reader gets stories told in their language or in English."""
        return None if self._translated else frozenset({language, "en"})

    def stories(
        self, prefs: Prefs, sent: Iterable[str], kind: EditionKind, limit: int, language: str
    ) -> tuple[str, ...]:
        # The week's digest is a recap: what the daily digests sent is not held against it.
        history = frozenset() if kind == "weekly" else frozenset(sent) & self._pool_ids[kind]
        readable = self.readable(language)
        key = (prefs.model_dump_json(), history, kind, limit, readable)
        found = self._memo.get(key)
        if found is None:
            self.calls += 1
            picked = self._pick(
                self._pools[kind], prefs, limit=limit, already_sent=history, readable=readable
            )
            found = tuple(s.id for s in picked)
            self._memo[key] = found
        return found


def group_variants(
    due: Iterable[Due],
    personalizer: Personalizer,
    sent: Mapping[str, Iterable[str]],
) -> tuple[list[Variant], dict[tuple[str, str], tuple[str, ...]]]:
    """Variants for the due subscribers, and each (subscriber, channel)'s story ids.

    A (subscriber, channel) whose list comes out empty joins no variant.
    """
    variants: dict[tuple[str, str, str, tuple[str, ...], str], Variant] = {}
    lists: dict[tuple[str, str], tuple[str, ...]] = {}
    for entry in due:
        sub = entry.subscriber
        for channel in entry.channels:
            kind = edition_kind(sub, channel)
            ids = personalizer.stories(
                sub.prefs, sent.get(sub.id, ()), kind, item_limit(sub, channel), sub.language
            )
            lists[(sub.id, channel.channel)] = ids
            if not ids:
                continue
            variant = Variant(kind, channel.channel, sub.language, ids, day=entry.day)
            variants.setdefault(variant.key, variant).members.append((sub, channel))
    return list(variants.values()), lists

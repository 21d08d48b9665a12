"""Variants: subscribers whose item list, reasons, language and channel are identical
share one edition, rendered once and sent in batches. Pure: no Redis, no I/O.

Each story's reason (core.stories.reasons) is part of the list: two readers who get the
same stories for different reasons ("your keyword 'Nvidia'" against "told by 7 sources")
get two editions. Reasons name one keyword or one followed topic, never more, so this
splits few variants (BENCHMARKS.md, bench.subscribers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from core.models import Channel, ChannelSub, Frequency, Prefs, Story, StoryReason, Subscriber
from core.stories.learned import Weights
from core.stories.reasons import ReasonKey, reason_for, reason_key

__all__ = [
    "Due",
    "EditionKind",
    "Personalizer",
    "Picker",
    "Variant",
    "VariantKey",
    "edition_kind",
    "group_variants",
    "item_limit",
]

EditionKind = Literal["daily", "weekly", "breaking"]

# pick(stories, prefs, *, limit, already_sent) -> stories: core.stories.personalize.pick
Picker = Callable[..., list[Story]]

# kind, channel, language, story ids, local day, each story's reason (reason_key)
VariantKey = tuple[str, str, str, tuple[str, ...], str, tuple[ReasonKey, ...]]
_ReasonsKey = tuple[tuple[str, ...], tuple[str, ...], str]  # keywords, followed, kind
_Reasons = tuple[tuple[StoryReason | None, ...], tuple[ReasonKey, ...]]  # and their keys


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
    reasons: tuple[StoryReason | None, ...] = ()  # one per story id; () when none
    # reason_key of each reason; given by who already has them, else made from reasons
    reason_keys: tuple[ReasonKey, ...] = ()

    def __post_init__(self) -> None:
        if self.reasons and not self.reason_keys:
            self.reason_keys = tuple(reason_key(r) for r in self.reasons)

    @property
    def key(self) -> VariantKey:
        return variant_key(
            self.kind, self.channel, self.language, self.story_ids, self.day, self.reason_keys
        )

    def with_reasons(self) -> Iterator[tuple[str, StoryReason | None, ReasonKey]]:
        """Each story id with why it is in this variant (None when no reason was decided)
        and that reason's reason_key."""
        if not self.reasons:
            none = reason_key(None)
            return ((sid, None, none) for sid in self.story_ids)
        return zip(self.story_ids, self.reasons, self.reason_keys, strict=True)


def variant_key(
    kind: str,
    channel: str,
    language: str,
    story_ids: tuple[str, ...],
    day: date | None,
    reason_keys: tuple[ReasonKey, ...],
) -> VariantKey:
    """What makes two readers' editions one (the Variant's fields, hashable)."""
    return (kind, channel, language, story_ids, day.isoformat() if day else "", reason_keys)


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
        now: datetime | None = None,
        learned: Mapping[str, Weights] | None = None,
    ) -> None:
        self._pick = pick
        self._pools = pools
        self._translated = translated
        self._learned = learned or {}  # subscriber id -> weights from their taps
        self._now = now
        self._pool_ids = {kind: {s.id for s in pool} for kind, pool in pools.items()}
        self._by_id = {kind: {s.id: s for s in pool} for kind, pool in pools.items()}
        self._memo: dict[
            tuple[str, frozenset[str], str, int, frozenset[str] | None, str], tuple[str, ...]
        ] = {}
        # (keywords, followed topics, kind) -> story id -> its reason and reason_key
        self._reasons: dict[_ReasonsKey, dict[str, tuple[StoryReason | None, ReasonKey]]] = {}
        # the same, per list of story ids: most readers share their list with others
        self._lists: dict[tuple[_ReasonsKey, tuple[str, ...]], _Reasons] = {}
        self.calls = 0

    def readable(self, language: str) -> frozenset[str] | None:
        """Languages a reader's briefs can be in. Extractive briefs quote their sources and
        cannot translate: a reader gets stories told in their language or in English."""
        return None if self._translated else frozenset({language, "en"})

    def stories(
        self,
        prefs: Prefs,
        sent: Iterable[str],
        kind: EditionKind,
        limit: int,
        language: str,
        subscriber_id: str = "",
    ) -> tuple[str, ...]:
        # The week's digest is a recap: what the daily digests sent is not held against it.
        history = frozenset() if kind == "weekly" else frozenset(sent) & self._pool_ids[kind]
        readable = self.readable(language)
        learned = self._learned.get(subscriber_id)
        taps = learned.key if learned else ""
        key = (prefs.model_dump_json(), history, kind, limit, readable, taps)
        found = self._memo.get(key)
        if found is None:
            self.calls += 1
            extra = {"learned": learned} if learned else {}  # a picker may not take it
            picked = self._pick(
                self._pools[kind],
                prefs,
                limit=limit,
                already_sent=history,
                readable=readable,
                **extra,
            )
            found = tuple(s.id for s in picked)
            self._memo[key] = found
        return found

    def reasons(
        self, prefs: Prefs, ids: Sequence[str], kind: EditionKind
    ) -> tuple[StoryReason | None, ...]:
        """Why each story of ``ids`` is in this reader's list (core.stories.reasons), at
        the ``now`` given (None: no reasons)."""
        return self.keyed_reasons(prefs, tuple(ids), kind)[0]

    def keyed_reasons(self, prefs: Prefs, ids: tuple[str, ...], kind: EditionKind) -> _Reasons:
        """:meth:`reasons` and the reason_key of each. Only the reader's keywords and
        followed topics matter, so readers with those alike share the work, story by
        story (the lists of readers who tapped differ, their stories' reasons mostly do
        not) and list by list."""
        if self._now is None:
            return (), ()
        key = (tuple(prefs.include_keywords), tuple(prefs.topics_followed), kind)
        found = self._lists.get((key, ids))
        if found is None:
            known = self._reasons.setdefault(key, {})
            pairs = [known.get(sid) or self._reason(known, prefs, sid, kind) for sid in ids]
            found = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
            self._lists[(key, ids)] = found
        return found

    def _reason(
        self,
        known: dict[str, tuple[StoryReason | None, ReasonKey]],
        prefs: Prefs,
        sid: str,
        kind: EditionKind,
    ) -> tuple[StoryReason | None, ReasonKey]:
        story = self._by_id[kind].get(sid)
        now = self._now
        reason = reason_for(story, prefs, now=now) if story is not None and now else None
        known[sid] = (reason, reason_key(reason))
        return known[sid]


def group_variants(
    due: Iterable[Due],
    personalizer: Personalizer,
    sent: Mapping[str, Iterable[str]],
) -> tuple[list[Variant], dict[tuple[str, str], tuple[str, ...]]]:
    """Variants for the due subscribers, and each (subscriber, channel)'s story ids.

    A (subscriber, channel) whose list comes out empty joins no variant.
    """
    variants: dict[VariantKey, Variant] = {}
    lists: dict[tuple[str, str], tuple[str, ...]] = {}
    for entry in due:
        sub = entry.subscriber
        for channel in entry.channels:
            kind = edition_kind(sub, channel)
            ids = personalizer.stories(
                sub.prefs,
                sent.get(sub.id, ()),
                kind,
                item_limit(sub, channel),
                sub.language,
                subscriber_id=sub.id,
            )
            lists[(sub.id, channel.channel)] = ids
            if not ids:
                continue
            reasons, keys = personalizer.keyed_reasons(sub.prefs, ids, kind)
            key = variant_key(kind, channel.channel, sub.language, ids, entry.day, keys)
            variant = variants.get(key)
            if variant is None:
                variant = variants[key] = Variant(
                    kind,
                    channel.channel,
                    sub.language,
                    ids,
                    day=entry.day,
                    reasons=reasons,
                    reason_keys=keys,
                )
            variant.members.append((sub, channel))
    return list(variants.values()), lists

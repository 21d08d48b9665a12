"""What a tick writes, behind one seam: the live writer writes, the dry run's reads instead.

A tick decides who gets what by writing: HSETNX claims a subscriber's local day, ZADD NX
marks a story alerted, HINCRBY counts an alert against the daily cap, and the reply of
each decides who is in (two ticks racing never both win). A dry run cannot write, so it
asks the same questions of a writer that only reads: what is claimed or alerted already,
what the counts are. The tick's code has no dry-run branches; it is handed one writer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol, TypeAlias

from core.briefs.service import ensure_briefs
from core.metrics import incr
from core.models import Edition, Story, utcnow
from core.store.base import Store
from core.store.breaking import BreakingRepo
from core.store.editions import EditionRepo
from core.store.keys import SLOT_MARKER_TTL
from core.store.slots import SlotRepo
from core.store.subscribers import SubscriberRepo

__all__ = ["DryRunWrites", "LiveWrites", "TickWrites", "tick_writes"]

# The shapes a tick hands its writer, named once for the protocol and both writers.
Needed: TypeAlias = Mapping[str, set[str]]  # story ids wanted, per language
BriefKeys: TypeAlias = dict[tuple[str, str], str]  # (story id, language) -> brief key
Sent: TypeAlias = Sequence[tuple[list[str], str]]  # (subscriber ids, edition id) groups
Moves: TypeAlias = Mapping[str, datetime | None]  # subscriber id -> next slot


class TickWrites(Protocol):
    """The writes a tick's choices hang on; each returns what the write won."""

    def claim_slots(self, day: str, ids: Sequence[str], tick_id: str) -> set[str]:
        """Claim ``day`` for each subscriber id; the ids won."""
        ...

    def mark_alerted(self, story_id: str, at: float) -> bool:
        """Mark a story alerted; False when it was already."""
        ...

    def trim_alerted(self, at: float) -> None:
        """Forget stories alerted longer ago than a slot marker lives."""
        ...

    def take_deferred(self, member: str) -> bool:
        """Take a deferred alert off the list; False when another tick took it."""
        ...

    def defer(self, deferrals: Mapping[str, float]) -> None:
        """Keep alerts held by quiet hours for a later tick."""
        ...

    def count_alert(self, day: str, subscriber_id: str) -> int:
        """Count one more alert for a subscriber on ``day``; the count with this one."""
        ...

    def brief_keys(self, needed: Needed, stories: Mapping[str, Story]) -> BriefKeys:
        """Brief cache keys per (story, language), writing the briefs missing."""
        ...

    def save_tick(
        self, editions: Sequence[Edition], sent: Sent, moves: Moves, *, seen: datetime
    ) -> None:
        """Store the editions, who got which, their count, and each subscriber's next slot."""
        ...


class LiveWrites:
    """The writes, made."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.slots = SlotRepo(store)
        self.breaking = BreakingRepo(store)

    def claim_slots(self, day: str, ids: Sequence[str], tick_id: str) -> set[str]:
        return self.slots.claim(day, ids, tick_id)

    def mark_alerted(self, story_id: str, at: float) -> bool:
        return self.breaking.mark_alerted(story_id, at)

    def trim_alerted(self, at: float) -> None:
        self.breaking.trim_alerted(at - SLOT_MARKER_TTL)

    def take_deferred(self, member: str) -> bool:
        return self.breaking.take_deferred(member)

    def defer(self, deferrals: Mapping[str, float]) -> None:
        if deferrals:
            self.breaking.defer(deferrals)

    def count_alert(self, day: str, subscriber_id: str) -> int:
        return self.breaking.count_sent(day, subscriber_id)

    def brief_keys(self, needed: Needed, stories: Mapping[str, Story]) -> BriefKeys:
        keys: BriefKeys = {}
        for language, ids in sorted(needed.items()):
            chosen = [stories[sid] for sid in sorted(ids) if sid in stories]
            keys.update(ensure_briefs(self.store, chosen, [language]))
        return keys

    def save_tick(
        self, editions: Sequence[Edition], sent: Sent, moves: Moves, *, seen: datetime
    ) -> None:
        EditionRepo(self.store).save_many(list(editions))
        subs = SubscriberRepo(self.store)
        subs.mark_editions_sent(sent, utcnow())
        for kind, number in Counter(e.kind for e in editions).items():
            incr(self.store, "aitoday_editions_total", number, kind=kind)
        subs.reschedule(dict(moves), seen=seen)


class DryRunWrites:
    """The same answers from reads alone: nothing is claimed, marked, taken or counted."""

    def __init__(self, store: Store) -> None:
        self.breaking = BreakingRepo(store)
        self.counts: dict[tuple[str, str], int] = {}

    def claim_slots(self, day: str, ids: Sequence[str], tick_id: str) -> set[str]:
        return set(ids)  # the tick already left out the days claimed

    def mark_alerted(self, story_id: str, at: float) -> bool:
        return not self.breaking.was_alerted(story_id)

    def trim_alerted(self, at: float) -> None:
        return None

    def take_deferred(self, member: str) -> bool:
        return True

    def defer(self, deferrals: Mapping[str, float]) -> None:
        return None

    def count_alert(self, day: str, subscriber_id: str) -> int:
        seen = self.counts.get((subscriber_id, day))
        if seen is None:
            seen = self.breaking.sent_on(day, subscriber_id)
        self.counts[(subscriber_id, day)] = seen + 1
        return seen + 1

    def brief_keys(self, needed: Needed, stories: Mapping[str, Story]) -> BriefKeys:
        # no brief is written: items name their story only
        return {(sid, lang): "" for lang, ids in needed.items() for sid in ids}

    def save_tick(
        self, editions: Sequence[Edition], sent: Sent, moves: Moves, *, seen: datetime
    ) -> None:
        return None


def tick_writes(store: Store, *, dry_run: bool) -> TickWrites:
    """The writer for a tick: live, or a dry run's that only reads."""
    return DryRunWrites(store) if dry_run else LiveWrites(store)

"""The digest tick: due subscribers -> personalized lists -> variants -> editions -> batches.

``build_editions(store, at)`` is what cron runs every ``digest.tick_minutes`` and what
``aitoday schedule --at`` runs for any instant. The rules it keeps:

Due
    A subscriber is due at minute ``at`` when their latest slot (delivery time on a day
    some ACTIVE channel's frequency allows, in their zone; see core.models, slots)
    lies in ``(at - window, at]``, window = max(catch_up_minutes, tick_minutes).
Catch-up
    A tick that was down delivers the slots it missed by less than ``catch_up_minutes``,
    late; a slot missed by more is skipped, and the subscriber moves on to their next
    slot. Never two digests a day: the first tick to claim a subscriber's local day (one
    HSETNX on ``slots:<local day>``) is the only one that builds their digest, so a tick
    run twice, or by two processes at once, builds nothing a second time; moving the
    delivery time later on the same day does not send again either.
Nothing to send
    A due subscriber whose list comes out empty (no stories yet) is not claimed: the next
    tick tries again, until the catch-up window closes.
Crash window
    Briefs are written before the claim, so a failing brief writer claims nothing. The
    claim comes before the editions are saved and the batches handed back: if the
    process dies between the two, those subscribers get no digest that day (at most
    once, never twice); the batches themselves are idempotent in workers.fanout.

Channel overrides (items, frequency) are honoured; only ACTIVE channels get batches;
weekly channels get a "weekly" edition of the week's top stories.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.editions.breaking import FRESH_HOURS, select_alerts
from core.editions.schedule import floor_minute, last_slot
from core.editions.variants import (
    Due,
    EditionKind,
    Personalizer,
    Variant,
    VariantKey,
    edition_kind,
    group_variants,
)
from core.editions.writes import TickWrites, tick_writes
from core.feedback import tick_weights
from core.gcpause import fewer_collections
from core.models import (
    ChannelSub,
    DeliveryBatch,
    Edition,
    EditionItem,
    Recipient,
    Story,
    Subscriber,
    channels_due,
    next_slot,
    short_hash,
    utcnow,
)
from core.store.base import Store
from core.store.slots import SlotRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from core.stories.personalize import pick
from core.stories.rank import weekly_ranked
from core.stories.reasons import ReasonKey, story_reason
from core.tokens import unsubscribe_token

__all__ = ["DAILY_HOURS", "WEEKLY_HOURS", "PlanRow", "TickResult", "build_editions"]

log = logging.getLogger(__name__)

DAILY_HOURS = 36.0  # a daily digest looks back a day and a half
WEEKLY_HOURS = 7 * 24.0
POOL_SIZE = 150  # best-scored stories personalization chooses from


@dataclass(frozen=True)
class PlanRow:
    """What one subscriber gets on one channel in this tick (``--dry-run`` prints it)."""

    subscriber_id: str
    channel: str
    address: str
    kind: str
    story_ids: tuple[str, ...]
    edition_id: str | None
    note: str  # "due", "nothing to send", "already sent today", "slot missed", "claimed elsewhere"


@dataclass
class TickResult:
    """What a tick did (or would do, with ``dry_run``)."""

    at: datetime
    dry_run: bool
    candidates: int = 0
    due: int = 0
    editions: list[Edition] = field(default_factory=list)
    batches: list[DeliveryBatch] = field(default_factory=list)
    plan: list[PlanRow] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    picks: int = 0  # distinct personalization runs (the rest were memoized)

    @property
    def recipients(self) -> int:
        return sum(len(b.recipients) for b in self.batches)


def build_editions(
    store: Store, at: datetime, *, dry_run: bool = False, breaking: bool = True
) -> TickResult:
    """Build the editions due at ``at`` and return their delivery batches.

    With ``dry_run`` nothing is written: the result's ``plan`` says who would get which
    stories on which channel, and no slot is claimed. With ``breaking`` (the default, so
    the cron tick needs one call) breaking alerts due at ``at`` are built too.
    """
    with fewer_collections():
        return _build(store, at, dry_run=dry_run, breaking=breaking)


def _build(store: Store, at: datetime, *, dry_run: bool, breaking: bool) -> TickResult:
    minute = floor_minute(at)
    result = TickResult(at=minute, dry_run=dry_run)
    tick_id = secrets.token_hex(4)
    writes = tick_writes(store, dry_run=dry_run)
    subs = SubscriberRepo(store)
    candidates = subs.get_many(subs.due(minute))
    result.candidates = len(candidates)
    due, moves = _due_entries(candidates, minute, _window(store), result)
    due, done = _unclaimed(store, due, result)
    built: list[tuple[Edition, Variant]] = []
    if due:
        due, built = _digests(store, due, candidates, tick_id, result, writes)
        result.due = len(due)
    if breaking:
        built.extend(_breaking(store, minute, tick_id, writes))
    result.editions = [e for e, _ in built]
    result.batches = _batches(store, built)
    result.plan.extend(_plan(built))
    moves.update({d.subscriber.id: next_slot(d.subscriber, minute) for d in [*due, *done]})
    writes.save_tick(result.editions, _sent_groups(built), moves, seen=minute)
    _log(result)
    return result


def _digests(
    store: Store,
    due: list[Due],
    candidates: Sequence[Subscriber],
    tick_id: str,
    result: TickResult,
    writes: TickWrites,
) -> tuple[list[Due], list[tuple[Edition, Variant]]]:
    """Personalize, group into variants, write briefs, claim the day, build the editions.

    Returns the subscribers who get a digest from this tick, and the editions.
    """
    subs = SubscriberRepo(store)
    pools = _pools(store, {_kinds(d) for d in due})
    translated = store.settings.llm.model is not None
    learned = tick_weights(store, _ids(due), result.at)  # readers' more / less taps
    personalizer = Personalizer(pick, pools, translated=translated, now=result.at, learned=learned)
    variants, lists = group_variants(due, personalizer, subs.sent_many(_ids(due)))
    result.picks = personalizer.calls
    _note_empty(result, lists, candidates)
    due = [d for d in due if any(lists.get((d.subscriber.id, c.channel)) for c in d.channels)]
    stories = {s.id: s for pool in pools.values() for s in pool}
    # Briefs before the claim: if writing them fails, no subscriber has lost the day.
    keys = _brief_keys(variants, stories, writes)
    due, variants = _claim(due, variants, tick_id, result, writes)
    return due, _editions(variants, keys, result.at, tick_id)


def _log(result: TickResult) -> None:
    log.info(
        "tick %s%s: %d candidates, %d due, %d editions, %d recipients, skipped %s",
        result.at.isoformat(),
        " (dry run)" if result.dry_run else "",
        result.candidates,
        result.due,
        len(result.editions),
        result.recipients,
        dict(result.skipped) or "none",
    )


def _ids(due: Sequence[Due]) -> list[str]:
    return [d.subscriber.id for d in due]


def _breaking(
    store: Store, minute: datetime, tick_id: str, writes: TickWrites
) -> list[tuple[Edition, Variant]]:
    """Breaking alerts due now, grouped like digests: one edition per story, channel, language."""
    if not SubscriberRepo(store).any_breaking():
        return []  # nobody wants alerts: skip reading stories
    fresh = list(StoryRepo(store).recent(FRESH_HOURS))
    alerts = select_alerts(store, minute, fresh, pick, writes=writes)
    by_id = {s.id: s for s in fresh}
    variants: dict[VariantKey, Variant] = {}
    for alert in alerts:
        story = by_id.get(alert.story_id)
        reasons = (story_reason(story, now=minute),) if story else ()
        variant = Variant(
            "breaking",
            alert.channel.channel,
            alert.subscriber.language,
            (alert.story_id,),
            reasons=reasons,
        )
        variants.setdefault(variant.key, variant).members.append((alert.subscriber, alert.channel))
    chosen = list(variants.values())
    keys = _brief_keys(chosen, by_id, writes)
    return _editions(chosen, keys, minute, tick_id)


def _window(store: Store) -> timedelta:
    digest_settings = store.settings.digest
    return timedelta(minutes=max(digest_settings.catch_up_minutes, digest_settings.tick_minutes))


def _kinds(entry: Due) -> frozenset[EditionKind]:
    return frozenset(edition_kind(entry.subscriber, c) for c in entry.channels)


def _due_entries(
    candidates: Sequence[Subscriber], minute: datetime, window: timedelta, result: TickResult
) -> tuple[list[Due], dict[str, datetime | None]]:
    """Split candidates into due entries and those whose slot was missed (moved on)."""
    due: list[Due] = []
    moves: dict[str, datetime | None] = {}
    for sub in candidates:
        found = last_slot(sub, minute, window)
        if found is None:
            moves[sub.id] = next_slot(sub, minute)
            result.skipped["slot missed"] += 1
            continue
        day, slot = found
        due.append(Due(sub, slot, day, tuple(channels_due(sub, day))))
    return due, moves


def _by_day(due: Sequence[Due]) -> dict[str, list[Due]]:
    days: dict[str, list[Due]] = {}
    for entry in due:
        days.setdefault(entry.day.isoformat(), []).append(entry)
    return days


def _unclaimed(store: Store, due: list[Due], result: TickResult) -> tuple[list[Due], list[Due]]:
    """Split off subscribers whose local day is already claimed (digest already built)."""
    kept: list[Due] = []
    done: list[Due] = []
    slots = SlotRepo(store)
    for day, entries in _by_day(due).items():
        claimed = slots.claimed(day, [e.subscriber.id for e in entries])
        for entry, taken in zip(entries, claimed, strict=True):
            (done if taken else kept).append(entry)
    for entry in done:
        result.skipped["already sent today"] += 1
        result.plan.extend(_rows(entry, entry.channels, (), None, "already sent today"))
    return kept, done


def _note_empty(
    result: TickResult,
    lists: Mapping[tuple[str, str], tuple[str, ...]],
    candidates: Sequence[Subscriber],
) -> None:
    by_id = {s.id: s for s in candidates}
    for (sub_id, channel), ids in lists.items():
        if not ids:
            result.skipped["nothing to send"] += 1
            sub = by_id[sub_id]
            chan = next(c for c in sub.channels if c.channel == channel)
            result.plan.append(
                PlanRow(sub_id, channel, chan.address, "-", (), None, "nothing to send")
            )


def _claim(
    due: list[Due], variants: list[Variant], tick_id: str, result: TickResult, writes: TickWrites
) -> tuple[list[Due], list[Variant]]:
    """Claim each subscriber's local day; drop from the variants those another tick has."""
    won: set[str] = set()
    for day, entries in _by_day(due).items():
        won |= writes.claim_slots(day, [e.subscriber.id for e in entries], tick_id)
    lost = len(due) - len(won)
    if lost:
        result.skipped["claimed elsewhere"] += lost
    kept = []
    for variant in variants:
        variant.members = [(s, c) for s, c in variant.members if s.id in won]
        if variant.members:
            kept.append(variant)
    return [d for d in due if d.subscriber.id in won], kept


def _pools(store: Store, kinds: Iterable[frozenset[EditionKind]]) -> dict[EditionKind, list[Story]]:
    wanted: set[EditionKind] = set().union(*kinds)
    return {kind: story_pool(store, kind) if kind in wanted else [] for kind in ("daily", "weekly")}


def story_pool(store: Store, kind: EditionKind) -> list[Story]:
    """The stories an edition of ``kind`` is picked from (the tick's and the preview's)."""
    repo = StoryRepo(store)
    if kind == "weekly":
        return weekly_pool(repo.recent(WEEKLY_HOURS), POOL_SIZE)
    return list(repo.recent(DAILY_HOURS, limit=POOL_SIZE))


def weekly_pool(stories: Iterable[Story], size: int) -> list[Story]:
    """The week's top ``size`` stories, ranked by what made them matter, not by how fresh
    they are (:func:`core.stories.rank.weekly_ranked`); ``pick`` reads ``score``, so the
    pool carries copies with the weekly score in it."""
    return weekly_ranked(stories)[:size]


def _editions(
    variants: list[Variant],
    keys: Mapping[tuple[str, str], str],
    minute: datetime,
    tick_id: str,
) -> list[tuple[Edition, Variant]]:
    """One Edition per variant, items referencing the brief of each story in its language."""
    now = utcnow()
    built: list[tuple[Edition, Variant]] = []
    made: dict[tuple[str, str, ReasonKey], EditionItem] = {}
    for variant in variants:
        items = _items(variant, keys, made)
        if not items:
            continue
        edition_id = short_hash(tick_id, *map(str, variant.key), size=8)
        edition = Edition(
            id=edition_id,
            kind=variant.kind,
            channel=variant.channel,
            language=variant.language,
            slot=minute,
            created_at=now,
            day=variant.day,
            items=items,
        )
        built.append((edition, variant))
    return built


def _items(
    variant: Variant,
    keys: Mapping[tuple[str, str], str],
    made: dict[tuple[str, str, ReasonKey], EditionItem],
) -> list[EditionItem]:
    """The variant's items, each made once per tick and shared by the editions that carry
    it (readers who tapped get lists of their own, made of the same few hundred items)."""
    items = []
    for sid, reason, why in variant.with_reasons():
        brief_key = keys.get((sid, variant.language))
        if brief_key is None:
            continue
        cache_key = (sid, brief_key, why)
        item = made.get(cache_key)
        if item is None:
            item = made[cache_key] = EditionItem(story_id=sid, brief_key=brief_key, reason=reason)
        items.append(item)
    return items


def _brief_keys(
    variants: list[Variant], stories: Mapping[str, Story], writes: TickWrites
) -> dict[tuple[str, str], str]:
    """Brief cache keys per (story, language): one brief per story and language, never per user."""
    needed: dict[str, set[str]] = {}
    for variant in variants:
        needed.setdefault(variant.language, set()).update(variant.story_ids)
    return writes.brief_keys(needed, stories)


def _batches(store: Store, editions: Sequence[tuple[Edition, Variant]]) -> list[DeliveryBatch]:
    """Recipients of each edition in batches of ``digest.batch_size``."""
    size = store.settings.digest.batch_size
    signing_key = store.settings.signing_key()
    batches: list[DeliveryBatch] = []
    for edition, variant in editions:
        members = sorted(variant.members, key=lambda m: m[0].id)
        recipients = [_recipient(signing_key, sub, channel) for sub, channel in members]
        for number, start in enumerate(range(0, len(recipients), size)):
            batches.append(
                DeliveryBatch(
                    edition_id=edition.id,
                    channel=edition.channel,
                    batch_no=number,
                    recipients=recipients[start : start + size],
                )
            )
    return batches


def _recipient(signing_key: bytes, sub: Subscriber, channel: ChannelSub) -> Recipient:
    token = None
    if channel.channel == "email":
        token = unsubscribe_token(signing_key, sub.id, channel.channel)
    return Recipient(subscriber_id=sub.id, address=channel.address, unsubscribe_token=token)


def _plan(editions: Sequence[tuple[Edition, Variant]]) -> list[PlanRow]:
    rows: list[PlanRow] = []
    for edition, variant in editions:
        ids = tuple(item.story_id for item in edition.items)
        for sub, channel in variant.members:
            rows.append(
                PlanRow(
                    sub.id, channel.channel, channel.address, edition.kind, ids, edition.id, "due"
                )
            )
    return rows


def _rows(
    entry: Due, channels: Iterable[ChannelSub], ids: tuple[str, ...], edition: str | None, note: str
) -> list[PlanRow]:
    return [
        PlanRow(entry.subscriber.id, c.channel, c.address, "-", ids, edition, note)
        for c in channels
    ]


def _sent_groups(editions: Sequence[tuple[Edition, Variant]]) -> list[tuple[list[str], str]]:
    """Who got which edition, so later digests do not repeat its stories."""
    return [(sorted({sub.id for sub, _ in variant.members}), e.id) for e, variant in editions]

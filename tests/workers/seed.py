"""Seed a store with what a delivery job reads: subscribers, briefs and one edition."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TypedDict

from core.models import (
    Brief,
    BriefSource,
    Channel,
    DeliveryBatch,
    Edition,
    EditionItem,
    Generator,
    KeyPoints,
    Recipient,
    Subscriber,
    short_hash,
    utcnow,
)
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.editions import EditionRepo
from core.store.subscribers import SubscriberRepo
from core.tokens import unsubscribe_token


def brief(n: int) -> Brief:
    """A small, complete brief about story ``n``."""
    now = utcnow()
    return Brief(
        story_id=f"story{n}",
        headline=f"Lab {n} releases an open model",
        sources=[BriefSource(name="Example News", url=f"https://example.org/{n}", published=now)],
        dek="A smaller model that matches last year's large ones.",
        key_takeaway="Open weights keep closing the gap.",
        key_points=KeyPoints(what_happened=f"Lab {n} published weights and a paper."),
        generator=Generator(kind="extractive", prompt_version="test"),
        created_at=now,
    )


def seed_edition(store: Store, channel: Channel, *, stories: int = 3) -> Edition:
    """An edition of ``stories`` items whose briefs are in the cache."""
    repo = BriefRepo(store)
    items = []
    for n in range(stories):
        key = short_hash("brief", str(n))
        repo.put(key, brief(n))
        items.append(EditionItem(story_id=f"story{n}", brief_key=key))
    now = utcnow().replace(second=0, microsecond=0)
    edition = Edition(
        id=short_hash("edition", channel, now.isoformat(), size=8),
        channel=channel,
        language="en",
        slot=now - timedelta(minutes=1),
        created_at=now,
        items=items,
    )
    EditionRepo(store).save(edition)
    return edition


def address(channel: Channel, n: int) -> str:
    """The n-th test address of a channel (LINE ids are U + 32 hex, as the platform's)."""
    if channel == "email":
        return f"reader{n}@example.org"
    if channel == "line":
        return "U" + short_hash("line", str(n))[:32]
    return f"T0TEST/C{n:08d}"


class Addresses(TypedDict, total=False):
    """The address keywords of ``new_subscriber``."""

    email: str
    line: str
    slack: str


def on(channel: Channel, address: str) -> Addresses:
    """The ``new_subscriber`` keyword that puts ``address`` on ``channel``."""
    if channel == "email":
        return {"email": address}
    if channel == "line":
        return {"line": address}
    return {"slack": address}


def seed_subscribers(store: Store, channel: Channel, count: int) -> list[Subscriber]:
    """``count`` active subscribers on ``channel``."""
    subs = [
        new_subscriber(**on(channel, address(channel, n)), subscriber_id=f"sub{n:06d}")
        for n in range(count)
    ]
    SubscriberRepo(store).add_many(subs)
    return subs


def batches_for(
    store: Store, edition: Edition, subs: Sequence[Subscriber], size: int = 500
) -> list[DeliveryBatch]:
    """The delivery batches of ``edition`` for ``subs``, as the tick makes them."""
    key = store.settings.signing_key()
    recipients = []
    for sub in subs:
        channel = next(c for c in sub.channels if c.channel == edition.channel)
        token = None
        if edition.channel == "email":
            token = unsubscribe_token(key, sub.id, edition.channel)
        recipients.append(
            Recipient(subscriber_id=sub.id, address=channel.address, unsubscribe_token=token)
        )
    return [
        DeliveryBatch(
            edition_id=edition.id,
            channel=edition.channel,
            batch_no=n,
            recipients=recipients[start : start + size],
        )
        for n, start in enumerate(range(0, len(recipients), size))
    ]

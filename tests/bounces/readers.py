"""Readers with an email address, and where their email channel stands: the bounce tests'
setup and check, shared by tests/bounces/ and the mailbox tests in tests/workers/."""

from __future__ import annotations

from core.models import ChannelStatus
from core.preferences import find_channel, new_subscriber
from core.store.base import Store
from core.store.subscribers import SubscriberRepo


def add(store: Store, address: str) -> str:
    """Store a new reader on email at ``address``; their id."""
    sub = new_subscriber(email=address)
    SubscriberRepo(store).add(sub)
    return sub.id


def status(store: Store, sid: str) -> ChannelStatus:
    """The status of the reader's email channel."""
    channel = find_channel(SubscriberRepo(store).require(sid), "email")
    assert channel is not None
    return channel.status

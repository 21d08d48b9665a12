"""A subscriber's channel in an assertion: the channel itself, or a failed assertion.

``find_channel`` answers None for a channel the subscriber lacks (and a repository's
``get`` answers None for a deleted subscriber); in a test either is a failure, said here
once instead of at every ``.status``.
"""

from __future__ import annotations

from core.models import Channel, ChannelSub, Subscriber
from core.preferences import find_channel


def channel_of(sub: Subscriber | None, channel: Channel) -> ChannelSub:
    """``sub``'s ``channel``; an AssertionError if there is no subscriber or no such channel."""
    assert sub is not None, "no such subscriber"
    found = find_channel(sub, channel)
    assert found is not None, f"{sub.id} has no {channel} channel"
    return found

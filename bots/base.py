"""The channel adapter protocol every channel implements, its limits and its outcomes.

``render`` is pure and runs once per edition variant; ``send`` delivers one rendered
payload to a batch of recipients and reports each of them as one :class:`Outcome`.
Adding a channel = one package in ``bots/`` + one line in :data:`bots.registry` +
the shared contract tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from core.models import Edition, Recipient


@dataclass(frozen=True)
class ChannelLimits:
    """What the platform allows, as data; renderers and senders enforce it."""

    max_chars: int  # per text block (section text, HTML part, LINE text)
    max_items: int  # stories per message (blocks / bubbles budget)
    max_recipients_per_call: int = 1
    max_messages_per_call: int = 1
    max_payload_bytes: int | None = None
    messages_per_second_per_target: float | None = None


class OutcomeKind(StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # retry later
    GONE = "gone"  # stop sending to this address (unsubscribed, bounced, blocked, removed)
    REJECTED = "rejected"  # our payload is wrong: alert, never retry
    DEFERRED = "deferred"  # held back by policy (e.g. LINE monthly quota)


@dataclass(frozen=True)
class Outcome:
    """What happened to one recipient."""

    subscriber_id: str
    kind: OutcomeKind
    reason: str | None = None
    retry_after: float | None = None
    # a soft refusal (a full mailbox): TRANSIENT until it repeats over a few editions,
    # then the job records it as GONE (workers.jobs.STRIKES_TO_GONE)
    strike: bool = False

    @classmethod
    def sent(cls, subscriber_id: str) -> Outcome:
        return cls(subscriber_id, OutcomeKind.SENT)

    @classmethod
    def transient(
        cls, subscriber_id: str, reason: str, retry_after: float | None = None
    ) -> Outcome:
        return cls(subscriber_id, OutcomeKind.TRANSIENT, reason, retry_after)

    @classmethod
    def soft_refusal(cls, subscriber_id: str, reason: str) -> Outcome:
        """Refused for now in a way that means "gone" if it keeps happening."""
        return cls(subscriber_id, OutcomeKind.TRANSIENT, reason, strike=True)

    @classmethod
    def gone(cls, subscriber_id: str, reason: str) -> Outcome:
        return cls(subscriber_id, OutcomeKind.GONE, reason)

    @classmethod
    def rejected(cls, subscriber_id: str, reason: str) -> Outcome:
        return cls(subscriber_id, OutcomeKind.REJECTED, reason)

    @classmethod
    def deferred(cls, subscriber_id: str, reason: str) -> Outcome:
        return cls(subscriber_id, OutcomeKind.DEFERRED, reason)


Payload = Any  # each adapter's own rendered form (an EmailPayload, Slack messages, LINE messages)


class ChannelAdapter(Protocol):
    """One channel: a pure renderer and a batch sender."""

    channel: ClassVar[str]
    limits: ClassVar[ChannelLimits]

    def render(self, edition: Edition) -> Payload:
        """Turn an edition (with its briefs loaded) into this channel's payload. No I/O."""
        ...

    async def send(self, payload: Payload, to: Sequence[Recipient]) -> list[Outcome]:
        """Deliver to a batch; exactly one Outcome per recipient, in order."""
        ...

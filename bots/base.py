"""The channel adapter protocol every channel implements, its limits and its outcomes.

``render`` is pure and runs once per edition variant; ``send`` delivers one rendered
payload to a batch of recipients and reports each of them as one :class:`Outcome`.
Adding a channel = one package in ``bots/`` (limits, render, adapter) + one entry in
:data:`bots.registry.ADAPTERS` + a row in the shared contract tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from core.models import Channel, ChannelStatus, Edition, Recipient


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How a channel's sends are tried again, at each of the three levels, as data."""

    # repeats of one platform request inside ``adapter.send`` (a 429, a 5xx, a lost link)
    request_retries: int
    # the pauses before those repeats when the adapter paces them itself (one per repeat);
    # empty when the SDK chooses the pause (Slack: its retry handlers, Retry-After)
    request_backoff: tuple[float, ...] = ()
    # pauses before the job re-sends the recipients whose outcome was TRANSIENT
    resend_backoff: tuple[float, ...]
    # RQ re-runs of a whole batch job that raised (Redis hiccup, worker killed); the
    # delivery markers make a re-run send only what is left
    job_retry_intervals: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class ChannelLimits:
    """What the platform allows and how we send to it, as data.

    Each channel declares one in ``bots/<channel>/limits.py``; its renderer, its adapter
    and the delivery job (through :func:`bots.registry.limits_for`) read it.
    """

    max_chars: int  # per text block (section text, HTML part, LINE text)
    max_items: int  # stories per message (blocks / bubbles budget)
    max_recipients_per_call: int = 1
    max_messages_per_call: int = 1
    max_payload_bytes: int | None = None
    messages_per_second_per_target: float | None = None
    max_blocks_per_message: int | None = None  # Slack Block Kit
    # Recipients per adapter.send call, and calls in flight at once: their product is the
    # most a crash can repeat (see deploy/DELIVERY-GUARANTEES.md).
    send_chunk: int
    in_flight: int
    gone_status: ChannelStatus  # what a GONE outcome sets the subscriber's channel to
    retry: RetryPolicy


def declared(value: int | None, what: str) -> int:
    """A limit the channel's renderer reads: it must be declared (fails at import if not)."""
    if value is None:
        raise TypeError(f"ChannelLimits.{what} is not declared")
    return value


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

    channel: ClassVar[Channel]
    limits: ClassVar[ChannelLimits]

    def render(self, edition: Edition) -> Payload:
        """Turn an edition (with its briefs loaded) into this channel's payload. No I/O."""
        ...

    async def send(self, payload: Payload, to: Sequence[Recipient]) -> list[Outcome]:
        """Deliver to a batch; exactly one Outcome per recipient, in order."""
        ...

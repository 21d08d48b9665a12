"""The e-mail room's limits: what a digest may be and how it is sent, and sign-up abuse.

:data:`LIMITS` is the e-mail channel's :class:`bots.base.ChannelLimits`, the numbers the
renderer, the adapter and the jobs read. The sign-up limits are a fixed-window counter per
client IP and per address, in Redis; identities are stored as digests (a key never holds
an address or an IP in clear).
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.base import ChannelLimits, RetryPolicy
from core.models import ChannelStatus, short_hash, utcnow
from core.store.base import Store

LIMITS = ChannelLimits(
    max_chars=100_000,  # Gmail clips HTML parts above ~102 KB
    max_items=20,
    max_recipients_per_call=1,
    max_messages_per_call=1,
    max_payload_bytes=100_000,  # the HTML part
    send_chunk=25,  # one SMTP connection per chunk
    in_flight=4,  # several connections at once hide the four round trips each message costs
    gone_status=ChannelStatus.BOUNCED,
    retry=RetryPolicy(
        request_retries=1,  # a message that met a 421 goes once more on a new connection
        resend_backoff=(30.0, 120.0, 600.0, 1800.0),
        job_retry_intervals=(10, 60, 300),
    ),
)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` sign-ups per ``seconds`` for one identity."""

    kind: str
    count: int
    seconds: int


PER_IP = Limit("ip", count=10, seconds=3600)
PER_ADDRESS = Limit("addr", count=3, seconds=86_400)


def allow(store: Store, limit: Limit, who: str) -> bool:
    """Count one attempt by ``who``; False once the window's budget is spent."""
    window = str(int(utcnow().timestamp()) // limit.seconds)
    key = store.keys.signup_limit(limit.kind, short_hash(store.keys.prefix, who.lower()), window)
    pipe = store.redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, limit.seconds)
    count, _ = pipe.execute()
    return int(count) <= limit.count

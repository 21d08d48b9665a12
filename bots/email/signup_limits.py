"""Sign-up abuse limits: a fixed-window counter per client IP and per address, in Redis.

Identities are stored as digests (a key never holds an address or an IP in clear).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import short_hash, utcnow
from core.store.base import Store
from core.store.limits import LimitRepo


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
    return LimitRepo(store).hit(key, limit.seconds) <= limit.count

"""Signed, expiring tokens for links in e-mails and pages (confirm, unsubscribe, prefs).

``purpose.payload.expiry.signature`` in URL-safe base64; HMAC-SHA256 over the first three
parts with the settings' signing key. A token for one purpose never verifies for another.

Unsubscribe tokens do not expire (a link in a year-old e-mail must still unsubscribe), but
they die with the record: they name a subscriber id, ids are random and never reused, and
tokens are signed when a message is composed, never stored in Redis. Once ``users delete``
removed the record, an old link acts on no one.

Feed tokens (:func:`feed_token`) name a subscriber without showing who: the payload
"<id>:<generation>" is sealed with AES-SIV (deterministic authenticated encryption, so a
reader's feed URL stays the same from mail to mail, and any changed byte fails to open),
under a key derived from the signing key. Bumping ``Subscriber.feed_generation`` ("new
feed address") makes every older feed URL fail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from core.errors import ValidationError


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, purpose: str, payload: str, ttl_seconds: int | None = None) -> str:
    """A token carrying ``payload`` for ``purpose``; no expiry when ttl is None."""
    expiry = 0 if ttl_seconds is None else int(time.time()) + ttl_seconds
    body = f"{purpose}.{_b64(payload.encode())}.{expiry}"
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()[:20]
    return f"{body}.{_b64(mac)}"


def verify(key: bytes, purpose: str, token: str, now: float | None = None) -> str:
    """The payload of a valid token; ValidationError('token', ...) otherwise."""
    try:
        got_purpose, payload, expiry, mac = token.split(".")
        expected = hmac.new(key, f"{got_purpose}.{payload}.{expiry}".encode(), hashlib.sha256)
        valid = hmac.compare_digest(_unb64(mac), expected.digest()[:20])
        expires = int(expiry)
        text = _unb64(payload).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("token", "this link is not valid") from None
    if not valid or got_purpose != purpose:
        raise ValidationError("token", "this link is not valid")
    if expires and (now if now is not None else time.time()) > expires:
        raise ValidationError("token", "this link has expired")
    return text


def unsubscribe_token(signing_key: bytes, subscriber_id: str, channel: str) -> str:
    """The signed one-click unsubscribe token of one channel: payload "<id>:<channel>"."""
    return sign(signing_key, "unsubscribe", f"{subscriber_id}:{channel}")


FEEDBACK_TTL = 30 * 86_400  # as long as a story can be found (STORY_TTL)


def feedback_token(signing_key: bytes, subscriber_id: str, ttl: int = FEEDBACK_TTL) -> str:
    """The signed token of a digest's more / less links and its brief-page buttons:
    payload the subscriber id; it expires with the stories it could name."""
    return sign(signing_key, "feedback", subscriber_id, ttl)


def stamped(payload: str, now: float | None = None) -> str:
    """``payload`` with its issue time (ms), for a link that must lose to a later change."""
    issued = int((now if now is not None else time.time()) * 1000)
    return f"{payload}@{issued}"


def unstamped(text: str) -> tuple[str, float]:
    """(payload, issue time in seconds) of a :func:`stamped` payload; 0.0 when unstamped."""
    payload, at, issued = text.rpartition("@")
    if not at:
        return text, 0.0
    try:
        return payload, int(issued) / 1000
    except ValueError:
        return text, 0.0


_FEED_CONTEXT = b"aitoday feed token v1"


@lru_cache(maxsize=4)
def _feed_cipher(signing_key: bytes) -> AESSIV:
    # a key of its own, so a feed token and an HMAC token never share key material
    return AESSIV(hmac.new(signing_key, _FEED_CONTEXT, hashlib.sha512).digest())


def feed_token(signing_key: bytes, subscriber_id: str, generation: int = 0) -> str:
    """The opaque token of one subscriber's feed URL (the same for the same generation)."""
    sealed = _feed_cipher(signing_key).encrypt(
        f"{subscriber_id}:{generation}".encode(), [_FEED_CONTEXT]
    )
    return _b64(sealed)


def open_feed_token(signing_key: bytes, token: str) -> tuple[str, int]:
    """(subscriber id, generation) of a feed token; ValidationError when it is not one."""
    try:
        opened = _feed_cipher(signing_key).decrypt(_unb64(token), [_FEED_CONTEXT]).decode()
        subscriber_id, _, generation = opened.rpartition(":")
        return subscriber_id, int(generation)
    except (ValueError, InvalidTag, UnicodeDecodeError):
        raise ValidationError("token", "this link is not valid") from None

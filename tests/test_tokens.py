"""Signed link tokens (core.tokens)."""

from __future__ import annotations

import pytest

from core import tokens
from core.errors import ValidationError

KEY = b"k" * 32


def test_token_round_trip_and_purpose_binding() -> None:
    token = tokens.sign(KEY, "unsubscribe", "sub123:email")
    assert tokens.verify(KEY, "unsubscribe", token) == "sub123:email"
    with pytest.raises(ValidationError, match="not valid"):
        tokens.verify(KEY, "confirm", token)
    with pytest.raises(ValidationError, match="not valid"):
        tokens.verify(b"other" * 8, "unsubscribe", token)
    with pytest.raises(ValidationError, match="not valid"):
        tokens.verify(KEY, "unsubscribe", token[:-2] + "AA")


def test_token_expires() -> None:
    token = tokens.sign(KEY, "confirm", "x", ttl_seconds=60)
    assert tokens.verify(KEY, "confirm", token) == "x"
    with pytest.raises(ValidationError, match="expired"):
        tokens.verify(KEY, "confirm", token, now=10**12)


def test_garbage_token_is_refused() -> None:
    with pytest.raises(ValidationError):
        tokens.verify(KEY, "confirm", "not-a-token")

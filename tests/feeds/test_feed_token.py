"""Feed tokens (core.tokens.feed_token): stable, opaque, and failing on any change."""

from __future__ import annotations

import pytest

from core import tokens
from core.errors import ValidationError

KEY = b"k" * 32


def test_a_feed_token_is_stable_per_generation_and_opens_to_its_reader() -> None:
    token = tokens.feed_token(KEY, "abc123def456", 0)
    assert token == tokens.feed_token(KEY, "abc123def456", 0)  # the same URL in every mail
    assert token != tokens.feed_token(KEY, "abc123def456", 1)
    assert tokens.open_feed_token(KEY, token) == ("abc123def456", 0)
    assert "abc123" not in token
    assert all(c.isalnum() or c in "-_" for c in token)  # fits a URL path as it is


@pytest.mark.parametrize("change", ["key", "flip", "cut", "empty", "signed"])
def test_a_changed_or_foreign_token_does_not_open(change: str) -> None:
    token = tokens.feed_token(KEY, "abc123def456", 3)
    bad = {
        "key": tokens.feed_token(b"o" * 32, "abc123def456", 3),
        "flip": token[:5] + ("A" if token[5] != "A" else "B") + token[6:],
        "cut": token[:-1],
        "empty": "",
        "signed": tokens.sign(KEY, "preferences", "abc123def456"),
    }[change]
    with pytest.raises(ValidationError, match="not valid"):
        tokens.open_feed_token(KEY, bad)

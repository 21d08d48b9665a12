"""One invisible-character set: ingest cleaning and brief text remove the same characters."""

from __future__ import annotations

import pytest

from core.briefs.text import plain, visible
from core.ingest.clean import clean_text, strip_invisible

# Soft hyphen, zero-width space, bidi isolate, BOM; a combining grapheme joiner, a Hangul
# filler, a variation selector, a tag character.
HIDDEN = ["\u00ad", "\u200b", "\u2069", "\ufeff", "\u034f", "\u3164", "\ufe0f", "\U000e0041"]


@pytest.mark.parametrize("char", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
def test_ingest_and_briefs_both_remove_the_character(char: str) -> None:
    text = f"chip{char}s export"
    assert strip_invisible(text) == "chips export"
    assert clean_text(text) == "chips export"
    assert visible(text) == "chips export"
    assert plain(f"<p>{text}</p>") == "chips export"

"""The characters that render as nothing or reorder text, removed from every feed text.

One set for ingest cleaning (:mod:`core.ingest.clean`) and brief writing
(:mod:`core.briefs.text`), so a character hidden from the reader at one stage is hidden at
every stage. A stranger's feed uses them to hide words from a human reader (and not from a
model) or to reorder what a digest shows::

    U+00AD            soft hyphen
    U+034F            combining grapheme joiner
    U+061C            Arabic letter mark
    U+115F U+1160     Hangul choseong / jungseong fillers
    U+17B4 U+17B5     Khmer inherent vowels
    U+180E            Mongolian vowel separator
    U+200B-U+200F     zero-width space, non-joiner, joiner; LRM, RLM
    U+202A-U+202E     bidi embeddings and overrides
    U+2060-U+2064     word joiner, invisible operators
    U+2066-U+206F     bidi isolates, deprecated format characters
    U+3164 U+FFA0     Hangul fillers
    U+FE00-U+FE0F     variation selectors
    U+FEFF            byte order mark, zero-width no-break space
    U+FFF9-U+FFFB     interlinear annotation controls
    U+FFFD            replacement character (what a broken decode leaves)
    U+E0000-U+E007F   tag characters
"""

from __future__ import annotations

import re

INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\ufffd"
    "\U000e0000-\U000e007f]"
)

"""Which of our languages a page speaks: the reader's setting, a ``?lang=`` choice, the
browser's Accept-Language header (RFC 9110 section 12.5.4, with q-values), else English.

Pure functions; the web layer passes in what the request and the store say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.i18n import DEFAULT_LANGUAGE, normalize_language
from core.models import LANGUAGES

__all__ = [
    "LanguageChoice",
    "accepted_ranges",
    "choose_language",
    "from_accept_language",
    "served_language",
]

MAX_RANGES = 32  # a header longer than this is not a person's browser; the rest is ignored
MAX_HEADER = 4096

# Chinese tags without a script we list ("zh-Hant-MO", "zh-Hans-MY", "zh-HK-x"): the script
# subtag decides, else the region; a bare "zh" is Simplified (normalize_language says so).
_CHINESE_SCRIPTS = {"hant": "zh-Hant", "hans": "zh-Hans"}
_CHINESE_REGIONS = {
    "tw": "zh-Hant",
    "hk": "zh-Hant",
    "mo": "zh-Hant",
    "cn": "zh-Hans",
    "sg": "zh-Hans",
    "my": "zh-Hans",
}

ChosenBy = Literal["setting", "query", "header", "default"]


@dataclass(frozen=True)
class LanguageChoice:
    """The page's language and what decided it."""

    lang: str
    by: ChosenBy

    @property
    def negotiated(self) -> bool:
        """Whether the Accept-Language header decided (the answer must say Vary)."""
        return self.by in ("header", "default")


def choose_language(setting: str | None, asked: str | None, accept: str | None) -> LanguageChoice:
    """The reader's stored ``setting`` when it is one we serve, else ``asked`` (``?lang=``),
    else the best of ``accept`` (the Accept-Language header), else English."""
    if setting in LANGUAGES:
        return LanguageChoice(setting, "setting")
    if asked and (lang := served_language(asked)):
        return LanguageChoice(lang, "query")
    if accept and (lang := from_accept_language(accept)):
        return LanguageChoice(lang, "header")
    return LanguageChoice(DEFAULT_LANGUAGE, "default")


def from_accept_language(header: str) -> str | None:
    """The first language we serve among the header's ranges, best q-value first."""
    for tag, _quality in accepted_ranges(header):
        lang = served_language(tag)
        if lang is not None:
            return lang
    return None


def accepted_ranges(header: str) -> list[tuple[str, float]]:
    """The header's language ranges with their q-values, best first (ties keep the
    header's order). ``q=0`` ("not acceptable"), ``*`` and malformed entries are left out.

    >>> accepted_ranges("fr;q=0.5, de, en;q=0.8")
    [('de', 1.0), ('en', 0.8), ('fr', 0.5)]
    """
    ranges: list[tuple[str, float]] = []
    for part in header[:MAX_HEADER].split(",")[:MAX_RANGES]:
        tag, _, params = part.partition(";")
        tag = tag.strip()
        quality = _quality(params)
        if tag and tag != "*" and _is_tag(tag) and quality is not None and quality > 0:
            ranges.append((tag, quality))
    return sorted(ranges, key=lambda item: -item[1])  # sorted() is stable


def served_language(tag: str) -> str | None:
    """One of our languages for a language tag ("ja-JP", "zh-Hant-MO"), or None."""
    lang = normalize_language(tag)
    if lang is not None:
        return lang
    subtags = tag.strip().lower().replace("_", "-").split("-")
    if subtags[0] != "zh":
        return None
    for subtag in subtags[1:]:
        if subtag in _CHINESE_SCRIPTS:
            return _CHINESE_SCRIPTS[subtag]
    return next((_CHINESE_REGIONS[s] for s in subtags[1:] if s in _CHINESE_REGIONS), None)


def _quality(params: str) -> float | None:
    """The q-value among a range's parameters: 1.0 when absent, None when malformed."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() != "q":
            continue
        try:
            quality = float(value.strip())
        except ValueError:
            return None
        return quality if 0.0 <= quality <= 1.0 else None
    return 1.0


def _is_tag(tag: str) -> bool:
    """A language range's shape: letters, digits and hyphens, 1 to 8 characters a subtag."""
    subtags = tag.replace("_", "-").split("-")
    return all(0 < len(s) <= 8 and s.isascii() and s.isalnum() for s in subtags)

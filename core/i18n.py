"""The words around a brief, in every language AIToday serves.

Renderers, web pages and chat commands take their labels from here, so a subscriber
reading in Thai sees Thai headings even when the brief text itself is extractive (quoted
from the sources, in the sources' language). ``label(key, lang)`` falls back to English
for an unknown language or a missing entry; ``normalize_language`` turns what people type
("JA", "日本語", "zh-tw") into one of :data:`LANGUAGES`.

Templates use ``str.format`` fields: ``label("min_read", "ja", n=4)`` -> ``"4分で読めます"``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from core.labels import brief, brief_page, chat, feedback, feeds, reasons, site, slack
from core.models import LANGUAGES, utcnow

__all__ = [
    "DEFAULT_LANGUAGE",
    "FAQ_QUESTIONS",
    "LABELS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "faq_question",
    "label",
    "normalize_language",
    "relative_time",
    "source_count",
]

DEFAULT_LANGUAGE = "en"

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ja": "日本語",
    "zh-Hant": "繁體中文",
    "zh-Hans": "简体中文",
    "ko": "한국어",
    "th": "ไทย",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
}


def _merged(*groups: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for group in groups:
        twice = merged.keys() & group.keys()
        if twice:
            raise RuntimeError(f"labels defined in two groups: {sorted(twice)}")
        merged.update(group)
    return merged


# key -> {language -> text}, every group of core/labels/. Every key has an "en" entry.
LABELS: dict[str, dict[str, str]] = _merged(
    brief.LABELS,
    brief_page.LABELS,
    chat.LABELS,
    reasons.LABELS,
    feedback.LABELS,
    feeds.LABELS,
    slack.LABELS,
    site.LABELS,
)

# What people type for a language, folded (see _fold), -> our code.
_ALIASES: dict[str, str] = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "英語": "en",
    "英语": "en",
    "영어": "en",
    "ja": "ja",
    "jp": "ja",
    "jpn": "ja",
    "japanese": "ja",
    "日本語": "ja",
    "にほんご": "ja",
    "日语": "ja",
    "日語": "ja",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "zh-hant-hk": "zh-Hant",
    "tw": "zh-Hant",
    "cht": "zh-Hant",
    "traditional chinese": "zh-Hant",
    "chinese traditional": "zh-Hant",
    "繁體中文": "zh-Hant",
    "繁体中文": "zh-Hant",
    "繁體": "zh-Hant",
    "繁中": "zh-Hant",
    "正體中文": "zh-Hant",
    "中文(繁體)": "zh-Hant",
    "zh": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "cn": "zh-Hans",
    "chs": "zh-Hans",
    "chinese": "zh-Hans",
    "simplified chinese": "zh-Hans",
    "chinese simplified": "zh-Hans",
    "简体中文": "zh-Hans",
    "簡體中文": "zh-Hans",
    "简体": "zh-Hans",
    "简中": "zh-Hans",
    "中文": "zh-Hans",
    "中文(简体)": "zh-Hans",
    "ko": "ko",
    "kr": "ko",
    "kor": "ko",
    "korean": "ko",
    "한국어": "ko",
    "한국말": "ko",
    "th": "th",
    "tha": "th",
    "thai": "th",
    "ไทย": "th",
    "ภาษาไทย": "th",
    "es": "es",
    "spa": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "castellano": "es",
    "fr": "fr",
    "fra": "fr",
    "fre": "fr",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "de": "de",
    "deu": "de",
    "ger": "de",
    "german": "de",
    "deutsch": "de",
}

# Questions the offline writer may ask, by the kind of sentence that answers them
# (core.briefs.roles says which sentence answers which). Only the languages whose answers
# can be recognised are here, and there is no English fallback: a reader must never get a
# question in a language other than its answer's.
FAQ_QUESTIONS: dict[str, dict[str, str]] = {
    "available": {
        "en": "When will {x} be available?",
        "ja": "{x}はいつから利用できますか？",
        "zh-Hans": "{x}什么时候推出？",
        "zh-Hant": "{x}什麼時候推出？",
    },
    "raised": {
        "en": "How much did {x} raise?",
        "ja": "{x}はいくら調達しましたか？",
        "zh-Hans": "{x}融资了多少？",
        "zh-Hant": "{x}融資了多少？",
    },
    "what_is": {
        "en": "What is {x}?",
        "ja": "{x}とは何ですか？",
        "zh-Hans": "{x}是什么？",
        "zh-Hant": "{x}是什麼？",
    },
}


def faq_question(kind: str, lang: str, subject: str) -> str | None:
    """The question of ``kind`` about ``subject`` in ``lang``, or None when there is none."""
    template = FAQ_QUESTIONS[kind].get(lang)
    return template.format(x=subject) if template else None


def label(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang`` (English when missing), formatted with ``values``.

    An unknown key is a bug and raises KeyError.
    """
    entries = LABELS[key]
    text = entries.get(lang) or entries[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def source_count(n: int, lang: str) -> str:
    """ "1 source" / "7 sources" in ``lang``."""
    return label("one_source", lang) if n == 1 else label("n_sources", lang, n=n)


def normalize_language(text: str) -> str | None:
    """One of :data:`LANGUAGES` for what a person typed, or None when we do not serve it.

    Accepts codes in any case with ``-`` or ``_`` ("JA", "zh_TW", "en-GB"), English names
    ("Japanese") and native names ("日本語", "한국어", "Français").
    """
    folded = _fold(text)
    if not folded:
        return None
    if folded in _ALIASES:
        return _ALIASES[folded]
    # A region or script we do not list ("en-au", "es-419", "de-ch"): the base language,
    # except Chinese, where the script decides and a bare guess would be wrong.
    base = folded.split("-", 1)[0]
    if base != "zh" and base in _ALIASES and len(base) <= 3:
        return _ALIASES[base]
    return None


def relative_time(when: datetime, lang: str, now: datetime | None = None) -> str:
    """ "just now", "5m ago", "3h ago", "2d ago" in ``lang``; future times read "just now"."""
    age = (now or utcnow()) - when
    if age < timedelta(minutes=1):
        return label("just_now", lang)
    if age < timedelta(hours=1):
        return label("minutes_ago", lang, n=int(age.total_seconds() // 60))
    if age < timedelta(days=1):
        return label("hours_ago", lang, n=int(age.total_seconds() // 3600))
    return label("days_ago", lang, n=age.days)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().lower().replace("_", "-")
    # Full-width parentheses become ASCII under NFKC; drop the space people put before them.
    return " ".join(folded.split()).replace(" (", "(")

"""Labels in every language and language names as people type them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.i18n import LABELS, LANGUAGE_NAMES, label, normalize_language, relative_time
from core.models import LANGUAGES


def test_every_label_has_every_language() -> None:
    for key, entries in LABELS.items():
        assert set(entries) == set(LANGUAGES), key
        placeholders = {"{n}" in text for text in entries.values()}
        assert len(placeholders) == 1, f"{key}: templates disagree on {{n}}"


def test_language_names_cover_languages() -> None:
    assert set(LANGUAGE_NAMES) == set(LANGUAGES)


def test_label_falls_back_to_english() -> None:
    assert label("key_takeaway", "pt") == "Key takeaway"
    assert label("key_takeaway", "ja") == "要点"
    assert label("min_read", "de", n=3) == "3 Min. Lesezeit"
    with pytest.raises(KeyError):
        label("no_such_label", "en")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ja", "ja"),
        ("JA", "ja"),
        (" Japanese ", "ja"),
        ("日本語", "ja"),
        ("zh-tw", "zh-Hant"),
        ("zh_TW", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("繁體中文", "zh-Hant"),
        ("中文（繁體）", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("简体中文", "zh-Hans"),
        ("한국어", "ko"),
        ("ภาษาไทย", "th"),
        ("Français", "fr"),
        ("es-419", "es"),
        ("en-GB", "en"),
        ("Deutsch", "de"),
        ("pt-BR", None),
        ("zh-XX", None),
        ("", None),
        ("klingon", None),
    ],
)
def test_normalize_language(typed: str, expected: str | None) -> None:
    assert normalize_language(typed) == expected


def test_every_language_code_normalizes_to_itself() -> None:
    for lang in LANGUAGES:
        assert normalize_language(lang) == lang


def test_relative_time() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert relative_time(now - timedelta(seconds=10), "en", now) == "just now"
    assert relative_time(now - timedelta(minutes=5), "en", now) == "5m ago"
    assert relative_time(now - timedelta(hours=3), "ja", now) == "3時間前"
    assert relative_time(now - timedelta(days=1, hours=2), "en", now) == "1d ago"
    assert relative_time(now + timedelta(hours=1), "fr", now) == "à l'instant"


def test_a_label_key_belongs_to_one_group() -> None:
    from core.i18n import _merged

    with pytest.raises(RuntimeError, match="two groups"):
        _merged({"x": {"en": "a"}}, {"x": {"en": "b"}})

"""Choosing a page's language: setting, ?lang=, Accept-Language with q-values, English."""

from __future__ import annotations

import pytest

from core.accept_language import (
    LanguageChoice,
    accepted_ranges,
    choose_language,
    from_accept_language,
    served_language,
)
from core.models import LANGUAGES


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-HK", "zh-Hant"),
        ("zh-Hant-MO", "zh-Hant"),
        ("zh-Hans-MY,en;q=0.1", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("pt-BR,es;q=0.5", "es"),
        ("pt-BR,pt;q=0.9", None),
        ("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "ja"),
        ("ko-KR", "ko"),
        ("th-TH,th;q=0.9", "th"),
        ("de-CH", "de"),
        ("fr-CA;q=0.4, de;q=0.6", "de"),  # the higher q wins, wherever it stands
        ("en;q=0.2, ja;q=0.2", "en"),  # a tie keeps the header's order
        ("ja;q=0, ko", "ko"),  # q=0 means "not this one"
        ("ja;q=0", None),
        ("*", None),
        ("ja;q=abc, ko;q=0.5", "ko"),  # a malformed q-value drops its range
        ("ja;q=2, fr;q=0.3", "fr"),  # out of range too
        ("ko ; q = 0.7 , en ; q=0.3", "ko"),
        ("", None),
        ("日本語, fr", "fr"),  # not a tag: skipped
        ("en-US,en;level=1;q=0.5", "en"),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_ranges_are_sorted_by_quality() -> None:
    assert accepted_ranges("fr;q=0.5, de, en;q=0.8,*;q=0.1") == [
        ("de", 1.0),
        ("en", 0.8),
        ("fr", 0.5),
    ]


def test_an_absurd_header_is_bounded() -> None:
    header = ",".join(["xx"] * 10_000) + ",ja"
    assert len(accepted_ranges(header)) <= 32
    assert from_accept_language(header) is None


def test_every_language_code_is_served_as_itself() -> None:
    for lang in LANGUAGES:
        assert served_language(lang) == lang
        assert from_accept_language(lang) == lang


def test_the_setting_wins_then_the_query_then_the_header() -> None:
    header = "ko-KR,ko;q=0.9"
    assert choose_language("th", "ja", header) == LanguageChoice("th", "setting")
    assert choose_language(None, "ja", header) == LanguageChoice("ja", "query")
    assert choose_language(None, "zh-tw", None) == LanguageChoice("zh-Hant", "query")
    assert choose_language(None, "klingon", header) == LanguageChoice("ko", "header")
    assert choose_language("pt", None, header) == LanguageChoice("ko", "header")
    assert choose_language(None, None, "pt-BR") == LanguageChoice("en", "default")
    assert choose_language(None, None, None) == LanguageChoice("en", "default")


def test_only_a_header_choice_varies_by_the_header() -> None:
    assert choose_language(None, None, "ja").negotiated
    assert choose_language(None, None, "").negotiated
    assert not choose_language("ja", None, "ko").negotiated
    assert not choose_language(None, "ja", "ko").negotiated

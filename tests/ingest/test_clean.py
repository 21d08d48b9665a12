from __future__ import annotations

import pytest

from core.ingest.clean import canonical_url, clean_text, normalise_language, strip_invisible


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://mistral.ai/news/mixtral-of-experts/",
            "https://mistral.ai/news/mixtral-of-experts",
        ),
        ("HTTPS://Example.COM:443/a?utm_source=x&b=2&a=1#frag", "https://example.com/a?a=1&b=2"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x/?fbclid=1&gclid=2&ref=hn", "http://example.com:8080/x"),
        ("https://example.com/?q=ai&utm_medium=rss", "https://example.com/?q=ai"),
        ("https://example.com/p?ref_src=twsrc&id=7", "https://example.com/p?id=7"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_clean_text_drops_markup_decodes_entities_and_invisibles() -> None:
    markup = (
        "<p>Claude&nbsp;&amp; <b>GPT</b> &#8212; news</p><script>alert(1)</script>"
        "\u200bhid\u202eden\u2066 &amp;amp; done"
    )
    assert clean_text(markup) == "Claude & GPT — news hidden & done"


def test_clean_text_cuts_at_a_word() -> None:
    assert clean_text("one two three four", max_chars=9) == "one two…"


def test_strip_invisible_keeps_visible_text() -> None:
    assert strip_invisible("a\u200db\u2069c\x07d\ufeff") == "abcd"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en-US", "en"),
        ("ja", "ja"),
        ("zh-TW", "zh-Hant"),
        ("zh-Hant-HK", "zh-Hant"),
        ("zh-cn", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("", None),
        ("12", None),
    ],
)
def test_normalise_language(tag: str, expected: str | None) -> None:
    assert normalise_language(tag) == expected

from __future__ import annotations

from html.parser import HTMLParser

from bots.email.render import MAX_HTML_BYTES, render_email
from core.render.common import PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER
from tests.render.editions import make_edition

BASE = "https://aitoday.example.org"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_subject_has_the_date_and_the_top_headline() -> None:
    payload = render_email(make_edition(5), base_url=BASE)
    assert payload.subject.startswith("AIToday 2026-11-27: Lab 1 releases")
    assert payload.subject.endswith("(+4)")
    assert len(payload.subject) <= 120


def test_html_is_responsive_dark_mode_aware_and_needs_no_images() -> None:
    payload = render_email(make_edition(3), base_url=BASE)
    parsed = _parse(payload.html)
    assert "img" not in parsed.tags
    assert "prefers-color-scheme: dark" in payload.html
    assert 'name="color-scheme"' in payload.html
    assert "max-width:600px" in payload.html
    assert f"{BASE}/s/story0001" in parsed.hrefs
    assert 'style="' in payload.html  # inline styles carry the layout


def test_every_story_and_label_appears_in_both_parts() -> None:
    payload = render_email(make_edition(3), base_url=BASE)
    for n in (1, 2, 3):
        assert f"Lab {n} releases" in payload.html
        assert f"Lab {n} releases" in payload.text
    for word in ("Key takeaway", "Why it matters", "What to watch", "Read the brief"):
        assert word in payload.html
    assert f"{BASE}/s/story0002" in payload.text


def test_story_text_is_escaped_and_script_links_are_dropped() -> None:
    edition = make_edition(2, hostile=True)
    edition.briefs[0].sources[0].url = "javascript:alert(1)"
    payload = render_email(edition, base_url=BASE)
    assert "<script>" not in payload.html
    assert "&lt;script&gt;" in payload.html
    assert "javascript:" not in payload.html


def test_extractive_briefs_without_key_points_render_without_empty_headings() -> None:
    payload = render_email(make_edition(2, extractive=True), base_url=BASE)
    assert "Why it matters" not in payload.html
    assert "What to watch" not in payload.html
    assert "Key takeaway" in payload.text


def test_labels_follow_the_edition_language() -> None:
    payload = render_email(make_edition(2, language="ja"), base_url=BASE)
    assert "要点" in payload.html
    assert 'lang="ja"' in payload.html


def test_personalize_fills_both_links_escaped_in_html() -> None:
    payload = render_email(make_edition(1), base_url=BASE)
    assert UNSUBSCRIBE_PLACEHOLDER in payload.html and PREFERENCES_PLACEHOLDER in payload.text
    html, text = payload.personalize(
        unsubscribe_url=f"{BASE}/unsubscribe/tok?x=1&y=2", preferences_url=f"{BASE}/preferences/p"
    )
    assert f"{BASE}/unsubscribe/tok?x=1&amp;y=2" in html
    assert f"{BASE}/unsubscribe/tok?x=1&y=2" in text
    assert "%%AITODAY" not in html + text


def test_an_edition_whose_briefs_are_missing_still_renders() -> None:
    edition = make_edition(3)
    edition.briefs = edition.briefs[:1]
    payload = render_email(edition, base_url=BASE)
    assert payload.story_ids == ("story0001",)


def test_untranslated_extractive_text_carries_the_original_language_note() -> None:
    edition = make_edition(2, language="ja", extractive=True)
    edition.briefs[0].content_language = "en"
    edition.briefs[1].content_language = "ja"
    payload = render_email(edition, base_url=BASE)
    note = "情報源の原文から引用しています"
    assert payload.html.count(note) == 1 and payload.text.count(note) == 1


def test_a_huge_digest_is_shortened_below_the_gmail_clipping_size() -> None:
    payload = render_email(make_edition(20, text_size=30, language="ja"), base_url=BASE)
    assert len(payload.html.encode()) <= MAX_HTML_BYTES
    assert payload.html.count("Read the brief") == 0  # ja labels
    assert payload.story_ids == tuple(f"story{n:04d}" for n in range(1, 21))


def test_compact_cards_keep_the_more_and_less_links() -> None:
    # 50 long stories: the mail falls back to compact cards to stay under the clipping size
    payload = render_email(make_edition(50, text_size=60), base_url=BASE)
    cards = payload.html.count('class="card"')
    compact = payload.html.count("font-size:18px;line-height:1.3")  # a compact headline
    assert compact >= 1 and len(payload.html.encode()) <= MAX_HTML_BYTES
    assert payload.html.count('class="more-like-this"') == cards
    assert payload.html.count('class="less-like-this"') == cards
    assert payload.text.count("tap=more") == payload.text.count("tap=less") == cards


def test_the_fonts_put_the_readers_script_first() -> None:
    # Chinese and Korean readers must not get Japanese glyph forms for shared characters.
    for lang, own in (("zh-Hant", "Noto Sans CJK TC"), ("ko", "Noto Sans CJK KR")):
        html = render_email(make_edition(language=lang), base_url=BASE).html
        assert "font-family:" in html and "{{" not in html
        first = html.index("font-family:")
        stack = html[first : html.index(";", first)]
        assert stack.index(own) < stack.index("Noto Sans CJK JP"), stack

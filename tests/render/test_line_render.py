from __future__ import annotations

from bots.line.render import MAX_FLEX_BYTES, flex_size, render_line
from tests.render.editions import make_edition

BASE = "https://aitoday.example.org"


def test_a_digest_is_one_carousel_with_alt_text_and_quick_replies() -> None:
    messages = render_line(make_edition(5, channel="line"), base_url=BASE)
    assert len(messages) == 1
    flex = messages[0]
    assert flex["type"] == "flex"
    assert flex["altText"].startswith("AIToday") and "Lab 1" in flex["altText"]
    assert flex["contents"]["type"] == "carousel"
    assert len(flex["contents"]["contents"]) == 5
    assert 1 <= len(flex["quickReply"]["items"]) <= 13


def test_more_than_twelve_stories_make_a_second_carousel() -> None:
    messages = render_line(make_edition(20, channel="line"), base_url=BASE)
    assert [len(m["contents"]["contents"]) for m in messages] == [12, 8]
    assert "quickReply" not in messages[0] and "quickReply" in messages[1]


def test_huge_briefs_still_fit_in_fifty_kilobytes() -> None:
    messages = render_line(make_edition(12, channel="line", text_size=200), base_url=BASE)
    assert flex_size(messages[0]["contents"]) <= MAX_FLEX_BYTES
    assert len(messages[0]["altText"]) <= 400


def test_postbacks_say_more_or_less_of_the_story() -> None:
    edition = make_edition(2, channel="line", language="th")
    edition.briefs[0].topics = ["chips", "policy"]
    bubbles = render_line(edition, base_url=BASE)[0]["contents"]["contents"]
    footer = bubbles[0]["footer"]
    postbacks = [b["action"] for b in footer["contents"][1]["contents"]]
    story = edition.briefs[0].story_id
    assert [p["data"] for p in postbacks] == [f"more={story}", f"less={story}"]
    assert all(len(p["label"]) <= 20 for p in postbacks)
    assert len(bubbles[1]["footer"]["contents"]) == 1  # no topic: only "read the brief"


def test_extractive_briefs_render_without_why_it_matters() -> None:
    messages = render_line(make_edition(2, channel="line", extractive=True), base_url=BASE)
    texts = [c["text"] for c in messages[0]["contents"]["contents"][0]["body"]["contents"]]
    assert "Key takeaway" in texts and "Why it matters" not in texts


def test_untranslated_text_is_marked() -> None:
    edition = make_edition(1, channel="line", language="zh-Hant", extractive=True)
    edition.briefs[0].content_language = "en"
    body = render_line(edition, base_url=BASE)[0]["contents"]["contents"][0]["body"]
    assert "摘自來源原文（未經翻譯）。" in [c["text"] for c in body["contents"]]

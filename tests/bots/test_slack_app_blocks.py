"""Replies rendered as Slack blocks: escaped, within Slack's limits, nobody pinged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bots.pages import web_url
from bots.slack.blocks import brief_blocks, home_view, reply_blocks, unfurl_blocks
from bots.slack.render import escape
from core.commands import Reply
from core.i18n import LABELS, label
from core.models import (
    Brief,
    BriefSource,
    FAQItem,
    Generator,
    KeyPoints,
    Story,
    StoryArticle,
    utcnow,
)
from core.preferences import new_subscriber
from core.stories.topics import TOPICS

HOSTILE = "<!channel> Big <@U123> news & <https://evil.example|click> " + "x" * 4000


def hostile_story(n: int) -> Story:
    now = utcnow()
    article = StoryArticle(
        id=f"a{n}", source_id="s", url="https://s.example/1", title=HOSTILE, published=now
    )
    return Story(
        id=f"s{n}",
        title=HOSTILE,
        articles=[article],
        first_seen=now - timedelta(hours=1),
        last_updated=now,
    )


def hostile_brief() -> Brief:
    return Brief(
        story_id="s1",
        headline=HOSTILE,
        sources=[BriefSource(name="<!here>", url="https://a.example/x|y>z", published=utcnow())],
        dek="d",
        key_takeaway=HOSTILE,
        key_points=KeyPoints(what_happened=HOSTILE, why_it_matters=None, what_to_watch="w"),
        faq=[FAQItem(question="q", answer="a")],
        generator=Generator(kind="extractive", prompt_version="t"),
        created_at=utcnow(),
    )


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    found = []
    for block in blocks:
        for value in (block.get("text"), *block.get("elements", [])):
            if isinstance(value, dict) and isinstance(value.get("text"), str):
                found.append(value["text"])
    return found


def test_nothing_can_ping_or_break_out() -> None:
    stories = [hostile_story(n) for n in range(60)]
    blocks = reply_blocks(Reply("today", "Top", stories=stories), "https://aitoday.example")
    blocks += brief_blocks(hostile_brief(), "https://aitoday.example", "en")
    assert len(reply_blocks(Reply("today", "Top", stories=stories), "https://x")) <= 50
    for text in texts(blocks):
        assert "<!channel>" not in text and "<!here>" not in text and "<@U123>" not in text
        assert len(text) <= 3000
    header = brief_blocks(hostile_brief(), "https://x", "en")[0]
    assert header["type"] == "header" and len(header["text"]["text"]) <= 150
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"
    context = [
        b for b in brief_blocks(hostile_brief(), "https://x", "en") if b["type"] == "context"
    ]
    assert "<https://a.example/x%7Cy%3Ez|&lt;!here&gt;>" in context[0]["elements"][0]["text"]


def test_home_view_fits_the_home_tab() -> None:
    view = home_view([hostile_story(n) for n in range(30)], None, "https://x")
    assert view["type"] == "home" and len(view["blocks"]) <= 100


def test_home_names_topics_in_the_readers_language() -> None:
    sub = new_subscriber(slack="T1/D1", language="ja", topics=["chips"])
    sub.prefs.topics_muted.append("policy")
    blocks = home_view([], sub, "https://x")["blocks"]
    following = label("slack_home_following", "ja")
    summary = next(t for t in texts(blocks) if following in t)
    assert LABELS["topic_chips"]["ja"] in summary and LABELS["topic_policy"]["ja"] in summary
    follow = next(b for b in blocks if b.get("block_id") == "home-follow")
    names = [e["text"]["text"] for e in follow["elements"]]
    assert f"✓ {LABELS['topic_chips']['ja']}" in names
    assert LABELS["topic_models"]["ja"] in names and TOPICS["models"].label not in names


def test_only_web_links_reach_a_page() -> None:
    assert web_url("https://a.example/x") == "https://a.example/x"
    assert web_url("javascript:alert(1)") == "#"
    assert web_url("data:text/html,hi") == "#"


def test_home_with_settings_and_the_unfurl_card_fit_and_ping_nobody() -> None:
    sub = new_subscriber(slack="T1/D1", language="th", topics=["chips"])
    view = home_view([hostile_story(n) for n in range(30)], sub, "https://x")
    assert len(view["blocks"]) <= 100 and view["private_metadata"] == sub.id
    card = unfurl_blocks(hostile_brief(), "https://x", "en")
    for text in texts(view["blocks"]) + texts(card):
        assert "<!channel>" not in text and "<@U123>" not in text and len(text) <= 3000
    assert [b["type"] for b in card] == ["section", "section", "context"]

from __future__ import annotations

import json
import re

from bots.slack.render import (
    ACTION_BRIEF,
    ACTION_LESS,
    ACTION_MORE,
    MAX_BLOCKS,
    escape,
    link,
    render_slack,
)
from tests.render.editions import make_edition

BASE = "https://aitoday.example.org"
PING = re.compile(r"<!(channel|here|everyone)|<@[A-Z0-9]+")


def _texts(value: object) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            found.append(value["text"])
        for item in value.values():
            found += _texts(item)
    elif isinstance(value, list):
        for item in value:
            found += _texts(item)
    return found


def test_a_five_story_digest_is_one_message_with_buttons_per_story() -> None:
    messages = render_slack(make_edition(5), base_url=BASE)
    assert len(messages) == 1
    blocks = messages[0].blocks
    assert blocks[0]["type"] == "header"
    actions = [b for b in blocks if b["type"] == "actions"]
    assert len(actions) == 5
    ids = [e["action_id"] for e in actions[0]["elements"]]
    assert ids == [ACTION_BRIEF, ACTION_MORE, ACTION_LESS]
    assert {e["value"] for e in actions[0]["elements"]} == {"story0001"}
    assert messages[0].text.startswith("AIToday")


def test_long_digests_split_within_every_limit() -> None:
    messages = render_slack(make_edition(20, text_size=60, extractive=False), base_url=BASE)
    assert len(messages) == 2
    for message in messages:
        assert len(message.blocks) <= MAX_BLOCKS
        assert message.text
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150
    stories = [b for m in messages for b in m.blocks if b["type"] == "actions"]
    assert len(stories) == 20


def test_no_story_text_can_ping_or_forge_a_link() -> None:
    messages = render_slack(make_edition(3, hostile=True), base_url=BASE)
    for message in messages:
        for text in [message.text, *_texts(message.blocks)]:
            assert not PING.search(text), text
            assert "<https://evil" not in text
    dumped = json.dumps([m.blocks for m in messages])
    assert "&lt;!channel&gt;" in dumped


def test_escape_and_link_keep_markup_inside() -> None:
    assert escape("a & <b>") == "a &amp; &lt;b&gt;"
    assert link("https://x.example/?a=1&b=2|c", "T|<x>") == (
        "<https://x.example/?a=1&amp;b=2%7Cc|T¦&lt;x&gt;>"
    )


def test_extractive_briefs_show_the_takeaway_instead_of_why() -> None:
    messages = render_slack(make_edition(1, extractive=True), base_url=BASE)
    section = messages[0].blocks[1]["text"]["text"]
    assert "Key takeaway" in section and "Why it matters" not in section


def test_japanese_labels() -> None:
    messages = render_slack(make_edition(1, language="ja"), base_url=BASE)
    buttons = messages[0].blocks[3]["elements"]
    assert buttons[0]["text"]["text"] == "ブリーフを読む"


def test_untranslated_text_is_marked() -> None:
    edition = make_edition(1, language="de", extractive=True)
    edition.briefs[0].content_language = "en"
    context = render_slack(edition, base_url=BASE)[0].blocks[2]["elements"][0]["text"]
    assert "nicht übersetzt" in context

from __future__ import annotations

import json
import re
from dataclasses import replace

from bots.slack.render import (
    ACTION_BRIEF,
    ACTION_LESS,
    ACTION_MORE,
    MAX_BLOCKS,
    brief_blocks,
    digest_blocks,
    escape,
    link,
    render_slack,
)
from core.render.common import story_views
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


def test_a_digest_is_one_message_of_headlines_and_a_brief_per_story_in_its_thread() -> None:
    messages = render_slack(make_edition(5), base_url=BASE)
    parent, replies = messages[0], messages[1:]
    assert not parent.in_thread and [m.in_thread for m in replies] == [True] * 5
    assert parent.blocks[0]["type"] == "header"
    heads = [b for b in parent.blocks if str(b.get("block_id", "")).startswith("head-")]
    assert [h["text"]["text"].split("|")[1].split(".")[0] for h in heads] == list("12345")
    assert not [b for b in parent.blocks if b["type"] == "actions"]  # buttons live in the thread
    assert "thread" in parent.blocks[-1]["elements"][0]["text"]
    assert parent.text.startswith("AIToday")
    for n, reply in enumerate(replies, start=1):
        [actions] = [b for b in reply.blocks if b["type"] == "actions"]
        ids = [e["action_id"] for e in actions["elements"]]
        assert ids == [ACTION_BRIEF, ACTION_MORE, ACTION_LESS]
        assert {e["value"] for e in actions["elements"]} == {f"story{n:04d}"}
        text = json.dumps(reply.blocks)
        assert "Key takeaway" in text and "Why it matters" in text and "Is it open?" in text
        assert "Sources" in text and reply.text.startswith(f"{n}. Lab {n}")


def test_a_long_digest_keeps_every_message_within_every_limit() -> None:
    messages = render_slack(make_edition(20, text_size=60, extractive=False), base_url=BASE)
    assert len(messages) == 21
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


def test_the_reason_a_story_was_chosen_shows_under_its_headline() -> None:
    edition = make_edition(2)
    views = story_views(edition, base_url=BASE)
    reasoned = replace(views[0], reason="told by 7 sources incl. <A> & B")
    block = digest_blocks(edition, [reasoned, replace(views[1], reason=None)])[1]
    assert block["text"]["text"].endswith("\n_told by 7 sources incl. &lt;A&gt; &amp; B_")
    plain = digest_blocks(edition, [replace(v, reason=None) for v in views])[2]
    assert "\n_" not in plain["text"]["text"]
    assert "told by 7 sources" in json.dumps(brief_blocks(reasoned, "en")[0])


def test_an_empty_edition_is_one_message_with_the_tagline() -> None:
    [message] = render_slack(make_edition(0), base_url=BASE)
    assert [b["type"] for b in message.blocks] == ["header", "section"]


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
    reply = json.dumps(messages[1].blocks)
    assert "Key takeaway" in reply and "Why it matters" not in reply


def test_japanese_labels() -> None:
    messages = render_slack(make_edition(1, language="ja"), base_url=BASE)
    buttons = messages[1].blocks[-1]["elements"]
    assert buttons[0]["text"]["text"] == "ブリーフを読む"
    assert "スレッド" in messages[0].blocks[-1]["elements"][0]["text"]


def test_untranslated_text_is_marked() -> None:
    edition = make_edition(1, language="de", extractive=True)
    edition.briefs[0].content_language = "en"
    reply = render_slack(edition, base_url=BASE)[1]
    [context] = [b["elements"][0]["text"] for b in reply.blocks if b["type"] == "context"]
    assert "nicht übersetzt" in context

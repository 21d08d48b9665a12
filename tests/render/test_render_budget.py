"""The size budgets of the e-mail and LINE renderers: a normal digest renders whole, a
maximal one degrades in the documented steps and stays within the channel's limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bots.email import render as email_render
from bots.email.render import MAX_HTML_BYTES, render_email
from bots.line import render as line_render
from bots.line.render import MAX_FLEX_BYTES, flex_size, render_line
from core.i18n import label
from core.models import BriefImage, Channel, Edition
from core.render.common import PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER
from tests.bots.maximal import MOST_STORIES, maximal_edition
from tests.render.editions import make_edition

BASE = "https://aitoday.example.org"


def _normal(channel: Channel) -> Edition:
    edition = make_edition(5, channel=channel)
    for brief in edition.briefs:
        brief.image = BriefImage(
            url=f"https://img.example.org/{brief.story_id}.jpg",
            alt="a chip",
            width=1200,
            height=630,
        )
    return edition


def test_a_normal_email_digest_keeps_every_part_of_every_brief() -> None:
    edition = _normal("email")
    payload = render_email(edition, base_url=BASE)
    assert payload.story_ids == tuple(b.story_id for b in edition.briefs)
    for brief in edition.briefs:
        assert brief.image is not None
        parts: list[str | None] = [brief.headline, brief.dek, brief.key_takeaway, brief.image.url]
        parts += [brief.key_points.what_happened, brief.key_points.why_it_matters]
        parts += [brief.key_points.what_to_watch]
        parts += [f.question for f in brief.faq] + [f.answer for f in brief.faq]
        parts += [s.name for s in brief.sources]
        for part in parts:
            assert part and part.strip() in payload.html
        assert f"{brief.key_takeaway}" in payload.text
    assert payload.html.count(f"{label('read_brief', 'en')} →") == 5
    assert payload.html.count('class="card"') == 5
    assert UNSUBSCRIBE_PLACEHOLDER in payload.html and PREFERENCES_PLACEHOLDER in payload.html


def test_a_maximal_email_digest_keeps_the_top_briefs_and_links_the_rest() -> None:
    payload = render_email(maximal_edition("email"), base_url=BASE)
    html = payload.html
    assert len(html.encode()) <= MAX_HTML_BYTES
    assert len(payload.story_ids) == MOST_STORIES
    faq = label("faq", "ja")
    assert html.count(f">{faq}<") >= 1  # the top story keeps its FAQ
    assert html.index(f">{faq}<") < html.index("20. ")  # ... and it is the top one
    assert html.count(f"{label('read_brief', 'ja')} →") == MOST_STORIES  # each to its page
    for story_id in payload.story_ids:
        assert f"{BASE}/s/{story_id}" in html and f"{BASE}/s/{story_id}" in payload.text
    assert html.rindex(UNSUBSCRIBE_PLACEHOLDER) > html.rindex("20. ")  # footer kept, last


def test_stories_that_do_not_fit_leave_a_link_to_the_web(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(email_render, "MAX_HTML_BYTES", 12_000)
    payload = render_email(maximal_edition("email"), base_url=BASE)
    assert len(payload.html.encode()) <= 12_000
    kept = len(payload.story_ids)
    assert 0 < kept < MOST_STORIES
    more = label("subject_more", "ja", n=MOST_STORIES - kept).strip()
    assert f"{more} →" in payload.html and more in payload.text
    assert UNSUBSCRIBE_PLACEHOLDER in payload.html and UNSUBSCRIBE_PLACEHOLDER in payload.text


def _bubbles(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for m in messages for b in m["contents"]["contents"]]


def test_a_normal_line_digest_keeps_images_and_every_part() -> None:
    edition = _normal("line")
    messages = render_line(edition, base_url=BASE)
    bubbles = _bubbles(messages)
    assert len(messages) == 1 and len(bubbles) == 5
    for brief, bubble in zip(edition.briefs, bubbles, strict=True):
        assert brief.image is not None and bubble["hero"]["url"] == brief.image.url
        text = json.dumps(bubble, ensure_ascii=False)
        for part in (brief.headline, brief.dek, brief.key_takeaway, brief.faq[0].question):
            assert part.strip() in text
        assert brief.key_points.why_it_matters and brief.key_points.why_it_matters.strip() in text


def test_a_maximal_line_digest_drops_the_last_bubbles_images_first() -> None:
    messages = render_line(maximal_edition("line"), base_url=BASE)
    assert [len(m["contents"]["contents"]) for m in messages] == [12, MOST_STORIES - 12]
    assert all(flex_size(m["contents"]) <= MAX_FLEX_BYTES for m in messages)
    first = messages[0]["contents"]["contents"]
    assert "hero" in first[0] and "hero" not in first[-1]
    assert all(len(m["altText"]) <= 400 for m in messages)


def test_a_carousel_too_big_without_images_splits_into_more_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(line_render, "MAX_FLEX_BYTES", 30_000)
    messages = render_line(maximal_edition("line"), base_url=BASE)
    assert 2 < len(messages) <= 5
    assert all(flex_size(m["contents"]) <= 30_000 for m in messages)
    ranks = [b["body"]["contents"][0]["text"].split(" ")[0] for b in _bubbles(messages)]
    assert ranks == [str(n) for n in range(1, len(ranks) + 1)]  # in order, none skipped
    assert "quickReply" in messages[-1]

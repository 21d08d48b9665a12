"""Why this story in the rendered digests: every story the e-mail (in each card form the
size budget leaves it) and LINE show carries its reason line, in the edition's language."""

from __future__ import annotations

import pytest

from bots.email import render as email_render
from bots.email.render import render_email
from bots.line.render import render_line
from core.models import Edition, StoryReason
from core.render.common import story_views
from tests.bots.maximal import WIDEST_REASON, maximal_edition
from tests.render.editions import make_edition

BASE = "https://aitoday.example.org"
RISING = StoryReason(kind="rising", values={"n": 4, "hours": 3})


def with_reason(edition: Edition, reason: StoryReason) -> Edition:
    items = [item.model_copy(update={"reason": reason}) for item in edition.items]
    return edition.model_copy(update={"items": items})


def test_story_views_word_the_items_reason_with_the_briefs_source_names() -> None:
    edition = with_reason(make_edition(2), StoryReason(kind="sources", values={"n": 6}))
    views = story_views(edition, base_url=BASE)
    names = [s.name for s in edition.briefs[0].sources][:2]
    assert views[0].reason == f"Told by 6 sources, incl. {', '.join(names)}"
    weekly = with_reason(make_edition(1), StoryReason(kind="top"))
    weekly = weekly.model_copy(update={"kind": "weekly"})
    assert story_views(weekly, base_url=BASE)[0].reason == "One of the week’s top stories"
    assert story_views(make_edition(1), base_url=BASE)[0].reason is None  # an old edition


def test_every_card_form_of_a_maximal_email_shows_the_reason() -> None:
    edition = maximal_edition("email")
    line = story_views(edition, base_url=BASE)[0].reason
    assert line and line.endswith("…")  # two long names: cut to one short line
    payload = render_email(edition, base_url=BASE)
    shown = len(payload.story_ids)
    assert payload.html.count('class="label reason"') == shown  # full and compact cards
    assert payload.text.count(line) == shown


def test_headlines_the_budget_leaves_as_links_keep_their_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(email_render, "MAX_HTML_BYTES", 30_000)
    payload = render_email(maximal_edition("email"), base_url=BASE)
    links = payload.html.count('class="muted reason"')
    assert links > 0  # the budget left some stories as linked headlines
    assert links + payload.html.count('class="label reason"') == len(payload.story_ids)


def test_a_normal_email_shows_the_reason_under_each_headline() -> None:
    payload = render_email(with_reason(make_edition(3), RISING), base_url=BASE)
    assert payload.html.count("Rising: 4 new sources in 3 h") == 3
    headline = payload.text.index("1. ")
    assert payload.text.index("   Rising: 4 new sources in 3 h", headline) < payload.text.index(
        "Key takeaway", headline
    )


def test_every_line_bubble_shows_the_reason() -> None:
    edition = maximal_edition("line")
    messages = render_line(edition, base_url=BASE)
    bubbles = [b for m in messages for b in m["contents"]["contents"]]
    for bubble in bubbles:
        texts = [c.get("text", "") for c in bubble["body"]["contents"]]
        assert texts[2].startswith("999件の情報源が報道"), texts[:3]
    assert WIDEST_REASON.kind == "sources"

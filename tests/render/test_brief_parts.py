"""Every part of a brief, in the seed's order, in every channel: key takeaway, the key
points under their labels (a heading with their real count), FAQ, sources with reading
time; the lead image where the format has a place; the readers' local date and language
in the subject. Payloads are checked with the fakes' own validators (Slack's block rules,
LINE's message rules), so a payload the platform would refuse fails here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bots.email.render import render_email
from bots.line.render import render_line
from bots.slack.render import render_slack
from core.models import BriefImage, Edition
from tests.fakes.line_api import _message_problems
from tests.fakes.slack_api import _block_problem
from tests.render.editions import make_edition

BASE = "https://aitoday.example.org"
IMAGE = BriefImage(
    url="https://cdn.news0.example.org/lead.jpg",
    alt="The new model on stage",
    width=1200,
    height=630,
    link="https://news0.example.org/story0001",
)
ORDER = ["Takeaway 1", "3 Key Points", "What happened", "Why it matters", "What to watch"]
ORDER += ["Is it open?", "Source 0"]


def _with_image(edition: Edition, image: BriefImage = IMAGE) -> Edition:
    briefs = [b.model_copy(update={"image": image}) for b in edition.briefs]
    return edition.model_copy(update={"briefs": briefs})


def _in_order(text: str, parts: list[str]) -> bool:
    positions = [text.find(p) for p in parts]
    return -1 not in positions and positions == sorted(positions)


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["text"]] if isinstance(value.get("text"), str) else []
        return own + [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


# -- e-mail ------------------------------------------------------------------------------


def test_email_shows_every_part_in_order_with_the_linked_image() -> None:
    payload = render_email(_with_image(make_edition(3)), base_url=BASE)
    first_story = payload.html.split('class="card"')[1]  # the first story's card
    # "Source 0" is in the card's top line too: the sources list is where it is a link
    assert _in_order(first_story, [*ORDER[:-1], "Source 0</a> (2 min read)"])
    assert "FAQ" in first_story
    img = (
        '<a href="https://news0.example.org/story0001" style="display:block;margin:0 0 12px 0;'
        'text-decoration:none;"><img src="https://cdn.news0.example.org/lead.jpg" '
        'alt="The new model on stage" width="552" height="290"'
    )
    assert img in payload.html
    assert _in_order(payload.text.split("2. Lab 2")[0], ORDER)


def test_email_image_is_never_a_pixel_nor_a_tracker() -> None:
    pixel = BriefImage(url="https://t.example.org/p.gif", width=1, height=1)
    html = render_email(_with_image(make_edition(1), pixel), base_url=BASE).html
    assert "<img" not in html
    html = render_email(_with_image(make_edition(1)), base_url=BASE).html
    assert 'src="https://cdn.news0.example.org/lead.jpg"' in html  # as given: no ?utm=
    unsafe = BriefImage(url="javascript:alert(1)")
    assert "<img" not in render_email(_with_image(make_edition(1), unsafe), base_url=BASE).html


def test_a_brief_without_why_and_watch_shows_no_empty_labels() -> None:
    edition = make_edition(2, extractive=True)
    payload = render_email(edition, base_url=BASE)
    for rendered in (payload.html, payload.text):
        assert "What happened" in rendered
        assert "Why it matters" not in rendered and "What to watch" not in rendered
        assert "3 Key Points" not in rendered and "Key Points" in rendered
        assert "FAQ" not in rendered
    slack = str(render_slack(edition, base_url=BASE)[0].blocks)
    assert "Why it matters" not in slack and "3 Key Points" not in slack
    line = _texts(render_line(edition.model_copy(update={"channel": "line"}), base_url=BASE))
    assert "Why it matters" not in line and "Key Points" in line and "FAQ" not in line


def test_two_points_say_two() -> None:
    edition = make_edition(1)
    points = edition.briefs[0].key_points.model_copy(update={"what_to_watch": None})
    edition.briefs[0] = edition.briefs[0].model_copy(update={"key_points": points})
    html = render_email(edition, base_url=BASE).html
    assert "2 Key Points" in html and "What to watch" not in html


# -- local date and language ---------------------------------------------------------------


def test_a_tokyo_readers_subject_has_their_local_date() -> None:
    # 07:30 on 2 Dec in Tokyo is 22:30 UTC on 1 Dec: the slot's UTC date is the day before
    slot = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
    edition = make_edition(3).model_copy(
        update={"slot": slot, "created_at": slot, "day": date(2026, 12, 2)}
    )
    payload = render_email(edition, base_url=BASE)
    assert payload.subject.startswith("AIToday 2026-12-02")
    assert "2026-12-01" not in payload.subject + payload.html + payload.text
    line = render_line(edition.model_copy(update={"channel": "line"}), base_url=BASE)
    assert "2026-12-02" in line[0]["altText"] and "2026-12-01" not in line[0]["altText"]
    header = render_slack(edition, base_url=BASE)[0].blocks[0]["text"]["text"]
    assert header.endswith("2026-12-02")


def test_a_japanese_readers_subject_is_japanese() -> None:
    payload = render_email(make_edition(5, language="ja"), base_url=BASE)
    assert payload.subject.startswith("AIToday 2026-11-27 今日のAI要点: ")
    assert payload.subject.endswith("（ほか4件）")
    assert "(+4)" not in payload.subject
    english = render_email(make_edition(5), base_url=BASE).subject
    assert english.startswith("AIToday 2026-11-27: Lab 1") and english.endswith(" (+4)")


def test_labels_follow_the_reader_language() -> None:
    html = render_email(make_edition(1, language="ja"), base_url=BASE).html
    assert _in_order(html, ["要点", "3つのポイント", "何が起きたか", "なぜ重要か", "今後の注目点"])


# -- Slack ---------------------------------------------------------------------------------


def test_slack_shows_every_part_in_order_with_an_image_accessory() -> None:
    messages = render_slack(_with_image(make_edition(5)), base_url=BASE)
    for message in messages:
        ids: set[str] = set()
        assert [p for b in message.blocks if (p := _block_problem(b, ids))] == []
    reply = messages[1].blocks  # the first story's brief, in the digest's thread
    story = reply[0]
    assert story["block_id"].startswith("story-1-")
    sections = "\n".join(b["text"]["text"] for b in reply if b["type"] == "section")
    assert _in_order(sections, ORDER[:-1])
    assert story["accessory"] == {
        "type": "image",
        "image_url": IMAGE.url,
        "alt_text": IMAGE.alt,
    }
    context = next(b for b in reply if b["type"] == "context")
    assert "Source 0" in context["elements"][0]["text"]
    assert "(2 min read)" in context["elements"][0]["text"]


def test_slack_long_briefs_stay_within_limits() -> None:
    messages = render_slack(_with_image(make_edition(20, text_size=60)), base_url=BASE)
    for message in messages:
        ids: set[str] = set()
        assert [p for b in message.blocks if (p := _block_problem(b, ids))] == []
        assert len(message.blocks) <= 50


# -- LINE ----------------------------------------------------------------------------------


def test_line_bubble_has_every_part_in_order_and_an_https_hero() -> None:
    edition = _with_image(make_edition(3, channel="line"))
    messages = render_line(edition, base_url=BASE)
    assert [p for m in messages for p in _message_problems(m)] == []
    bubble = messages[0]["contents"]["contents"][0]
    texts = [t for t in _texts(bubble["body"]) if t != "open"]
    joined = "\n".join(texts)
    assert _in_order(joined, ["Key takeaway", *ORDER[:-1]])
    assert "Source 0" in texts[0] and "min read" in texts[0]
    assert bubble["hero"]["url"] == IMAGE.url
    assert bubble["hero"]["aspectRatio"] == "1200:630"
    assert bubble["hero"]["action"]["uri"] == IMAGE.link


def test_line_never_shows_an_http_image() -> None:
    plain_http = IMAGE.model_copy(update={"url": "http://cdn.example.org/a.jpg"})
    messages = render_line(_with_image(make_edition(1, channel="line"), plain_http), base_url=BASE)
    assert "hero" not in messages[0]["contents"]["contents"][0]


def test_line_huge_briefs_with_images_stay_within_limits() -> None:
    edition = _with_image(make_edition(12, channel="line", language="ja", text_size=200))
    messages = render_line(edition, base_url=BASE)
    assert [p for m in messages for p in _message_problems(m)] == []

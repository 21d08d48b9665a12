"""More / less like this from the e-mail and the brief page, on a real web server: the
links of a real rendered and sent e-mail, the one-tap confirm (a GET records nothing),
undo, forged and expired tokens, the preferences page, export and delete."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urlsplit

import httpx
import pytest

from bots.email.adapter import EmailAdapter
from bots.web import create_app
from core import feedback
from core.config import Settings, SMTPSettings
from core.editions.tick import build_editions
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.editions import EditionRepo
from core.store.feedback import FeedbackRepo
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from core.tokens import feedback_token, sign
from tests.editions.test_feedback_tick import chip_story
from tests.fakes.server import serve
from tests.fakes.smtp import FakeSMTP
from tests.workers.cli_env import run_aitoday, store_env
from tests.workers.test_delete_leaves_nothing import every_value

SLOT = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)  # 07:30 in Tokyo
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def web(store: Store) -> Iterator[httpx.Client]:
    with serve(create_app(store.settings, store)) as base, httpx.Client(base_url=base) as client:
        yield client


def reader(store: Store, email: str = "reader@example.com", language: str = "en") -> str:
    sub = new_subscriber(
        email=email,
        timezone="Asia/Tokyo",
        delivery_time="07:30",
        language=language,
        now=SLOT - timedelta(hours=6),
    )
    return SubscriberRepo(store).add(sub, now=SLOT - timedelta(hours=6)).id


def stored_stories(store: Store, count: int = 8) -> None:
    for n in range(count):
        StoryRepo(store).save(chip_story(n))


def local(url: str) -> str:
    parts = urlsplit(unescape(url))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def submit(web: httpx.Client, html: str, element_id: str) -> httpx.Response:
    """Press the button (or the first button inside) ``element_id``: POST its form with
    the form's hidden fields, as a browser would, and follow the redirect."""
    at = html.index(f'id="{element_id}"')
    start = html.rindex("<form", 0, html.index("</form>", at))
    form = html[start : html.index("</form>", start)]
    found = re.search(r'action="([^"]+)"', form)
    assert found, form
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return web.post(unescape(found.group(1)), data=fields, follow_redirects=True)


async def sent_mail(store: Store, settings: Settings, sub_id: str) -> tuple[str, str]:
    """(html, text) of the digest the tick builds for ``sub_id``, sent over SMTP."""
    result = build_editions(store, SLOT)
    [edition] = [e for e in result.editions if e.channel == "email"]
    [batch] = [b for b in result.batches if b.edition_id == edition.id]
    with FakeSMTP().running() as smtp:
        values = {"host": smtp.host, "port": smtp.port, "starttls": False, "timeout": 5.0}
        smtp_settings = SMTPSettings.model_validate({**settings.smtp.model_dump(), **values})
        adapter = EmailAdapter(settings.model_copy(update={"smtp": smtp_settings}))
        payload = adapter.render(EditionRepo(store).load_for_render(edition.id))
        await adapter.send(payload, batch.recipients)
    [message] = smtp.messages_to("reader@example.com")
    html_part, text_part = message.get_body(("html",)), message.get_body(("plain",))
    assert html_part is not None and text_part is not None
    del sub_id
    return html_part.get_content(), text_part.get_content()


def test_the_emails_less_link_confirms_records_and_undoes(store: Store, web: httpx.Client) -> None:
    stored_stories(store)
    sub_id = reader(store)
    html, text = asyncio.run(sent_mail(store, store.settings, sub_id))
    less = [local(h) for h in HREF.findall(html) if "tap=less" in h]
    assert len(less) >= 3  # one per full card
    assert "%%AITODAY" not in html + text
    assert local(less[0]) in {local(u) for u in re.findall(r"https?://\S+", text)}
    story_id = urlsplit(less[0]).path.rsplit("/", 1)[1]

    # What a mail scanner does: open the link. It sees a page; nothing is recorded.
    page = web.get(less[0])
    assert page.status_code == 200
    assert 'id="feedback-confirm"' in page.text and "Yes, fewer like this" in page.text
    assert FeedbackRepo(store).events(sub_id) == []

    done = submit(web, page.text, "feedback-confirm")
    assert done.status_code == 200
    assert "Fewer stories like this" in done.text and 'id="feedback-undo"' in done.text
    [tap] = FeedbackRepo(store).events(sub_id)
    assert (tap.story_id, tap.direction, tap.channel) == (story_id, "less", "web")

    undone = submit(web, done.text, "feedback-undo")
    assert undone.status_code == 200 and 'id="feedback-undone"' in undone.text
    assert FeedbackRepo(store).events(sub_id) == []
    assert FeedbackRepo(store).learned(sub_id) is None


def test_the_brief_page_offers_buttons_only_with_a_valid_token(
    store: Store, web: httpx.Client
) -> None:
    stored_stories(store)
    sub_id = reader(store, language="ja")
    token = feedback_token(store.settings.signing_key(), sub_id)
    plain = web.get("/s/story001")
    assert plain.status_code == 200 and 'id="feedback-more"' not in plain.text
    page = web.get(f"/s/story001?t={token}")
    assert 'id="feedback-more"' in page.text and 'id="feedback-less"' in page.text
    done = submit(web, page.text, "feedback-more")
    assert "このような記事を増やします" in done.text or "More stories" in done.text
    assert [e.direction for e in FeedbackRepo(store).events(sub_id)] == ["more"]


def test_forged_expired_and_other_purpose_tokens_are_refused(
    store: Store, web: httpx.Client
) -> None:
    stored_stories(store)
    sub_id = reader(store)
    key = store.settings.signing_key()
    good = feedback_token(key, sub_id)
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    other_reader = good.replace(good.split(".")[1], "b3RoZXI", 1)  # payload "other", old mac
    expired = sign(key, "feedback", sub_id, ttl_seconds=-10)
    wrong_purpose = sign(key, "preferences", sub_id)
    for token, words in (
        (forged, "not valid"),
        (other_reader, "not valid"),
        (expired, "expired"),
        (wrong_purpose, "not valid"),
    ):
        answer = web.post(f"/feedback/{token}/story001/less")
        assert answer.status_code == 400 and words in answer.text, (token, answer.text)
        assert 'id="feedback-more"' not in web.get(f"/s/story001?t={token}").text
        assert web.post(f"/feedback/{token}/reset").status_code == 400
    assert FeedbackRepo(store).events(sub_id) == []
    assert web.post(f"/feedback/{good}/story001/sideways").status_code == 404
    assert web.post(f"/feedback/{good}/no-such-story/less").status_code == 404
    refused = web.post(f"/feedback/{forged}/story001/less", headers={"Accept-Language": "ja"})
    assert "このリンクは無効です" in refused.text and "AIToday へ" in refused.text


def test_the_preferences_page_shows_what_was_learned_and_resets_it(
    store: Store, web: httpx.Client
) -> None:
    stories = [chip_story(n) for n in range(8)]
    sub_id = reader(store)
    for story in (stories[0], stories[3], stories[6]):
        feedback.record(store, sub_id, story, "less", "email")
    feedback.record(store, sub_id, stories[1], "more", "slack")
    prefs_path = f"/preferences/{sign(store.settings.signing_key(), 'preferences', sub_id)}"
    page = web.get(prefs_path)
    assert page.status_code == 200
    learned_less = re.search(r'id="learned-less">(.*?)</p>', page.text, re.S)
    assert learned_less and "Chips" in learned_less.group(1)
    learned_more = re.search(r'id="learned-more">(.*?)</p>', page.text, re.S)
    assert learned_more and "Research" in learned_more.group(1)
    assert "Research" not in learned_less.group(1)
    assert page.text.count("Less: Chips") == 3
    # remove one tap from the list
    removed = submit(web, page.text, "learned-taps")
    assert removed.status_code == 200 and 'id="learned-undone"' in removed.text
    assert len(FeedbackRepo(store).events(sub_id)) == 3
    reset = submit(web, removed.text, "learned-reset")
    assert reset.status_code == 200 and 'id="learned-reset-done"' in reset.text
    assert 'id="learned-none"' in reset.text
    assert FeedbackRepo(store).events(sub_id) == []


def test_export_has_the_taps_and_delete_leaves_no_trace(store: Store) -> None:
    env = {**store_env(store), "AITODAY_SECRET_KEY": "test-secret-key-not-for-production"}
    sub_id = reader(store)
    other = reader(store, email="stays@example.com")
    for n in range(3):
        feedback.record(store, sub_id, chip_story(n), "less", "line")
    feedback.record(store, other, chip_story(1), "more", "email")
    exported = run_aitoday("users", "export", sub_id, env=env)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)["feedback"]
    assert [e["story_id"] for e in data["events"]] == ["story000", "story001", "story002"]
    assert data["learned"]["w"]["topic:chips"] < 0
    deleted = run_aitoday("users", "delete", sub_id, env=env)
    assert deleted.returncode == 0, deleted.stderr
    assert not [v for v in every_value(store) if sub_id.encode() in v]
    assert len(FeedbackRepo(store).events(other)) == 1  # another reader's taps stay

"""outbox/index.html draws what the real adapters wrote in outbox mode, escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bots.registry import build_adapter
from bots.slack.outbox import mrkdwn
from core.models import (
    Brief,
    BriefSource,
    Channel,
    Edition,
    EditionItem,
    Generator,
    KeyPoints,
    Recipient,
)
from core.store.base import Store
from workers.demo.preview import write_index

NOW = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
HOSTILE = "Chip <script>alert(1)</script> shortage"


def _brief(n: int, headline: str) -> Brief:
    return Brief(
        story_id=f"story{n}",
        headline=headline,
        sources=[
            BriefSource(name="The Circuit Daily", url=f"https://circuit.example/{n}", published=NOW)
        ],
        dek="Kestrel's K5 triples performance per watt on inference.",
        key_takeaway="Inference hardware is where the money goes now.",
        key_points=KeyPoints(what_happened="Kestrel Systems unveiled the K5 accelerator."),
        generator=Generator(kind="extractive", prompt_version="test"),
        created_at=NOW,
    )


def _edition(channel: Channel) -> Edition:
    briefs = [_brief(1, "Kestrel unveils the K5 inference chip"), _brief(2, HOSTILE)]
    return Edition(
        id=f"ed-{channel}",
        channel=channel,
        language="en",
        slot=NOW,
        created_at=NOW,
        items=[EditionItem(story_id=b.story_id, brief_key=f"k{b.story_id}") for b in briefs],
        briefs=briefs,
    )


async def _deliver(store: Store, channel: Channel, address: str) -> None:
    adapter = build_adapter(channel, store)
    payload = adapter.render(_edition(channel))
    outcomes = await adapter.send(
        payload, [Recipient(subscriber_id=f"s-{channel}", address=address)]
    )
    assert [o.kind for o in outcomes] == ["sent"]


async def test_index_shows_email_slack_and_line_messages(store: Store) -> None:
    await _deliver(store, "email", "ada@example.com")
    await _deliver(store, "slack", "T0AITODAY/C0DEMONEWS")
    await _deliver(store, "line", "U4af4980629e1d2a1b7d1f5c2e8a0d3b1")
    outbox: Path = store.settings.digest.outbox_dir
    page = write_index(outbox).read_text("utf-8")
    assert page.count('<section class="msg') == 3
    assert "E-mail to" in page and "Slack to" in page and "LINE to" in page
    assert "Kestrel unveils the K5 inference chip" in page
    assert "<script>" not in page  # the hostile headline is text, also inside the iframe
    assert 'class="bubble"' in page and 'class="hdr"' in page


def test_empty_outbox_still_gives_a_page(tmp_path: Path) -> None:
    assert "outbox is empty" in write_index(tmp_path).read_text("utf-8")


def test_mrkdwn_links_bold_and_escapes() -> None:
    html = mrkdwn("*Top* <https://a.example/?x=1&amp;y=2|K5 &lt;chip&gt;> _now_")
    assert html == (
        '<b>Top</b> <a href="https://a.example/?x=1&amp;y=2">K5 &lt;chip&gt;</a> <i>now</i>'
    )


async def test_frames_buttons_and_alt_text_are_drawn_as_the_recipient_sees_them(
    store: Store,
) -> None:
    await _deliver(store, "email", "ada@example.com")
    await _deliver(store, "slack", "T0AITODAY/C0DEMONEWS")
    await _deliver(store, "line", "U4af4980629e1d2a1b7d1f5c2e8a0d3b1")
    page = write_index(store.settings.digest.outbox_dir).read_text("utf-8")
    # The e-mail frame grows to the whole mail instead of a fixed 720 px window,
    # and the mail still cannot run scripts.
    assert "height:720px" not in page
    assert 'sandbox="allow-same-origin"' in page and "allow-scripts" not in page
    assert "scrollHeight" in page
    # Slack's primary button is drawn green (.btn.primary), not as a grey outline.
    assert 'class="btn primary"' in page and ".slack .btn.primary{background:#007a5a" in page
    # The LINE altText says what it is.
    assert "<b>altText (shown in notifications and the chat list)</b>" in page


async def test_a_slack_digest_is_drawn_with_its_thread_below_it(store: Store) -> None:
    await _deliver(store, "slack", "T0AITODAY/C0DEMONEWS")
    page = write_index(store.settings.digest.outbox_dir).read_text("utf-8")
    slack = page.split('<div class="slack">')[1].split("</section>")[0]
    assert slack.count('<div class="parent">') == 1 and slack.count('<div class="reply">') == 2
    assert slack.index("Kestrel unveils") < slack.index('<div class="reply">')  # headline first
    assert '.slack .parent+.reply::before{content:"Thread"' in page
    assert "Key takeaway" in slack.split('<div class="reply">')[1]  # the brief, in the thread

"""``aitoday preview`` and ``aitoday send-test`` in a real process, against the real
fakes of SMTP, Slack and LINE; the real digest still goes out afterwards."""

from __future__ import annotations

import subprocess
from datetime import datetime
from email import policy
from email.parser import BytesParser
from zoneinfo import ZoneInfo

from core.editions.tick import build_editions
from core.models import Subscriber
from core.preferences import new_subscriber
from core.store.base import Store
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from tests.briefs.builders import LAB_ARTICLES, save, story_of
from tests.fakes.line_api import FakeLine, user_id
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP
from tests.workers.cli_env import run_aitoday, store_env
from workers.cli.send_test import TEST_LINE

SLACK = "T0001/C0000042"


def run(store: Store, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {
        **store_env(store),
        "AITODAY_SECRET_KEY": "test-secret-key-not-for-production",
        "AITODAY_DIGEST__OUTBOX_DIR": str(store.settings.digest.outbox_dir),
        **extra_env,
    }
    return run_aitoday(*args, env=env)


def _reader(store: Store) -> Subscriber:
    save(store, LAB_ARTICLES)
    StoryRepo(store).save(story_of(LAB_ARTICLES))
    sub = new_subscriber(
        email="yuki@example.org",
        slack=SLACK,
        line=user_id(7),
        language="ja",
        timezone="Asia/Tokyo",
        subscriber_id="yuki",
    )
    SubscriberRepo(store).add(sub)
    return sub


def _still_due(store: Store, sub: Subscriber) -> list[str]:
    """The channels the real digest would go to at their next slot."""
    due = SubscriberRepo(store).next_due(sub.id)
    assert due is not None
    plan = build_editions(store, due, dry_run=True).plan
    return sorted(row.channel for row in plan if row.subscriber_id == sub.id and row.note == "due")


def test_preview_shows_every_channel_in_their_language_and_date(store: Store) -> None:
    sub = _reader(store)
    outbox = store.settings.digest.outbox_dir
    tokyo_date = datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()

    shown = run(store, "preview", "yuki@example.org")
    line_only = run(store, "preview", sub.id, "--channel", "line")

    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "== email to yuki@example.org (active) ==" in out
    assert f"Subject: AIToday {tokyo_date} 今日のAI要点: Lab releases a smaller open model" in out
    assert f"== slack to {SLACK} (active) ==" in out and "== line to" in out
    assert "altText: AIToday · 今日のAI要点 · " + tokyo_date in out
    assert "要点" in out  # the Japanese labels around the quoted English brief
    slack = out.split("== slack to")[1].split("== line to")[0]
    assert "*" not in slack  # mrkdwn bold is drawn as plain words in a terminal
    mail = outbox / "maildir" / "new" / f"preview.{sub.id}"
    message = BytesParser(policy=policy.default).parsebytes(mail.read_bytes())
    assert message["To"] == "yuki@example.org"
    body = message.get_body(preferencelist=("html",))
    assert body is not None and "Lab releases a smaller open model" in body.get_content()
    index = (outbox / "index.html").read_text("utf-8")
    assert "E-mail to yuki@example.org" in index and "LINE to" in index
    assert line_only.returncode == 0 and "== email" not in line_only.stdout
    assert _still_due(store, sub) == ["email", "line", "slack"]
    assert SubscriberRepo(store).sent_story_ids(sub.id) == set()


def test_preview_of_nobody_or_a_missing_channel_is_one_line(store: Store) -> None:
    _reader(store)
    missing = run(store, "preview", "nobody")
    sub = new_subscriber(email="only@example.org", subscriber_id="only")
    SubscriberRepo(store).add(sub)
    no_line = run(store, "send-test", "only", "--channel", "line")

    assert missing.returncode == 1 and "aitoday: no subscriber 'nobody'" in missing.stderr
    assert no_line.returncode == 1
    assert "aitoday: only has no line channel (has: email)" in no_line.stderr


def test_send_test_goes_through_each_real_adapter_marked_as_a_test(store: Store) -> None:
    sub = _reader(store)
    slack = FakeSlack(tokens={"xoxb-test": "T0001"})
    line = FakeLine()
    with FakeSMTP().running() as smtp, slack.running() as slack_base, line.running() as host:
        result = run(
            store,
            "send-test",
            sub.id,
            AITODAY_SMTP__HOST=smtp.host,
            AITODAY_SMTP__PORT=str(smtp.port),
            AITODAY_SMTP__STARTTLS="false",
            AITODAY_SLACK__API_BASE=slack_base,
            AITODAY_SLACK__BOT_TOKEN="xoxb-test",
            AITODAY_LINE__API_BASE=host,
            AITODAY_LINE__CHANNEL_ACCESS_TOKEN="line-test-token",
        )
        mails = smtp.messages_to("yuki@example.org")
        posted = slack.parents()  # the digest message (its brief is in the thread)
        pushed = line.delivered_to(user_id(7))
        slack_violations, line_violations = slack.violations, line.violations

    assert result.returncode == 0, result.stderr
    assert "sent test to email:yuki@example.org (1 stories) via SMTP 127.0.0.1:" in result.stdout
    assert "via the Slack API" in result.stdout and "via the LINE Messaging API" in result.stdout
    assert f"sent test to slack:{SLACK}" in result.stdout and "sent test to line:" in result.stdout
    assert len(mails) == 1 and str(mails[0]["Subject"]).startswith("[Test] AIToday ")
    text = mails[0].get_body(preferencelist=("plain",))
    assert text is not None and text.get_content().startswith(TEST_LINE)
    assert len(posted) == 1 and str(posted[0].args["text"]).startswith("[Test] ")
    assert TEST_LINE in str(posted[0].args["blocks"])
    assert len(pushed) == 1 and pushed[0][0] == {"type": "text", "text": TEST_LINE}
    assert pushed[0][1]["altText"].startswith("[Test] AIToday")
    assert not slack_violations and not line_violations
    assert not (store.settings.digest.outbox_dir / "maildir").exists()  # nothing in outbox mode
    # no marker, no claim, no history: the real digest still goes to every channel
    assert _still_due(store, sub) == ["email", "line", "slack"]
    assert SubscriberRepo(store).sent_story_ids(sub.id) == set()


def test_send_test_without_a_platform_says_it_went_to_the_outbox(store: Store) -> None:
    sub = _reader(store)

    result = run(store, "send-test", sub.id, "--channel", "slack")

    assert result.returncode == 0, result.stderr
    assert "(slack is not set up)" in result.stdout
    assert list((store.settings.digest.outbox_dir / "slack").glob("test-*.yuki.json"))

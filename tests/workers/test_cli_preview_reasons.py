"""``aitoday preview`` in a real process shows each story's reason (why this story) in
the reader's language, in the e-mail's text and in the LINE bubbles it prints."""

from __future__ import annotations

from core.preferences import new_subscriber
from core.store.base import Store
from core.store.stories import StoryRepo
from core.store.subscribers import SubscriberRepo
from tests.briefs.builders import LAB_ARTICLES, save, story_of
from tests.fakes.line_api import user_id
from tests.workers.cli_env import run_aitoday, store_env


def test_preview_prints_why_this_story_on_every_channel_it_lists(store: Store) -> None:
    save(store, LAB_ARTICLES)  # one story two sources told
    StoryRepo(store).save(story_of(LAB_ARTICLES))
    sub = new_subscriber(
        email="yuki@example.org", line=user_id(7), language="ja", subscriber_id="yuki"
    )
    SubscriberRepo(store).add(sub)
    env = {
        **store_env(store),
        "AITODAY_SECRET_KEY": "test-secret-key-not-for-production",
        "AITODAY_DIGEST__OUTBOX_DIR": str(store.settings.digest.outbox_dir),
    }

    shown = run_aitoday("preview", "yuki", env=env)

    assert shown.returncode == 0, shown.stderr
    mail, line = shown.stdout.split("== line to")
    assert "2件の情報源が報道" in mail
    assert "2件の情報源が報道" in line

"""Each digest mail's footer links the reader's own feed, sealed at send time with the
reader's current feed generation (a renewed address is the one mailed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from core import tokens
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from tests.fakes.smtp import FakeSMTP
from tests.workers.run import drain_here
from tests.workers.seed import address, batches_for, seed_edition, seed_subscribers
from workers.fanout import enqueue_batches

FAST = {"lease_seconds": 2, "backoff": [0.0, 0.0]}


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    with FakeSMTP().running() as server:
        yield server


@pytest.fixture
def mail_store(store: Store, smtp: FakeSMTP) -> Store:
    smtp_settings = store.settings.smtp.model_copy(
        update={"host": smtp.host, "port": smtp.port, "starttls": False}
    )
    settings = store.settings.model_copy(update={"smtp": smtp_settings})
    return Store(redis=store.redis, keys=store.keys, settings=settings)


def parts(mail: EmailMessage) -> tuple[str, str]:
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def feed_tokens(body: str) -> set[str]:
    return set(re.findall(r"/feed/([A-Za-z0-9_-]+)\.xml", body))


def test_the_footer_links_the_readers_current_feed(mail_store: Store, smtp: FakeSMTP) -> None:
    edition = seed_edition(mail_store, "email")
    subs = seed_subscribers(mail_store, "email", 2)
    SubscriberRepo(mail_store).new_feed_address(subs[1].id)  # after the batch was planned
    enqueue_batches(mail_store, batches_for(mail_store, edition, subs), **FAST)
    drain_here(mail_store)
    key = mail_store.settings.signing_key()
    for n, generation in ((0, 0), (1, 1)):
        [mail] = smtp.messages_to(address("email", n))
        text, html = parts(mail)
        assert "Your feed: " in text
        [token] = feed_tokens(text)
        assert feed_tokens(html) == {token}
        assert tokens.open_feed_token(key, token) == (subs[n].id, generation)
        assert subs[n].id not in token

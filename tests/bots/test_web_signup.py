"""E-mail sign-up through the real web app on a real port: double opt-in, one-click
unsubscribe, preferences by signed link, abuse limits, and answers that never tell whether
an address was already subscribed."""

from __future__ import annotations

import mailbox
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from markupsafe import escape

from bots.web import create_app, server_options
from core import tokens
from core.config import Settings
from core.i18n import label
from core.models import ChannelStatus
from core.preferences import find_channel, new_subscriber
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from tests.channels import channel_of
from tests.fakes.server import free_port, serve
from tests.waiting import eventually


@pytest.fixture
def web(store: Store) -> Iterator[httpx.Client]:
    with serve(create_app(store.settings, store)) as base, httpx.Client(base_url=base) as client:
        yield client


def maildir(store: Store) -> Path:
    return store.settings.digest.outbox_dir / "maildir"


def wait_for_mails(store: Store, count: int) -> list[Message]:
    """Mails are sent after the answer (a background task): poll the outbox briefly."""
    eventually(lambda: len(mails_in(store)) >= count)
    return mails_in(store)


def mails_in(store: Store) -> list[Message]:
    path = maildir(store)
    # The Maildir's folders appear one by one while the first mail is written.
    ready = all((path / part).is_dir() for part in ("tmp", "new", "cur"))
    return list(mailbox.Maildir(path, create=False)) if ready else []


def link_in(mail: Message, purpose: str) -> str:
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes), payload
    body = payload.decode()
    match = re.search(rf"https?://\S+/{purpose}/\S+", body)
    assert match, body
    return match.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_double_opt_in_confirm_preferences_unsubscribe(web: httpx.Client, store: Store) -> None:
    answer = web.post(
        "/subscribe",
        data={"email": "Reader@Example.COM", "timezone": "Asia/Tokyo", "language": "ja"},
    )
    assert answer.status_code == 200
    assert "Check your inbox" in answer.text
    repo = SubscriberRepo(store)
    sub = repo.by_address("email", "Reader@example.com")
    assert sub is not None
    assert (sub.timezone, sub.language) == ("Asia/Tokyo", "ja")
    sub_id = sub.id
    email = find_channel(sub, "email")
    assert email is not None and email.status is ChannelStatus.PENDING

    [mail] = wait_for_mails(store, 1)
    assert mail["To"] == "Reader@example.com"
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == label("mail_confirm_subject", "ja")  # the language the reader chose
    confirmed = web.get(path_of(link_in(mail, "confirm")))
    assert confirmed.status_code == 200
    assert escape(label("subscribed_title", "ja")) in confirmed.text
    sub = repo.get(sub_id)
    assert sub is not None
    email = find_channel(sub, "email")
    assert email is not None and email.status is ChannelStatus.ACTIVE

    prefs_path = re.search(r'href="(/preferences/[^"]+)"', confirmed.text)
    assert prefs_path
    prefs = web.get(prefs_path.group(1))
    assert prefs.status_code == 200 and 'value="Asia/Tokyo"' in prefs.text
    saved = web.post(
        prefs_path.group(1),
        data={
            "time": "06:45",
            "timezone": "Europe/Paris",
            "language": "fr",
            "frequency": "weekdays",
            "items": "7",
            "exclude": "crypto, NFT",
            "email_active": "on",
        },
    )
    assert saved.status_code == 200 and escape(label("prefs_saved", "fr")) in saved.text
    sub = repo.get(sub_id)
    assert sub is not None
    assert (sub.delivery_time, sub.timezone, sub.language) == ("06:45", "Europe/Paris", "fr")
    assert sub.frequency.value == "weekdays" and sub.max_items == 7
    assert sub.prefs.exclude_keywords == ["crypto", "NFT"]

    token = tokens.sign(store.settings.signing_key(), "unsubscribe", f"{sub.id}:email")
    page = web.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and escape(label("unsubscribe_question", "fr")) in page.text
    assert channel_of(repo.get(sub.id), "email").status is ChannelStatus.ACTIVE
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click"; effective at once.
    done = web.post(f"/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click")
    assert done.status_code == 200 and escape(label("unsubscribed_title", "fr")) in done.text
    assert channel_of(repo.get(sub.id), "email").status is ChannelStatus.UNSUBSCRIBED


def test_answer_is_the_same_for_a_known_address(web: httpx.Client, store: Store) -> None:
    repo = SubscriberRepo(store)
    repo.add(new_subscriber(email="known@example.com"))
    known = web.post("/subscribe", data={"email": "known@example.com"})
    new = web.post("/subscribe", data={"email": "new@example.com"})
    assert known.status_code == new.status_code == 200

    def scrub(text: str) -> str:
        return text.replace("known@example.com", "X").replace("new@example.com", "X")

    assert scrub(known.text) == scrub(new.text)
    mails = {m["To"]: m for m in wait_for_mails(store, 2)}
    # Only the mailbox owner learns the difference: a preferences link, not a confirmation.
    assert "already subscribed" in mails["known@example.com"]["Subject"]
    link_in(mails["known@example.com"], "preferences")
    link_in(mails["new@example.com"], "confirm")


def test_bad_address_is_refused_with_a_clear_message(web: httpx.Client, store: Store) -> None:
    answer = web.post("/subscribe", data={"email": "not an address"})
    assert answer.status_code == 400
    assert "is not an e-mail address" in answer.text
    assert 'value="not an address"' in answer.text  # nothing typed is lost


def test_abuse_limits_per_address_and_per_ip(web: httpx.Client, store: Store) -> None:
    for _ in range(5):
        assert web.post("/subscribe", data={"email": "target@example.com"}).status_code == 200
    # Three mails a day at most to one address, whatever the page said.
    assert len(wait_for_mails(store, 3)) == 3
    time.sleep(0.2)
    assert len(wait_for_mails(store, 3)) == 3
    statuses = [
        web.post("/subscribe", data={"email": f"u{n}@example.com"}).status_code for n in range(6)
    ]
    assert statuses[-1] == 429  # ten sign-ups an hour from one IP
    assert "Too many" in web.post("/subscribe", data={"email": "x@example.com"}).text


def test_bad_expired_and_wrong_purpose_links(web: httpx.Client, store: Store) -> None:
    key = store.settings.signing_key()
    expired = tokens.sign(key, "confirm", "whoever", ttl_seconds=-10)
    assert "expired" in web.get(f"/confirm/{expired}").text
    assert web.get("/confirm/garbage").status_code == 400
    wrong = tokens.sign(key, "preferences", "whoever")
    assert web.get(f"/confirm/{wrong}").status_code == 400
    assert web.post(f"/unsubscribe/{wrong}").status_code == 400
    gone = tokens.sign(key, "preferences", "no-such-subscriber")
    assert "no longer exists" in web.get(f"/preferences/{gone}").text


def test_preferences_errors_keep_the_old_values(web: httpx.Client, store: Store) -> None:
    repo = SubscriberRepo(store)
    sub = repo.add(new_subscriber(email="p@example.com", timezone="Asia/Tokyo"))
    token = tokens.sign(store.settings.signing_key(), "preferences", sub.id)
    answer = web.post(f"/preferences/{token}", data={"time": "25:99", "timezone": "Mars/Base"})
    assert answer.status_code == 400
    assert "not a time of day" in answer.text and "unknown time zone" in answer.text
    kept = repo.get(sub.id)
    assert kept is not None and (kept.delivery_time, kept.timezone) == ("07:30", "Asia/Tokyo")


def test_health_metrics_and_friendly_404(web: httpx.Client) -> None:
    assert web.get("/healthz").json() == {"ok": True}
    assert "aitoday_commands_total" in web.get("/metrics").text
    missing = web.get("/no/such/page")
    assert missing.status_code == 404 and "Page not found" in missing.text
    assert web.get("/").status_code == 200


def test_confirmation_goes_through_smtp_when_configured(store: Store) -> None:
    from core.config import SMTPSettings
    from tests.fakes.smtp import FakeSMTP

    with FakeSMTP().running() as smtp:
        mail = SMTPSettings(host=smtp.host, port=smtp.port, starttls=False, timeout=5)
        settings = store.settings.model_copy(update={"smtp": mail})
        app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
        app = create_app(settings, app_store)
        with serve(app) as base, httpx.Client(base_url=base) as client:
            assert client.post("/subscribe", data={"email": "s@example.com"}).status_code == 200
            eventually(lambda: smtp.messages)
        [received] = smtp.messages
        assert received.rcpt_tos == ["s@example.com"]
        assert "/confirm/" in received.message.get_content()


def test_metrics_show_queue_depth_per_channel(web: httpx.Client, store: Store) -> None:
    from core.models import DeliveryBatch, Recipient
    from workers.fanout import enqueue_batches

    batches = [
        DeliveryBatch(
            edition_id=f"ed{n}",
            channel="email",
            batch_no=0,
            recipients=[Recipient(subscriber_id=f"s{n}", address=f"s{n}@example.com")],
        )
        for n in range(3)
    ]
    assert enqueue_batches(store, batches) == 3
    text = web.get("/metrics").text
    prefix = store.keys.prefix
    assert "# TYPE aitoday_queue_jobs gauge" in text
    assert f'aitoday_queue_jobs{{queue="{prefix}-email"}} 3.0' in text
    assert f'aitoday_queue_jobs{{queue="{prefix}-line"}} 0.0' in text
    assert f'aitoday_queue_failed_jobs{{queue="{prefix}-slack"}} 0.0' in text


def test_an_oversized_preferences_form_changes_nothing(web: httpx.Client, store: Store) -> None:
    repo = SubscriberRepo(store)
    sub = new_subscriber(email="big@example.com", timezone="Asia/Tokyo")
    sub.prefs.topics_followed = ["chips"]
    repo.add(sub)
    before = repo.get(sub.id)
    token = tokens.sign(store.settings.signing_key(), "preferences", sub.id)
    answer = web.post(
        f"/preferences/{token}", data={"time": "06:00", "email_active": "on", "x": "a" * 20_000}
    )
    assert answer.status_code == 413 and "too large" in answer.text
    assert "Saved" not in answer.text
    assert repo.get(sub.id) == before  # still subscribed, same topics, same time


def test_an_oversized_sign_up_is_refused_not_a_crash(web: httpx.Client, store: Store) -> None:
    answer = web.post("/subscribe", data={"email": "huge@example.com", "x": "a" * 20_000})
    assert answer.status_code == 413 and "too large" in answer.text
    assert "Traceback" not in answer.text
    assert SubscriberRepo(store).by_address("email", "huge@example.com") is None


def test_an_old_confirmation_link_never_undoes_a_later_unsubscribe(
    web: httpx.Client, store: Store
) -> None:
    repo = SubscriberRepo(store)
    web.post("/subscribe", data={"email": "late@example.com"})
    [mail] = wait_for_mails(store, 1)
    old_link = path_of(link_in(mail, "confirm"))
    assert web.get(old_link).status_code == 200
    sub = repo.by_address("email", "late@example.com")
    assert sub is not None
    token = tokens.sign(store.settings.signing_key(), "unsubscribe", f"{sub.id}:email")
    assert web.post(f"/unsubscribe/{token}").status_code == 200

    again = web.get(old_link)
    assert again.status_code == 400 and "already used" in again.text
    assert channel_of(repo.get(sub.id), "email").status is ChannelStatus.UNSUBSCRIBED

    # Signing up again mails a new link, and that one does confirm.
    web.post("/subscribe", data={"email": "late@example.com"})
    mails = wait_for_mails(store, 2)
    new_link = next(
        path_of(link_in(m, "confirm")) for m in mails if path_of(link_in(m, "confirm")) != old_link
    )
    assert web.get(new_link).status_code == 200
    assert channel_of(repo.get(sub.id), "email").status is ChannelStatus.ACTIVE
    assert web.get(old_link).status_code == 200  # active already: the old link changes nothing


@contextmanager
def serve_as_aitoday_web(app: Any, settings: Settings) -> Iterator[str]:
    """The app under uvicorn with the forwarded-header options `aitoday web` uses."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        **server_options(settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def spoofed_sign_ups(store: Store, settings: Settings) -> list[int]:
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    app = create_app(settings, app_store)
    with serve_as_aitoday_web(app, settings) as base, httpx.Client(base_url=base) as client:
        return [
            client.post(
                "/subscribe",
                data={"email": f"f{n}@example.com"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(12)
        ]


def test_forwarded_for_is_believed_only_from_configured_proxies(store: Store) -> None:
    # No proxy configured: a client next to the server cannot pose as twelve networks.
    assert spoofed_sign_ups(store, store.settings)[-1] == 429
    for key in store.redis.scan_iter(match=store.keys.pattern()):
        store.redis.delete(key)  # a fresh sign-up budget (only this test's keys)
    web = store.settings.web.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    behind_proxy = store.settings.model_copy(update={"web": web})
    assert set(spoofed_sign_ups(store, behind_proxy)) == {200}  # the proxy's word counts

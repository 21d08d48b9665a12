"""Bounce and complaint webhooks on a real port: SES through SNS (signed, certificate over
real TLS), Mailgun (HMAC), SendGrid (ECDSA), Postmark (basic auth). Forged, unsigned,
stale and oversized requests are refused and change nothing; retries count once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

from bots.web import create_app
from core.config import BounceSettings
from core.metrics import snapshot
from core.models import ChannelStatus
from core.preferences import find_channel, new_subscriber
from core.store.base import Store
from core.store.bounces import BounceRepo
from core.store.subscribers import SubscriberRepo
from tests.channels import channel_of
from tests.fakes.server import serve
from tests.fakes.sns import TOPIC, FakeSNS
from tests.fakes.tls import LocalCA

MAILGUN_KEY = "mailgun-signing-key-for-tests"
POSTMARK_PASSWORD = "postmark-webhook-password-for-tests"
SENDGRID_KEY = ec.generate_private_key(ec.SECP256R1())
SENDGRID_PUBLIC = base64.b64encode(
    SENDGRID_KEY.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()


@pytest.fixture
def sns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSNS]:
    ca = LocalCA(tmp_path / "ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))  # how an operator trusts a private CA
    fake = FakeSNS(ca)
    with fake.running():
        yield fake


@pytest.fixture
def web(store: Store, sns: FakeSNS) -> Iterator[tuple[httpx.Client, Store]]:
    bounces = BounceSettings(
        sns_topic_arns=[TOPIC],
        sns_cert_hosts=[sns.netloc],
        mailgun_signing_key=SecretStr(MAILGUN_KEY),
        sendgrid_public_key=SENDGRID_PUBLIC,
        postmark_password=SecretStr(POSTMARK_PASSWORD),
    )
    settings = store.settings.model_copy(update={"bounces": bounces})
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    with serve(create_app(settings, app_store)) as base, httpx.Client(base_url=base) as client:
        yield client, app_store


def reader(store: Store, address: str) -> str:
    sub = new_subscriber(email=address)
    SubscriberRepo(store).add(sub)
    return sub.id


def status(store: Store, subscriber_id: str) -> ChannelStatus:
    sub = SubscriberRepo(store).require(subscriber_id)
    channel = find_channel(sub, "email")
    assert channel is not None
    return channel.status


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# -- Amazon SES through SNS -------------------------------------------------------------


def ses_bounce(
    address: str, bounce_type: str = "Permanent", status: str = "5.1.1"
) -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bouncedRecipients": [
                {"emailAddress": address, "status": status, "diagnosticCode": "smtp; 550 no"}
            ],
            "timestamp": now_iso(),
        },
        "mail": {"messageId": "0100018c-ses"},
    }


def ses_complaint(address: str) -> dict[str, Any]:
    return {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
            "timestamp": now_iso(),
        },
    }


def post_json(client: httpx.Client, path: str, payload: Any, **kw: Any) -> httpx.Response:
    return client.post(path, content=json.dumps(payload).encode(), **kw)


@pytest.mark.parametrize("version", ["1", "2"])
def test_ses_bounce_and_complaint_mark_the_address(
    web: tuple[httpx.Client, Store], sns: FakeSNS, version: str
) -> None:
    client, store = web
    gone, angry = reader(store, "gone@example.com"), reader(store, "angry@example.com")
    reply = post_json(
        client, "/bounces/ses", sns.envelope(ses_bounce("Gone@Example.com"), version=version)
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["marked"] == 1
    assert (
        post_json(
            client,
            "/bounces/ses",
            sns.envelope(ses_complaint("angry@example.com"), version=version),
        ).json()["marked"]
        == 1
    )
    assert status(store, gone) is ChannelStatus.BOUNCED
    assert status(store, angry) is ChannelStatus.COMPLAINED
    assert BounceRepo(store).addresses() == {
        "bounced": {"webhook": 1},
        "complained": {"webhook": 1},
    }


def test_ses_transient_bounce_is_counted_and_changes_nothing(
    web: tuple[httpx.Client, Store], sns: FakeSNS
) -> None:
    client, store = web
    full = reader(store, "full@example.com")
    envelope = sns.envelope(ses_bounce("full@example.com", "Transient", "4.2.2"))
    assert post_json(client, "/bounces/ses", envelope).json()["transient"] == 1
    assert status(store, full) is ChannelStatus.ACTIVE
    assert BounceRepo(store).received() == {"webhook:ses": {"transient": 1}}


def test_ses_retry_counts_once(web: tuple[httpx.Client, Store], sns: FakeSNS) -> None:
    client, store = web
    reader(store, "gone@example.com")
    envelope = sns.envelope(ses_bounce("gone@example.com"))
    first = post_json(client, "/bounces/ses", envelope).json()
    again = post_json(client, "/bounces/ses", envelope).json()
    assert (first["marked"], again["duplicates"], again["marked"]) == (1, 1, 0)
    assert BounceRepo(store).received() == {"webhook:ses": {"bounced": 1}}
    reports = snapshot(store)["aitoday_bounce_reports_total"]
    assert reports == {'kind="bounced",provider="ses",source="webhook"': 1.0}


def test_ses_subscription_confirmation_visits_the_subscribe_url(
    web: tuple[httpx.Client, Store], sns: FakeSNS
) -> None:
    client, _ = web
    envelope = sns.envelope("You have chosen to subscribe", kind="SubscriptionConfirmation")
    reply = post_json(client, "/bounces/ses", envelope)
    assert reply.status_code == 200, reply.text
    assert any(p.startswith("/?Action=ConfirmSubscription") for p in sns.requests)


def forged_envelopes(sns: FakeSNS, address: str) -> dict[str, dict[str, Any]]:
    tampered = sns.envelope(ses_bounce("someone@example.com"))
    tampered["Message"] = json.dumps(ses_bounce(address))  # signature no longer holds
    other_key = FakeSNS(sns.ca)
    other_key.port = sns.port
    stale = sns.envelope(ses_bounce(address), timestamp=datetime.now(UTC) - timedelta(days=2))
    return {
        "tampered": tampered,
        "other signer": other_key.envelope(ses_bounce(address)),
        "unsigned": {
            k: v for k, v in sns.envelope(ses_bounce(address)).items() if k != "Signature"
        },
        "foreign topic": sns.envelope(ses_bounce(address), topic="arn:aws:sns:us-east-1:999:evil"),
        "http cert": sns.envelope(
            ses_bounce(address), cert_url=sns.cert_url.replace("https", "http")
        ),
        "untrusted host": sns.envelope(
            ses_bounce(address), cert_url="https://sns.eu-west-1.amazonaws.com.evil.example/c.pem"
        ),
        "stale": stale,
    }


def test_ses_forgeries_are_refused(web: tuple[httpx.Client, Store], sns: FakeSNS) -> None:
    client, store = web
    victim = reader(store, "victim@example.com")
    for name, envelope in forged_envelopes(sns, "victim@example.com").items():
        reply = post_json(client, "/bounces/ses", envelope)
        assert reply.status_code == 403, (name, reply.status_code, reply.text)
    assert status(store, victim) is ChannelStatus.ACTIVE
    assert BounceRepo(store).received() == {}
    rejected = snapshot(store)["aitoday_webhooks_rejected_total"]
    assert rejected['reason="signature",surface="bounces-ses"'] == 7
    # only the one certificate URL was ever fetched: no request went anywhere else
    assert set(sns.requests) <= {"/SimpleNotificationService-test.pem"}


def test_ses_garbage_is_a_bad_request(web: tuple[httpx.Client, Store]) -> None:
    client, _ = web
    assert client.post("/bounces/ses", content=b"{not json").status_code == 400
    assert post_json(client, "/bounces/ses", {"Type": "Whatever"}).status_code == 400


# -- Mailgun ---------------------------------------------------------------------------


def mailgun_body(
    address: str,
    event: str = "failed",
    severity: str = "permanent",
    *,
    key: str = MAILGUN_KEY,
    timestamp: float | None = None,
) -> dict[str, Any]:
    stamp = str(int(timestamp or time.time()))
    token = uuid.uuid4().hex
    signature = hmac.new(key.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": stamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "severity": severity,
            "recipient": address,
            "id": uuid.uuid4().hex,
            "timestamp": time.time(),
            "delivery-status": {"code": 550, "message": "5.1.1 mailbox does not exist"},
        },
    }


def test_mailgun_events(web: tuple[httpx.Client, Store]) -> None:
    client, store = web
    gone, angry, slow = (reader(store, f"{n}@example.com") for n in ("gone", "angry", "slow"))
    assert (
        post_json(client, "/bounces/mailgun", mailgun_body("gone@example.com")).json()["marked"]
        == 1
    )
    post_json(client, "/bounces/mailgun", mailgun_body("angry@example.com", "complained"))
    post_json(client, "/bounces/mailgun", mailgun_body("slow@example.com", severity="temporary"))
    assert [status(store, s) for s in (gone, angry, slow)] == [
        ChannelStatus.BOUNCED,
        ChannelStatus.COMPLAINED,
        ChannelStatus.ACTIVE,
    ]
    reason = channel_of(SubscriberRepo(store).require(gone), "email").status_reason
    assert reason is not None and reason.startswith("webhook mailgun bounced 5.1.1")


def test_mailgun_forgeries_are_refused(web: tuple[httpx.Client, Store]) -> None:
    client, store = web
    victim = reader(store, "victim@example.com")
    wrong_key = mailgun_body("victim@example.com", key="not-the-key")
    stale = mailgun_body("victim@example.com", timestamp=time.time() - 3 * 86_400)
    unsigned = mailgun_body("victim@example.com")
    del unsigned["signature"]
    for body in (wrong_key, stale, unsigned):
        assert post_json(client, "/bounces/mailgun", body).status_code == 403
    assert status(store, victim) is ChannelStatus.ACTIVE


# -- SendGrid --------------------------------------------------------------------------


def sendgrid_post(
    client: httpx.Client,
    events: list[dict[str, Any]],
    *,
    key: Any = SENDGRID_KEY,
    timestamp: str | None = None,
    tamper: bool = False,
) -> httpx.Response:
    body = json.dumps(events).encode()
    stamp = timestamp or str(int(time.time()))
    signature = key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    headers = {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        "Content-Type": "application/json",
    }
    if tamper:
        body = body.replace(b"delivered", b"spamreport")
    return client.post("/bounces/sendgrid", content=body, headers=headers)


def sg(event: str, address: str, **extra: Any) -> dict[str, Any]:
    return {"event": event, "email": address, "sg_event_id": uuid.uuid4().hex,
            "timestamp": int(time.time()), **extra}  # fmt: skip


def test_sendgrid_batch(web: tuple[httpx.Client, Store]) -> None:
    client, store = web
    ids = {n: reader(store, f"{n}@example.com") for n in ("hard", "spam", "late", "dropped")}
    reply = sendgrid_post(client, [
        sg("bounce", "hard@example.com", type="bounce", status="5.1.1", reason="550 unknown"),
        sg("spamreport", "spam@example.com"),
        sg("deferred", "late@example.com", response="451 try later"),
        sg("dropped", "dropped@example.com", reason="Bounced Address"),
        sg("delivered", "late@example.com"),
        sg("bounce", "stranger@example.com", type="bounce", status="5.1.1"),
    ])  # fmt: skip
    assert reply.status_code == 200, reply.text
    assert reply.json() == {
        "events": 5, "marked": 3, "transient": 1, "unknown": 1, "duplicates": 0, "unchanged": 0,
        "unverified": 0,
    }  # fmt: skip
    assert status(store, ids["hard"]) is ChannelStatus.BOUNCED
    assert status(store, ids["spam"]) is ChannelStatus.COMPLAINED
    assert status(store, ids["late"]) is ChannelStatus.ACTIVE
    assert status(store, ids["dropped"]) is ChannelStatus.BOUNCED


def test_sendgrid_forgeries_are_refused(web: tuple[httpx.Client, Store]) -> None:
    client, store = web
    victim = reader(store, "victim@example.com")
    events = [sg("spamreport", "victim@example.com"), sg("delivered", "victim@example.com")]
    other = ec.generate_private_key(ec.SECP256R1())
    assert sendgrid_post(client, events, key=other).status_code == 403
    assert sendgrid_post(client, events[1:], tamper=True).status_code == 403
    old = str(int(time.time()) - 3 * 86_400)
    assert sendgrid_post(client, events, timestamp=old).status_code == 403
    unsigned = client.post("/bounces/sendgrid", content=json.dumps(events).encode())
    assert unsigned.status_code == 403
    assert status(store, victim) is ChannelStatus.ACTIVE


# -- Postmark --------------------------------------------------------------------------


def postmark_bounce(address: str, kind: str = "HardBounce") -> dict[str, Any]:
    return {
        "RecordType": "Bounce", "ID": int(time.time() * 1000), "Type": kind, "Email": address,
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account does not exist",
        "BouncedAt": now_iso(), "Inactive": True,
    }  # fmt: skip


def test_postmark_with_basic_auth(web: tuple[httpx.Client, Store]) -> None:
    client, store = web
    gone, angry, soft = (reader(store, f"{n}@example.com") for n in ("gone", "angry", "soft"))
    auth = ("postmark", POSTMARK_PASSWORD)
    assert (
        post_json(
            client, "/bounces/postmark", postmark_bounce("gone@example.com"), auth=auth
        ).json()["marked"]
        == 1
    )
    complaint = {"RecordType": "SpamComplaint", "ID": 42, "Type": "SpamComplaint",
                 "Email": "angry@example.com", "BouncedAt": now_iso()}  # fmt: skip
    post_json(client, "/bounces/postmark", complaint, auth=auth)
    post_json(
        client, "/bounces/postmark", postmark_bounce("soft@example.com", "SoftBounce"), auth=auth
    )
    assert [status(store, s) for s in (gone, angry, soft)] == [
        ChannelStatus.BOUNCED,
        ChannelStatus.COMPLAINED,
        ChannelStatus.ACTIVE,
    ]


def test_postmark_without_or_with_wrong_credentials(web: tuple[httpx.Client, Store]) -> None:
    client, store = web
    victim = reader(store, "victim@example.com")
    body = postmark_bounce("victim@example.com")
    missing = post_json(client, "/bounces/postmark", body)
    assert missing.status_code == 401 and "Basic" in missing.headers["www-authenticate"]
    assert (
        post_json(client, "/bounces/postmark", body, auth=("postmark", "guess")).status_code == 403
    )
    assert status(store, victim) is ChannelStatus.ACTIVE


# -- all routes ------------------------------------------------------------------------


def test_unconfigured_providers_have_no_route(store: Store) -> None:
    with serve(create_app(store.settings, store)) as base, httpx.Client(base_url=base) as client:
        for provider in ("ses", "mailgun", "sendgrid", "postmark"):
            assert client.post(f"/bounces/{provider}", content=b"{}").status_code == 404


def test_bodies_are_capped_before_any_check(web: tuple[httpx.Client, Store]) -> None:
    client, _ = web

    def chunks() -> Iterator[bytes]:
        for _ in range(3000):  # 3 MB, chunked: no Content-Length to refuse up front
            yield b"x" * 1024

    for provider in ("ses", "mailgun", "sendgrid", "postmark"):
        assert client.post(f"/bounces/{provider}", content=chunks()).status_code == 413


def test_no_secret_or_address_in_logs(
    web: tuple[httpx.Client, Store], sns: FakeSNS, caplog: pytest.LogCaptureFixture
) -> None:
    client, store = web
    reader(store, "gone@example.com")
    caplog.set_level("DEBUG")
    post_json(client, "/bounces/mailgun", mailgun_body("gone@example.com"))
    post_json(client, "/bounces/mailgun", mailgun_body("gone@example.com", key="wrong"))
    post_json(
        client, "/bounces/postmark", postmark_bounce("gone@example.com"), auth=("postmark", "x")
    )
    post_json(client, "/bounces/ses", sns.envelope(ses_bounce("gone@example.com")))
    text = caplog.text
    assert "bounces mailgun" in text
    for secret in (MAILGUN_KEY, POSTMARK_PASSWORD, "gone@example.com"):
        assert secret not in text


def test_ses_certificate_unavailable_is_a_502_so_sns_retries(
    web: tuple[httpx.Client, Store], sns: FakeSNS
) -> None:
    client, store = web
    victim = reader(store, "victim@example.com")
    missing = f"https://{sns.netloc}/SimpleNotificationService-missing.pem"
    envelope = sns.envelope(ses_bounce("victim@example.com"), cert_url=missing)
    assert post_json(client, "/bounces/ses", envelope).status_code == 502
    assert status(store, victim) is ChannelStatus.ACTIVE


def test_a_sendgrid_key_that_does_not_parse_is_an_operator_error(store: Store) -> None:
    bounces = BounceSettings(sendgrid_public_key="bm90IGEga2V5")
    settings = store.settings.model_copy(update={"bounces": bounces})
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    with serve(create_app(settings, app_store)) as base, httpx.Client(base_url=base) as client:
        assert client.post("/bounces/sendgrid", content=b"[]").status_code == 500

"""The e-mail adapter against a real aiosmtpd server and a real Maildir."""

from __future__ import annotations

import mailbox
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from bots.base import OutcomeKind
from bots.email.adapter import EmailAdapter
from core.config import Settings, SMTPSettings
from core.models import Recipient
from core.tokens import verify
from tests.fakes.smtp import FakeSMTP, self_signed_certificate
from tests.render.editions import make_edition


def _recipients(n: int) -> list[Recipient]:
    return [Recipient(subscriber_id=f"sub{i}", address=f"reader{i}@example.org") for i in range(n)]


def _smtp_settings(settings: Settings, smtp: FakeSMTP, **extra: object) -> Settings:
    values = {"host": smtp.host, "port": smtp.port, "starttls": False, "timeout": 5.0, **extra}
    validated = SMTPSettings.model_validate({**settings.smtp.model_dump(), **values})
    return settings.model_copy(update={"smtp": validated})


async def test_a_batch_goes_over_one_connection_with_every_header(settings: Settings) -> None:
    with FakeSMTP().running() as smtp:
        adapter = EmailAdapter(_smtp_settings(settings, smtp, reply_to="editor@example.org"))
        payload = adapter.render(make_edition(5))
        outcomes = await adapter.send(payload, _recipients(3))
    assert [o.kind for o in outcomes] == [OutcomeKind.SENT] * 3
    assert smtp.connections == 1
    message = smtp.messages_to("reader1@example.org")[0]
    assert message["Subject"].startswith("AIToday 2026-11-27: Lab 1")
    assert message["Reply-To"] == "editor@example.org"
    assert message["Date"] and message["Message-ID"] == "<ed0001.sub1@aitoday.localhost>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = (part.strip(" <>") for part in message["List-Unsubscribe"].split(","))
    assert https.startswith(settings.web.base_url + "/unsubscribe/")
    assert mailto.startswith("mailto:digest@aitoday.localhost?subject=unsubscribe")
    token = https.rsplit("/", 1)[1]
    assert verify(settings.signing_key(), "unsubscribe", token) == "sub1:email"
    html_part, text_part = message.get_body(("html",)), message.get_body(("plain",))
    assert html_part is not None and text_part is not None
    html, text = html_part.get_content(), text_part.get_content()
    assert https in text and "%%AITODAY" not in html + text
    assert "Lab 5 releases" in html and "Lab 5 releases" in text


async def test_the_recipient_token_from_the_edition_is_used(settings: Settings) -> None:
    with FakeSMTP().running() as smtp:
        adapter = EmailAdapter(_smtp_settings(settings, smtp))
        recipient = Recipient(subscriber_id="s", address="x@example.org", unsubscribe_token="T1")
        await adapter.send(adapter.render(make_edition(1)), [recipient])
    assert "/unsubscribe/T1>" in smtp.messages_to("x@example.org")[0]["List-Unsubscribe"]


async def test_450_is_transient_550_is_gone_and_the_rest_is_sent(settings: Settings) -> None:
    with FakeSMTP().running() as smtp:
        smtp.refuse("reader1@example.org", 450)
        smtp.refuse("reader2@example.org", 550)
        adapter = EmailAdapter(_smtp_settings(settings, smtp))
        outcomes = await adapter.send(adapter.render(make_edition(2)), _recipients(4))
    kinds = [o.kind for o in outcomes]
    assert kinds == [OutcomeKind.SENT, OutcomeKind.TRANSIENT, OutcomeKind.GONE, OutcomeKind.SENT]
    assert outcomes[2].reason and outcomes[2].reason.startswith("bounced: 550")
    assert "reader2@" not in (outcomes[2].reason or "")
    assert set(smtp.count_by_recipient()) == {"reader0@example.org", "reader3@example.org"}


async def test_a_dropped_connection_retries_the_rest_on_a_new_one(settings: Settings) -> None:
    with FakeSMTP().running() as smtp:
        adapter = EmailAdapter(_smtp_settings(settings, smtp))
        smtp.drop_after(2)
        outcomes = await adapter.send(adapter.render(make_edition(2)), _recipients(5))
    kinds = [o.kind for o in outcomes]
    # the message in flight when the server hung up is retried later, never lost
    assert kinds == [OutcomeKind.SENT] * 2 + [OutcomeKind.TRANSIENT] + [OutcomeKind.SENT] * 2
    assert smtp.connections == 2
    assert all(count == 1 for count in smtp.count_by_recipient().values())
    assert "reader2@example.org" not in smtp.count_by_recipient()


async def test_a_421_after_some_messages_reconnects_and_sends_the_rest(
    settings: Settings,
) -> None:
    with FakeSMTP().running() as smtp:
        smtp.messages_per_connection(10)  # then "421 closing" to the next MAIL FROM
        adapter = EmailAdapter(_smtp_settings(settings, smtp))
        outcomes = await adapter.send(adapter.render(make_edition(1)), _recipients(25))
    # nothing was handed over when the 421 came: the next message goes on a new connection
    assert [o.kind for o in outcomes] == [OutcomeKind.SENT] * 25
    assert smtp.connections == 3
    assert smtp.count_by_recipient() == {f"reader{i}@example.org": 1 for i in range(25)}


async def test_a_421_for_one_recipient_delays_only_that_one(settings: Settings) -> None:
    with FakeSMTP().running() as smtp:
        smtp.refuse("reader3@example.org", 421)  # answered 421 and hung up, every time
        adapter = EmailAdapter(_smtp_settings(settings, smtp))
        outcomes = await adapter.send(adapter.render(make_edition(1)), _recipients(8))
    kinds = [o.kind for o in outcomes]
    assert kinds == [OutcomeKind.SENT] * 3 + [OutcomeKind.TRANSIENT] + [OutcomeKind.SENT] * 4
    assert outcomes[3].reason and "421" in outcomes[3].reason
    assert set(smtp.count_by_recipient()) == {f"reader{i}@example.org" for i in range(8)} - {
        "reader3@example.org"
    }


async def test_a_full_mailbox_is_a_soft_refusal_not_a_bounce(settings: Settings) -> None:
    with FakeSMTP().running() as smtp:
        smtp.refuse("reader1@example.org", 552)
        adapter = EmailAdapter(_smtp_settings(settings, smtp))
        outcomes = await adapter.send(adapter.render(make_edition(1)), _recipients(3))
    assert [o.kind for o in outcomes] == [
        OutcomeKind.SENT,
        OutcomeKind.TRANSIENT,
        OutcomeKind.SENT,
    ]
    assert outcomes[1].strike and not outcomes[0].strike  # GONE once it repeats (the job)
    assert outcomes[1].reason and outcomes[1].reason.startswith("mailbox full: 552")


async def test_an_unreachable_server_makes_every_recipient_transient(settings: Settings) -> None:
    with FakeSMTP().running() as smtp:
        configured = _smtp_settings(settings, smtp)
    adapter = EmailAdapter(configured)  # the server is gone now
    outcomes = await adapter.send(adapter.render(make_edition(1)), _recipients(2))
    assert {o.kind for o in outcomes} == {OutcomeKind.TRANSIENT}


async def test_smtp_auth_from_settings(settings: Settings) -> None:
    with FakeSMTP(auth=("mailer", "s3cret")).running() as smtp:
        adapter = EmailAdapter(_smtp_settings(settings, smtp, username="mailer", password="s3cret"))
        outcomes = await adapter.send(adapter.render(make_edition(1)), _recipients(1))
    assert outcomes[0].kind is OutcomeKind.SENT
    assert smtp.logins == ["mailer"]


async def test_an_impossible_address_is_gone_without_a_connection(settings: Settings) -> None:
    adapter = EmailAdapter(settings)
    bad = Recipient(subscriber_id="bad", address="not-an-address")
    outcomes = await adapter.send(adapter.render(make_edition(1)), [bad])
    assert outcomes[0].kind is OutcomeKind.GONE


async def test_without_a_host_mail_lands_in_the_maildir_once(settings: Settings) -> None:
    adapter = EmailAdapter(settings)
    payload = adapter.render(make_edition(3, language="ja"))
    await adapter.send(payload, _recipients(2))
    await adapter.send(payload, _recipients(2))  # a re-run replaces, never duplicates
    box = mailbox.Maildir(settings.digest.outbox_dir / "maildir", create=False)
    assert len(box) == 2
    raw = next(iter(box.values())).as_bytes()
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    html_part = parsed.get_body(("html",))
    assert html_part is not None
    assert "要点" in html_part.get_content()


@pytest.mark.parametrize("lang", ["en", "th", "zh-Hant"])
async def test_non_ascii_sender_names_and_subjects_are_encoded(
    settings: Settings, lang: str
) -> None:
    with FakeSMTP().running() as smtp:
        adapter = EmailAdapter(
            _smtp_settings(settings, smtp, **{"from_": "AI今日 <d@news.example>"})
        )
        edition = make_edition(1, language=lang)
        edition.briefs[0].headline = "日本語の見出し — ünïcödé"
        await adapter.send(adapter.render(edition), _recipients(1))
    message = smtp.messages_to("reader0@example.org")[0]
    assert "日本語の見出し" in message["Subject"]
    assert message["From"].addresses[0].display_name == "AI今日"


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "tls"])
async def test_starttls_and_tls_from_settings(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, implicit: bool
) -> None:
    pair = self_signed_certificate(tmp_path)
    if pair is None:
        pytest.skip("openssl is not installed")
    monkeypatch.setenv("SSL_CERT_FILE", str(pair[0]))  # the client trusts our test CA
    with FakeSMTP(tls=pair, implicit_tls=implicit, auth=("u", "p")).running() as smtp:
        mode = {"use_tls": True, "starttls": False} if implicit else {"starttls": True}
        adapter = EmailAdapter(_smtp_settings(settings, smtp, username="u", password="p", **mode))
        outcomes = await adapter.send(adapter.render(make_edition(1)), _recipients(2))
    assert [o.kind for o in outcomes] == [OutcomeKind.SENT] * 2
    assert smtp.logins == ["u"]

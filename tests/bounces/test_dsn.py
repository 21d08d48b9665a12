"""Mailed reports parsed with the email package: RFC 3464 DSNs and ARF complaints."""

from __future__ import annotations

from core.bounces.dsn import parse_report
from core.bounces.events import BounceKind
from core.models import StatusSource, status_source
from tests.bounces.reports import arf_complaint, plain_mail, postfix_dsn


def test_permanent_failure_is_a_bounce() -> None:
    [event] = parse_report(postfix_dsn("gone@example.com"))
    assert (event.kind, event.address, event.status) == (
        BounceKind.BOUNCED,
        "gone@example.com",
        "5.1.1",
    )
    assert event.source is StatusSource.DSN and "Recipient address rejected" in event.detail
    assert event.at is not None


def test_temporary_failure_and_delay_are_transient() -> None:
    [full] = parse_report(postfix_dsn("full@example.com", "4.2.2"))
    [late] = parse_report(postfix_dsn("late@example.com", "4.4.7", action="delayed"))
    assert full.kind is late.kind is BounceKind.TRANSIENT


def test_delivered_and_relayed_report_nothing() -> None:
    assert parse_report(postfix_dsn("ok@example.com", "2.0.0", action="delivered")) == []
    assert parse_report(postfix_dsn("ok@example.com", "2.0.0", action="relayed")) == []


def test_several_recipients_in_one_report() -> None:
    raw = postfix_dsn("a@example.com").decode()
    second = "\r\nFinal-Recipient: rfc822; b@example.com\r\nAction: failed\r\nStatus: 5.2.1\r\n"
    raw = raw.replace("Recipient address rejected\r\n", "Recipient address rejected\r\n" + second)
    found = {(e.address, e.status) for e in parse_report(raw.encode())}
    assert found == {("a@example.com", "5.1.1"), ("b@example.com", "5.2.1")}


def test_arf_complaint_from_the_field_or_the_returned_message() -> None:
    [named] = parse_report(arf_complaint("angry@example.com"))
    [returned] = parse_report(arf_complaint("quiet@example.com", in_field=False))
    assert (named.kind, named.address) == (BounceKind.COMPLAINED, "angry@example.com")
    assert returned.address == "quiet@example.com"


def test_other_mail_is_no_report() -> None:
    assert parse_report(plain_mail()) == []
    assert parse_report(b"\x00\xff garbage") == []


def test_same_report_same_event_id() -> None:
    raw = postfix_dsn("gone@example.com")
    assert parse_report(raw)[0].event_id == parse_report(raw)[0].event_id


def test_status_source_reads_the_reason() -> None:
    assert status_source("bounced: 550 5.1.1 user unknown") is StatusSource.SMTP  # bots.email.smtp
    assert status_source("webhook ses bounced 5.1.1") is StatusSource.WEBHOOK
    assert status_source("dsn dsn complained abuse") is StatusSource.DSN
    assert status_source("set by operator") is StatusSource.MANUAL
    assert status_source(None) is StatusSource.MANUAL


def test_the_returned_message_id_names_the_subscriber() -> None:
    [ours] = parse_report(postfix_dsn("gone@example.com", sid="a1b2c3d4e5f6"))
    [other] = parse_report(postfix_dsn("gone@example.com"))
    [complaint] = parse_report(arf_complaint("x@example.com", sid="a1b2c3d4e5f6", redacted=True))
    assert (ours.returned_id, other.returned_id) == ("a1b2c3d4e5f6", None)
    assert (complaint.address, complaint.returned_id) == ("", "a1b2c3d4e5f6")
    assert parse_report(arf_complaint("x@example.com", redacted=True)) == []

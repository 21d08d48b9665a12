"""The bounce mailbox over real IMAP: Python's imaplib against tests/fakes/imap.py on
127.0.0.1 (plain, implicit TLS and STARTTLS with a local CA), through the poller, the cron
step and ``aitoday bounces poll``; ``aitoday status`` shows the counts by source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from core.config import IMAPSettings
from core.errors import ConfigError, MailboxError
from core.models import ChannelStatus
from core.store.base import Store
from core.store.bounces import BounceRepo
from core.store.subscribers import SubscriberRepo
from tests.bounces.readers import add, status
from tests.bounces.reports import arf_complaint, plain_mail, postfix_dsn
from tests.fakes.imap import FakeIMAP
from tests.fakes.tls import LocalCA
from workers import status as status_report
from workers.bounces import MAX_MESSAGE_BYTES, poll_mailbox
from workers.cli import cli
from workers.cron import Cron, default_jobs

PASSWORD = "imap-password-for-tests"


@pytest.fixture
def imap() -> Iterator[FakeIMAP]:
    fake = FakeIMAP("bounces", PASSWORD)
    with fake.running():
        yield fake


def mailbox(fake: FakeIMAP, **kw: object) -> IMAPSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1", "port": fake.port, "username": "bounces", "password": PASSWORD,
        "tls": "none", **kw,
    }  # fmt: skip
    return IMAPSettings.model_validate(values)


def test_poll_applies_reports_and_marks_them_seen(store: Store, imap: FakeIMAP) -> None:
    gone, angry, full = (add(store, f"{n}@example.com") for n in ("gone", "angry", "full"))
    uids = [
        imap.deliver(postfix_dsn("gone@example.com", sid=gone)),
        imap.deliver(arf_complaint("angry@example.com", sid=angry)),
        imap.deliver(postfix_dsn("full@example.com", "4.2.2", sid=full)),
        imap.deliver(plain_mail()),
    ]
    report = poll_mailbox(store, mailbox(imap))
    assert (report.messages, report.reports, report.not_reports) == (4, 3, 1)
    assert report.applied["marked"] == 2 and report.applied["transient"] == 1
    assert [status(store, s) for s in (gone, angry, full)] == [
        ChannelStatus.BOUNCED, ChannelStatus.COMPLAINED, ChannelStatus.ACTIVE
    ]  # fmt: skip
    assert all("\\Seen" in imap.flags(uid) for uid in uids)
    assert imap.unseen() == []
    # what the client said, in order: bodies peeked (not marked read) until applied
    assert "UID SEARCH UNSEEN" in imap.commands
    assert any(c.startswith("UID FETCH") and "BODY.PEEK[]" in c for c in imap.commands)
    assert "LOGIN bounces ****" in imap.commands and imap.commands[-1] == "LOGOUT"
    # a second poll finds nothing new
    assert poll_mailbox(store, mailbox(imap)).messages == 0
    assert BounceRepo(store).received() == {
        "dsn:dsn": {"bounced": 1, "complained": 1, "transient": 1}
    }


def test_a_message_read_again_counts_once(store: Store, imap: FakeIMAP) -> None:
    sid = add(store, "gone@example.com")
    raw = postfix_dsn("gone@example.com", sid=sid)
    imap.deliver(raw)
    poll_mailbox(store, mailbox(imap))
    imap.deliver(raw)  # the same report again (a crash before \Seen, or a copy)
    report = poll_mailbox(store, mailbox(imap))
    assert report.applied == {
        "events": 1, "marked": 0, "transient": 0, "unknown": 0, "duplicates": 1,
        "unchanged": 0, "unverified": 0,
    }  # fmt: skip
    assert BounceRepo(store).received() == {"dsn:dsn": {"bounced": 1}}


def test_oversized_message_is_not_read(store: Store, imap: FakeIMAP) -> None:
    add(store, "gone@example.com")
    big = postfix_dsn("gone@example.com") + b"x" * (MAX_MESSAGE_BYTES + 1)
    uid = imap.deliver(big)
    report = poll_mailbox(store, mailbox(imap))
    assert (report.too_large, report.reports) == (1, 0)
    assert "\\Seen" in imap.flags(uid)
    assert not any(c.startswith("UID FETCH") and "BODY" in c for c in imap.commands)


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_tls_modes(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tls: str) -> None:
    ca = LocalCA(tmp_path / "ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    sid = add(store, "gone@example.com")
    fake = FakeIMAP("bounces", PASSWORD)
    fake.deliver(postfix_dsn("gone@example.com", sid=sid))
    with fake.running(tls=tls, ca=ca):
        poll_mailbox(store, mailbox(fake, tls=tls))
    assert status(store, sid) is ChannelStatus.BOUNCED
    if tls == "starttls":
        assert fake.commands.index("STARTTLS") < fake.commands.index("LOGIN bounces ****")


def test_untrusted_certificate_is_refused(store: Store, tmp_path: Path, imap: FakeIMAP) -> None:
    ca = LocalCA(tmp_path / "ca")  # not trusted: SSL_CERT_FILE is not set
    fake = FakeIMAP("bounces", PASSWORD)
    with fake.running(tls="ssl", ca=ca), pytest.raises(MailboxError, match="cannot connect"):
        poll_mailbox(store, mailbox(fake, tls="ssl"))
    assert fake.logins == 0


def test_wrong_password_and_missing_folder(store: Store, imap: FakeIMAP) -> None:
    with pytest.raises(MailboxError, match="login refused") as refused:
        poll_mailbox(store, mailbox(imap, password=SecretStr("wrong")))
    assert "wrong" not in str(refused.value)
    with pytest.raises(MailboxError, match="SELECT"):
        poll_mailbox(store, mailbox(imap, folder="Bounces"))


def test_plain_imap_only_on_loopback(store: Store) -> None:
    settings = IMAPSettings(host="imap.example.com", tls="none", password=SecretStr(PASSWORD))
    with pytest.raises(ConfigError, match="loopback"):
        poll_mailbox(store, settings)


def test_cron_polls_the_mailbox_when_one_is_set(store: Store, imap: FakeIMAP) -> None:
    sid = add(store, "gone@example.com")
    imap.deliver(postfix_dsn("gone@example.com", sid=sid))
    assert "bounces" not in [j.name for j in default_jobs(store)]
    settings = store.settings.model_copy(update={"imap": mailbox(imap)})
    with_mailbox = Store(redis=store.redis, keys=store.keys, settings=settings)
    jobs = [j for j in default_jobs(with_mailbox) if j.name == "bounces"]
    assert len(jobs) == 1
    assert Cron(with_mailbox, jobs).run_all()
    assert status(store, sid) is ChannelStatus.BOUNCED


def test_cli_poll_and_status_counts_by_source(
    store: Store, imap: FakeIMAP, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = store.settings
    env = {
        "AITODAY_REDIS_URL": settings.redis_url or "", "AITODAY_KEY_PREFIX": settings.key_prefix,
        "AITODAY_DATA_DIR": str(settings.data_dir), "AITODAY_IMAP__HOST": "127.0.0.1",
        "AITODAY_IMAP__PORT": str(imap.port), "AITODAY_IMAP__USERNAME": "bounces",
        "AITODAY_IMAP__PASSWORD": PASSWORD, "AITODAY_IMAP__TLS": "none",
    }  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    gone = add(store, "gone@example.com")
    smtp = add(store, "refused@example.com")
    # what the delivery job writes when the relay refuses with a 5xx (bots.email.smtp)
    SubscriberRepo(store).set_channel_status(
        smtp, "email", ChannelStatus.BOUNCED, "bounced: 550 5.1.1 user unknown"
    )
    imap.deliver(postfix_dsn("gone@example.com", sid=gone))
    imap.deliver(arf_complaint("nobody@example.com"))
    result = CliRunner().invoke(cli, ["bounces", "poll"])
    assert result.exit_code == 0, result.output
    assert "2 message(s): 2 report(s)" in result.output and "marked 1" in result.output
    assert PASSWORD not in result.output
    result = CliRunner().invoke(cli, ["bounces", "status"])
    assert "bounced    2  (dsn 1, smtp 1)" in result.output, result.output
    result = CliRunner().invoke(cli, ["deliveries", "status"])
    assert "bounced    2  (dsn 1, smtp 1)" in result.output, result.output
    lines = status_report.lines(status_report.collect(store))
    assert "  bounced    2  (dsn 1, smtp 1)" in lines
    assert any(line.startswith("  reports dsn:dsn") and "unknown 1" in line for line in lines)


def test_forged_reports_in_the_mailbox_change_nothing(store: Store, imap: FakeIMAP) -> None:
    """Anyone can mail the bounce mailbox: a report counts only when the message it
    returns is the digest we sent that reader (its Message-ID names them)."""
    victim, other = add(store, "victim@example.com"), add(store, "other@example.com")
    imap.deliver(postfix_dsn("victim@example.com"))  # returns a message we never sent
    imap.deliver(postfix_dsn("victim@example.com", sid=other))  # someone else's digest
    imap.deliver(arf_complaint("victim@example.com", sid=other))
    report = poll_mailbox(store, mailbox(imap))
    assert (report.applied["unverified"], report.applied["marked"]) == (3, 0)
    assert status(store, victim) is ChannelStatus.ACTIVE
    assert BounceRepo(store).received() == {"dsn:dsn": {"unverified": 3}}


def test_redacted_complaint_found_by_message_id(store: Store, imap: FakeIMAP) -> None:
    angry = add(store, "angry@example.com")
    imap.deliver(arf_complaint("angry@example.com", sid=angry, redacted=True))
    assert poll_mailbox(store, mailbox(imap)).applied["marked"] == 1
    assert status(store, angry) is ChannelStatus.COMPLAINED

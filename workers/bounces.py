"""Poll the bounce mailbox over IMAP: RFC 3464 DSNs and ARF complaints become reports.

``poll_mailbox`` logs in (``AITODAY_IMAP__*``), selects the folder, asks for the UNSEEN
messages, reads each one's size, fetches those under MAX_MESSAGE_BYTES with BODY.PEEK[]
(fetching does not mark them read), applies the reports they hold
(core.bounces.dsn, core.bounces.apply), and only then sets ``\\Seen``. A poll that dies
halfway leaves the rest unseen for the next poll, and a message applied but not yet
flagged is applied again harmlessly (each report is counted once). Mail that is no report
is flagged too, so it is read once. Runs from ``aitoday cron`` every
``AITODAY_IMAP__POLL_MINUTES`` and from ``aitoday bounces poll``. The password is never
logged; imaplib's debug output stays off.
"""

from __future__ import annotations

import imaplib
import ipaddress
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from core.bounces.apply import apply_events
from core.bounces.dsn import parse_report
from core.config import IMAPSettings
from core.errors import ConfigError, MailboxError
from core.store.base import Store

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 2 * 1024 * 1024  # a DSN returns headers or the message: digests are small
MAX_PER_POLL = 500  # the next poll takes the rest
_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


@dataclass
class PollReport:
    """What one poll did."""

    messages: int = 0  # unseen messages looked at
    reports: int = 0  # of them, DSNs or complaints with at least one event
    not_reports: int = 0  # other mail, flagged seen
    too_large: int = 0  # left unread past MAX_MESSAGE_BYTES, flagged seen
    applied: dict[str, int] = field(default_factory=dict)  # ApplyReport, summed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def poll_mailbox(store: Store, settings: IMAPSettings) -> PollReport:
    """Read the unseen reports of the bounce mailbox once (see the module docstring)."""
    report = PollReport()
    with _session(settings) as imap:
        uids = _unseen(imap)[:MAX_PER_POLL]
        for uid, size in _sizes(imap, uids).items():
            report.messages += 1
            if size > MAX_MESSAGE_BYTES:
                report.too_large += 1
            else:
                _read(store, imap, uid, report)
            _ok(imap.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE")
    log.info("bounce mailbox: %s", report.as_dict())
    return report


def _read(store: Store, imap: imaplib.IMAP4, uid: str, report: PollReport) -> None:
    data = _ok(imap.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    raw = next((item[1] for item in data if isinstance(item, tuple)), None)
    events = parse_report(raw) if isinstance(raw, bytes) else []
    if not events:
        report.not_reports += 1
        return
    report.reports += 1
    for name, value in apply_events(store, events).as_dict().items():
        report.applied[name] = report.applied.get(name, 0) + value


def _unseen(imap: imaplib.IMAP4) -> list[str]:
    data = _ok(imap.uid("SEARCH", "UNSEEN"), "SEARCH")
    return [u.decode() for u in (data[0] or b"").split()] if data else []


def _sizes(imap: imaplib.IMAP4, uids: list[str]) -> dict[str, int]:
    """UID -> size, in UID order, read in one FETCH before any message body."""
    if not uids:
        return {}
    sizes: dict[str, int] = {}
    for item in _ok(imap.uid("FETCH", ",".join(uids), "(RFC822.SIZE)"), "FETCH"):
        line = item[0] if isinstance(item, tuple) else item
        found = _SIZE.search(line) if isinstance(line, bytes) else None
        if found:
            uid, size = (found[1], found[2]) if found[1] else (found[4], found[3])
            sizes[uid.decode()] = int(size)
    return {u: sizes[u] for u in sorted(sizes, key=int)}


def _ok(result: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = result
    if status != "OK":
        raise MailboxError(f"{what} refused: {_text(data)}")
    return data


def _text(data: list[Any]) -> str:
    first = data[0] if data else b""
    return first.decode(errors="replace")[:200] if isinstance(first, bytes) else str(first)[:200]


@contextmanager
def _session(settings: IMAPSettings) -> Iterator[imaplib.IMAP4]:
    """Connected, logged in, folder selected; logged out after."""
    imap = _connect(settings)
    try:
        password = settings.password.get_secret_value() if settings.password else ""
        try:
            imap.login(settings.username or "", password)
        except imaplib.IMAP4.error:
            raise MailboxError("login refused (check AITODAY_IMAP__USERNAME/PASSWORD)") from None
        _ok(imap.select(_quoted(settings.folder)), f"SELECT {settings.folder}")
        yield imap
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            imap.logout()


def _connect(settings: IMAPSettings) -> imaplib.IMAP4:
    host = settings.host
    if not host:
        raise ConfigError("AITODAY_IMAP__HOST is not set: no bounce mailbox to poll")
    if settings.tls == "none" and not _loopback(host):
        raise ConfigError("AITODAY_IMAP__TLS=none is only allowed for a loopback host")
    try:
        if settings.tls == "ssl":
            context = ssl.create_default_context()
            return imaplib.IMAP4_SSL(
                host, settings.port, ssl_context=context, timeout=settings.timeout
            )
        imap = imaplib.IMAP4(host, settings.port, timeout=settings.timeout)
        if settings.tls == "starttls":
            imap.starttls(ssl_context=ssl.create_default_context())
        return imap
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"cannot connect to {host}:{settings.port}: {exc}") from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bounces_step(store: Store, at: datetime) -> dict[str, Any]:
    """The cron step: poll the mailbox once."""
    return poll_mailbox(store, store.settings.imap).as_dict()

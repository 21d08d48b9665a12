"""Mailed reports as relays write them: a Postfix DSN, a delay notice, an ARF complaint
(dated now: a report older than the reader's last status change changes nothing)."""

from __future__ import annotations

import uuid
from email.utils import formatdate


def returned_id(subscriber_id: str | None) -> str:
    """The Message-ID a digest to ``subscriber_id`` carries (bots.email.compose), or another."""
    if subscriber_id is None:
        return f"<{uuid.uuid4().hex}@elsewhere.example>"
    return f"<5eed0fed1234abcd.{subscriber_id}@aitoday.example>"


def postfix_dsn(
    address: str, status: str = "5.1.1", action: str = "failed", sid: str | None = None
) -> bytes:
    """A Postfix-style multipart/report for one recipient, with the returned headers."""
    code = "550" if status.startswith("5") else "452"
    return f"""From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: bounces@aitoday.example
Subject: Undelivered Mail Returned to Sender
Date: {formatdate()}
Message-ID: <{uuid.uuid4().hex}@mx.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="B0UND"

--B0UND
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.
I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B0UND
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: 4C0FFEE
Arrival-Date: Thu,  3 Dec 2026 09:59:58 +0000 (UTC)

Final-Recipient: rfc822; {address}
Original-Recipient: rfc822;{address}
Action: {action}
Status: {status}
Remote-MTA: dns; mail.example.com
Diagnostic-Code: smtp; {code} {status} <{address}>: Recipient address rejected

--B0UND
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: AIToday <digest@aitoday.example>
To: {address}
Subject: AIToday 2026-12-03
Message-ID: {returned_id(sid)}

--B0UND--
""".replace("\n", "\r\n").encode()


def arf_complaint(
    address: str, *, in_field: bool = True, sid: str | None = None, redacted: bool = False
) -> bytes:
    """An RFC 5965 feedback report; the address in Original-Rcpt-To, only in the returned
    message's To, or (``redacted``) nowhere."""
    field = f"Original-Rcpt-To: <{address}>\n" if in_field and not redacted else ""
    to = "[redacted]" if redacted else address
    return f"""From: fbl@isp.example
To: abuse@aitoday.example
Subject: FW: AIToday 2026-12-03
Date: {formatdate()}
Message-ID: <{uuid.uuid4().hex}@isp.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

--ARF
Content-Type: text/plain; charset="US-ASCII"

This is an email abuse report for an email message received from IP 192.0.2.1.

--ARF
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
{field}Source-IP: 192.0.2.1
Reported-Domain: aitoday.example

--ARF
Content-Type: message/rfc822
Content-Disposition: inline

From: AIToday <digest@aitoday.example>
To: {to}
Subject: AIToday 2026-12-03
Message-ID: {returned_id(sid)}

The digest.
--ARF--
""".replace("\n", "\r\n").encode()


def plain_mail() -> bytes:
    return (
        b"From: someone@example.org\r\nTo: bounces@aitoday.example\r\nSubject: hello\r\n"
        b"Message-ID: <x1@example.org>\r\n\r\nNot a report, just mail.\r\n"
    )

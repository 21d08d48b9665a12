"""One error tree for AIToday.

::

    AITodayError                  base of everything we raise on purpose
    ├── ConfigError               a setting is missing or malformed (one clear line)
    ├── StoreError                Redis is unreachable or answered nonsense
    ├── SourceError               a feed URL is refused (bad scheme, SSRF guard, not a feed)
    ├── ValidationError           user input refused at the edge; names the field
    ├── BriefError                a brief could not be written or failed the guard
    │   └── LLMError              the model call failed (timeout, 429, bad output)
    ├── ReportError               a bounce report or webhook refused (bad content)
    │   ├── ForgedReport          its signature or credential does not hold
    │   └── ReportUnverifiable    the signing certificate could not be fetched (retry)
    └── MailboxError              the bounce mailbox could not be read (IMAP)

A delivery's failures are not exceptions: an adapter's ``send`` reports each recipient
as an ``Outcome`` (sent, transient, gone, rejected; ``bots.base``).

Errors raised to a user carry a message meant for that user; no traceback reaches a
terminal or a chat.
"""

from __future__ import annotations


class AITodayError(Exception):
    """Base class: every error AIToday raises on purpose."""


class ConfigError(AITodayError):
    """A setting is missing or malformed."""


class StoreError(AITodayError):
    """Redis is unreachable or misbehaves."""


class SourceError(AITodayError):
    """A feed source is refused (bad URL, blocked address, not a feed)."""


class ValidationError(AITodayError):
    """User input refused at the edge. ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class BriefError(AITodayError):
    """A brief could not be written or did not pass the guard."""


class LLMError(BriefError):
    """The model call failed: timeout, rate limit, malformed or unsafe output."""


class ReportError(AITodayError):
    """A bounce report or webhook body that is stale or malformed."""


class ForgedReport(ReportError):
    """A webhook whose signature or credential does not hold (answered 403)."""


class ReportUnverifiable(ReportError):
    """A signature that cannot be checked now: its certificate could not be fetched."""


class MailboxError(AITodayError):
    """The bounce mailbox could not be read: connection, TLS, login or folder."""

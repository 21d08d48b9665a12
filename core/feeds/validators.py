"""ETag and Last-Modified of a feed, and whether a conditional GET may be answered 304.

The validators are computed from the few ids a feed is made of (its editions, or its
stories and their brief keys), read in one or two Redis calls, so a poll that changes
nothing is answered without loading a brief or writing a byte of XML. Editions are never
changed once sent and briefs are cached by content hash, so the ids stand for the content;
the ETag is weak all the same (RFC 9110 8.8.1): an entry whose brief expired, or a brief
rewritten under its key, changes the body before the ids, and a reader keeping its copy
until the next digest loses nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

__all__ = ["Validators", "not_modified", "validators_of"]


@dataclass(frozen=True)
class Validators:
    """A feed's ETag (weak, quoted) and Last-Modified instant."""

    etag: str
    last_modified: datetime

    @property
    def last_modified_header(self) -> str:
        """Last-Modified as an HTTP date (``Thu, 03 Dec 2026 07:30:00 GMT``)."""
        return format_datetime(self.last_modified.astimezone(UTC), usegmt=True)

    def headers(self) -> dict[str, str]:
        """The response headers that let a reader ask again conditionally."""
        return {"ETag": self.etag, "Last-Modified": self.last_modified_header}


def validators_of(parts: Iterable[str], last_modified: datetime) -> Validators:
    """Validators over ``parts`` (everything the body depends on, in order)."""
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()
    return Validators(f'W/"{digest}"', last_modified.astimezone(UTC).replace(microsecond=0))


def not_modified(
    current: Validators, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """Whether the reader's copy is current (RFC 9110 13.1.2 and 13.1.3).

    If-None-Match wins when sent (weak comparison, ``*`` matches); otherwise
    If-Modified-Since, when it is a valid date, is compared with Last-Modified.
    """
    if if_none_match is not None:
        wanted = _opaque(current.etag)
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return any(tag == "*" or _opaque(tag) == wanted for tag in tags)
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return current.last_modified <= since


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")

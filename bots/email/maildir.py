"""The Maildir transport: where mail goes when no SMTP host is set (development, demo).

Each message becomes one file under ``settings.digest.outbox_dir / "maildir" / "new"``,
readable with any mail client (``mutt -f outbox/maildir``). The file name is the
Message-ID's local part, so sending the same (edition, subscriber) again replaces the
file instead of adding a second copy.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from bots.base import Outcome
from bots.email.compose import Envelope


class MaildirTransport:
    """Writes every message into a Maildir (tmp/ then rename into new/, as Maildir wants)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def deliver(self, mails: Sequence[Envelope]) -> list[Outcome]:
        """Every message is SENT once its file is in ``new/``."""
        return await asyncio.to_thread(self._write_all, mails)

    def _write_all(self, mails: Sequence[Envelope]) -> list[Outcome]:
        for sub in ("tmp", "new", "cur"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        outcomes = []
        for mail in mails:
            tmp = self.root / "tmp" / f"{mail.key}.{os.getpid()}"
            tmp.write_bytes(mail.data)
            tmp.replace(self.root / "new" / mail.key)
            outcomes.append(Outcome.sent(mail.subscriber_id))
        return outcomes

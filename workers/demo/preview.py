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
import re
from collections.abc import Callable
from html import escape, unescape
from pathlib import Path
from typing import Any

from bots.email import outbox as email_outbox
from bots.line import outbox as line_outbox

_SLACK_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_SLACK_BARE = re.compile(r"<(https?://[^<>|]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")

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
    ".slack{padding:12px 16px}"
    ".slack .who{font-weight:700}"
    ".slack .who small{color:#6b7280;font-weight:400}"
    ".slack .hdr{font-size:18px;font-weight:800;margin:8px 0}"
    ".slack .sec{margin:6px 0}"
    ".slack .ctx{font-size:12px;color:#6b7280;margin:4px 0}"
    ".slack hr{border:0;border-top:1px solid #e5e7eb}"
    ".slack .btn,.line .btn{display:inline-block;border:1px solid #d1d5db;border-radius:6px;"
    "padding:3px 10px;margin:4px 6px 4px 0;font-size:13px;text-decoration:none;color:#111}"
    ".slack .btn.primary{background:#007a5a;color:#fff;border-color:#007a5a}"
    ".slack .btn.danger{background:#fff;color:#e01e5a;border-color:#e01e5a}"
)


def _css() -> str:
    """The page's own style, then each channel's (bots/<channel>/outbox.py)."""
    return CSS + email_outbox.CSS + line_outbox.CSS


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


# -- Slack --------------------------------------------------------------------------------


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
    opening = '<div class="slack"><div class="who">AIToday <small>APP</small></div>'
    return _chat(outbox, "slack", "Slack", opening, _slack_message)


def _to(data: dict[str, Any]) -> str:
    return str(data.get("address") or "")


def _slack_message(message: dict[str, Any]) -> str:
    blocks = message.get("blocks") or [{"type": "section", "text": {"text": message.get("text")}}]
    return "".join(_slack_block(b) for b in blocks)


def _slack_block(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "header":
        return f'<div class="hdr">{escape(text_of(block.get("text")))}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "context":
        parts = [mrkdwn(text_of(e)) for e in block.get("elements", []) if e.get("type") != "image"]
        return f'<div class="ctx">{" · ".join(parts)}</div>'
    if kind == "actions":
        return "<div>" + "".join(_slack_button(e) for e in block.get("elements", [])) + "</div>"
    if kind == "section":
        html = mrkdwn(text_of(block.get("text")))
        fields = "".join(f"<div>{mrkdwn(text_of(f))}</div>" for f in block.get("fields", []))
        accessory = block.get("accessory") or {}
        button = _slack_button(accessory) if accessory.get("type") == "button" else ""
        return f'<div class="sec">{html}{fields}{button}</div>'
    return ""


def _slack_button(element: dict[str, Any]) -> str:
    text = escape(text_of(element.get("text")))
    style = element.get("style")
    classes = f"btn {style}" if style in ("primary", "danger") else "btn"
    url = element.get("url")
    if url:
        return f'<a class="{classes}" href="{escape(url, quote=True)}">{text}</a>'
    return f'<span class="{classes}">{text}</span>'


def text_of(obj: Any) -> str:
    """The text of a Slack text object (or of a plain string)."""
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return "" if obj is None else str(obj)


def mrkdwn(text: str) -> str:
    """Slack mrkdwn (already escaped with &amp; &lt; &gt;) to safe HTML."""
    links: list[str] = []

    def keep(url: str, label: str) -> str:
        anchor = f'<a href="{escape(unescape(url), quote=True)}">{escape(unescape(label))}</a>'
        links.append(anchor)
        return f"\x00{len(links) - 1}\x00"

    text = _SLACK_LINK.sub(lambda m: keep(m.group(1), m.group(2)), text)
    text = _SLACK_BARE.sub(lambda m: keep(m.group(1), m.group(1)), text)
    safe = escape(unescape(text), quote=False)
    safe = _BOLD.sub(r"<b>\1</b>", safe)
    safe = _ITALIC.sub(r"<i>\1</i>", safe).replace("\n", "<br>")
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], safe)


def mrkdwn_text(text: str) -> str:
    """Slack mrkdwn as plain words for a terminal: "label (url)", no * or _ marks."""
    text = _SLACK_LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _SLACK_BARE.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))
    return unescape(text)


# -- LINE -----------------------------------------------------------------------------------


def _line(outbox: Path) -> list[str]:
    return _chat(outbox, "line", "LINE", line_outbox.OPENING, line_outbox.draw)

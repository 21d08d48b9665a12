"""Slack in the outbox preview: a digest drawn as the channel sees it, its thread below it.

The page (workers/demo/preview.py, ``outbox/index.html``) reads each
``outbox/slack/*.json`` payload and asks this module to draw its messages: the digest
message, then each reply of its thread (a message with ``thread_ts``) indented under a
"Thread" line, with Block Kit's headers, sections, context lines, images and buttons.
:func:`as_text` gives the same messages as plain words for a terminal (``aitoday
preview``). Everything taken from a message is escaped: a feed that smuggled markup into
a headline shows it as text here too.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

__all__ = ["CSS", "OPENING", "as_text", "draw", "mrkdwn", "mrkdwn_text", "text_of"]

OPENING = '<div class="slack"><div class="who">AIToday <small>APP</small></div>'

CSS = (
    ".slack{padding:12px 16px}"
    ".slack .who{font-weight:700}"
    ".slack .who small{color:#6b7280;font-weight:400}"
    ".slack .hdr{font-size:18px;font-weight:800;margin:8px 0}"
    ".slack .sec{margin:6px 0;overflow:hidden}"
    ".slack .ctx{font-size:12px;color:#6b7280;margin:4px 0}"
    ".slack hr{border:0;border-top:1px solid #e5e7eb}"
    ".slack .thumb{float:right;width:72px;height:72px;object-fit:cover;border-radius:6px;"
    "margin:0 0 6px 10px}"
    ".slack .reply{border-left:3px solid #e5e7eb;margin:10px 0 0 12px;padding:2px 0 2px 12px}"
    '.slack .parent+.reply::before{content:"Thread";display:block;font-size:12px;'
    "font-weight:700;color:#1264a3;margin-bottom:4px}"
    ".slack .btn{display:inline-block;border:1px solid #d1d5db;border-radius:6px;"
    "padding:3px 10px;margin:4px 6px 4px 0;font-size:13px;text-decoration:none;color:#111}"
    ".slack .btn.primary{background:#007a5a;color:#fff;border-color:#007a5a}"
    ".slack .btn.danger{background:#fff;color:#e01e5a;border-color:#e01e5a}"
)

#: ``thread_ts`` of a reply written to the outbox, where no real parent ts exists
OUTBOX_PARENT_TS = "parent"

_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BARE = re.compile(r"<(https?://[^<>|]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def draw(message: dict[str, Any]) -> str:
    """One chat.postMessage body as HTML: a reply (``thread_ts``) inside the thread."""
    blocks = message.get("blocks") or [{"type": "section", "text": {"text": message.get("text")}}]
    kind = "reply" if message.get("thread_ts") else "parent"
    return f'<div class="{kind}">' + "".join(_block(b) for b in blocks) + "</div>"


def _block(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "header":
        return f'<div class="hdr">{escape(text_of(block.get("text")))}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "context":
        parts = [mrkdwn(text_of(e)) for e in block.get("elements", []) if e.get("type") != "image"]
        return f'<div class="ctx">{" · ".join(parts)}</div>'
    if kind == "actions":
        return "<div>" + "".join(_button(e) for e in block.get("elements", [])) + "</div>"
    if kind == "section":
        html = mrkdwn(text_of(block.get("text")))
        fields = "".join(f"<div>{mrkdwn(text_of(f))}</div>" for f in block.get("fields", []))
        accessory = block.get("accessory") or {}
        button = _button(accessory) if accessory.get("type") == "button" else ""
        return f'<div class="sec">{_image(accessory)}{html}{fields}{button}</div>'
    return ""


def _image(element: dict[str, Any]) -> str:
    """An image accessory, floated beside the section's text as Slack shows it."""
    url = str(element.get("image_url") or "")
    if element.get("type") != "image" or not url.startswith(("https://", "http://")):
        return ""
    alt = escape(str(element.get("alt_text") or ""), quote=True)
    return f'<img class="thumb" src="{escape(url, quote=True)}" alt="{alt}">'


def _button(element: dict[str, Any]) -> str:
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

    text = _LINK.sub(lambda m: keep(m.group(1), m.group(2)), text)
    text = _BARE.sub(lambda m: keep(m.group(1), m.group(1)), text)
    safe = escape(unescape(text), quote=False)
    safe = _BOLD.sub(r"<b>\1</b>", safe)
    safe = _ITALIC.sub(r"<i>\1</i>", safe).replace("\n", "<br>")
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], safe)


def mrkdwn_text(text: str) -> str:
    """Slack mrkdwn as plain words for a terminal: "label (url)", no * or _ marks."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _BARE.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))
    return unescape(text)


def as_text(message: dict[str, Any]) -> str:
    """One message as terminal lines; a thread reply is indented under "↳ in the thread"."""
    lines: list[str] = []
    for block in message.get("blocks") or []:
        lines += _block_lines(block)
    text = "\n".join(line for line in lines if line) or str(message.get("text", ""))
    if not message.get("thread_ts"):
        return text
    return "  ↳ in the thread\n" + "\n".join(f"  {line}" for line in text.splitlines())


def _block_lines(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind in ("header", "section"):
        fields = [mrkdwn_text(text_of(f)) for f in block.get("fields", [])]
        return [mrkdwn_text(text_of(block.get("text"))), *fields]
    if kind == "context":
        return [" · ".join(mrkdwn_text(text_of(e)) for e in block.get("elements", []))]
    if kind == "actions":
        return [" ".join(f"[{text_of(e.get('text'))}]" for e in block["elements"])]
    if kind == "divider":
        return ["—" * 20]
    return []

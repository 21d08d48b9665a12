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
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import escape, unescape
from pathlib import Path
from typing import Any

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
    # The frame is sized to the mail by _FIT once it loads; this height is for no script.
    ".email iframe{width:100%;height:2400px;border:0;display:block}"
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
    ".line{background:#8cabd9;padding:14px;overflow-x:auto;white-space:nowrap}"
    ".line .bubble{display:inline-block;vertical-align:top;white-space:normal;width:260px;"
    "background:#fff;border-radius:14px;margin-right:10px;overflow:hidden}"
    ".line .box{display:flex;gap:6px;padding:4px 12px}"
    ".line .vertical{flex-direction:column}"
    ".line .horizontal{flex-direction:row}"
    ".line p{margin:0}"
    ".line .bold{font-weight:700}"
    ".slack .btn.primary{background:#007a5a;color:#fff;border-color:#007a5a}"
    ".slack .btn.danger{background:#fff;color:#e01e5a;border-color:#e01e5a}"
    ".line .btn.primary{background:#06c755;color:#fff;border-color:#06c755}"
    ".line .alt{font-size:12px;color:#1f2937;margin-bottom:8px;white-space:normal;"
    "background:#fffd;border-radius:8px;padding:6px 10px}"
    ".line .alt b{display:block;font-size:11px;color:#6b7280;font-weight:600}"
    ".quick{margin-top:8px;white-space:normal}"
    ".quick span{display:inline-block;background:#fff;border-radius:14px;padding:2px 10px;"
    "margin:2px;font-size:12px}"
)


def write_index(outbox: Path) -> Path:
    """Write ``outbox/index.html`` from what is in the outbox now; return its path."""
    sections = _emails(outbox) + _slack(outbox) + _line(outbox)
    count = len(sections)
    body = "\n".join(sections) or "<p>The outbox is empty.</p>"
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>AIToday outbox</title><style>{CSS}</style></head><body>"
        "<header><h1>AIToday outbox</h1>"
        f"<p>{count} message(s) as each recipient would see them. E-mail files are in "
        "maildir/new, Slack and LINE payloads in slack/ and line/.</p></header>"
        f"<main>{body}</main></body></html>"
    )
    path = outbox / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


# The frame's own document cannot run scripts (sandbox); this page measures it instead, which
# allow-same-origin permits, and sets the frame to the mail's full height.
_FIT = "this.style.height=this.contentDocument.documentElement.scrollHeight+'px'"


# -- e-mail -------------------------------------------------------------------------------


def _emails(outbox: Path) -> list[str]:
    folder = outbox / "maildir" / "new"
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return [_email(p) for p in files if p.is_file()]


def _email(path: Path) -> str:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("html", "plain"))
    content = part.get_content() if part is not None else ""
    if part is not None and part.get_content_type() == "text/plain":
        content = f"<pre>{escape(content)}</pre>"
    return (
        f'<section class="msg email"><h2>E-mail to {escape(str(message["To"] or ""))}</h2>'
        f'<div class="meta">Subject: {escape(str(message["Subject"] or ""))}<br>'
        f"File: maildir/new/{escape(path.name)}</div>"
        # sandbox without allow-scripts: the mail's HTML cannot run anything in this page.
        f'<iframe sandbox="allow-same-origin" onload="{_FIT}" title="The e-mail" '
        f'srcdoc="{escape(content, quote=True)}"></iframe></section>'
    )


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
    return _chat(outbox, "line", "LINE", '<div class="line">', _line_message)


def _line_message(message: dict[str, Any]) -> str:
    if message.get("type") == "text":
        return f'<div class="bubble"><div class="box">{escape(message.get("text", ""))}</div></div>'
    contents = message.get("contents") or {}
    bubbles = contents.get("contents", []) if contents.get("type") == "carousel" else [contents]
    alt = (
        '<div class="alt"><b>altText (shown in notifications and the chat list)</b>'
        f"{escape(str(message.get('altText', '')))}</div>"
    )
    drawn = "".join(f'<div class="bubble">{_flex_bubble(b)}</div>' for b in bubbles)
    quick = message.get("quickReply", {}).get("items", [])
    chips = "".join(f"<span>{escape(_action_label(i.get('action')))}</span>" for i in quick)
    return alt + drawn + (f'<div class="quick">{chips}</div>' if chips else "")


def _flex_bubble(bubble: dict[str, Any]) -> str:
    return "".join(
        _flex(bubble[part]) for part in ("header", "hero", "body", "footer") if part in bubble
    )


def _flex(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if kind == "box":
        inner = "".join(_flex(c) for c in node.get("contents", []))
        return f'<div class="box {escape(str(node.get("layout", "vertical")))}">{inner}</div>'
    if kind == "text":
        weight = " bold" if node.get("weight") == "bold" else ""
        size = {"xl": "18px", "lg": "16px", "sm": "13px", "xs": "12px", "xxs": "11px"}.get(
            str(node.get("size")), "14px"
        )
        color = str(node.get("color") or "#111111")
        style = f"font-size:{size};color:{escape(color, quote=True)}"
        return (
            f'<p class="{weight.strip()}" style="{style}">{escape(str(node.get("text", "")))}</p>'
        )
    if kind == "button":
        primary = " primary" if node.get("style") == "primary" else ""
        return f'<span class="btn{primary}">{escape(_action_label(node.get("action")))}</span>'
    if kind == "separator":
        return "<hr>"
    return ""


def _action_label(action: Any) -> str:
    return str(action.get("label", "")) if isinstance(action, dict) else ""

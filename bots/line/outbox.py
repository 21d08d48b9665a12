"""LINE in the outbox preview (``outbox/index.html``): a message as the reader sees it.

The page (workers/demo/preview.py) reads each ``outbox/line/*.json`` payload and asks
this module to draw its messages: Flex bubbles and carousels as little boxes, the
altText shown in notifications, the quick-reply chips. Everything taken from a message
is escaped: a feed that smuggled markup into a headline shows it as text here too.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["CSS", "OPENING", "draw"]

OPENING = '<div class="line">'  # the chat's background; the page closes it

CSS = (
    ".line{background:#8cabd9;padding:14px;overflow-x:auto;white-space:nowrap}"
    ".line .bubble{display:inline-block;vertical-align:top;white-space:normal;width:260px;"
    "background:#fff;border-radius:14px;margin-right:10px;overflow:hidden}"
    ".line .box{display:flex;gap:6px;padding:4px 12px}"
    ".line .vertical{flex-direction:column}"
    ".line .horizontal{flex-direction:row}"
    ".line p{margin:0}"
    ".line .bold{font-weight:700}"
    ".line .btn{display:inline-block;border:1px solid #d1d5db;border-radius:6px;"
    "padding:3px 10px;margin:4px 6px 4px 0;font-size:13px;text-decoration:none;color:#111}"
    ".line .btn.primary{background:#06c755;color:#fff;border-color:#06c755}"
    ".line .alt{font-size:12px;color:#1f2937;margin-bottom:8px;white-space:normal;"
    "background:#fffd;border-radius:8px;padding:6px 10px}"
    ".line .alt b{display:block;font-size:11px;color:#6b7280;font-weight:600}"
    ".quick{margin-top:8px;white-space:normal}"
    ".quick span{display:inline-block;background:#fff;border-radius:14px;padding:2px 10px;"
    "margin:2px;font-size:12px}"
)

_SIZES = {"xl": "18px", "lg": "16px", "sm": "13px", "xs": "12px", "xxs": "11px"}


def draw(message: dict[str, Any]) -> str:
    """One LINE message (text or Flex) as HTML: its altText, bubbles and quick replies."""
    if message.get("type") == "text":
        return f'<div class="bubble"><div class="box">{escape(message.get("text", ""))}</div></div>'
    contents = message.get("contents") or {}
    bubbles = contents.get("contents", []) if contents.get("type") == "carousel" else [contents]
    alt = (
        '<div class="alt"><b>altText (shown in notifications and the chat list)</b>'
        f"{escape(str(message.get('altText', '')))}</div>"
    )
    drawn = "".join(f'<div class="bubble">{_bubble(b)}</div>' for b in bubbles)
    quick = message.get("quickReply", {}).get("items", [])
    chips = "".join(f"<span>{escape(_action_label(i.get('action')))}</span>" for i in quick)
    return alt + drawn + (f'<div class="quick">{chips}</div>' if chips else "")


def _bubble(bubble: dict[str, Any]) -> str:
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
        size = _SIZES.get(str(node.get("size")), "14px")
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

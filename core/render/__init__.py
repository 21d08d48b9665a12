"""Pure renderers: an Edition (with its briefs loaded) -> each channel's payload.

No I/O here: ``render_email``, ``render_slack`` and ``render_line`` run once per edition
variant; per-recipient parts (unsubscribe and preference links) are placeholders that
the email adapter fills at send time with a string replace.
"""

from __future__ import annotations

from core.render.email import EmailPayload, render_email
from core.render.line import render_line
from core.render.slack import SlackMessage, render_slack

__all__ = ["EmailPayload", "SlackMessage", "render_email", "render_line", "render_slack"]

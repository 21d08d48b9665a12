"""``aitoday send-test SUBSCRIBER [--channel C]``: the preview, sent for real, marked a test.

The message goes through the channel's configured adapter (bots.registry.build_adapter:
SMTP, the Slack Web API, the LINE Messaging API, or the outbox when the channel is not set
up), so a test send proves the credentials and the address. It is marked visibly: the
e-mail subject starts with "[Test]" and its first line says so; Slack and LINE get a first
line saying the same. No delivery marker, slot claim or "already sent" record is written,
and a refusal does not change the subscriber's status: the real digest goes out as usual.
Each test send has an edition id of its own, so LINE's retry key never mistakes a second
test for a repeat of the first.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
from dataclasses import replace
from typing import Any

import click

from bots.base import ChannelAdapter, OutcomeKind
from bots.email.adapter import EmailAdapter
from bots.email.maildir import MaildirTransport
from bots.email.render import EmailPayload
from bots.line.adapter import LineAdapter, LinePayload
from bots.registry import build_adapter, limits_for
from bots.slack.adapter import SlackAdapter, SlackPayload
from bots.slack.render import SlackMessage
from core.models import CHANNELS
from workers.cli.context import AppContext, pass_app
from workers.cli.preview import build, channels, recipient, subscriber

TEST_PREFIX = "[Test]"
TEST_LINE = "[Test] AIToday test send: what this reader would get now. Not today's digest."
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)
MAX_LINE_MESSAGES = limits_for("line").max_messages_per_call


def mark_test(payload: Any) -> Any:
    """The payload with its test marks: subject prefix and a first line on every channel."""
    if isinstance(payload, EmailPayload):
        return _email(payload)
    if isinstance(payload, SlackPayload):
        return _slack(payload)
    if isinstance(payload, LinePayload):
        return _line(payload)
    raise TypeError(f"no test marks for {type(payload).__name__}")


def _email(payload: EmailPayload) -> EmailPayload:
    banner = (
        '<div style="background:#fef3c7;color:#92400e;padding:8px 12px;'
        f'font:14px sans-serif">{html.escape(TEST_LINE)}</div>'
    )
    found = _BODY.search(payload.html)
    at = found.end() if found else 0
    return replace(
        payload,
        subject=f"{TEST_PREFIX} {payload.subject}",
        html=payload.html[:at] + banner + payload.html[at:],
        text=f"{TEST_LINE}\n\n{payload.text}",
    )


def _slack(payload: SlackPayload) -> SlackPayload:
    first, *rest = payload.messages
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": TEST_LINE}]}
    blocks = [note, *first.blocks][:50]  # Slack takes 50 blocks a message
    marked = SlackMessage(text=f"{TEST_PREFIX} {first.text}", blocks=blocks)
    return replace(payload, messages=[marked, *rest])


def _line(payload: LinePayload) -> LinePayload:
    messages = [
        {**m, "altText": f"{TEST_PREFIX} {m['altText']}"} if "altText" in m else m
        for m in payload.messages
    ]
    if len(messages) < MAX_LINE_MESSAGES:
        messages = [{"type": "text", "text": TEST_LINE}, *messages]
    return replace(payload, messages=messages)


@click.command("send-test")
@click.argument("subscriber_ref", metavar="SUBSCRIBER")
@click.option("--channel", type=click.Choice(CHANNELS), help="One channel (default: all active).")
@pass_app
def send_test_command(app: AppContext, subscriber_ref: str, channel: str | None) -> None:
    """Send SUBSCRIBER (id or e-mail) what they would get now, through the real channel,
    marked "[Test]"; the real digest is not affected."""
    store = app.store
    sub = subscriber(store, subscriber_ref)
    failed = 0
    for chosen in channels(sub, channel, active_only=True):
        adapter = build_adapter(chosen.channel, store)
        if isinstance(adapter, SlackAdapter):
            adapter.threads = None  # a test send is never retried: it keeps no thread record
        edition_id = f"test-{secrets.token_hex(4)}"
        shown = build(store, sub, chosen, adapter, edition_id=edition_id)
        to = recipient(store, sub, chosen)
        (outcome,) = asyncio.run(adapter.send(mark_test(shown.payload), [to]))
        via = transport(adapter)
        stories = len(shown.edition.items)
        if outcome.kind is OutcomeKind.SENT:
            click.echo(
                f"sent test to {chosen.channel}:{chosen.address} ({stories} stories) via {via}"
            )
        else:
            failed += 1
            reason = outcome.reason or outcome.kind.value
            click.echo(
                f"aitoday: test to {chosen.channel}:{chosen.address} not sent "
                f"({outcome.kind.value}: {reason}) via {via}",
                err=True,
            )
    if failed:
        raise SystemExit(1)


def transport(adapter: ChannelAdapter) -> str:
    """Where the adapter sends: "SMTP host:port", "the Slack API", or the outbox folder
    (the channel is not set up: nothing reaches the platform)."""
    if isinstance(adapter, EmailAdapter):
        if isinstance(adapter.transport, MaildirTransport):
            return f"the outbox {adapter.transport.root} (no SMTP host set)"
        return f"SMTP {adapter.settings.smtp.host}:{adapter.settings.smtp.port}"
    if isinstance(adapter, SlackAdapter | LineAdapter) and adapter.outbox is not None:
        return f"the outbox {adapter.outbox} ({adapter.channel} is not set up)"
    return "the Slack API" if adapter.channel == "slack" else "the LINE Messaging API"


def register(cli: click.Group) -> None:
    cli.add_command(send_test_command)

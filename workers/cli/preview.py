"""``aitoday preview SUBSCRIBER [--channel C]``: what a subscriber would get now.

The edition is built as the digest tick would build it for them (core.editions.preview),
rendered by the channel's own adapter and written into the outbox in outbox mode, so
``outbox/index.html`` (workers/demo/preview.py) draws it: the e-mail as HTML, Slack blocks
and LINE bubbles as they look. The terminal gets the same message as plain text. Nothing
is sent, claimed or recorded. SUBSCRIBER is an id or an e-mail address.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from bots.base import ChannelAdapter
from bots.email.adapter import EmailAdapter
from bots.email.maildir import MaildirTransport
from bots.email.render import EmailPayload
from bots.line.adapter import LineAdapter, LinePayload
from bots.slack import outbox as slack_outbox
from bots.slack.adapter import SlackAdapter, SlackPayload
from core.editions.preview import preview_edition
from core.models import CHANNELS, ChannelStatus, ChannelSub, Edition, Recipient, Subscriber, utcnow
from core.store.base import Store
from core.store.subscribers import SubscriberRepo
from core.tokens import unsubscribe_token
from workers.cli.context import AppContext, pass_app
from workers.demo.preview import write_index


@dataclass(frozen=True)
class Preview:
    """One channel's message for one subscriber, rendered, not sent."""

    channel: ChannelSub
    edition: Edition
    payload: Any


def subscriber(store: Store, ref: str) -> Subscriber:
    """The subscriber named by id or by e-mail address (one clear error when none)."""
    repo = SubscriberRepo(store)
    found = repo.by_address("email", ref.strip()) if "@" in ref else repo.get(ref.strip())
    if found is None:
        raise click.ClickException(f"no subscriber {ref!r} (see `aitoday users list`)")
    return found


def channels(sub: Subscriber, wanted: str | None, *, active_only: bool) -> list[ChannelSub]:
    """The channel asked for, else every channel of theirs (ACTIVE only when asked)."""
    if wanted is not None:
        chosen = [c for c in sub.channels if c.channel == wanted]
        if not chosen:
            have = ", ".join(c.channel for c in sub.channels) or "none"
            raise click.ClickException(f"{sub.id} has no {wanted} channel (has: {have})")
    else:
        chosen = list(sub.channels)
    if active_only:
        inactive = [c for c in chosen if c.status is not ChannelStatus.ACTIVE]
        if wanted is not None and inactive:
            status = inactive[0].status.value
            raise click.ClickException(f"{sub.id}'s {wanted} channel is {status}: not sending")
        chosen = [c for c in chosen if c.status is ChannelStatus.ACTIVE]
    if not chosen:
        raise click.ClickException(f"{sub.id} has no active channel")
    return chosen


def build(
    store: Store, sub: Subscriber, channel: ChannelSub, adapter: ChannelAdapter, edition_id: str
) -> Preview:
    """The edition they would get now on ``channel``, rendered by ``adapter``."""
    edition = preview_edition(store, sub, channel, utcnow(), edition_id=edition_id)
    if not edition.items:
        raise click.ClickException(
            f"nothing to send {sub.id} on {channel.channel} now: no story of the last "
            "36 hours fits their topics and mutes, or they had them all (try `aitoday ingest`)"
        )
    return Preview(channel, edition, adapter.render(edition))


def recipient(store: Store, sub: Subscriber, channel: ChannelSub) -> Recipient:
    """The recipient as the tick makes it (e-mail: with its unsubscribe token)."""
    token = None
    if channel.channel == "email":
        token = unsubscribe_token(store.settings.signing_key(), sub.id, channel.channel)
    return Recipient(subscriber_id=sub.id, address=channel.address, unsubscribe_token=token)


def outbox_adapter(store: Store, channel: str, outbox: Path) -> ChannelAdapter:
    """The channel's adapter writing into ``outbox`` whatever the settings configure."""
    settings = store.settings
    if channel == "email":
        return EmailAdapter(settings, transport=MaildirTransport(outbox / "maildir"))
    if channel == "slack":
        return SlackAdapter(settings, outbox=outbox / "slack")
    return LineAdapter(settings, outbox=outbox / "line")


@click.command("preview")
@click.argument("subscriber_ref", metavar="SUBSCRIBER")
@click.option("--channel", type=click.Choice(CHANNELS), help="One channel (default: all theirs).")
@pass_app
def preview_command(app: AppContext, subscriber_ref: str, channel: str | None) -> None:
    """Show what SUBSCRIBER (id or e-mail) would get now, in their language, topics and
    zone: plain text here, and drawn in outbox/index.html. Nothing is sent or recorded."""
    store = app.store
    sub = subscriber(store, subscriber_ref)
    outbox = store.settings.digest.outbox_dir
    for chosen in channels(sub, channel, active_only=False):
        adapter = outbox_adapter(store, chosen.channel, outbox)
        shown = build(store, sub, chosen, adapter, edition_id="preview")
        asyncio.run(adapter.send(shown.payload, [recipient(store, sub, chosen)]))
        click.echo(f"== {chosen.channel} to {chosen.address} ({chosen.status.value}) ==")
        click.echo(payload_text(shown.payload))
        click.echo("")
    click.echo(f"drawn in {write_index(outbox)}")


# -- the payloads as terminal text ------------------------------------------------------


def payload_text(payload: Any) -> str:
    """A rendered message as plain text: the e-mail's text part, the chat messages' words."""
    if isinstance(payload, EmailPayload):
        text = payload.personalize(
            unsubscribe_url="<unsubscribe link>", preferences_url="<preferences link>"
        )[1]
        return f"Subject: {payload.subject}\n\n{text}"
    if isinstance(payload, SlackPayload):
        return "\n".join(slack_outbox.as_text(m) for m in payload.posts())
    if isinstance(payload, LinePayload):
        return "\n".join(_line_lines(m) for m in payload.messages)
    return str(payload)


def _line_lines(message: dict[str, Any]) -> str:
    if message.get("type") == "text":
        lines = [str(message.get("text", ""))]
    else:
        lines = [f"altText: {message.get('altText', '')}"]
        contents = message.get("contents") or {}
        bubbles = contents.get("contents", []) if contents.get("type") == "carousel" else [contents]
        for bubble in bubbles:
            lines.append("—" * 20)
            for part in ("header", "body", "footer"):
                if part in bubble:
                    lines += _flex_lines(bubble[part])
    quick = (message.get("quickReply") or {}).get("items", [])
    if quick:
        lines.append(" ".join(f"[{i.get('action', {}).get('label', '')}]" for i in quick))
    return "\n".join(lines)


def _flex_lines(node: dict[str, Any]) -> list[str]:
    kind = node.get("type")
    if kind == "box":
        inner = [_flex_lines(child) for child in node.get("contents", [])]
        if node.get("layout") == "horizontal":
            return [" ".join(" ".join(part) for part in inner)]
        return [line for part in inner for line in part]
    if kind == "text":
        return [str(node.get("text", ""))]
    if kind == "button":
        return [f"[{(node.get('action') or {}).get('label', '')}]"]
    return []


def register(cli: click.Group) -> None:
    cli.add_command(preview_command)

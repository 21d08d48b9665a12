"""``aitoday deliveries status|retry``: what happened to an edition, and a second try."""

from __future__ import annotations

import json
import time
from datetime import UTC, timedelta

import click

from core.models import DeliveryBatch, Edition, Recipient, utcnow
from core.store.base import Store
from core.store.deliveries import COLUMNS, BatchRecord, DeliveryRepo
from core.store.editions import EditionRepo
from core.store.subscribers import SubscriberRepo
from core.tokens import unsubscribe_token
from workers.cli.context import AppContext, FullHelpGroup, pass_app
from workers.fanout import requeue
from workers.status import bounce_lines, bounces


@click.group("deliveries", cls=FullHelpGroup)
def deliveries_group() -> None:
    """Delivery records of editions: status and retry."""


@deliveries_group.command("status")
@click.argument("edition", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def status_command(app: AppContext, edition: str | None, as_json: bool) -> None:
    """Sent / failed / pending / deferred / gone / rejected / skipped per channel.

    Without EDITION: every edition of the last 24 hours with its counts.
    """
    repo = DeliveryRepo(app.store)
    if edition is None:
        _today(app.store, repo, as_json)
        return
    counts = repo.status(edition)
    if not counts:
        raise click.ClickException(f"no deliveries recorded for edition {edition!r}")
    dead = repo.dead_letters(edition)
    if as_json:
        letters = [
            {"job_id": d.job_id, "channel": d.channel, "reason": d.reason, "count": len(d.ids)}
            for d in dead
        ]
        click.echo(json.dumps({"edition": edition, "channels": counts, "dead_letters": letters}))
        return
    click.echo(_table(counts))
    for letter in dead:
        click.echo(f"dead letter {letter.job_id} ({len(letter.ids)} recipients): {letter.reason}")


@deliveries_group.command("retry")
@click.argument("edition")
@click.option(
    "--pending-only",
    is_flag=True,
    help="Only recipients never finished; leave failed and deferred ones alone.",
)
@pass_app
def retry_command(app: AppContext, edition: str, pending_only: bool) -> None:
    """Queue again every recipient of EDITION not delivered yet (failed and deferred too)."""
    store = app.store
    repo = DeliveryRepo(store)
    if not repo.batches(edition):
        raise click.ClickException(f"no deliveries recorded for edition {edition!r}")
    records = repo.unfinished(edition, include_retryable=not pending_only)
    batches = [rebuild(store, record) for record in records]
    mode = "fresh" if pending_only else "retry"
    queued = requeue(store, batches, f"retry{int(time.time())}", mode=mode)
    total = sum(len(b.recipients) for b in batches)
    click.echo(f"queued {queued} batch(es), {total} recipient(s) of {edition}")


def rebuild(store: Store, record: BatchRecord) -> DeliveryBatch:
    """A batch from its record: today's addresses, fresh unsubscribe tokens.

    A subscriber deleted or no longer on the channel keeps an empty address; the job
    marks them skipped instead of sending.
    """
    subscribers = {s.id: s for s in SubscriberRepo(store).get_many(record.ids)}
    key = store.settings.signing_key()
    recipients = []
    for sid in record.ids:
        sub = subscribers.get(sid)
        address = ""
        if sub is not None:
            address = next((c.address for c in sub.channels if c.channel == record.channel), "")
        token = unsubscribe_token(key, sid, record.channel) if record.channel == "email" else None
        recipients.append(Recipient(subscriber_id=sid, address=address, unsubscribe_token=token))
    return DeliveryBatch(
        edition_id=record.edition_id,
        channel=record.channel,  # type: ignore[arg-type]
        batch_no=record.batch_no,
        recipients=recipients,
    )


def _today(store: Store, repo: DeliveryRepo, as_json: bool) -> None:
    """One row per edition of the last 24 hours: channel, language, slot and counts; then
    the e-mail addresses bounced or complained, by source, when there are any."""
    now = utcnow()
    editions = EditionRepo(store).between(now - timedelta(hours=24), now + timedelta(hours=1))
    rows = [(e, _summed(repo.status(e.id))) for e in editions]
    if as_json:
        click.echo(json.dumps([_row_json(e, counts) for e, counts in rows]))
    elif not rows:
        recent = repo.recent_editions()
        click.echo("no editions in the last 24 hours")
        if recent:
            click.echo("fanned out before: " + ", ".join(recent))
    else:
        click.echo(f"{'edition':<28}{'channel':<8}{'lang':<8}{'slot (UTC)':<18}" + _header())
        for e, counts in rows:
            slot = e.slot.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
            cells = "".join(f"{counts[c]:>10}" for c in COLUMNS)
            click.echo(f"{e.id:<28}{e.channel:<8}{e.language:<8}{slot:<18}{cells}")
    if not as_json:
        found = bounces(store)
        for line in bounce_lines(found) if found["addresses"] or found["received"] else []:
            click.echo(line)


def _summed(by_channel: dict[str, dict[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(COLUMNS, 0)
    for counts in by_channel.values():
        for column in COLUMNS:
            total[column] += counts.get(column, 0)
    return total


def _row_json(edition: Edition, counts: dict[str, int]) -> dict[str, object]:
    return {
        "edition": edition.id,
        "channel": edition.channel,
        "language": edition.language,
        "slot": edition.slot.isoformat(),
        "counts": counts,
    }


def _header() -> str:
    return "".join(f"{c:>10}" for c in COLUMNS)


def _table(counts: dict[str, dict[str, int]]) -> str:
    header = f"{'channel':<8}" + _header()
    rows = [header]
    for channel, values in counts.items():
        rows.append(f"{channel:<8}" + "".join(f"{values[c]:>10}" for c in COLUMNS))
    return "\n".join(rows)


def register(cli: click.Group) -> None:
    cli.add_command(deliveries_group)

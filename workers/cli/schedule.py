"""``aitoday schedule --at ISO8601 [--dry-run]``: the digest tick for one instant."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from core.editions.tick import TickResult, build_editions
from core.errors import ValidationError
from core.models import utcnow
from workers.cli.context import AppContext, pass_app
from workers.fanout import enqueue_batches


def parse_instant(text: str | None) -> datetime:
    """An ISO 8601 instant ("2026-11-28T07:30+09:00"); no offset means UTC; none means now."""
    if not text:
        return utcnow()
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("at", f"{text!r} is not an ISO 8601 time") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@click.command("schedule")
@click.option("--at", "at_text", metavar="ISO8601", help="The instant (default: now).")
@click.option("--dry-run", is_flag=True, help="Show who would get what; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@pass_app
def schedule_command(app: AppContext, at_text: str | None, dry_run: bool, as_json: bool) -> None:
    """Build the editions due at an instant and enqueue their deliveries (as cron does)."""
    at = parse_instant(at_text)
    result = build_editions(app.store, at, dry_run=dry_run)
    enqueued = 0
    if not dry_run and result.batches:
        enqueued = enqueue_batches(app.store, result.batches)
    if as_json:
        click.echo(json.dumps(_as_dict(result, enqueued), indent=2, ensure_ascii=False))
        return
    _print(result, enqueued)


def _print(result: TickResult, enqueued: int) -> None:
    mode = "dry run: nothing written" if result.dry_run else f"{enqueued} batch jobs enqueued"
    click.echo(
        f"{result.at.isoformat()}  candidates {result.candidates}  due {result.due}  "
        f"editions {len(result.editions)}  recipients {result.recipients}  ({mode})"
    )
    for row in sorted(result.plan, key=lambda r: (r.note != "due", r.subscriber_id, r.channel)):
        stories = ",".join(row.story_ids) or "-"
        edition = row.edition_id or "-"
        click.echo(
            f"  {row.subscriber_id}  {row.channel:5} {row.address}  {row.note}  "
            f"{row.kind} edition={edition} stories={stories}"
        )
    for reason, count in sorted(result.skipped.items()):
        click.echo(f"  skipped ({reason}): {count}")


def _as_dict(result: TickResult, enqueued: int) -> dict[str, object]:
    return {
        "at": result.at.isoformat(),
        "dry_run": result.dry_run,
        "candidates": result.candidates,
        "due": result.due,
        "editions": [
            {
                "id": e.id,
                "kind": e.kind,
                "channel": e.channel,
                "language": e.language,
                "stories": [i.story_id for i in e.items],
            }
            for e in result.editions
        ],
        "recipients": result.recipients,
        "batches": len(result.batches),
        "enqueued": enqueued,
        "plan": [
            {
                "subscriber_id": r.subscriber_id,
                "channel": r.channel,
                "address": r.address,
                "kind": r.kind,
                "stories": list(r.story_ids),
                "edition_id": r.edition_id,
                "note": r.note,
            }
            for r in result.plan
        ],
        "skipped": dict(result.skipped),
    }


def register(cli: click.Group) -> None:
    cli.add_command(schedule_command)

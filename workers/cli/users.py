"""``aitoday users``: add, list, show, set, export and delete subscribers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from core.models import Subscriber
from core.preferences import apply_setting, new_subscriber, parse_setting
from core.store.subscribers import SubscriberRepo
from workers.cli.context import AppContext, FullHelpGroup, pass_app


@click.group("users", cls=FullHelpGroup)
def users() -> None:
    """Subscribers: who gets the digest, where, when and in which language."""


@users.command("add")
@click.option("--email", help="E-mail address.")
@click.option("--line", help="LINE user, group or room id (U..., C..., R...).")
@click.option("--slack", help="TEAM_ID/CHANNEL_ID or TEAM_ID/USER_ID.")
@click.option("--tz", "timezone", default=None, help="IANA time zone (default: UTC, said so).")
@click.option("--time", "delivery_time", default="07:30", show_default=True, help="HH:MM local.")
@click.option("--lang", "language", default="en", show_default=True)
@click.option("--topics", default="", help="Topics to follow, comma separated.")
@click.option(
    "--frequency", default="daily", show_default=True, help="daily|weekdays|weekly[:day]|paused"
)
@click.option("--items", "max_items", type=int, help="Stories per digest (1-20).")
@click.option("--pending", is_flag=True, help="Channels start pending (e-mail needs confirming).")
@click.option("--json", "as_json", is_flag=True, help="Print the subscriber as JSON.")
@pass_app
def add_command(
    app: AppContext,
    email: str | None,
    line: str | None,
    slack: str | None,
    timezone: str | None,
    delivery_time: str,
    language: str,
    topics: str,
    frequency: str,
    max_items: int | None,
    pending: bool,
    as_json: bool,
) -> None:
    """Add a subscriber; an operator vouches for them, so channels start active."""
    sub = new_subscriber(
        email=email,
        line=line,
        slack=slack,
        timezone=timezone or "UTC",
        delivery_time=delivery_time,
        language=language,
        topics=[topics] if topics else [],
        frequency=frequency,
        max_items=max_items,
        pending=pending,
    )
    repo = SubscriberRepo(app.store)
    repo.add(sub)
    if as_json:
        click.echo(sub.model_dump_json(indent=2))
        return
    click.echo(f"added {sub.id}; next digest {next_digest(repo.next_due(sub.id), sub.timezone)}")
    if timezone is None:
        click.echo(f"time zone: UTC assumed ({delivery_time} UTC); --tz Asia/Tokyo sets one")


def next_digest(due: datetime | None, zone: str) -> str:
    """``2026-12-03 22:30 UTC (Fri 4 Dec 07:30 Asia/Tokyo)``: both clocks a reader checks."""
    if due is None:
        return "never (no active channel)"
    utc = due.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if zone == "UTC":
        return utc
    local = due.astimezone(ZoneInfo(zone))
    return f"{utc} ({local:%a} {local.day} {local:%b %H:%M} {zone})"


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_app
def list_command(app: AppContext, as_json: bool) -> None:
    """Every subscriber, one line each."""
    repo = SubscriberRepo(app.store)
    rows = sorted(repo.iter_all(), key=lambda s: s.created)
    if as_json:
        for sub in rows:
            click.echo(sub.model_dump_json())
        return
    if not rows:
        click.echo("no subscribers yet: aitoday users add --email you@example.com")
        return
    for sub in rows:
        click.echo(_line(sub))


def _line(sub: Subscriber) -> str:
    channels = " ".join(f"{c.channel}:{c.address}({c.status.value})" for c in sub.channels)
    when = f"{sub.delivery_time} {sub.timezone} {sub.frequency.value}"
    return f"{sub.id}  {when}  {sub.language}  {channels}"


@users.command("show")
@click.argument("subscriber_id")
@pass_app
def show_command(app: AppContext, subscriber_id: str) -> None:
    """One subscriber's settings, with the next digest time."""
    repo = SubscriberRepo(app.store)
    sub = repo.require(subscriber_id)
    click.echo(sub.model_dump_json(indent=2))
    click.echo(f"next digest: {next_digest(repo.next_due(sub.id), sub.timezone)}")


@users.command("set")
@click.argument("subscriber_id")
@click.argument("settings", nargs=-1, required=True)
@pass_app
def set_command(app: AppContext, subscriber_id: str, settings: tuple[str, ...]) -> None:
    """Change settings: time=07:30 tz=Asia/Tokyo lang=ja follow=chips slack.items=10 ..."""
    repo = SubscriberRepo(app.store)
    sub = repo.require(subscriber_id)
    pairs = [parse_setting(text) for text in settings]
    # Only "mute" needs the source list (to tell a source from a word).
    sources = _source_ids(app) if any(key == "mute" for key, _ in pairs) else set()
    for key, value in pairs:
        sub = apply_setting(sub, key, value, sources=sources)
    repo.save(sub)
    next_due = repo.next_due(sub.id)
    click.echo(f"saved {sub.id}; next digest {next_due.isoformat() if next_due else 'never'}")


def _source_ids(app: AppContext) -> set[str]:
    from core.store.sources import SourceRepo  # only `users set ... mute=` needs it

    return {source.id for source in SourceRepo(app.store).all()}


@users.command("export")
@click.argument("subscriber_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@pass_app
def export_command(app: AppContext, subscriber_id: str, output: Path | None) -> None:
    """Every datum held about a subscriber, as JSON."""
    data = SubscriberRepo(app.store).export(subscriber_id)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}")


@users.command("delete")
@click.argument("subscriber_id")
@pass_app
def delete_command(app: AppContext, subscriber_id: str) -> None:
    """Remove a subscriber, their indexes and addresses, also from waiting delivery jobs
    (delivery records hold none)."""
    from workers.jobs import forget_subscriber  # imports every adapter: only when needed

    deleted = SubscriberRepo(app.store).delete(subscriber_id)
    # Jobs are purged even when the record is gone already: a second run finishes the job.
    jobs = forget_subscriber(app.store, subscriber_id)
    if not deleted and not jobs:
        raise click.ClickException(f"no subscriber {subscriber_id!r}")
    click.echo(f"deleted {subscriber_id} (and from {jobs} waiting delivery job(s))")


def register(cli: click.Group) -> None:
    cli.add_command(users)

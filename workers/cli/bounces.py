"""``aitoday bounces poll|status``: the bounce mailbox, and who bounced or complained."""

from __future__ import annotations

import json

import click

from workers.cli.context import AppContext, FullHelpGroup, pass_app
from workers.status import bounce_lines, bounces


@click.group("bounces", cls=FullHelpGroup)
def bounces_group() -> None:
    """Asynchronous bounces and complaints: the IMAP bounce mailbox and the counts."""


@bounces_group.command("poll")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def poll_command(app: AppContext, as_json: bool) -> None:
    """Read the unseen DSNs and complaints in the bounce mailbox once (as cron does)."""
    from workers.bounces import poll_mailbox

    report = poll_mailbox(app.store, app.settings.imap)
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    applied = report.applied
    click.echo(
        f"{report.messages} message(s): {report.reports} report(s), "
        f"{report.not_reports} other, {report.too_large} too large; "
        f"marked {applied.get('marked', 0)}, transient {applied.get('transient', 0)}, "
        f"unknown address {applied.get('unknown', 0)}, seen before {applied.get('duplicates', 0)}"
    )


@bounces_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--recount", is_flag=True, help="Rebuild the address counts from every subscriber first."
)
@pass_app
def status_command(app: AppContext, as_json: bool, recount: bool) -> None:
    """Addresses bounced or complained now (by source), and the reports received."""
    if recount:
        from core.store.subscribers import SubscriberRepo

        SubscriberRepo(app.store).recount_bounced()
    found = bounces(app.store)
    if as_json:
        click.echo(json.dumps(found))
        return
    for line in bounce_lines(found)[1:]:
        click.echo(line)


def register(cli: click.Group) -> None:
    cli.add_command(bounces_group)

"""``aitoday config``: the effective settings, secrets masked."""

from __future__ import annotations

import json

import click

from core.config import masked
from workers.cli.context import AppContext, pass_app
from workers.cli.settings_table import markdown_table


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--table", is_flag=True, help="Print every setting as a Markdown table.")
@pass_app
def config_command(app: AppContext, as_json: bool, table: bool) -> None:
    """Print the effective settings (secrets shown as **********)."""
    if table:
        click.echo(markdown_table())
        return
    values = masked(app.settings)
    if as_json:
        click.echo(json.dumps(values, indent=2, default=str))
        return
    for name, value in _flatten(values):
        click.echo(f"{name} = {value}")


def _flatten(values: dict[str, object], prefix: str = "AITODAY_") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in values.items():
        name = f"{prefix}{key.rstrip('_').upper()}"
        if isinstance(value, dict):
            rows.extend(_flatten(value, name + "__"))
        else:
            rows.append((name, "" if value is None else value))
    return rows


def register(cli: click.Group) -> None:
    cli.add_command(config_command)

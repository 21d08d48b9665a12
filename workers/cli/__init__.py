"""The ``aitoday`` command line.

Each module in this package adds its commands through ``register(main)``; modules are
found in alphabetical order, so adding a command group is adding one file here.
Settings are read once here and handed down through the click context.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from core.errors import AITodayError
from workers.cli.context import AppContext


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """AIToday: 5 minutes a day, the AI essentials."""
    ctx.obj = AppContext()


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "context":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(cli)


_register_commands()


def main() -> None:
    """Entry point: AITodayError becomes one clear line on stderr and exit status 1."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except AITodayError as exc:
        click.echo(f"aitoday: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)

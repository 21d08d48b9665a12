"""The ``aitoday`` command line.

Each module in this package adds its commands through ``register(cli)``. :data:`COMMANDS`
says which module holds which command, so that running one command imports only its own
module (the others pull in rq, litellm's neighbours, the editions tick ...: a second of
start-up for nothing). Adding a command = one module here + one line in COMMANDS; a test
checks the table against the modules. Settings are read once, in ``context``.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from types import FrameType

import click

from core.errors import AITodayError
from workers.cli.context import AppContext, FullHelpGroup

COMMANDS: dict[str, str] = {
    "bounces": "bounces",
    "brief": "brief",
    "cluster": "cluster",
    "config": "config_cmd",
    "cron": "runtime",
    "deliveries": "deliveries",
    "demo": "demo",
    "extract": "extract",
    "ingest": "ingest",
    "preview": "preview",
    "run": "runtime",
    "schedule": "schedule",
    "send-test": "send_test",
    "sources": "sources",
    "status": "runtime",
    "stories": "stories",
    "users": "users",
    "web": "web",
    "worker": "worker",
}

SERVICES = frozenset({"cron", "run", "web", "worker"})  # long-running: they log at INFO


class LazyGroup(FullHelpGroup):
    """Imports a command's module only when that command is listed for help or run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        if cmd_name not in self.commands:
            importlib.import_module(f"{__name__}.{module_name}").register(self)
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """AIToday: 5 minutes a day, the AI essentials."""
    # Services log their INFO lines; a one-shot command shows only its output and problems.
    ctx.obj = AppContext(service=ctx.invoked_subcommand in SERVICES)


def _show(exc: click.ClickException) -> None:
    """Every error in one style, ``aitoday: ...`` (click's own says ``Error: ...``)."""
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        ctx = exc.ctx
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"Try '{ctx.command_path} --help' for help.", err=True)
    click.echo(f"aitoday: {exc.format_message()}", err=True)


def exit_on_sigterm() -> None:
    """SIGTERM and SIGHUP end the process through SystemExit, so that atexit runs.

    Python's default for SIGTERM kills the process outright, which skips the handler that
    stops the embedded Redis (core.store.connection.stop_embedded) and leaves it running
    without us. Commands that stop gracefully (cron, run, worker) install their own handler;
    uvicorn restores this one and raises the signal again once it has shut down.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        sys.exit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)


# Set by `aitoday run` for its children (not AITODAY_-prefixed: it is no setting).
SUPERVISOR_ENV = "AITODAYRUN_SUPERVISOR_PID"
PR_SET_PDEATHSIG = 1


def die_with_supervisor() -> None:
    """A child of ``aitoday run`` gets SIGTERM when the supervisor dies, SIGKILL included.

    Without it a killed supervisor leaves its web, worker and cron running, each in a
    session of its own (Linux only: prctl).
    """
    parent = os.environ.pop(SUPERVISOR_ENV, None)
    if parent is None or not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != int(parent):  # the supervisor died before prctl took effect
        sys.exit(0)


def main() -> None:
    """Entry point: AITodayError becomes one clear line on stderr and exit status 1."""
    exit_on_sigterm()
    die_with_supervisor()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        _show(exc)
        sys.exit(exc.exit_code)
    except AITodayError as exc:
        click.echo(f"aitoday: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)

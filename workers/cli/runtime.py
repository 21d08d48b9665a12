"""``aitoday cron``, ``aitoday run`` and ``aitoday status``: the production processes.

``cron`` is the one scheduler (workers.cron). ``run`` starts web, worker(s) and cron as
child processes of one parent for a small install, restarts a child that dies, and on
SIGTERM/SIGINT passes SIGTERM to every child and waits for them: the worker finishes its
running batch (RQ warm shutdown), cron finishes its running job. ``status`` reads Redis
only, so it works while the others run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

import click

from core.store.connection import redis_url
from workers.cli import SUPERVISOR_ENV
from workers.cli.context import AppContext, pass_app

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def on_stop_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set ``stop`` (main thread only) instead of killing us."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)


@click.command("cron")
@click.option("--once", is_flag=True, help="Run every job once now (if the lock is free), exit.")
@pass_app
def cron_command(app: AppContext, once: bool) -> None:
    """Ingest every N minutes and run the digest tick; only one cron acts at a time."""
    from workers.cron import Cron

    cron = Cron(app.store)
    if once:
        if not cron.run_all():
            raise click.ClickException("another cron holds the lock")
        click.echo(json.dumps(cron.last_runs(), indent=2, default=str))
        return
    stop = threading.Event()
    on_stop_signals(stop)
    every = ", ".join(f"{j.name} every {j.every}" for j in cron.jobs)
    click.echo(f"aitoday cron: {every}", err=True)
    cron.serve(stop)
    click.echo("aitoday cron: stopped", err=True)


@dataclass
class Child:
    """One supervised process of ``aitoday run``."""

    name: str
    args: list[str]
    process: subprocess.Popen[bytes] | None = None
    starts: list[float] = field(default_factory=list)

    def start(self, env: dict[str, str]) -> None:
        # A session of its own: Ctrl+C on the terminal reaches only the parent, which then
        # sends one SIGTERM. A second signal would turn RQ's warm shutdown into a cold one.
        # SUPERVISOR_ENV: the child asks the kernel for SIGTERM if we die (even by SIGKILL).
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workers.cli", *self.args],
            env={**env, SUPERVISOR_ENV: str(os.getpid())},
            start_new_session=True,
        )
        self.starts.append(time.monotonic())

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def crash_looping(self, window: float = 60.0, limit: int = 5) -> bool:
        recent = [t for t in self.starts if time.monotonic() - t < window]
        return len(recent) >= limit


@click.command("run")
@click.option("--workers", "workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-web", is_flag=True, help="Do not start the web process.")
@click.option(
    "--grace", default=300.0, show_default=True, help="Seconds children get to stop on SIGTERM."
)
@pass_app
def run_command(app: AppContext, workers: int, no_web: bool, grace: float) -> None:
    """Run web, worker(s) and cron as one process tree (a small install)."""
    env = dict(os.environ)
    # Children share the parent's Redis; with the embedded one, the parent keeps it alive.
    env["AITODAY_REDIS_URL"] = redis_url(app.settings)
    app.store  # noqa: B018 - fail here, once, with one clear line if Redis is unreachable
    children = [Child("cron", ["cron"])]
    children += [Child(f"worker-{n + 1}", ["worker"]) for n in range(workers)]
    if not no_web:
        children.append(Child("web", ["web"]))
    stop = threading.Event()
    on_stop_signals(stop)
    code = supervise(children, env, stop, grace=grace)
    sys.exit(code)


def supervise(
    children: list[Child], env: dict[str, str], stop: threading.Event, *, grace: float
) -> int:
    """Start the children, restart any that dies, stop them all when ``stop`` is set."""
    for child in children:
        child.start(env)
        click.echo(f"aitoday run: started {child.name} (pid {_pid(child)})", err=True)
    code = 0
    while not stop.wait(1.0):
        for child in children:
            if child.running():
                continue
            if child.crash_looping():
                click.echo(f"aitoday run: {child.name} keeps dying; stopping", err=True)
                code = 1
                stop.set()
                break
            click.echo(f"aitoday run: {child.name} exited; restarting", err=True)
            child.start(env)
    _stop_all(children, grace)
    return code


def _stop_all(children: list[Child], grace: float) -> None:
    for child in children:
        if child.running() and child.process is not None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            click.echo(f"aitoday run: {child.name} did not stop in time; killing", err=True)
            child.process.kill()
            child.process.wait()
        click.echo(f"aitoday run: {child.name} stopped", err=True)


def _pid(child: Child) -> int:
    return child.process.pid if child.process is not None else -1


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def status_command(app: AppContext, as_json: bool) -> None:
    """Queues, workers, cron, last ingest, failing sources, today's deliveries, LLM spend."""
    from workers.status import collect, lines

    report = collect(app.store)
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str, ensure_ascii=False))
        return
    for line in lines(report):
        click.echo(line)


def register(cli: click.Group) -> None:
    cli.add_command(cron_command)
    cli.add_command(run_command)
    cli.add_command(status_command)


__all__ = ["Child", "on_stop_signals", "register", "supervise"]

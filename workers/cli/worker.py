"""``aitoday worker``: an RQ worker on the delivery queues, with the scheduler."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

import click
from rq import Queue, SimpleWorker, Worker
from rq.registry import ScheduledJobRegistry

from core.store.base import Store
from workers.cli.context import AppContext, pass_app
from workers.queues import all_queues


class StopEarly:
    """A SIGTERM before RQ installs its own handlers still shuts the worker down cleanly.

    RQ's ``work()`` registers the worker, starts the scheduler process and only then
    installs its signal handlers; a SIGTERM in between (a deploy, ``aitoday run`` stopping
    right after start) would kill it with the default action and leave a ghost worker in
    ``aitoday status`` until its registration expires. Until RQ's handlers replace this
    one, a signal only asks the loop to stop at its first turn, which then tears down and
    deregisters as usual.
    """

    _stop_requested: bool

    def bootstrap(self, *args: Any, **kwargs: Any) -> None:
        signal.signal(signal.SIGTERM, self._stop_at_first_turn)
        signal.signal(signal.SIGINT, self._stop_at_first_turn)
        super().bootstrap(*args, **kwargs)  # type: ignore[misc]

    def _stop_at_first_turn(self, signum: int, frame: FrameType | None) -> None:
        self._stop_requested = True


class DeliveryWorker(StopEarly, Worker):
    """RQ's forking worker, safe to stop at any moment."""


class SimpleDeliveryWorker(StopEarly, SimpleWorker):
    """RQ's in-process worker, safe to stop at any moment."""


@click.command("worker")
@click.option(
    "--queues",
    "-q",
    "queue_names",
    multiple=True,
    help="Queues to work (email, slack, line or full names; repeat). Default: all.",
)
@click.option("--burst", is_flag=True, help="Drain the queues and due retries, then exit.")
@click.option(
    "--wait-retries",
    type=float,
    default=0.0,
    show_default=True,
    help="With --burst: also wait for retries scheduled within this many seconds.",
)
@click.option("--simple", is_flag=True, help="Run jobs in the worker process (no fork per job).")
@pass_app
def worker_command(
    app: AppContext, queue_names: tuple[str, ...], burst: bool, wait_retries: float, simple: bool
) -> None:
    """Run an RQ worker (with the scheduler) on the delivery queues."""
    from workers.jobs import configure, warm_up

    store = app.store
    configure(app.settings, store)  # read once here; forked jobs inherit it
    warm_up(store)
    try:
        queues = all_queues(store, list(queue_names))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--queues") from None
    worker_class: Any = SimpleDeliveryWorker if simple else DeliveryWorker
    level = app.settings.log.level
    if not burst:
        worker_class(queues, connection=store.redis).work(with_scheduler=True, logging_level=level)
        return
    rounds = drain(store, queues, worker_class, wait_retries=wait_retries, logging_level=level)
    click.echo(f"drained {', '.join(q.name for q in queues)} in {rounds} round(s)", err=True)


def drain(
    store: Store,
    queues: list[Queue],
    worker_class: Any = DeliveryWorker,
    *,
    wait_retries: float = 0.0,
    logging_level: str = "INFO",
) -> int:
    """Work in burst mode until no job is queued and no retry is due; return the rounds.

    RQ's burst worker moves due scheduled jobs (retries) into their queues only when it
    starts, so it is started again while any are due (or due within ``wait_retries``).
    """
    rounds = idle = 0
    while idle < 3:  # another worker's scheduler may hold the lock: do not spin forever
        rounds += 1
        worked = worker_class(queues, connection=store.redis).work(
            burst=True, with_scheduler=True, logging_level=logging_level
        )
        idle = 0 if worked else idle + 1
        if any(q.count for q in queues):
            continue
        next_due = _next_scheduled(store, queues)
        if next_due is None or next_due > time.time() + wait_retries:
            break
        time.sleep(max(0.0, next_due - time.time()) + 0.05)
    return rounds


def _next_scheduled(store: Store, queues: list[Queue]) -> float | None:
    """Epoch seconds of the earliest scheduled job on these queues, or None."""
    earliest: float | None = None
    for queue in queues:
        registry = ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]
        first = store.redis.zrange(registry.key, 0, 0, withscores=True)
        if first:
            score = float(first[0][1])
            earliest = score if earliest is None else min(earliest, score)
    return earliest


def register(cli: click.Group) -> None:
    cli.add_command(worker_command)


__all__ = ["drain", "register"]

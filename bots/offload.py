"""Run a chat command off the web process's event loop.

The repositories use the synchronous Redis client; called on the event loop, every Redis
round trip of one answer would hold up every other request's ``ack``. A command runs in a
worker thread with its own loop instead, so acknowledgements stay immediate under load.
Answers get a pool of their own: a burst of slow answers must never queue ahead of the
short Redis calls that acknowledgements make through the default executor.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx

from core.commands import Chat, Reply, answer
from core.store.base import Store

log = logging.getLogger(__name__)

ANSWER_THREADS = 4
RESPONSE_TIMEOUT = 10.0
_answers = ThreadPoolExecutor(max_workers=ANSWER_THREADS, thread_name_prefix="aitoday-answer")


class AckGate:
    """Lets answers start only once the acknowledgements in flight have left.

    Answer threads hold the GIL in slices the event loop must wait for (Python hands the
    GIL over at most every 5 ms), so answers computed while a burst of commands is being
    acknowledged make each ack wait behind them. Slack needs the ack within 3 s and
    the answer within 30 min; an answer started a few ms later costs nothing. The wait
    is bounded so a steady stream of requests can never starve the answers.
    """

    def __init__(self, settle: float = 0.025, max_wait: float = 0.3) -> None:
        # A burst's requests arrive spread over tens of ms: 25 ms with no ack in flight is
        # the burst being over (10 ms let answers start between a burst's last requests).
        self.settle = settle
        self.max_wait = max_wait
        self._busy = 0
        self._last = 0.0

    @contextmanager
    def acking(self) -> Iterator[None]:
        """Wrap the handling of one inbound request that owes an acknowledgement."""
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1
            self._last = time.monotonic()

    def _quiet_for(self, now: float) -> float:
        """Seconds left until quiet (0 when quiet now)."""
        if self._busy:
            return self.settle
        return max(0.0, self._last + self.settle - now)

    async def quiet(self) -> None:
        """Return once no ack has been in flight for ``settle`` s, or after ``max_wait``."""
        deadline = time.monotonic() + self.max_wait
        while (now := time.monotonic()) < deadline:
            left = self._quiet_for(now)
            if left <= 0:
                return
            await asyncio.sleep(min(left, deadline - now))


# One per process: the web loop is one per process (uvicorn workers are processes).
acks = AckGate()


# Each answer thread keeps one event loop for its whole life: ``asyncio.run`` per answer
# built a loop, a selector and a socket pair every time, all while holding the GIL the
# acknowledgements on the web loop wait for.
_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


def _answer_in_thread(store: Store, chat: Chat, text: str) -> Reply:
    return _thread_loop().run_until_complete(answer(store, chat, text))


async def answer_off_loop(store: Store, chat: Chat, text: str) -> Reply:
    """:func:`core.commands.answer`, computed in a worker thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_answers, _answer_in_thread, store, chat, text)


# One pooled HTTP client for every answer thread (httpx.Client is thread-safe): a new
# client per answer would build an SSL context and a connection each time.
# Built once under a lock: the first burst's threads each built one before.
_poster: httpx.Client | None = None
_poster_lock = threading.Lock()


def _client() -> httpx.Client:
    global _poster
    with _poster_lock:
        if _poster is None:
            _poster = httpx.Client(timeout=RESPONSE_TIMEOUT)
        return _poster


def _post(url: str, payload: dict[str, Any]) -> None:
    try:
        answer = _client().post(url, json=payload)
        if answer.status_code >= 400:
            log.warning("response_url answered %s", answer.status_code)
    except httpx.HTTPError as exc:
        log.warning("answer not delivered to response_url: %s", type(exc).__name__)


def _answer_and_post(
    store: Store, chat: Chat, text: str, url: str, message: Callable[[Reply], dict[str, Any]]
) -> Reply:
    reply = _answer_in_thread(store, chat, text)
    _post(url, message(reply))
    return reply


async def answer_to_response_url(
    store: Store, chat: Chat, text: str, url: str, message: Callable[[Reply], dict[str, Any]]
) -> Reply:
    """Answer ``text`` and post ``message(reply)`` to a Slack ``response_url``, both in a
    worker thread: the event loop only acknowledges (answers start once acks are out)."""
    await acks.quiet()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_answers, _answer_and_post, store, chat, text, url, message)

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from core.commands import Chat, Reply, answer
from core.store.base import Store

log = logging.getLogger(__name__)

ANSWER_THREADS = 4
RESPONSE_TIMEOUT = 10.0
_answers = ThreadPoolExecutor(max_workers=ANSWER_THREADS, thread_name_prefix="aitoday-answer")


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
    worker thread: the event loop only acknowledges."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_answers, _answer_and_post, store, chat, text, url, message)

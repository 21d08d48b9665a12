"""Run a chat command off the web process's event loop.

The repositories use the synchronous Redis client; called on the event loop, every Redis
round trip of one answer would hold up every other request's ``ack``. A command runs in a
worker thread with its own loop instead, so acknowledgements stay immediate under load.
Answers get a pool of their own: a burst of slow answers must never queue ahead of the
short Redis calls that acknowledgements make through the default executor.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from core.commands import Chat, Reply, answer
from core.store.base import Store

ANSWER_THREADS = 4
_answers = ThreadPoolExecutor(max_workers=ANSWER_THREADS, thread_name_prefix="aitoday-answer")


def _answer_in_thread(store: Store, chat: Chat, text: str) -> Reply:
    return asyncio.run(answer(store, chat, text))


async def answer_off_loop(store: Store, chat: Chat, text: str) -> Reply:
    """:func:`core.commands.answer`, computed in a worker thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_answers, _answer_in_thread, store, chat, text)

"""Run a chat command off the web process's event loop.

The repositories use the synchronous Redis client; called on the event loop, every Redis
round trip of one answer would hold up every other request's ``ack``. A command runs in a
worker thread with its own loop instead, so acknowledgements stay immediate under load.
"""

from __future__ import annotations

import asyncio

from core.commands import Chat, Reply, answer
from core.store.base import Store


async def answer_off_loop(store: Store, chat: Chat, text: str) -> Reply:
    """:func:`core.commands.answer`, computed in a worker thread."""
    return await asyncio.to_thread(asyncio.run, answer(store, chat, text))

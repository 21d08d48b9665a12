"""Waiting for an effect that happens in another thread or process.

The one poll-until loop of the tests. The timeout bounds a hang; it is not a measurement
(no test asserts how long anything took).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(probe: Callable[[], T], timeout: float = 10.0, interval: float = 0.02) -> T:
    """The first truthy ``probe()``, polled every ``interval`` seconds; after ``timeout``
    seconds, the last (falsy) value, for the caller's assertion to report."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)

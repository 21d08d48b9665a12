"""A channel is one package: bots/<channel>/ holds its limits, renderer and adapter.

The rule of direction that keeps it so (core imports neither bots nor workers) is
checked with the others in tests/test_layers.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bots.registry import ADAPTERS, build_adapter, limits_for
from core.store.base import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("channel", sorted(ADAPTERS))
def test_each_channel_is_one_package(channel: str, store: Store) -> None:
    package = ROOT / "bots" / channel
    assert {"limits.py", "render.py", "adapter.py"} <= {p.name for p in package.iterdir()}
    adapter = build_adapter(channel, store)
    assert type(adapter).__module__ == f"bots.{channel}.adapter"
    assert adapter.limits is limits_for(channel)


def test_reading_limits_loads_no_chat_sdk() -> None:
    # the cron's fan-out reads a channel's retry policy; it must not pay for every SDK
    code = (
        "import sys, bots.registry, workers.fanout\n"
        "print(sorted(m for m in ('linebot', 'slack_sdk', 'aiosmtplib') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"

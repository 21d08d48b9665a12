"""A channel is one package: bots/<channel>/ holds its limits, renderer and adapter.

And the rule of direction: core imports neither bots nor workers, so a channel's
renderer can only live in its package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bots.registry import ADAPTERS, build_adapter, limits_for
from core.store.base import Store

ROOT = Path(__file__).resolve().parents[2]


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_core_imports_neither_bots_nor_workers() -> None:
    upward = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "core").rglob("*.py"))
        for name in _imported(path)
        if name.split(".")[0] in {"bots", "workers"}
    }
    assert upward == set()


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

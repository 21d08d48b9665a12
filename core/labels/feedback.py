"""More / less like this, its undo and the learned preferences shown to a reader."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {}

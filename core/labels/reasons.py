"""Why a story is in a reader's digest (core.stories.reasons): one short line per story."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {}

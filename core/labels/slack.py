"""Slack's digest message, its threads and the App Home tab."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {}

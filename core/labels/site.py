"""The web pages' chrome: landing, sign-up, confirmation, preferences, unsubscribe."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {}

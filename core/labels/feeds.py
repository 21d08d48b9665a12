"""A reader's own Atom / JSON feed and the public top-stories feed."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {}

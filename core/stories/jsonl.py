"""Reading articles for ``aitoday cluster``: one JSON object per line.

``{"id", "title", "url", "source", "published", "summary"?}``; ``published`` is ISO 8601
(a missing zone means UTC) or epoch seconds. A bad line raises ValidationError naming
the line and the field; nothing is clustered until every line is good.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from core.errors import ValidationError
from core.stories.cluster import Doc

REQUIRED = ("id", "title", "url", "source", "published")


def parse_lines(lines: Iterable[str]) -> list[Doc]:
    """Docs from JSON lines (blank lines skipped); ValidationError on the first bad one."""
    docs: list[Doc] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValidationError(where, f"not JSON ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise ValidationError(where, "expected a JSON object")
        doc = _doc(raw, where)
        if doc.id in seen:
            raise ValidationError(f"{where}: id", f"{doc.id!r} appears twice")
        seen.add(doc.id)
        docs.append(doc)
    return docs


def _doc(raw: dict[str, Any], where: str) -> Doc:
    # id and published must have a value; title, url and source may be empty strings
    # (real data has items without a publisher), but must be there.
    missing = [name for name in REQUIRED if raw.get(name) is None]
    missing += [name for name in ("id", "published") if raw.get(name) == ""]
    if missing:
        raise ValidationError(f"{where}: {missing[0]}", "is required")
    for name in ("id", "title", "url", "source"):
        if not isinstance(raw[name], str | int):
            raise ValidationError(f"{where}: {name}", "must be a string")
    summary = raw.get("summary") or ""
    if not isinstance(summary, str):
        raise ValidationError(f"{where}: summary", "must be a string")
    return Doc(
        id=str(raw["id"]),
        title=str(raw["title"]),
        url=str(raw["url"]),
        source=str(raw["source"]),
        published=parse_time(raw["published"], where),
        summary=summary,
    )


def parse_time(value: Any, where: str = "published") -> datetime:
    """ISO 8601 (naive means UTC) or epoch seconds, as an aware UTC datetime."""
    if isinstance(value, bool):
        raise ValidationError(f"{where}: published", "must be ISO 8601 or epoch seconds")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            raise ValidationError(f"{where}: published", f"{value!r} is out of range") from None
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                f"{where}: published", f"{value!r} is not ISO 8601 (e.g. 2026-08-03T09:00:00Z)"
            ) from None
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    raise ValidationError(f"{where}: published", "must be ISO 8601 or epoch seconds")

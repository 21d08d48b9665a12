"""``aitoday config --table`` support: the README's settings table, made from Settings."""

from __future__ import annotations

from core.config import setting_rows


def markdown_table() -> str:
    """Every setting as a Markdown table (environment name, default, meaning)."""
    lines = ["| setting | default | meaning |", "| --- | --- | --- |"]
    for env, default, description in setting_rows():
        shown = f"`{default}`" if default else ""
        lines.append(f"| `{env}` | {shown} | {description} |")
    return "\n".join(lines)

"""``aitoday brief STORY_ID [--lang L] [--json]``: a story's brief as a reader sees it.

``--json`` prints ``{"key", "brief", "grounding"}``; ``grounding`` (LLM briefs only) says
how many sentences the guard checked and removed, and why.
"""

from __future__ import annotations

import asyncio
import json

import click

from core.briefs.service import brief_for
from core.i18n import LANGUAGE_NAMES, label, normalize_language, relative_time
from core.models import Brief
from core.store.stories import StoryRepo
from workers.cli.context import AppContext, pass_app


@click.command("brief")
@click.argument("story_id")
@click.option("--lang", "language", default="en", show_default=True, help="Reader's language.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored brief and its key.")
@pass_app
def brief_command(app: AppContext, story_id: str, language: str, as_json: bool) -> None:
    """Print the brief of STORY_ID (writing it first when it is not cached)."""
    lang = normalize_language(language)
    if lang is None:
        known = ", ".join(LANGUAGE_NAMES)
        raise click.BadParameter(
            f"{language!r} is not a language we serve ({known})", param_hint="--lang"
        )
    story = StoryRepo(app.store).get(story_id.strip())
    if story is None:
        raise click.ClickException(
            f"no story {story_id!r} (stories are kept 30 days; see `aitoday stories`)"
        )
    key, brief = asyncio.run(brief_for(app.store, story, lang))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "key": key,
                    "brief": brief.model_dump(mode="json"),
                    # LLM briefs: sentences checked and removed (a fact not in the sources)
                    "grounding": brief.grounding.model_dump(mode="json")
                    if brief.grounding
                    else None,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo("\n".join(reader_lines(brief)))


def reader_lines(brief: Brief) -> list[str]:
    """The brief as plain text: headline, sources, Key takeaway, key points, FAQ."""
    lang = brief.language
    lines = [brief.headline]
    if brief.dek:
        lines.append(brief.dek)
    lines += ["", f"{label('sources', lang)}:"]
    for source in brief.sources:
        when = relative_time(source.published, lang)
        minutes = label("min_read", lang, n=source.reading_minutes)
        lines.append(f"  - {source.name} · {when} · {minutes}  {source.url}")
    sections = [
        ("key_takeaway", brief.key_takeaway),
        ("what_happened", brief.key_points.what_happened),
        ("why_it_matters", brief.key_points.why_it_matters),
        ("what_to_watch", brief.key_points.what_to_watch),
    ]
    for key, text in sections:
        if text:
            lines += ["", label(key, lang), f"  {text}"]
    if brief.faq:
        lines += ["", label("faq", lang)]
        for item in brief.faq:
            lines += [f"  Q: {item.question}", f"  A: {item.answer}"]
    lines += ["", _footer(brief)]
    return lines


def _footer(brief: Brief) -> str:
    generator = brief.generator
    parts = [generator.kind, generator.model or "", generator.prompt_version]
    if brief.usage is not None:
        usage = brief.usage
        parts.append(f"{usage.prompt_tokens}+{usage.completion_tokens} tokens")
        parts.append(f"${usage.cost_usd:.4f}")
    if brief.grounding is not None:
        parts.append(f"{brief.grounding.sentences_removed} unsupported sentences removed")
    footer = "[" + " · ".join(p for p in parts if p) + "]"
    if brief.content_language and brief.content_language != brief.language:
        footer += "\n" + label("original_language_note", brief.language)
    return footer


def register(cli: click.Group) -> None:
    cli.add_command(brief_command)

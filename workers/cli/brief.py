"""``aitoday brief STORY_ID [--lang L] [--json] [--rewrite]``: a story's brief as a reader
sees it, and why it is extractive when it is; ``aitoday brief --rewrite --today`` writes
the briefs of the last day's stories again (after changing the model, or an outage).

``--json`` prints ``{"key", "brief", "grounding", "fallback"}``; ``grounding`` (LLM briefs
only) says how many sentences the guard checked and removed, and why; ``fallback``
(extractive briefs only) says why no model wrote it: ``{"reason", "detail", "retry_at"}``.
"""

from __future__ import annotations

import asyncio
import json

import click

from core.briefs.service import Fallback, brief_for, fallback_reason, rewrite_many
from core.i18n import LANGUAGE_NAMES, LANGUAGES, label, normalize_language, relative_time
from core.models import Brief, Story
from core.store.base import Store
from core.store.briefs import BriefRepo
from core.store.stories import StoryRepo
from workers.cli.context import AppContext, pass_app

TODAY_HOURS = 24.0


@click.command("brief")
@click.argument("story_id", required=False)
@click.option("--lang", "language", default=None, help="Reader's language (default: en).")
@click.option("--json", "as_json", is_flag=True, help="Print the stored brief and its key.")
@click.option(
    "--rewrite", is_flag=True, help="Write it again now with the configured model (no cache)."
)
@click.option(
    "--today",
    is_flag=True,
    help="With --rewrite: every brief of the last 24 hours' stories, in the languages "
    "they were written in (or --lang).",
)
@pass_app
def brief_command(
    app: AppContext,
    story_id: str | None,
    language: str | None,
    as_json: bool,
    rewrite: bool,
    today: bool,
) -> None:
    """Print the brief of STORY_ID (writing it first when it is not cached), and why it
    is extractive when it is; --rewrite writes it again now."""
    lang = _language(language) if language is not None else None
    if today:
        if not rewrite or story_id is not None:
            raise click.UsageError("--today goes with --rewrite and no STORY_ID")
        _rewrite_today(app.store, lang, as_json)
        return
    if story_id is None:
        raise click.UsageError("missing STORY_ID (or --rewrite --today)")
    story = StoryRepo(app.store).get(story_id.strip())
    if story is None:
        raise click.ClickException(
            f"no story {story_id!r} (stories are kept 30 days; see `aitoday stories`)"
        )
    lang = lang or "en"
    key, brief = asyncio.run(brief_for(app.store, story, lang, rewrite=rewrite))
    why = fallback_reason(app.store, story, lang) if brief.generator.kind == "extractive" else None
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
                    "fallback": why.as_json() if why else None,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo("\n".join(reader_lines(brief)))
    if why is not None:
        click.echo(_why_line(why, story.id, rewrite))


def _language(language: str) -> str:
    lang = normalize_language(language)
    if lang is None:
        known = ", ".join(LANGUAGE_NAMES)
        raise click.BadParameter(
            f"{language!r} is not a language we serve ({known})", param_hint="--lang"
        )
    return lang


def _why_line(why: Fallback, story_id: str, rewrote: bool) -> str:
    line = f"extractive: {why.describe()}"
    if why.reason not in ("no_model", "budget") and not rewrote:
        line += f" (now: aitoday brief {story_id} --rewrite)"
    return line


def _rewrite_today(store: Store, lang: str | None, as_json: bool) -> None:
    """Write again every brief of the last day's stories; one line (or JSON) each."""
    stories = StoryRepo(store).recent(TODAY_HOURS)
    pairs = [(s, language) for s in stories for language in _written_in(store, s, lang)]
    if not pairs:
        click.echo("no briefs of the last 24 hours to rewrite")
        return
    results = asyncio.run(rewrite_many(store, pairs))
    counts = {"llm": 0, "extractive": 0}
    for (story, language), brief in zip(pairs, results, strict=True):
        kind = brief.generator.kind
        counts[kind] += 1
        why = fallback_reason(store, story, language) if kind == "extractive" else None
        if as_json:
            row: dict[str, object] = {"story_id": story.id, "language": language}
            row |= {"generator": kind, "model": brief.generator.model}
            row["fallback"] = why.as_json() if why else None
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        said = f"extractive: {why.describe()}" if why else f"llm · {brief.generator.model}"
        click.echo(f"{story.id} {language}: {said}")
    if not as_json:
        click.echo(
            f"rewrote {len(pairs)} brief(s): {counts['llm']} by the model, "
            f"{counts['extractive']} extractive"
        )


def _written_in(store: Store, story: Story, lang: str | None) -> list[str]:
    """The languages this story has a brief in (only ``lang`` when given)."""
    languages = [lang] if lang else list(LANGUAGES)
    return BriefRepo(store).languages_written(story.id, languages)


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

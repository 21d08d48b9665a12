"""The guard: every brief is checked here before it is stored, whoever wrote it.

A model that read hostile article text may repeat what it was told. The guard refuses a
brief that carries a link other than the story's own source URLs, a domain name other than
theirs, a phone number or e-mail address, chat mention syntax (``<!channel>``, ``@here``,
``<@U123>``), HTML or Markdown links, an order addressed to a model or to the reader ("log
in", "verify your account", "call"), a field over its length limit, or text in a language
other than the one asked for. Quoted sentences meet the same rules (one rule set, in
:mod:`core.briefs.text`), so a publisher's phishing sentence is refused either way.
Invisible characters (zero-width, bidi controls) are removed first: they carry nothing a
reader should see. The writer turns problems into one retry, then an extractive brief.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from core.briefs.language import language_problem
from core.briefs.schema import LIMITS, BriefDraft, FAQDraft
from core.briefs.text import Sources, hazards, visible
from core.models import Brief


def clean_draft(draft: BriefDraft) -> BriefDraft:
    """The draft with invisible and control characters removed from every field."""
    return BriefDraft(
        headline=visible(draft.headline),
        dek=visible(draft.dek),
        key_takeaway=visible(draft.key_takeaway),
        what_happened=visible(draft.what_happened),
        why_it_matters=visible(draft.why_it_matters),
        what_to_watch=visible(draft.what_to_watch),
        faq=[FAQDraft(question=visible(f.question), answer=visible(f.answer)) for f in draft.faq],
        topics=[visible(t) for t in draft.topics],
    )


def draft_problems(draft: BriefDraft, allowed_urls: Collection[str], language: str) -> list[str]:
    """Every reason to refuse an LLM draft (empty: it may be stored)."""
    problems = _length_problems(draft)
    if not draft.headline.strip() or not draft.key_takeaway.strip():
        problems.append("headline and key_takeaway must not be empty")
    if not draft.what_happened.strip():
        problems.append("what_happened must not be empty")
    if not LIMITS.faq_min <= len(draft.faq) <= LIMITS.faq_max:
        problems.append(f"faq: {LIMITS.faq_min} to {LIMITS.faq_max} items, not {len(draft.faq)}")
    problems += content_problems(_draft_fields(draft), allowed_urls)
    prose = " ".join(text for name, text in _draft_fields(draft) if name != "topics")
    wrong = language_problem(prose, language)
    if wrong:
        problems.append(f"language: {wrong}")
    return problems


def brief_problems(brief: Brief, allowed_urls: Collection[str]) -> list[str]:
    """Content problems of a stored-format brief (used on extractive briefs too).

    No language check: an extractive brief quotes its sources in their own language.
    """
    fields = [
        ("headline", brief.headline),
        ("dek", brief.dek),
        ("key_takeaway", brief.key_takeaway),
        ("what_happened", brief.key_points.what_happened),
        ("why_it_matters", brief.key_points.why_it_matters or ""),
        ("what_to_watch", brief.key_points.what_to_watch or ""),
        *(("faq", f"{item.question} {item.answer}") for item in brief.faq),
    ]
    return content_problems(fields, allowed_urls)


def content_problems(fields: Iterable[tuple[str, str]], allowed_urls: Collection[str]) -> list[str]:
    """Per field, each rule of :func:`core.briefs.text.hazards` it breaks: links and domains
    outside the sources, contact details, mentions, markup, orders to a model or reader.

    The extractive writer picks sentences with the same rules, so a quote and a model's
    sentence are judged alike.
    """
    sources = Sources.of(allowed_urls)
    return [f"{name}: {problem}" for name, text in fields for problem in hazards(text, sources)]


def _length_problems(draft: BriefDraft) -> list[str]:
    limits = [
        ("headline", draft.headline, LIMITS.headline),
        ("dek", draft.dek, LIMITS.dek),
        ("key_takeaway", draft.key_takeaway, LIMITS.key_takeaway),
        ("what_happened", draft.what_happened, LIMITS.key_point),
        ("why_it_matters", draft.why_it_matters, LIMITS.key_point),
        ("what_to_watch", draft.what_to_watch, LIMITS.key_point),
        *(("faq question", f.question, LIMITS.question) for f in draft.faq),
        *(("faq answer", f.answer, LIMITS.answer) for f in draft.faq),
        *(("topic", t, LIMITS.topic) for t in draft.topics),
    ]
    problems = [
        f"{name}: longer than {limit} characters"
        for name, text, limit in limits
        if len(text) > limit
    ]
    if len(draft.topics) > LIMITS.topics_max:
        problems.append(f"topics: more than {LIMITS.topics_max}")
    return problems


def _draft_fields(draft: BriefDraft) -> list[tuple[str, str]]:
    return [
        ("headline", draft.headline),
        ("dek", draft.dek),
        ("key_takeaway", draft.key_takeaway),
        ("what_happened", draft.what_happened),
        ("why_it_matters", draft.why_it_matters),
        ("what_to_watch", draft.what_to_watch),
        *(("faq", f"{f.question} {f.answer}") for f in draft.faq),
        ("topics", " ".join(draft.topics)),
    ]

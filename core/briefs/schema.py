"""What the model fills: :class:`BriefDraft`, its limits and the prompt version.

The draft has no constraints in its JSON schema beyond types and required fields, because
strict structured-output modes refuse most keywords; the limits below are enforced by
:mod:`core.briefs.guard` on every output instead, whatever wrote it.
Bump :data:`PROMPT_VERSION` whenever the prompt or this schema changes: it is part of the
cache key, so every brief is rewritten once with the new prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

PROMPT_VERSION = "brief-v2"
# v4: whole sentences from page lines; quotations, asides and other languages play no role.
# v5: a named speaker's outlook is what to watch; no quotation piece as the takeaway; a
# blurb cut off by its feed gives way to the page's whole sentence.
# v6: a quotation's later sentences, exclamations, advice, interview answers and quoted
# titles play no role; a sentence keeps its closing quotation mark; reactions matter.
EXTRACTIVE_VERSION = "extractive-v6"


class FAQDraft(BaseModel):
    """One question a reader would ask, and its answer from the articles."""

    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str


class BriefDraft(BaseModel):
    """The fields an LLM writes for one story in one language."""

    model_config = ConfigDict(extra="forbid")

    headline: str
    dek: str
    key_takeaway: str
    what_happened: str
    why_it_matters: str
    what_to_watch: str
    faq: list[FAQDraft]
    topics: list[str]


@dataclass(frozen=True)
class Limits:
    """Length limits (characters) of each field, enforced by the guard."""

    headline: int = 140
    dek: int = 280
    key_takeaway: int = 600
    key_point: int = 700
    question: int = 200
    answer: int = 600
    faq_min: int = 2
    faq_max: int = 3
    topics_max: int = 5
    topic: int = 40


LIMITS = Limits()

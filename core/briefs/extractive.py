"""The offline brief writer: the AIToday format from the sources' own sentences.

Deterministic (the same story gives the same brief) and inventing nothing: every sentence
is quoted whole from an article's title, summary or full text, after the same hygiene as
everything else (hidden text, links, mentions, markup and orders to a model are never
quoted: every sentence passes :func:`core.briefs.text.is_quotable`).

Each quotable sentence gets a role from its cues (:mod:`core.briefs.roles`), a position
score (earlier in an article, and in the story's lead article, is more central) and an
agreement score (the share of its content words that the story's other sources, or the
headline for a one-source story, also use). Then:

- key_takeaway: the most central sentence (position and agreement);
- what_happened / why_it_matters / what_to_watch: the best sentences whose dominant cue is
  that role, chosen together so that the most parts are filled; a part with no sentence of
  its role is left out (``None``; ``what_happened`` is ``""``) rather than filled with a
  sentence of another role;
- dek: the first sentence of the lead article still unused;
- faq: the questions unused sentences answer by the templated rule of
  :mod:`core.briefs.roles` (the answer is the sentence as quoted).

No sentence is used twice. :func:`extractive_parts` exposes the parts for the LLM path's
per-part fallback.

Language: it cannot translate. ``Brief.language`` is the reader's language (labels are
localised by the renderers); ``Brief.content_language`` is the language the quotes are in.
Renderers show ``label("original_language_note", lang)`` when the two differ.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.briefs.inputs import SourceText, brief_sources
from core.briefs.language import language_problem
from core.briefs.roles import (
    NO_CUES,
    ROLES,
    Role,
    answer_of,
    cue_family,
    dominant,
    inside_quotation,
    quote_piece,
    role_cues,
    text_family,
)
from core.briefs.schema import EXTRACTIVE_VERSION, LIMITS
from core.briefs.text import Sources, is_harmless, is_quotable, sentences, shorten
from core.i18n import faq_question
from core.models import Brief, FAQItem, Generator, KeyPoints, Story, utcnow

_TOKEN = re.compile(r"\w+")
_HAN_OR_KANA = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_STOP_WORDS = (
    "the a an and or of to in on for with by at from as is are was were be been has have "
    "had it its this that these those their they he she we you i but not no will would "
    "could can said says also more than about after over into new which who what when how"
)
_STOP = frozenset(_STOP_WORDS.split())
# The sentence splitter cuts after "Mr." or an initial; such a piece is half a sentence.
_CUT_AT_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|No|vs|Sept|Oct"
    r"|Nov|Dec|Jan|Feb|Aug|Inc|Corp|Co|Ltd)|\b[A-Z])\.$"
)
# "Wednesday.The": a lower-case word, its full stop, then a capitalised word.
_RUN_TOGETHER = re.compile(r"(?<=[a-z]{3}[.!?])(?=[A-Z][a-z])")
# A blurb cut off by its feed: "Lynn said after the game that the Charg…".
_CUT_SHORT = re.compile(r"(?:\w|\w[,;]) ?(?:…|\.\.\.|\[…\]|\[\.\.\.\])$")
_SENTENCE_DONE = re.compile("[.!?…。！？][\"'”’」』)）]*$")
# Sentences deeper than this in one article are never quoted: the end of a long page is
# related links, author notes and comments far more often than the story.
MAX_POSITION = 60
# How many best candidates per role the joint choice considers (8 x 5^3 combinations).
_TOP = 4
# What a cue adds to a sentence's fitness for a role. An outlook with a date or a second
# cue ("is expected to go on sale ... next year") beats an earlier plain "will have"; for
# the other roles, the earlier sentence wins on a cue's difference.
_CUE_WEIGHT: dict[Role, float] = {"happened": 0.5, "matters": 0.5, "watch": 0.8}
_FULL_TEXT_PARTS = ("key_takeaway", "what_happened", "why_it_matters", "what_to_watch")


@dataclass(frozen=True)
class Candidate:
    """One quotable sentence of one source, with what the writer knows about it."""

    text: str
    source: int  # index of its article in the story's inputs
    position: int  # index among that article's quotable sentences
    in_blurb: bool  # found in the feed's summary (False: only in the page's full text)
    in_quotation: bool  # inside a quotation an earlier sentence of its paragraph opened
    family: str  # cue family (core.briefs.roles.CUES)
    cues: dict[Role, int]
    agreement: float

    @property
    def centrality(self) -> float:
        """Earlier (and in the lead article) and more agreed-with is more central."""
        lead = 0.3 if self.source == 0 else 0.0
        return 1.0 / (1.0 + 0.25 * self.position) + lead + 0.8 * self.agreement

    def fitness(self, role: Role) -> float:
        """How well this sentence fills ``role`` (only asked when the role dominates)."""
        return _CUE_WEIGHT[role] * self.cues[role] + self.centrality


def extractive_brief(
    story: Story, inputs: Sequence[SourceText], language: str, now: datetime | None = None
) -> Brief:
    """Write the brief of ``story`` for a reader of ``language`` without any model."""
    sources = _sources(inputs)
    headline = _headline(story, inputs, sources)
    chosen, faq = _choose(_candidates(inputs, headline, sources), inputs, sources)
    return Brief(
        story_id=story.id,
        headline=shorten(headline, LIMITS.headline),
        sources=brief_sources(inputs),
        dek=shorten(chosen["dek"] or "", LIMITS.dek),
        key_takeaway=shorten(chosen["key_takeaway"] or "", LIMITS.key_takeaway),
        key_points=KeyPoints(
            what_happened=shorten(chosen["what_happened"] or "", LIMITS.key_point),
            why_it_matters=_part(chosen["why_it_matters"]),
            what_to_watch=_part(chosen["what_to_watch"]),
        ),
        faq=faq,
        topics=list(story.topics[: LIMITS.topics_max]),
        language=language,
        content_language=_content_language(inputs, [*chosen.values(), *(f.answer for f in faq)]),
        generator=Generator(kind="extractive", model=None, prompt_version=EXTRACTIVE_VERSION),
        created_at=now or utcnow(),
    )


def extractive_parts(
    story: Story, inputs: Sequence[SourceText], language: str
) -> dict[str, str | None]:
    """The quoted sentence of each part (``dek``, ``key_takeaway``, ``what_happened``,
    ``why_it_matters``, ``what_to_watch``), None where no honest one exists.

    For writers that need one part's extractive fallback; ``language`` is the reader's and
    does not change the choice (quotes are never translated).
    """
    del language  # the choice depends on the sources only
    sources = _sources(inputs)
    headline = _headline(story, inputs, sources)
    chosen, _ = _choose(_candidates(inputs, headline, sources), inputs, sources)
    return chosen


def quotes_full_text(brief: Brief, inputs: Sequence[SourceText]) -> bool:
    """True when a part of ``brief`` quotes a sentence found only in an article's full
    text (a page), not in any feed blurb."""
    blurbs = " ".join(f"{item.title} {item.summary}" for item in inputs)
    texts = [item.text for item in inputs if item.text]
    parts = [brief.key_takeaway, brief.key_points.what_happened]
    parts += [brief.key_points.why_it_matters or "", brief.key_points.what_to_watch or ""]
    parts += [item.answer for item in brief.faq]
    return any(p and p not in blurbs and any(p in t for t in texts) for p in parts)


def _sources(inputs: Sequence[SourceText]) -> Sources:
    """The story's own URLs and domains: a quoted sentence may name these and no other."""
    return Sources.of(item.url for item in inputs)


def _part(sentence: str | None) -> str | None:
    return shorten(sentence, LIMITS.key_point) if sentence else None


# -- candidates --------------------------------------------------------------------------


def _candidates(inputs: Sequence[SourceText], headline: str, sources: Sources) -> list[Candidate]:
    """Every quotable sentence of every source, once, none restating the headline."""
    words = [_content_words(f"{item.title} {item.summary} {item.text}") for item in inputs]
    headline_words = _content_words(headline)
    said = set(_TOKEN.findall(headline.lower()))
    found: list[Candidate] = []
    kept_tokens: list[set[str]] = []
    for n, item in enumerate(inputs):
        others = set().union(*(w for i, w in enumerate(words) if i != n)) or headline_words
        article_family = text_family(f"{item.summary} {item.text}", item.language)
        for position, (text, in_blurb, quoted) in enumerate(_quotable(item, sources)):
            tokens = set(_TOKEN.findall(text.lower()))
            if _restates(tokens, said) or any(_overlap(tokens, t) > 0.6 for t in kept_tokens):
                continue  # the headline again, or a syndicated copy of an earlier sentence
            kept_tokens.append(tokens)
            family = cue_family(text, article_family)
            found.append(
                Candidate(
                    text=text,
                    source=n,
                    position=position,
                    in_blurb=in_blurb,
                    in_quotation=quoted,
                    family=family,
                    cues={role: 0 for role in ROLES} if quoted else role_cues(text, family),
                    agreement=_agreement(_content_words(text), others),
                )
            )
    return found


def _quotable(item: SourceText, sources: Sources) -> list[tuple[str, bool, bool]]:
    """The article's quotable sentences in reading order, each with whether it is in the
    blurb and whether it is inside a quotation: the blurb's, then the page's (a page
    usually repeats its blurb, so each sentence appears once)."""
    fields = [(item.summary, True), (item.text, False)]
    each = [
        (sentence, in_blurb, quoted)
        for field, in_blurb in fields
        for sentence, quoted in _whole_sentences(field, page=not in_blurb)
        if is_quotable(sentence, sources=sources) and _statement(sentence)
    ]
    page = [sentence for sentence, in_blurb, _ in each if not in_blurb]
    seen: set[str] = set()
    found: list[tuple[str, bool, bool]] = []
    for sentence, in_blurb, quoted in each:
        if sentence not in seen and not (in_blurb and _cut_short(sentence, page)):
            seen.add(sentence)
            found.append((sentence, in_blurb, quoted))
    return found[:MAX_POSITION]


def _cut_short(sentence: str, page: list[str]) -> bool:
    """True when a blurb's sentence was cut off by its feed ("... that the Charg…") and a
    quotable sentence of the page holds it whole (else the cut one is all there is)."""
    if not _CUT_SHORT.search(sentence):
        return False
    head = sentence.rsplit(" ", 1)[0]
    return len(head) >= 20 and any(s.startswith(head) and s != sentence for s in page)


def _whole_sentences(field: str, *, page: bool) -> list[tuple[str, bool]]:
    """The sentences of a blurb or a page, each whole, with whether it begins inside a
    quotation an earlier sentence of its paragraph opened.

    A page's text comes one paragraph a line: a line that does not end a sentence is a
    heading, a caption or a list label, never quoted (its last piece, when it is long).
    Pieces the splitter cut at an abbreviation ("the U.S." | "Defense Secretary ...") are
    joined again, so no quote starts in the middle of a sentence; sentences run together
    without a space ("on Wednesday.The stabbing") are split.
    """
    found: list[tuple[str, bool]] = []
    for line in field.split("\n"):
        pieces = _mended(sentences(_RUN_TOGETHER.sub(" ", line)))
        if page and pieces and not _SENTENCE_DONE.search(pieces[-1]):
            pieces.pop()  # a heading, or a paragraph cut short
        found += zip(pieces, inside_quotation(pieces), strict=True)
    return found


def _mended(pieces: list[str]) -> list[str]:
    joined: list[str] = []
    for piece in pieces:
        if joined and _CUT_AT_ABBREVIATION.search(joined[-1]):
            joined[-1] = f"{joined[-1]} {piece}"
        else:
            joined.append(piece)
    return joined


def _statement(sentence: str) -> bool:
    """Questions, headings run into text and fragments cut at an abbreviation ("... Mr.")
    are not statements a brief can quote."""
    if sentence.rstrip("\"'”’)").endswith(("?", "？", ":", "：")):
        return False
    return not _CUT_AT_ABBREVIATION.search(sentence)


def _content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning; for CJK text, character pairs."""
    lowered = text.lower()
    words = {w for w in _TOKEN.findall(lowered) if len(w) > 2 and w not in _STOP}
    wide = "".join(_HAN_OR_KANA.findall(lowered))
    return words | {wide[i : i + 2] for i in range(len(wide) - 1)}


def _agreement(words: set[str], others: set[str]) -> float:
    return len(words & others) / len(words) if words else 0.0


def _restates(tokens: set[str], headline_tokens: set[str]) -> bool:
    """True when a sentence is little more than the headline again."""
    return len(tokens & headline_tokens) >= 0.8 * max(1, len(tokens))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


# -- choice ------------------------------------------------------------------------------


def _choose(
    pool: list[Candidate], inputs: Sequence[SourceText], sources: Sources
) -> tuple[dict[str, str | None], list[FAQItem]]:
    """The sentence of each part, and the FAQ, using no sentence twice."""
    takeaway, roles = _parts(pool)
    chosen: dict[str, str | None] = {"dek": None, "key_takeaway": _text(takeaway)}
    for role, part in zip(ROLES, _FULL_TEXT_PARTS[1:], strict=True):
        chosen[part] = _text(roles[role])
    used = {c.text for c in pool if c.text in chosen.values()}
    faq = _faq([c for c in pool if c.text not in used], inputs, sources)
    used |= {item.answer for item in faq}
    chosen["dek"] = _dek(pool, used) if len(pool) >= 4 else None
    return chosen, faq


def _text(candidate: Candidate | None) -> str | None:
    return candidate.text if candidate else None


def _parts(pool: list[Candidate]) -> tuple[Candidate | None, dict[Role, Candidate | None]]:
    """The takeaway and the best sentence per role, chosen jointly, each used once.

    Preference, in order: a takeaway (what every digest shows), as many roles filled as
    possible, the most central takeaway, then the highest total fitness of the roles. The
    takeaway is any sentence but a piece of a quotation; a role takes only a sentence whose
    dominant cue is that role.
    """
    whole = [c for c in pool if not (c.in_quotation or quote_piece(c.text))]
    central = sorted(whole, key=lambda c: (-c.centrality, c.source, c.position))
    options: list[list[Candidate | None]] = [[*central[: _TOP + len(ROLES)], None]]
    for role in ROLES:
        fit = [c for c in pool if dominant(c.cues, role)]
        fit.sort(key=lambda c, r=role: (-c.fitness(r), c.source, c.position))  # type: ignore[misc]
        options.append([*fit[:_TOP], None])
    best: tuple[bool, int, float, float] = (False, -1, 0.0, 0.0)
    pick: tuple[Candidate | None, ...] = (None,) * (1 + len(ROLES))
    for combo in itertools.product(*options):
        present = [c for c in combo if c is not None]
        if len({id(c) for c in present}) < len(present):
            continue
        takeaway, roles = combo[0], combo[1:]
        value = (
            takeaway is not None,
            len(present),
            takeaway.centrality if takeaway else 0.0,
            sum(c.fitness(r) for c, r in zip(roles, ROLES, strict=True) if c),
        )
        if value > best:
            best, pick = value, combo
    return pick[0], dict(zip(ROLES, pick[1:], strict=True))


def _dek(pool: list[Candidate], used: set[str]) -> str | None:
    """The first sentence of the lead article not quoted elsewhere, near the top."""
    for candidate in pool:
        if candidate.text not in used and candidate.position <= 2:
            return candidate.text
    return None


def _faq(pool: list[Candidate], inputs: Sequence[SourceText], sources: Sources) -> list[FAQItem]:
    """Questions the unused sentences answer by the templated rule, one per kind."""
    items: list[FAQItem] = []
    kinds: set[str] = set()
    for candidate in sorted(pool, key=lambda c: (-c.centrality, c.source, c.position)):
        if candidate.in_quotation:
            continue  # a speaker's words mid-quotation answer nothing on the writer's word
        answer = answer_of(candidate.text, candidate.family)
        if answer is None or answer.kind in kinds:
            continue
        lang = _question_language(candidate.family, inputs[candidate.source].language)
        question = faq_question(answer.kind, lang, answer.subject) if lang else None
        if (
            question is None
            or len(question) > LIMITS.question
            or not is_harmless(question, sources=sources)
        ):
            continue
        kinds.add(answer.kind)
        items.append(FAQItem(question=question, answer=candidate.text))
        if len(items) == LIMITS.faq_max:
            break
    return items


def _question_language(family: str, declared: str) -> str | None:
    """The language a question about a sentence of ``family`` is asked in: its own."""
    if family == "zh":
        traditional = declared.lower() in ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
        return "zh-Hant" if traditional else "zh-Hans"
    return family if family in ("en", "ja") else None


# -- headline and language ---------------------------------------------------------------


def _headline(story: Story, inputs: Sequence[SourceText], sources: Sources) -> str:
    titles = [story.title, *(item.title for item in inputs)]
    for title in titles:
        if _safe_title(title, sources):
            return title
    return story.id  # every title was hostile: say nothing rather than repeat it


def _safe_title(title: str, sources: Sources) -> bool:
    return bool(title.strip()) and is_harmless(title, sources=sources)


def _content_language(inputs: Sequence[SourceText], quoted: Sequence[str | None]) -> str:
    """The language the quotes are in: the sources' declared one, unless the quoted text
    plainly is in another (a feed that declares "en" for Japanese articles)."""
    counts = Counter(item.language for item in inputs)
    declared = counts.most_common(1)[0][0] if counts else "en"
    text = " ".join(q for q in quoted if q)
    if not text or language_problem(text, declared) is None:
        return declared
    return _detected_language(text) or declared


def _detected_language(text: str) -> str | None:
    family = cue_family(text)
    if family == "zh":
        return "zh-Hant" if language_problem(text, "zh-Hant") is None else "zh-Hans"
    if family == NO_CUES or language_problem(text, family) is not None:
        return None
    return family

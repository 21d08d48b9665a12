"""Grounding: every fact a model writes must be found in the text it was given.

A model's sentence carries *claims*: numbers (any format: "1,000", "1k", "$2bn",
"2 billion", "20 percent", full-width digits, 億/万/亿 units), names (capitalised runs,
CamelCase, tokens with digits such as "GPT-5", Latin-script words inside CJK text) and
quoted phrases ("..." and 「...」). :func:`ground_draft` keeps a sentence only when each of
its claims is found in the source text (case-insensitive, punctuation and number formats
normalised) and reports the parts it left empty, so the writer can retry once and then
quote the extractive brief for that part.

Translated briefs (no source in the reader's language) cannot be matched word for word:
numbers still match by value and Latin-script names must still appear, while quotes in
another script and names written in the reader's script are not checked (a miss there
would drop faithful sentences; what the check cannot see it does not pretend to).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from core.briefs.schema import BriefDraft, FAQDraft
from core.briefs.text import sentences

ClaimKind = Literal["number", "name", "quote"]

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_SCRIPT_EDGE = re.compile(f"(?<=[a-z0-9])(?=[{_CJK}])|(?<=[{_CJK}])(?=[a-z0-9])")
_NON_WORD = re.compile(r"[\W_]+")
_POSSESSIVE = re.compile(r"['’]s\b")

_SCALE = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "千": 1e3,
    "万": 1e4,
    "萬": 1e4,
    "百万": 1e6,
    "億": 1e8,
    "亿": 1e8,
    "兆": 1e12,
}
# Digits not glued to a word ("GPT-5" and "H100" are names, not numbers), grouped by
# commas, with a decimal part, then an optional scale: a word, an attached letter
# ("$2bn", "5k") or a CJK unit.
_NUMBER = re.compile(
    r"(?<![A-Za-z])(?<![A-Za-z]-)(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
    r"(?:\s?(thousand|million|billion|trillion)\b|(bn|mn|tn|k|m|b|t)\b|\s?(百万|[千万萬億亿兆]))?",
    re.IGNORECASE,
)
_L = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # Latin letters and digits
_CAPITALISED = re.compile(f"(?<![{_L}])[A-Z][{_L}'’&-]*(?:\\s+[A-Z][{_L}'’&-]*)*")
_CAMEL = re.compile(f"(?<![{_L}])[A-Za-z]*[a-z][A-Z][{_L}-]*")
_WITH_DIGIT = re.compile(f"(?<![{_L}])[A-Za-z]+-?\\d[{_L}.-]*(?<![.-])")
_LATIN_RUN = re.compile(
    f"(?<![{_L}])[A-Za-z][{_L}.&+'’-]*(?:\\s+[A-Za-z0-9][{_L}.&+'’-]*)*(?<![.-])"
)
_QUOTE = re.compile(r"\"([^\"]{3,300})\"|“([^”]{3,300})”|「([^」]{2,300})」|『([^』]{2,300})』")
# Capitalised words that name no one: the pronoun "I", titles, and job or technology
# abbreviations a model uses for words the article spelled out ("chief executive").
_COMMON = frozenset(
    [
        "ai",
        "i",
        "ok",
        "faq",
        "q",
        "a",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "ceo",
        "cto",
        "cfo",
        "coo",
        "api",
        "apis",
        "gpu",
        "gpus",
        "cpu",
        "cpus",
        "llm",
        "llms",
        "agi",
        "ml",
        "ui",
        "ux",
    ]
)


@dataclass(frozen=True)
class Claim:
    """One checkable fact in a sentence: its kind, its text as written, a match key."""

    kind: ClaimKind
    text: str
    key: str
    value: float | None = None
    scaled: bool = False
    # Names at the start of a sentence may carry a capitalised first word ("Meanwhile
    # Google"): the rest alone also counts as found.
    alternative: str | None = None


@dataclass
class SourceIndex:
    """The source text a model was given, normalised once for every claim check."""

    words: str  # casefolded words joined by single spaces, padded with spaces
    numbers: frozenset[float]  # every value, scaled ("2 billion" -> 2e9)
    plain_numbers: frozenset[float]  # every value without its scale ("2 billion" -> 2)
    languages: frozenset[str]


@dataclass
class PartCheck:
    """What grounding did to one part of a draft."""

    name: str
    kept: str
    checked: int
    removed: list[str] = field(default_factory=list)  # why, one line per sentence


@dataclass
class Grounded:
    """A draft with its unsupported sentences removed, and what was removed."""

    draft: BriefDraft
    checked: int
    removed: list[str]
    emptied: list[str]  # parts that had text and lost all of it
    kinds: dict[str, set[ClaimKind]] = field(default_factory=dict)  # per emptied part


def normalise(text: str) -> str:
    """Casefolded NFKC words joined by single spaces, padded (word-boundary matching)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _POSSESSIVE.sub("", text)
    text = _NON_WORD.sub(" ", text)
    text = _SCRIPT_EDGE.sub(" ", text)
    return f" {' '.join(text.split())} "


def number_values(text: str) -> list[tuple[float, float, bool]]:
    """(scaled value, plain value, has scale) for every number in ``text``.

    CJK compounds ("1兆2000億") are summed: a smaller unit right after a larger one
    continues the same number.
    """
    return [(value, plain, scaled) for _, value, plain, scaled in _numbers(text)]


def _numbers(text: str) -> list[tuple[str, float, float, bool]]:
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[str, float, float, bool]] = []
    last_end, last_unit = -1, 0.0
    for match in _NUMBER.finditer(text):
        whole, decimals, word, letter, cjk = match.groups()
        plain = float(whole.replace(",", "") + (f".{decimals}" if decimals else ""))
        unit = word or letter or cjk
        scale = _SCALE[unit.lower()] if unit else 1.0
        value = _round(plain * scale)
        start = match.start()
        if cjk and found and start == last_end and 0 < scale < last_unit:
            previous = found.pop()
            value = _round(previous[1] + value)
            start -= len(previous[0])
        found.append((text[start : match.end()], value, plain, bool(unit)))
        last_end, last_unit = match.end(), (scale if cjk else 0.0)
    return found


def _round(value: float) -> float:
    return float(f"{value:.9g}")


def build_index(records: Iterable[Mapping[str, Any]], languages: Iterable[str]) -> SourceIndex:
    """Index the article records exactly as the prompt sent them (title, text, dates)."""
    texts = [
        str(record.get(key) or "")
        for record in records
        for key in ("source", "published", "title", "summary", "text")
    ]
    joined = "\n".join(texts)
    values = number_values(joined)
    return SourceIndex(
        words=normalise(joined),
        numbers=frozenset(v for v, _, _ in values),
        plain_numbers=frozenset(p for _, p, _ in values),
        languages=frozenset(_base(lang) for lang in languages),
    )


def _base(language: str) -> str:
    return language.split("-", 1)[0].lower()


def extract_claims(sentence: str, *, translated: bool = False, language: str = "en") -> list[Claim]:
    """The claims of one sentence that can be checked against its sources."""
    text = unicodedata.normalize("NFKC", sentence)
    claims = [
        Claim("number", written, "", value, scaled) for written, value, _, scaled in _numbers(text)
    ]
    claims += _quote_claims(text, translated)
    claims += _name_claims(text, translated, language)
    return claims


def _quote_claims(text: str, translated: bool) -> list[Claim]:
    found: list[Claim] = []
    for match in _QUOTE.finditer(text):
        quoted = next(group for group in match.groups() if group)
        if translated and _CJK_CHAR.search(quoted):
            continue  # a quote translated into another script cannot be matched
        found.append(Claim("quote", quoted, normalise(quoted)))
    return found


def _name_claims(text: str, translated: bool, language: str) -> list[Claim]:
    names: dict[str, Claim] = {}
    special = [m.group(0) for m in (*_CAMEL.finditer(text), *_WITH_DIGIT.finditer(text))]
    for token in special:
        names.setdefault(normalise(token), Claim("name", token, normalise(token)))
    cjk = bool(_CJK_CHAR.search(text))
    runs = _LATIN_RUN.finditer(text) if cjk else _CAPITALISED.finditer(text)
    start = len(text) - len(text.lstrip(" \"'“‘(「『-"))
    for match in runs:
        claim = _run_claim(match.group(0), at_start=match.start() <= start, cjk=cjk)
        if claim is None or claim.key in names or claim.alternative in names:
            continue
        if translated and not cjk and " " not in claim.key.strip():
            # A translation capitalises its own words ("Universidad", and every German
            # noun): one capitalised word is no evidence of a name there.
            continue
        names[claim.key] = claim
    return list(names.values())


def _run_claim(run: str, *, at_start: bool, cjk: bool) -> Claim | None:
    words = run.split()
    if not cjk and at_start:
        if len(words) == 1:
            return None  # a capitalised first word says nothing about a name
        rest = normalise(" ".join(words[1:]))
        if rest.strip() in _COMMON:
            return None  # "Can I", "Why AI"
        return Claim("name", run, normalise(run), alternative=rest)
    key = normalise(run)
    if key.strip() in _COMMON or not key.strip():
        return None
    return Claim("name", run, key)


def supported(claim: Claim, index: SourceIndex, *, translated: bool = False) -> bool:
    """True when ``claim`` is found in the indexed source text."""
    if claim.kind == "number":
        assert claim.value is not None
        return claim.value in index.numbers or (
            not claim.scaled and claim.value in index.plain_numbers
        )
    keys = [claim.key] + ([claim.alternative] if claim.alternative else [])
    if any(_found(key, index) for key in keys):
        return True
    if translated and claim.kind == "name" and not _CJK_CHAR.search(claim.key):
        # "Universidad de Helsinki" from "University of Helsinki": a translated name is
        # found when one of its distinctive words is.
        return any(len(w) >= 4 and f" {w} " in index.words for w in claim.key.split())
    return False


def _found(key: str, index: SourceIndex) -> bool:
    if _CJK_CHAR.search(key):
        return key.strip() in index.words  # CJK has no spaces between words
    return key in index.words


def unsupported(
    sentence: str, index: SourceIndex, *, translated: bool, language: str
) -> list[Claim]:
    """The claims of ``sentence`` that are not in the sources."""
    claims = extract_claims(sentence, translated=translated, language=language)
    return [c for c in claims if not supported(c, index, translated=translated)]


def check_text(
    name: str,
    text: str,
    index: SourceIndex,
    *,
    translated: bool,
    language: str,
    whole: bool = False,
) -> tuple[PartCheck, set[ClaimKind]]:
    """Keep the sentences of ``text`` whose claims are all found; ``whole``: one unit."""
    units = [text.strip()] if whole else sentences(text)
    kept: list[str] = []
    check = PartCheck(name=name, kept="", checked=len([u for u in units if u]))
    kinds: set[ClaimKind] = set()
    for unit in units:
        missing = unsupported(unit, index, translated=translated, language=language)
        if not missing:
            kept.append(unit)
            continue
        kinds |= {c.kind for c in missing}
        shown = ", ".join(f"{c.kind} {c.text!r}" for c in missing[:4])
        check.removed.append(f"{name}: {shown} not in the sources")
    joiner = "" if _CJK_CHAR.search(text) else " "
    check.kept = joiner.join(kept)
    return check, kinds


def is_source_title(headline: str, titles: Iterable[str]) -> bool:
    """True when the headline is one of the sources' titles, or its start cut short
    (nothing to check: the model wrote none of it)."""
    key = normalise(headline.rstrip(" .…")).rstrip()
    if len(key) < 20:
        return any(normalise(title) == normalise(headline) for title in titles)
    return any(normalise(title).startswith(key) for title in titles)


def ground_draft(
    draft: BriefDraft,
    records: Sequence[Mapping[str, Any]],
    language: str,
    source_languages: Iterable[str],
) -> Grounded:
    """``draft`` with every sentence holding an unsupported claim removed."""
    index = build_index(records, source_languages)
    translated = _base(language) not in index.languages
    options = {"index": index, "translated": translated, "language": language}
    result = Grounded(draft=draft, checked=0, removed=[], emptied=[])
    fields: dict[str, str] = {}
    titles = [str(r.get("title") or "") for r in records]
    parts = [
        ("headline", draft.headline, True),
        ("dek", draft.dek, False),
        ("key_takeaway", draft.key_takeaway, False),
        ("what_happened", draft.what_happened, False),
        ("why_it_matters", draft.why_it_matters, False),
        ("what_to_watch", draft.what_to_watch, False),
    ]
    for name, text, whole in parts:
        if name == "headline" and is_source_title(text, titles):
            fields[name] = text
            continue
        fields[name] = _checked(result, name, text, whole, options)
    faq = _grounded_faq(result, draft.faq, options)
    result.draft = draft.model_copy(update={**fields, "faq": faq})
    return result


def _checked(result: Grounded, name: str, text: str, whole: bool, options: dict[str, Any]) -> str:
    if not text.strip():
        return text
    check, kinds = check_text(name, text, whole=whole, **options)
    result.checked += check.checked
    result.removed += check.removed
    if not check.kept and check.checked:
        result.emptied.append(name)
        result.kinds[name] = kinds
    return check.kept


def _grounded_faq(result: Grounded, faq: list[FAQDraft], options: dict[str, Any]) -> list[FAQDraft]:
    """FAQ items whose question and answer both hold up (an answer without its question,
    or a question without its answer, helps no reader)."""
    kept: list[FAQDraft] = []
    kinds: set[ClaimKind] = set()
    for item in faq:
        question, q_kinds = check_text("faq question", item.question, whole=True, **options)
        answer, a_kinds = check_text("faq answer", item.answer, **options)
        result.checked += question.checked + answer.checked
        result.removed += question.removed + answer.removed
        kinds |= q_kinds | a_kinds
        if question.kept and answer.kept:
            kept.append(FAQDraft(question=question.kept, answer=answer.kept))
    if faq and not kept:
        result.emptied.append("faq")
        result.kinds["faq"] = kinds
    return kept


def retry_problems(grounded: Grounded) -> list[str]:
    """The retry's reasons: which part lost every sentence and to what kind of claim.

    It names kinds, never the model's words: a retry message carries our words only.
    """
    problems: list[str] = []
    for part in grounded.emptied:
        kinds = " and ".join(sorted(grounded.kinds.get(part, set()))) or "fact"
        problems.append(
            f"{part}: every sentence stated a {kinds} that is not in the articles; write it "
            "again using only numbers, names and quotes the articles contain"
        )
    return problems

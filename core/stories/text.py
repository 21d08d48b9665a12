"""Text features for story clustering: words, character n-grams, names and numbers.

Headlines of one event differ in spelling ("sterilisation"/"sterilization"), inflection
and word order, so character n-grams (3-5, inside word boundaries) carry most of the
similarity; whole words carry the rare, discriminating terms used to find candidates.
Capitalised words and numbers (names, amounts) are weighted up: two stories about the
same company differ mostly in those.

Chinese and Japanese are written without spaces: a run of their characters is cut from
the Latin letters and digits around it ("OpenAIが400億ドル" -> "OpenAI", "400", "億ドル")
and counts as its overlapping character pairs, the usual unit for indexing them.
Across languages, the shared words are the *anchors* (:func:`anchors`): names in Latin
script and numbers, amounts in one unit ("$40 billion" = "400億ドル" = "400亿美元").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from urllib.parse import urlsplit

_WORD = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*", re.UNICODE)
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*$")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_HAS_CJK = re.compile(f"[{_CJK}]")
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af]")
_LATIN_NAME = re.compile(r"[A-Za-z]{2,}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_AMOUNT = re.compile(
    r"(\d+(?:\.\d+)?)\s*(trillion|billion|million|bn|mn|万亿|萬億|兆|億|亿|万|萬)(?![a-z])",
    re.IGNORECASE,
)
_SCALE = {"trillion": 1e12, "billion": 1e9, "million": 1e6, "bn": 1e9, "mn": 1e6,
          "万亿": 1e12, "萬億": 1e12, "兆": 1e12,
          "億": 1e8, "亿": 1e8, "万": 1e4, "萬": 1e4}  # fmt: skip
# "$2.1B", "€500M": a currency sign makes the letter a scale ("7B" alone is a model size)
_SHORT_AMOUNT = re.compile(r"[$€£¥]\s?(\d+(?:\.\d+)?)\s?([KMBT])(?![A-Za-z])")
_SHORT_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
_SHORT_WORD = {"K": "thousand", "M": "million", "B": "billion", "T": "trillion"}
# Latin words in headlines of any event, in any language, and units
ANCHOR_STOPWORDS = frozenset({"ai", "ceo", "app", "apps", "bn", "mn", "nm"})

_STOPWORD_TEXT = """a about after again against all also an and any are as at be because been before
    being between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my new no nor not now of off on once only or other our out over own
    same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom
    why will with would you your says said say via amid vs"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

CHAR_SIZES = (3, 4, 5)

# Dates name no event: "Circuits Updates – June 2024" and "June 2024 Product Update" are
# two companies' monthly posts. Month names and years are no names or numbers to agree on.
_MONTHS = """january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec"""
DATE_WORDS = frozenset(_MONTHS.split())
_YEAR = re.compile(r"(?:19|20)\d\d")
# One of a series: "part 1 of 2" and "part 2 of 2" are two posts (their numbers overlap)
_PART = re.compile(r"\b(?:part|episode|chapter|lesson|vol(?:ume)?)\.?\s+(\d+)", re.IGNORECASE)
# A digest's title lists several launches: "Claude Tag 💬, Seedance 2.5 🎥, Mistral OCR 4 🧠"
# (a list of names alone is common news: "Beyonce, Garner, Lynch join 'Ban Bossy'").
_ROUNDUP_SPLIT = re.compile(r"\s*[,;|]\s*")
ROUNDUP_PARTS = 3
DIGEST_PREFIXES = ("import ai", "last week in ai", "this week in ai", "the batch",
                   "ai roundup", "weekly roundup", "tldr")  # fmt: skip


def clean(text: str) -> str:
    """NFKC-normalised text without a trailing ellipsis (feeds truncate titles so)."""
    return _ELLIPSIS.sub("", unicodedata.normalize("NFKC", text)).strip()


def words(text: str) -> list[str]:
    """Words as written (case kept), apostrophes and decimal points inside kept; Chinese
    and Japanese runs as their overlapping character pairs."""
    found = _WORD.findall(clean(text))
    if not _HAS_CJK.search(text):
        return found  # the common case, unchanged
    out: list[str] = []
    for word in found:
        for piece in _CJK_RUN.findall(word):
            if _HAS_CJK.match(piece):
                out.extend(piece[i : i + 2] for i in range(max(1, len(piece) - 1)))
            else:
                out.extend(_WORD.findall(piece))  # "Max," before "参数": the comma goes
    return out


def script_of(text: str) -> str:
    """ "ja" (any kana), "ko" (any hangul), "zh" (other CJK ideographs) or "latin"."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return "zh" if _HAS_CJK.search(text) else "latin"


def anchors(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """What a headline in any language shares with the same event told in another:
    (names written in Latin script, lower case; numbers, with amounts also in one unit)."""
    text = clean(title)
    names = {m.lower() for m in _LATIN_NAME.findall(text)}
    names -= STOPWORDS | ANCHOR_STOPWORDS
    numbers = {m.replace(",", "") for m in _NUMBER.findall(text)}
    for value, unit in _AMOUNT.findall(text):
        numbers.add(f"={float(value) * _SCALE[unit.lower()]:.3g}")
    for value, unit in _SHORT_AMOUNT.findall(text):
        numbers.add(f"={float(value) * _SHORT_SCALE[unit]:.3g}")
    return frozenset(names), frozenset(numbers)


def word_key(word: str) -> str:
    """The comparable form of a word: lower case, possessive and inner dots dropped."""
    lowered = word.lower().replace("’", "'")
    lowered = lowered.removesuffix("'s")
    return lowered.replace("'", "").replace(".", "").replace(",", "")


def is_salient(word: str, position: int) -> bool:
    """A name or a number: capitalised inside the sentence, an acronym, or has digits."""
    if any(ch.isdigit() for ch in word):
        return True
    if len(word) > 1 and word.isupper():
        return True
    return position > 0 and word[:1].isupper() and not word.isupper()


@lru_cache(maxsize=65_536)
def char_ngrams(key: str) -> tuple[str, ...]:
    """Character n-grams of one word padded with spaces (``char_wb`` style), as terms.

    Cached: the same words come back in article after article."""
    padded = f" {key} "
    grams: list[str] = []
    for size in CHAR_SIZES:
        grams.extend("c:" + padded[i : i + size] for i in range(len(padded) - size + 1))
    return tuple(grams)


def features(
    title: str, summary: str = ""
) -> tuple[Counter[str], Counter[str], set[str], frozenset[str], frozenset[str]]:
    """Term counts of one article: (word terms, char n-gram terms, salient word terms,
    the salient word terms of the title alone, the title's word terms).

    Word terms are prefixed ``w:`` and n-grams ``c:`` so they share one vocabulary.
    The summary adds its words at half the title's weight: titles say what happened.
    """
    salient: set[str] = set()
    title_salient: frozenset[str] = frozenset()
    parts: list[tuple[list[str], list[str]]] = []
    for text in (title, summary[:600]):
        word_terms: list[str] = []
        gram_terms: list[str] = []
        written = words(spell_amounts(text)) if text else []
        title_case = _is_title_case(written)
        for position, word in enumerate(written):
            known = _analysed(word)
            if known is None:
                continue
            term, grams, numeric = known
            if is_date(term[2:]):
                continue  # a month or a year tells no event apart from another
            word_terms.append(term)
            if numeric or (not title_case and is_salient(word, position)):
                salient.add(term)
            gram_terms.extend(grams)
        parts.append((word_terms, gram_terms))
        if len(parts) == 1:
            title_salient = frozenset(salient)
    (title_words, title_grams), (summary_words, summary_grams) = parts
    word_counts = _doubled(Counter(title_words))
    word_counts.update(summary_words)
    gram_counts = _doubled(Counter(title_grams))
    gram_counts.update(summary_grams)
    return word_counts, gram_counts, salient, title_salient, frozenset(title_words)


@lru_cache(maxsize=65_536)
def _analysed(word: str) -> tuple[str, tuple[str, ...], bool] | None:
    """(word term, its n-gram terms, has digits) of a written word; None for stopwords."""
    key = word_key(word)
    if len(key) < 2 or key in STOPWORDS:
        return None
    return "w:" + key, char_ngrams(key), _has_digit(key)


def _doubled(counts: Counter[str]) -> Counter[str]:
    for term in counts:
        counts[term] *= 2
    return counts


def _has_digit(key: str) -> bool:
    return any(ch.isdigit() for ch in key)


def _is_title_case(written: list[str]) -> bool:
    """Headlines In Title Case make capitals meaningless as a sign of names."""
    ws = [w for w in written if w[:1].isalpha() and w.lower() not in STOPWORDS]
    if len(ws) < 3:
        return False
    capitalised = sum(1 for w in ws if w[:1].isupper())
    return capitalised / len(ws) > 0.8


def spell_amounts(text: str) -> str:
    """Short amounts in words, as most headlines write them: "$2.1B" -> "$2.1 billion"."""
    return _SHORT_AMOUNT.sub(lambda m: f"{m[0][0]}{m[1]} {_SHORT_WORD[m[2]]}", text)


def title_numbers(title: str) -> frozenset[str]:
    """Word keys of a title that hold digits (versions, amounts, years, parts); a short
    amount is read in words first ("$2.1B" has the "21" of "$2.1 billion")."""
    keys = (word_key(w) for w in words(spell_amounts(title)))
    return frozenset(k for k in keys if _has_digit(k))


def is_date(key: str) -> bool:
    """A month name or a year (a word key)."""
    return key in DATE_WORDS or (len(key) == 4 and _YEAR.fullmatch(key) is not None)


def series_parts(title: str) -> frozenset[str]:
    """The part numbers a title names ("(part 2 of 2)" -> {"2"})."""
    return frozenset(_PART.findall(clean(title)))


def is_roundup(title: str) -> bool:
    """A digest's title: a known digest's prefix, or 3+ parts joined by ',' ';' '|' of
    which two at least carry a pictograph (the items of a newsletter's subject line)."""
    text = clean(title)
    if text.lower().startswith(DIGEST_PREFIXES):
        return True
    parts = [p for p in _ROUNDUP_SPLIT.split(text) if p.strip()]
    marked = sum(1 for p in parts if any(unicodedata.category(ch) == "So" for ch in p))
    return len(parts) >= ROUNDUP_PARTS and marked >= 2


def url_key(url: str) -> str:
    """A URL reduced to what identifies a page: host without www (with its port when one
    is named: another port is another site), path without a trailing slash, scheme
    dropped; query and fragment kept (a changelog names each release by its fragment;
    ingest already drops the fragments that name nothing)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:  # "host:99999" names no port
        port = None
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{host}{path}{query}{fragment}"

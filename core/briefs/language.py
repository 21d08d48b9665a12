"""Is a text written in the language we asked for? Script and word counts, no model.

CJK, Korean and Thai are told apart by script (kana for Japanese, Hangul, Thai) and
Traditional from Simplified Chinese by characters that exist in one script only. Latin
languages are told apart by their commonest function words. Short texts and product
names in Latin letters ("GPT-5", "OpenAI") are tolerated: the check only refuses a text
when the evidence is clear.
"""

from __future__ import annotations

import re
from collections import Counter

MIN_LETTERS = 12

_SCRIPTS: dict[str, re.Pattern[str]] = {
    "latin": re.compile("[A-Za-z\u00c0-\u024f]"),
    "kana": re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]"),
    "han": re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "hangul": re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
    "thai": re.compile("[\u0e00-\u0e7f]"),
}

# Characters common in news text that exist in one Chinese script only.
_SIMPLIFIED = set(
    "这说为发国个们会来时对后开关过还经体业产与资数据网络务实现应动进让图计术学长问题语该将强员样点种处总认无万亿"
)
_TRADITIONAL = set(
    "這說為發國個們會來時對後開關過還經體業產與資數據網絡務實現應動進讓圖計術學長問題語該將強員樣點種處總認無萬億"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[a-zà-ÿß']+")
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and of to is in that it for with on are was this by its from has have will be "
        "as at an which their new"
    ),
    "es": _words(
        "el la los las del que y en un una es por con para se su sus al lo como más nuevo nueva"
    ),
    "fr": _words(
        "le la les des du et un une est que qui pour dans sur au aux avec ce cette ne pas "
        "il elle nouveau nouvelle"
    ),
    "de": _words(
        "der die das und ist ein eine zu den dem von mit sich des auf für nicht im auch als "
        "wird sind neue neuen"
    ),
}


def script_counts(text: str) -> Counter[str]:
    """Letters per script, plus ``letters`` for every alphabetic character."""
    counts: Counter[str] = Counter()
    for name, pattern in _SCRIPTS.items():
        counts[name] = len(pattern.findall(text))
    counts["letters"] = sum(ch.isalpha() for ch in text)
    return counts


def language_problem(text: str, lang: str) -> str | None:
    """Why ``text`` is not in ``lang``, or None when it is (or it is too short to tell)."""
    counts = script_counts(text)
    letters = counts["letters"]
    if letters < MIN_LETTERS:
        return None
    if lang in _STOPWORDS:
        return _latin_problem(text, lang, counts)
    if lang == "ja":
        cjk = counts["kana"] + counts["han"]
        if cjk < letters * 0.3 or counts["kana"] < cjk * 0.1:
            return "not Japanese"
        return None
    if lang in ("zh-Hant", "zh-Hans"):
        return _chinese_problem(text, lang, counts)
    script = {"ko": "hangul", "th": "thai"}.get(lang)
    if script is not None and counts[script] < letters * 0.3:
        return f"not in the {script} script"
    return None


def _latin_problem(text: str, lang: str, counts: Counter[str]) -> str | None:
    if counts["latin"] < counts["letters"] * 0.8:
        return "not in Latin script"
    words = _WORD.findall(text.lower())
    if len(words) < 8:
        return None
    hits = {code: sum(w in stop for w in words) for code, stop in _STOPWORDS.items()}
    best = max(hits, key=lambda code: hits[code])
    if best != lang and hits[best] >= 2 * hits[lang] + 3:
        return f"reads as {best}, not {lang}"
    return None


def _chinese_problem(text: str, lang: str, counts: Counter[str]) -> str | None:
    han = counts["han"]
    if han < counts["letters"] * 0.3 or counts["kana"] > han * 0.05:
        return "not Chinese"
    simplified = sum(ch in _SIMPLIFIED for ch in text)
    traditional = sum(ch in _TRADITIONAL for ch in text)
    if lang == "zh-Hant" and simplified > max(2, traditional):
        return "Simplified, not Traditional Chinese"
    if lang == "zh-Hans" and traditional > max(2, simplified):
        return "Traditional, not Simplified Chinese"
    return None

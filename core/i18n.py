"""The words around a brief, in every language AIToday serves.

Renderers, web pages and chat commands take their labels from here, so a subscriber
reading in Thai sees Thai headings even when the brief text itself is extractive (quoted
from the sources, in the sources' language). ``label(key, lang)`` falls back to English
for an unknown language or a missing entry; ``normalize_language`` turns what people type
("JA", "日本語", "zh-tw") into one of :data:`LANGUAGES`.

Templates use ``str.format`` fields: ``label("min_read", "ja", n=4)`` -> ``"4分で読めます"``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from core.models import LANGUAGES, utcnow

__all__ = [
    "DEFAULT_LANGUAGE",
    "LABELS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "label",
    "normalize_language",
    "relative_time",
]

DEFAULT_LANGUAGE = "en"

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ja": "日本語",
    "zh-Hant": "繁體中文",
    "zh-Hans": "简体中文",
    "ko": "한국어",
    "th": "ไทย",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
}

# key -> {language -> text}. Every key has an "en" entry (the fallback).
LABELS: dict[str, dict[str, str]] = {
    "key_takeaway": {
        "en": "Key takeaway",
        "ja": "要点",
        "zh-Hant": "重點摘要",
        "zh-Hans": "要点摘要",
        "ko": "핵심 요약",
        "th": "ประเด็นสำคัญ",
        "es": "Lo esencial",
        "fr": "À retenir",
        "de": "Das Wichtigste",
    },
    "what_happened": {
        "en": "What happened",
        "ja": "何が起きたか",
        "zh-Hant": "發生了什麼",
        "zh-Hans": "发生了什么",
        "ko": "무슨 일이 있었나",
        "th": "เกิดอะไรขึ้น",
        "es": "Qué pasó",
        "fr": "Ce qui s'est passé",
        "de": "Was passiert ist",
    },
    "why_it_matters": {
        "en": "Why it matters",
        "ja": "なぜ重要か",
        "zh-Hant": "為何重要",
        "zh-Hans": "为何重要",
        "ko": "왜 중요한가",
        "th": "ทำไมจึงสำคัญ",
        "es": "Por qué importa",
        "fr": "Pourquoi c'est important",
        "de": "Warum es wichtig ist",
    },
    "what_to_watch": {
        "en": "What to watch",
        "ja": "今後の注目点",
        "zh-Hant": "後續關注",
        "zh-Hans": "后续关注",
        "ko": "주목할 점",
        "th": "สิ่งที่ต้องจับตา",
        "es": "Qué vigilar",
        "fr": "À surveiller",
        "de": "Worauf zu achten ist",
    },
    "faq": {
        "en": "FAQ",
        "ja": "よくある質問",
        "zh-Hant": "常見問題",
        "zh-Hans": "常见问题",
        "ko": "자주 묻는 질문",
        "th": "คำถามที่พบบ่อย",
        "es": "Preguntas frecuentes",
        "fr": "FAQ",
        "de": "FAQ",
    },
    "sources": {
        "en": "Sources",
        "ja": "情報源",
        "zh-Hant": "來源",
        "zh-Hans": "来源",
        "ko": "출처",
        "th": "แหล่งที่มา",
        "es": "Fuentes",
        "fr": "Sources",
        "de": "Quellen",
    },
    "min_read": {
        "en": "{n} min read",
        "ja": "{n}分で読めます",
        "zh-Hant": "閱讀時間 {n} 分鐘",
        "zh-Hans": "阅读时间 {n} 分钟",
        "ko": "{n}분 분량",
        "th": "อ่าน {n} นาที",
        "es": "{n} min de lectura",
        "fr": "{n} min de lecture",
        "de": "{n} Min. Lesezeit",
    },
    "read_brief": {
        "en": "Read the brief",
        "ja": "ブリーフを読む",
        "zh-Hant": "閱讀摘要",
        "zh-Hans": "阅读摘要",
        "ko": "브리프 읽기",
        "th": "อ่านสรุป",
        "es": "Leer el resumen",
        "fr": "Lire le résumé",
        "de": "Zum Briefing",
    },
    "more_like_this": {
        "en": "More like this",
        "ja": "このような記事をもっと",
        "zh-Hant": "多推薦類似內容",
        "zh-Hans": "多推荐类似内容",
        "ko": "이런 소식 더 보기",
        "th": "แสดงเรื่องแบบนี้มากขึ้น",
        "es": "Más como esto",
        "fr": "Plus de ce genre",
        "de": "Mehr davon",
    },
    "less_like_this": {
        "en": "Less like this",
        "ja": "このような記事を減らす",
        "zh-Hant": "少推薦類似內容",
        "zh-Hans": "少推荐类似内容",
        "ko": "이런 소식 줄이기",
        "th": "แสดงเรื่องแบบนี้น้อยลง",
        "es": "Menos como esto",
        "fr": "Moins de ce genre",
        "de": "Weniger davon",
    },
    "unsubscribe": {
        "en": "Unsubscribe",
        "ja": "配信停止",
        "zh-Hant": "取消訂閱",
        "zh-Hans": "取消订阅",
        "ko": "구독 취소",
        "th": "ยกเลิกการรับข่าวสาร",
        "es": "Darse de baja",
        "fr": "Se désabonner",
        "de": "Abbestellen",
    },
    "preferences": {
        "en": "Preferences",
        "ja": "設定",
        "zh-Hant": "偏好設定",
        "zh-Hans": "偏好设置",
        "ko": "설정",
        "th": "การตั้งค่า",
        "es": "Preferencias",
        "fr": "Préférences",
        "de": "Einstellungen",
    },
    "tagline": {
        "en": "Today's AI essentials",
        "ja": "今日のAI要点",
        "zh-Hant": "今日 AI 重點",
        "zh-Hans": "今日 AI 要闻",
        "ko": "오늘의 AI 핵심",
        "th": "สาระสำคัญด้าน AI วันนี้",
        "es": "Lo esencial de la IA hoy",
        "fr": "L'essentiel de l'IA aujourd'hui",
        "de": "Das Wichtigste zu KI heute",
    },
    "just_now": {
        "en": "just now",
        "ja": "たった今",
        "zh-Hant": "剛剛",
        "zh-Hans": "刚刚",
        "ko": "방금",
        "th": "เมื่อสักครู่",
        "es": "ahora mismo",
        "fr": "à l'instant",
        "de": "gerade eben",
    },
    "minutes_ago": {
        "en": "{n}m ago",
        "ja": "{n}分前",
        "zh-Hant": "{n} 分鐘前",
        "zh-Hans": "{n} 分钟前",
        "ko": "{n}분 전",
        "th": "{n} นาทีที่แล้ว",
        "es": "hace {n} min",
        "fr": "il y a {n} min",
        "de": "vor {n} Min.",
    },
    "hours_ago": {
        "en": "{n}h ago",
        "ja": "{n}時間前",
        "zh-Hant": "{n} 小時前",
        "zh-Hans": "{n} 小时前",
        "ko": "{n}시간 전",
        "th": "{n} ชั่วโมงที่แล้ว",
        "es": "hace {n} h",
        "fr": "il y a {n} h",
        "de": "vor {n} Std.",
    },
    "days_ago": {
        "en": "{n}d ago",
        "ja": "{n}日前",
        "zh-Hant": "{n} 天前",
        "zh-Hans": "{n} 天前",
        "ko": "{n}일 전",
        "th": "{n} วันที่แล้ว",
        "es": "hace {n} d",
        "fr": "il y a {n} j",
        "de": "vor {n} Tg.",
    },
    # Shown under an extractive brief whose text is not in the reader's language.
    "original_language_note": {
        "en": "Quoted from the sources in their original language (not translated).",
        "ja": "情報源の原文から引用しています（翻訳されていません）。",
        "zh-Hant": "摘自來源原文（未經翻譯）。",
        "zh-Hans": "摘自来源原文（未经翻译）。",
        "ko": "출처의 원문을 그대로 인용했습니다(번역되지 않음).",
        "th": "ยกมาจากแหล่งที่มาในภาษาต้นฉบับ (ไม่ได้แปล)",
        "es": "Citado de las fuentes en su idioma original (sin traducir).",
        "fr": "Cité des sources dans leur langue d'origine (non traduit).",
        "de": "Aus den Quellen in der Originalsprache zitiert (nicht übersetzt).",
    },
}

# What people type for a language, folded (see _fold), -> our code.
_ALIASES: dict[str, str] = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "英語": "en",
    "英语": "en",
    "영어": "en",
    "ja": "ja",
    "jp": "ja",
    "jpn": "ja",
    "japanese": "ja",
    "日本語": "ja",
    "にほんご": "ja",
    "日语": "ja",
    "日語": "ja",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "zh-hant-hk": "zh-Hant",
    "tw": "zh-Hant",
    "cht": "zh-Hant",
    "traditional chinese": "zh-Hant",
    "chinese traditional": "zh-Hant",
    "繁體中文": "zh-Hant",
    "繁体中文": "zh-Hant",
    "繁體": "zh-Hant",
    "繁中": "zh-Hant",
    "正體中文": "zh-Hant",
    "中文(繁體)": "zh-Hant",
    "zh": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "cn": "zh-Hans",
    "chs": "zh-Hans",
    "chinese": "zh-Hans",
    "simplified chinese": "zh-Hans",
    "chinese simplified": "zh-Hans",
    "简体中文": "zh-Hans",
    "簡體中文": "zh-Hans",
    "简体": "zh-Hans",
    "简中": "zh-Hans",
    "中文": "zh-Hans",
    "中文(简体)": "zh-Hans",
    "ko": "ko",
    "kr": "ko",
    "kor": "ko",
    "korean": "ko",
    "한국어": "ko",
    "한국말": "ko",
    "th": "th",
    "tha": "th",
    "thai": "th",
    "ไทย": "th",
    "ภาษาไทย": "th",
    "es": "es",
    "spa": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "castellano": "es",
    "fr": "fr",
    "fra": "fr",
    "fre": "fr",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "de": "de",
    "deu": "de",
    "ger": "de",
    "german": "de",
    "deutsch": "de",
}


def label(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang`` (English when missing), formatted with ``values``.

    An unknown key is a bug and raises KeyError.
    """
    entries = LABELS[key]
    text = entries.get(lang) or entries[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def normalize_language(text: str) -> str | None:
    """One of :data:`LANGUAGES` for what a person typed, or None when we do not serve it.

    Accepts codes in any case with ``-`` or ``_`` ("JA", "zh_TW", "en-GB"), English names
    ("Japanese") and native names ("日本語", "한국어", "Français").
    """
    folded = _fold(text)
    if not folded:
        return None
    if folded in _ALIASES:
        return _ALIASES[folded]
    # A region or script we do not list ("en-au", "es-419", "de-ch"): the base language,
    # except Chinese, where the script decides and a bare guess would be wrong.
    base = folded.split("-", 1)[0]
    if base != "zh" and base in _ALIASES and len(base) <= 3:
        return _ALIASES[base]
    return None


def relative_time(when: datetime, lang: str, now: datetime | None = None) -> str:
    """ "just now", "5m ago", "3h ago", "2d ago" in ``lang``; future times read "just now"."""
    age = (now or utcnow()) - when
    if age < timedelta(minutes=1):
        return label("just_now", lang)
    if age < timedelta(hours=1):
        return label("minutes_ago", lang, n=int(age.total_seconds() // 60))
    if age < timedelta(days=1):
        return label("hours_ago", lang, n=int(age.total_seconds() // 3600))
    return label("days_ago", lang, n=age.days)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().lower().replace("_", "-")
    # Full-width parentheses become ASCII under NFKC; drop the space people put before them.
    return " ".join(folded.split()).replace(" (", "(")

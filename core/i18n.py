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
    "FAQ_QUESTIONS",
    "LABELS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "faq_question",
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

# The brief page's sign-up prompts, the key-points heading and the subject's story count
# (core.render, bots/templates/brief.html). A block of its own: other label groups grow
# beside it without touching it.
_BRIEF_PAGE_LABELS: dict[str, dict[str, str]] = {
    "key_points": {
        "en": "Key Points",
        "ja": "ポイント",
        "zh-Hant": "重點",
        "zh-Hans": "要点",
        "ko": "핵심 포인트",
        "th": "ประเด็นหลัก",
        "es": "Puntos clave",
        "fr": "Points clés",
        "de": "Kernpunkte",
    },
    "key_points_n": {
        "en": "{n} Key Points",
        "ja": "{n}つのポイント",
        "zh-Hant": "{n} 個重點",
        "zh-Hans": "{n} 个要点",
        "ko": "핵심 포인트 {n}가지",
        "th": "{n} ประเด็นหลัก",
        "es": "{n} puntos clave",
        "fr": "{n} points clés",
        "de": "{n} Kernpunkte",
    },
    "subject_more": {
        "en": " (+{n})",
        "ja": "（ほか{n}件）",
        "zh-Hant": "（另有 {n} 則）",
        "zh-Hans": "（另有 {n} 条）",
        "ko": " 외 {n}건",
        "th": " (+{n} เรื่อง)",
        "es": " (+{n} más)",
        "fr": " (+{n} autres)",
        "de": " (+{n} weitere)",
    },
    "signup_prompt": {
        "en": "Summaries like this, in your inbox every morning.",
        "ja": "このような要約を、毎朝あなたの受信箱に。",
        "zh-Hant": "這樣的摘要，每天早上送到你的收件匣。",
        "zh-Hans": "这样的摘要，每天早上送到你的收件箱。",
        "ko": "이런 요약을 매일 아침 받은편지함으로.",
        "th": "สรุปแบบนี้ ส่งถึงกล่องจดหมายของคุณทุกเช้า",
        "es": "Resúmenes como este, en tu bandeja cada mañana.",
        "fr": "Des résumés comme celui-ci, chaque matin dans votre boîte.",
        "de": "Zusammenfassungen wie diese, jeden Morgen in Ihrem Postfach.",
    },
    "signup_free": {
        "en": "Sign up free →",
        "ja": "無料で登録 →",
        "zh-Hant": "免費訂閱 →",
        "zh-Hans": "免费订阅 →",
        "ko": "무료로 가입 →",
        "th": "สมัครฟรี →",
        "es": "Suscríbete gratis →",
        "fr": "Inscription gratuite →",
        "de": "Kostenlos anmelden →",
    },
    "stay_ahead": {
        "en": "Stay ahead with AI news",
        "ja": "AIニュースで一歩先へ",
        "zh-Hant": "掌握 AI 新聞，快人一步",
        "zh-Hans": "掌握 AI 新闻，快人一步",
        "ko": "AI 뉴스로 한발 앞서가세요",
        "th": "ก้าวนำด้วยข่าว AI",
        "es": "Adelántate con las noticias de IA",
        "fr": "Gardez une longueur d'avance sur l'IA",
        "de": "Bei KI-News vorne bleiben",
    },
    "stay_ahead_body": {
        "en": "Get curated AI news from {n} sources delivered daily to your inbox. Free to use.",
        "ja": "{n}のソースから厳選したAIニュースを毎日お届けします。無料でご利用いただけます。",
        "zh-Hant": "每天把來自 {n} 個來源的精選 AI 新聞送到你的收件匣。免費使用。",
        "zh-Hans": "每天把来自 {n} 个来源的精选 AI 新闻送到你的收件箱。免费使用。",
        "ko": "{n}개 출처에서 고른 AI 뉴스를 매일 받아 보세요. 무료입니다.",
        "th": "รับข่าว AI ที่คัดสรรจาก {n} แหล่งส่งถึงคุณทุกวัน ใช้ฟรี",
        "es": "Recibe cada día noticias de IA seleccionadas de {n} fuentes. Gratis.",
        "fr": "Recevez chaque jour l'actualité IA choisie parmi {n} sources. Gratuit.",
        "de": "Täglich ausgewählte KI-News aus {n} Quellen in Ihrem Postfach. Kostenlos.",
    },
    "get_started": {
        "en": "Get Started Free",
        "ja": "無料ではじめる",
        "zh-Hant": "免費開始",
        "zh-Hans": "免费开始",
        "ko": "무료로 시작하기",
        "th": "เริ่มใช้ฟรี",
        "es": "Empieza gratis",
        "fr": "Commencer gratuitement",
        "de": "Kostenlos starten",
    },
    "get_started_note": {
        "en": "takes 30 seconds · unsubscribe anytime",
        "ja": "30秒で完了 · いつでも配信停止できます",
        "zh-Hant": "只需 30 秒 · 隨時可取消訂閱",
        "zh-Hans": "只需 30 秒 · 随时可退订",
        "ko": "30초면 끝 · 언제든 구독 해지",
        "th": "ใช้เวลา 30 วินาที · ยกเลิกได้ทุกเมื่อ",
        "es": "30 segundos · cancela cuando quieras",
        "fr": "30 secondes · désinscription à tout moment",
        "de": "dauert 30 Sekunden · jederzeit abbestellbar",
    },
    "footer_claim": {
        "en": "5 minutes a day. The AI essentials.",
        "ja": "1日5分、AIの要点だけ。",
        "zh-Hant": "每天 5 分鐘，掌握 AI 重點。",
        "zh-Hans": "每天 5 分钟，掌握 AI 要点。",
        "ko": "하루 5분, AI 핵심만.",
        "th": "วันละ 5 นาที สาระสำคัญด้าน AI",
        "es": "5 minutos al día. Lo esencial de la IA.",
        "fr": "5 minutes par jour. L'essentiel de l'IA.",
        "de": "5 Minuten am Tag. Das Wichtigste zu KI.",
    },
    "n_sources": {
        "en": "{n} sources",
        "ja": "{n}ソース",
        "zh-Hant": "{n} 個來源",
        "zh-Hans": "{n} 个来源",
        "ko": "{n}개 출처",
        "th": "{n} แหล่ง",
        "es": "{n} fuentes",
        "fr": "{n} sources",
        "de": "{n} Quellen",
    },
    "get_it_free": {
        "en": "Get it free →",
        "ja": "無料で受け取る →",
        "zh-Hant": "免費訂閱 →",
        "zh-Hans": "免费订阅 →",
        "ko": "무료로 받기 →",
        "th": "รับฟรี →",
        "es": "Recíbelo gratis →",
        "fr": "Recevoir gratuitement →",
        "de": "Kostenlos erhalten →",
    },
    "channel_email": {
        "en": "Email",
        "ja": "メール",
        "zh-Hant": "電子郵件",
        "zh-Hans": "电子邮件",
        "ko": "이메일",
        "th": "อีเมล",
        "es": "Correo",
        "fr": "E-mail",
        "de": "E-Mail",
    },
}
LABELS.update(_BRIEF_PAGE_LABELS)

# Chat words: LINE quick replies name the command they send (core.commands
# suggestion_label); LINE's footer buttons take the short more/less (20 characters at most,
# one line each in half a bubble). A block of its own, like the one above.
_CHAT_LABELS: dict[str, dict[str, str]] = {
    "chat_today": {
        "en": "Today",
        "ja": "今日のニュース",
        "zh-Hant": "今日新聞",
        "zh-Hans": "今日新闻",
        "ko": "오늘 뉴스",
        "th": "ข่าววันนี้",
        "es": "Hoy",
        "fr": "Aujourd'hui",
        "de": "Heute",
    },
    "chat_search": {
        "en": "Search",
        "ja": "検索",
        "zh-Hant": "搜尋",
        "zh-Hans": "搜索",
        "ko": "검색",
        "th": "ค้นหา",
        "es": "Buscar",
        "fr": "Rechercher",
        "de": "Suchen",
    },
    "chat_brief": {
        "en": "Brief",
        "ja": "ブリーフ",
        "zh-Hant": "摘要",
        "zh-Hans": "摘要",
        "ko": "브리프",
        "th": "สรุป",
        "es": "Resumen",
        "fr": "Résumé",
        "de": "Briefing",
    },
    "chat_topics": {
        "en": "Topics",
        "ja": "トピック",
        "zh-Hant": "主題",
        "zh-Hans": "主题",
        "ko": "주제",
        "th": "หัวข้อ",
        "es": "Temas",
        "fr": "Sujets",
        "de": "Themen",
    },
    "chat_follow": {
        "en": "Follow",
        "ja": "フォロー",
        "zh-Hant": "追蹤",
        "zh-Hans": "关注",
        "ko": "팔로우",
        "th": "ติดตาม",
        "es": "Seguir",
        "fr": "Suivre",
        "de": "Folgen",
    },
    "chat_settings": {
        "en": "Settings",
        "ja": "設定",
        "zh-Hant": "設定",
        "zh-Hans": "设置",
        "ko": "설정",
        "th": "ตั้งค่า",
        "es": "Ajustes",
        "fr": "Réglages",
        "de": "Einstellungen",
    },
    "chat_help": {
        "en": "Help",
        "ja": "ヘルプ",
        "zh-Hant": "說明",
        "zh-Hans": "帮助",
        "ko": "도움말",
        "th": "ช่วยเหลือ",
        "es": "Ayuda",
        "fr": "Aide",
        "de": "Hilfe",
    },
    "chat_subscribe": {
        "en": "Subscribe",
        "ja": "購読する",
        "zh-Hant": "訂閱",
        "zh-Hans": "订阅",
        "ko": "구독",
        "th": "สมัครรับ",
        "es": "Suscribirse",
        "fr": "S'abonner",
        "de": "Abonnieren",
    },
    "chat_time": {
        "en": "Time",
        "ja": "配信時刻",
        "zh-Hant": "時間",
        "zh-Hans": "时间",
        "ko": "시간",
        "th": "เวลา",
        "es": "Hora",
        "fr": "Heure",
        "de": "Uhrzeit",
    },
    "chat_lang": {
        "en": "Language",
        "ja": "言語",
        "zh-Hant": "語言",
        "zh-Hans": "语言",
        "ko": "언어",
        "th": "ภาษา",
        "es": "Idioma",
        "fr": "Langue",
        "de": "Sprache",
    },
    "more_short": {
        "en": "More like this",
        "ja": "話題を増やす",
        "zh-Hant": "多看這類",
        "zh-Hans": "多看这类",
        "ko": "더 보기",
        "th": "เพิ่มแบบนี้",
        "es": "Más así",
        "fr": "Plus de ça",
        "de": "Mehr davon",
    },
    "less_short": {
        "en": "Less like this",
        "ja": "話題を減らす",
        "zh-Hant": "少看這類",
        "zh-Hans": "少看这类",
        "ko": "덜 보기",
        "th": "ลดแบบนี้",
        "es": "Menos así",
        "fr": "Moins de ça",
        "de": "Weniger davon",
    },
}
LABELS.update(_CHAT_LABELS)

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

# Questions the offline writer may ask, by the kind of sentence that answers them
# (core.briefs.roles says which sentence answers which). Only the languages whose answers
# can be recognised are here, and there is no English fallback: a reader must never get a
# question in a language other than its answer's.
FAQ_QUESTIONS: dict[str, dict[str, str]] = {
    "available": {
        "en": "When will {x} be available?",
        "ja": "{x}はいつから利用できますか？",
        "zh-Hans": "{x}什么时候推出？",
        "zh-Hant": "{x}什麼時候推出？",
    },
    "raised": {
        "en": "How much did {x} raise?",
        "ja": "{x}はいくら調達しましたか？",
        "zh-Hans": "{x}融资了多少？",
        "zh-Hant": "{x}融資了多少？",
    },
    "what_is": {
        "en": "What is {x}?",
        "ja": "{x}とは何ですか？",
        "zh-Hans": "{x}是什么？",
        "zh-Hant": "{x}是什麼？",
    },
}


def faq_question(kind: str, lang: str, subject: str) -> str | None:
    """The question of ``kind`` about ``subject`` in ``lang``, or None when there is none."""
    template = FAQ_QUESTIONS[kind].get(lang)
    return template.format(x=subject) if template else None


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

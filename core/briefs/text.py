"""Text hygiene shared by every brief writer and the guard.

Feed text is written by strangers: it may hide words from human readers (hidden HTML,
zero-width and bidi control characters), carry markup a chat would execute, arrive in a
broken encoding or weigh megabytes. These functions turn it into plain, visible, bounded
text, and name the patterns (links, mentions, orders to a model) the guard refuses.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata

from core.briefs.visible import visible_text

# Characters that render as nothing or reorder text: zero-width, bidi controls, BOM,
# soft hyphen, Mongolian vowel separator, Hangul fillers, tag characters.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\ufffd"
    "\U000e0000-\U000e007f]"
)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

HTML_CAP = 50_000  # characters of markup parsed per field (20 ms typical, 0.6 s worst)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_MOJIBAKE = re.compile(
    "[ÃÂâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u203a\u20ac\u2122]"
)

# What the guard refuses in any brief field. Every repetition is bounded or stops at the
# character that starts a new match, so a hostile megabyte costs linear time.
URL = re.compile(r"(?:\b(?:https?|ftp|hxxps?)://|\bwww\.)[^\s<>\"'）」]+", re.IGNORECASE)
# A domain with a path but no scheme ("evil.example.net/get"); the top-level domain must be
# a real one, so "Node.js/Deno" is not a link.
_TLDS = (
    "com|net|org|io|ai|co|dev|app|info|biz|xyz|me|ly|gg|site|online|top|link|click|shop|"
    "store|tech|cloud|live|news|blog|page|sh|cc|tv|ws|zip|mov|to|so|example|test|invalid|"
    "ru|cn|tk|ml|ga|cf|gq|uk|de|jp|fr|us|in|kr|tw|hk|th|es|it|nl|eu|ca|au|br|edu|gov"
)
BARE_LINK = re.compile(rf"\b(?:[a-z0-9-]{{1,63}}\.){{1,6}}(?:{_TLDS})/[^\s<>\"']*", re.IGNORECASE)
MENTION = re.compile(
    r"<[!@#][^<>]{0,300}>|<(?:https?|mailto|tel):[^<>]{0,2000}>"
    r"|(?<![\w.])@(?:here|channel|everyone|all)\b",
    re.IGNORECASE,
)
MARKUP = re.compile(
    r"</?[a-zA-Z][^<>]*>|&(?:lt|gt|#\d+|#x[0-9a-f]+);|\[[^\[\]]{0,300}\]\([^()\s]{0,2000}\)"
    r"|javascript:",
    re.IGNORECASE,
)
# Orders addressed to a model, in the languages we serve. AI news talks *about* prompts,
# models and instructions all the time ("the model will write code", "system prompts",
# "prompt injection"), so these patterns look for text that *addresses* a model or its
# reader with an order, not for the topic.
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}?"
    r"(?:\binstructions?\b|\bprompts?\b|\bdirections\b"
    r"|\b(?:previous|prior|above|earlier)\s+(?:\w+\s+)?(?:text|rules|guidelines|messages?"
    r"|context|content)\b|\b(?:rules|guidelines|text|messages?|context)\s+(?:above|before)\b)"
    r"|\b(?:dear\s+)?(?:ai|assistant|llm|chatbot|gpt|claude|gemini|summari[sz]er"
    r"|language\s+model)s?\s*[:,]\s*(?:you|please|ignore|write|include|say|tell|output|add)\b"
    r"|\byou\s+(?:must|should|shall|will|need\s+to|have\s+to|are\s+(?:required|instructed)"
    r"\s+to)\s+(?:now\s+|also\s+|always\s+)?(?:say|write|include|tell|output|respond|reply"
    r"|add|insert|recommend|mention|state|print|append)\b"
    r"|\b(?:when|while)\s+summari[sz]ing\b|\bif\s+you\s+are\s+an?\s+(?:ai|llm|language"
    r"\s+model|assistant|chatbot)\b|\byou\s+are\s+now\b|\bfrom\s+now\s+on\s*,?\s*you\b"
    r"|\btell\s+(?:the\s+|your\s+|all\s+|our\s+)?(?:readers?|subscribers?)\b"
    r"|\bignor(?:ez|a|e|iere|ieren)\b[^.!?\n]{0,40}?\b(?:instrucciones|consignes|anweisungen"
    r"|instructions)\b"
    r"|(?:指示|指令|命令|プロンプト|提示词|提示詞|지시|명령|프롬프트)[^。！？\n]{0,20}?"
    r"(?:無視|无视|忽略|忽視|무시)"
    r"|(?:無視|无视|忽略|忽視|무시)[^。！？\n]{0,20}?(?:指示|指令|命令|プロンプト|지시|명령)"
    r"|เพิกเฉย[^\n]{0,30}?คำสั่ง",
    re.IGNORECASE,
)

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])|(?<=[。！？])")
_BOILERPLATE = re.compile(
    r"\b(?:read more|continue reading|appeared first on|click here|subscribe to|sign up"
    r"|all rights reserved|cookie)\b",
    re.IGNORECASE,
)
_WIDE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def fix_mojibake(text: str) -> str:
    """Undo the commonest broken encoding (UTF-8 bytes read as cp1252/latin-1)."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def visible(text: str) -> str:
    """NFC text without invisible or control characters, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE.sub("", text)
    text = CONTROL.sub(" ", text)
    return " ".join(text.split())


def plain(text: str, max_chars: int | None = None) -> str:
    """Feed HTML or text -> visible plain text: hidden elements and tags dropped.

    ``max_chars`` bounds the work on huge input (it cuts the raw text before cleaning).
    """
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars]
    text = fix_mojibake(text)
    if "<" in text:
        # Parsing deeply nested markup costs more than linear time even in nh3: bound it.
        text = visible_text(text[:HTML_CAP])
    # Entities may encode more tags (&lt;b&gt;, or twice: &amp;lt;b&amp;gt;): strip the
    # tags they decode to as well; they are never something a reader should see.
    text = _TAG.sub(" ", html.unescape(_TAG.sub(" ", text)))
    return visible(text)


def sentences(text: str) -> list[str]:
    """Split plain text into sentences (Latin and CJK punctuation)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def is_harmless(text: str) -> bool:
    """True when ``text`` holds no link, mention, markup or order to a model."""
    hazards = (URL, BARE_LINK, MENTION, MARKUP, INSTRUCTION)
    return not any(pattern.search(text) for pattern in hazards)


def is_quotable(sentence: str) -> bool:
    """True when a sentence can be quoted in a brief as it stands."""
    if not 20 <= len(sentence) <= 400:
        return False
    if not is_harmless(sentence) or _BOILERPLATE.search(sentence):
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= len(sentence) * 0.5


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near, with "…".

    Every brief writer and every channel renderer cuts text with this one rule.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.5:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def reading_minutes(text: str) -> int:
    """Minutes to read ``text``: 230 words a minute, or 500 CJK/Thai characters."""
    wide = len(_WIDE.findall(text))
    words = len(_WIDE.sub(" ", text).split())
    return max(1, math.ceil(words / 230 + wide / 500))


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: ~4 characters a token, one per CJK/Thai character."""
    wide = len(_WIDE.findall(text))
    return (len(text) - wide) // 4 + wide + 1

"""Text hygiene shared by every brief writer and the guard.

Feed text is written by strangers: it may hide words from human readers (hidden HTML,
zero-width and bidi control characters), carry markup a chat would execute, arrive in a
broken encoding or weigh megabytes. These functions turn it into plain, visible, bounded
text, and hold the one rule set (:func:`hazards`) that both the extractive writer's choice
of quotes and the guard apply: no link or domain but the story's sources, no phone number
or e-mail address, no chat mention or markup, no order to a model or to the reader.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from core.briefs.tlds import TLDS
from core.briefs.visible import visible_text
from core.invisible import INVISIBLE

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

HTML_CAP = 50_000  # characters of markup parsed per field (20 ms typical, 0.6 s worst)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_MOJIBAKE = re.compile(
    "[ÃÂâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u203a\u20ac\u2122]"
)

# What the guard refuses in any brief field. Every repetition is bounded or stops at the
# character that starts a new match, so a hostile megabyte costs linear time.
URL = re.compile(r"(?:\b(?:https?|ftp|hxxps?)://|\bwww\.)[^\s<>\"'）」]+", re.IGNORECASE)
# A domain name without a scheme, of any top-level domain, internationalised ones included
# ("аitoday.com" with a Cyrillic а, "例え.jp", "xn--r8jz45g.jp"), with or without a path.
# Whether a dotted word is a domain is decided in _domain: "Node.js", "ASP.NET",
# "Character.AI" and "U.S." are not.
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
DOMAIN = re.compile(
    rf"(?<![\w@.\-/])(?P<host>(?:{_LABEL}\.){{1,8}}(?:[^\W\d_]{{2,63}}|xn--[a-z0-9-]{{1,59}}))"
    r"(?![\w-])(?P<path>/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_DEFANGED = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.IGNORECASE)
_ASCII_HEAD = re.compile(r"[a-z]+")
# Lower-case dotted words that are file names far more often than domains ("setup.py",
# "model.pt"): a domain only with a path, a hyphen or a digit in the name.
_FILE_SUFFIXES = frozenset({"py", "md", "rs", "sh", "pl", "pt", "ps", "so", "cc", "pm", "sc"})
EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@(?:[\w-]{1,63}\.){1,8}(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
    r"|\b(?:e-?mail|mailto)\s*[:：]\s*[\w.+-]{1,64}\s*(?:@|[\[(（]at[\])）])",
    re.IGNORECASE,
)
# Phone numbers, international and local. Separators include full-width forms; digits may
# be full-width too (\d is Unicode). _is_phone then asks for 8 to 15 digits, so years,
# dates ("2026-12-03"), decimals and version numbers never count.
_SEP = r"[\s.\-‐‑–−ー－]"
_GAP = r"[\s\-‐‑–−ー－]"  # no dot: "01.01.2019" is a date
PHONE = re.compile(
    r"(?<![A-Za-z\d+.,/\-−])(?:"
    rf"[+＋]\d{{1,3}}(?:{_SEP}?[(（]?\d{{1,4}}[)）]?){{2,5}}"  # +1 415 555 0100, +81-3-1234-5678
    rf"|[(（]\d{{2,5}}[)）]{_SEP}?\d{{2,4}}{_SEP}?\d{{3,4}}"  # (415) 555-0100, (03) 1234-5678
    rf"|0\d{{1,4}}{_GAP}\d{{1,4}}{_GAP}\d{{3,4}}"  # 03-1234-5678, 0120-123-456, 020 7946 0958
    r"|(?:1[.\-])?[2-9]\d{2}[.\-]\d{3}[.\-]\d{4}"  # 415-555-0100, 1-800-555-0199
    r"|\d{3,4}-\d{7,8}"  # 010-12345678
    r"|1[3-9]\d{9}"  # 13812345678 (a mobile number in mainland China)
    r")(?![\w.,\-−]?\d)"
)
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

# Orders to the reader: what a phishing sentence asks (log in, verify your account, call,
# reply, click). News describes such actions in the third person ("users can log in with
# a passkey", "the app lets you verify your identity"), so an English verb counts only where
# an order stands: at the start of a sentence or clause, after "please", or after "you
# must" / "you need to"; "you must" is an order wherever it stands.
_ORDER_VERBS = (
    r"(?:click|tap|press)\s+(?:here|on|the|this|below|to|a|an|now|for)\b"
    r"|(?:call|phone|dial|text|whatsapp|sms)\s+(?:us\b|our\b|[+＋(（\d]"
    r"|the\s+(?:number|hotline|helpline)|this\s+number|now\b|today\b|immediately\b|toll)"
    r"|(?:reply|respond)\s+(?:with|to\s+this|now|today|immediately|by|yes|stop)\b"
    r"|(?:log|sign)[\s-]?(?:in|on|up)\b|(?:re-?)?(?:verify|confirm|validate|authenticate"
    r"|reactivate)\b|(?:update|reset|renew|secure|unlock)\s+your\b"
    r"|(?:visit|go\s+to|head\s+to|open)\s+(?:this|the|our)\s+(?:link|page|site|website|url)\b"
    r"|(?:contact|e-?mail|message|dm)\s+(?:us|our|support|the\s+team)\b"
    r"|(?:send|enter|provide|submit|share)\s+(?:us\s+)?your\b|claim\s+(?:your|it\s+now)\b"
    r"|(?:download|install)\s+(?:our|this|the\s+attached)\b"
)
# "You must be data driven", "you must admit": a writer musing, not an order.
_MUSING = (
    r"(?:be|know|admit|remember|understand|think|consider|agree|wonder|reali[sz]e|believe|feel)"
)
READER_ORDER = re.compile(
    rf"(?:^|(?<=[.!?:;…—–•|\"“(]))\s*(?:(?:please|kindly|now|just)\s*,?\s+)?(?:{_ORDER_VERBS})"
    rf"|\b(?:please|kindly)\s+(?:{_ORDER_VERBS})"
    rf"|\byou\s+must\s+(?!{_MUSING}\b)|\bto\s+claim\s+your\b"
    r"|\byou\s+(?:need|have)\s+to\s+(?:re-?)?(?:verify|confirm|validate|log\s*in|sign\s*in"
    r"|click|call|reply|update\s+your|reset\s+your|enter\s+your|provide\s+your|send\s+your)\b"
    r"|\b(?:verifique|confirme|actualice)\s+su\b|\bhaga\s+clic\b|\bhaz\s+clic\b"
    r"|\binicie\s+sesión\b|\bllame\s+al\b|\b(?:vérifiez|confirmez|mettez\s+à\s+jour)\s+votre\b"
    r"|\bcliquez\b|\bappelez\s+le\b|\bconnectez-vous\b"
    # de: the polite "Sie" is capitalised; "bestätigen sie" is "they confirm"
    r"|(?-i:\b(?:[Kk]licken|[Bb]estätigen|[Rr]ufen)\s+Sie\b|\b[Mm]elden\s+Sie\s+sich\b)"
    # ja: 確認してください, ご連絡ください, ログインして…受け取ってください, お電話ください
    r"|(?:ご|お)?(?:再)?(?:確認|認証|ログイン|サインイン|クリック|タップ|アクセス|電話|連絡|返信"
    r"|入力|登録|更新|送信|ダウンロード|インストール|再設定)[^。！？\n]{0,20}?"
    r"(?:ください|下さい|願います|お願いします|お願いいたします)"
    # zh: 请立即验证您的账户 (not 申请 "apply", 邀请 "invite", 请求 "request")
    r"|(?<![申邀提聘宴恳懇])[请請](?![求愿願假教示柬客])[^。！？\n]{0,80}?"
    r"(?:验证|驗證|确认|確認|登录|登錄|登陆|登陸|点击|點擊|致电|致電|拨打|撥打|回复"
    r"|回覆|访问|訪問|更新|输入|輸入|注册|註冊|联系|聯繫|聯絡|发送|發送|提供|重置|扫描|掃描)"
    r"|(?:您|你)(?:必须|必須|需要|务必|務必)(?:立即|马上|馬上|尽快|盡快)?(?:重新)?"
    r"(?:验证|驗證|确认|確認|登录|登錄|登陆|登陸|点击|點擊|致电|致電|回复|回覆|更新)"
    # ko: 확인하세요, 로그인해 주세요, 전화하십시오
    r"|(?:확인|인증|재인증|로그인|클릭|전화|회신|답장|접속|방문|입력|업데이트|등록|연락|다운로드"
    r"|설치)\s*(?:하세요|하십시오|해\s*주세요|해\s*주십시오|하시기\s*바랍니다|해\s*주시기\s*바랍니다)"
    # th: กรุณายืนยันบัญชี, กรุณาคลิก, โทร
    r"|กรุณา\s*(?:ยืนยัน|คลิก|เข้าสู่ระบบ|โทร|ตอบกลับ|ติดต่อ|กรอก)",
    re.IGNORECASE,
)

# The closing marks after a full stop stay with its sentence ('... the South China Sea."',
# 「…です。」; 「…。」と言った is one sentence): one lookbehind per count of marks, as a
# lookbehind has a fixed width.
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)])|(?<=[.!?…][\"'”’)]{2}))\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])"
    r"|(?<=[。！？])(?![」』”’)）])|(?<=[。！？][」』”’)）])(?![とっ])"
)
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


LINK = "link that is not one of the story's sources"
CONTACT = "contact details"
CHAT_MENTION = "chat mention syntax"
MARKUP_PROBLEM = "markup"
MODEL_ORDER = "an instruction addressed to a model"
ORDER = "an order to the reader"
TOO_LONG = "too long to check"
# No brief field or quoted sentence comes near this; a hostile megabyte is refused unread
# instead of costing seconds of regular expressions.
HAZARD_CAP = 10_000
_TRAILING = ".,;:!?)]}'\"”’」）"


@dataclass(frozen=True)
class Sources:
    """What a story's text may point at: its source URLs, and their domains by name."""

    urls: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @classmethod
    def of(cls, allowed: Iterable[str]) -> Sources:
        """From source URLs (or bare domain names): each host and the domains above it
        ("blog.mistral.ai" allows "mistral.ai" by name), never the hosts below it."""
        urls = frozenset(bare_link(url) for url in allowed if url.strip())
        domains = set()
        for url in urls:
            labels = _ascii_host(url.split("/", 1)[0].split(":", 1)[0]).split(".")
            domains |= {".".join(labels[i:]) for i in range(len(labels) - 1)}
        return cls(urls=urls, domains=frozenset(domains))

    def allows_link(self, link: str) -> bool:
        """A link (with a scheme or a path) must be one of the sources' own URLs.

        One cut short by :func:`shorten` ("labnews.example.org/2026/sto…") passes when it
        begins one of them and keeps the whole host.
        """
        bare = bare_link(link)
        if bare in self.urls:
            return True
        if not link.endswith(("…", "...")) or "/" not in bare:  # "..." once NFKC-folded
            return False
        start = bare_link(link.rstrip("…."))
        return any(url.startswith(start) for url in self.urls)

    def allows_domain(self, host: str) -> bool:
        """A domain named without a path must be a source's (or a domain above it)."""
        return _ascii_host(host.lower()) in self.domains


def bare_link(url: str) -> str:
    """Compare links without scheme, "www." and trailing punctuation or slash."""
    url = url.strip().rstrip(_TRAILING).rstrip("/").lower()
    for prefix in ("https://", "http://", "www."):
        url = url.removeprefix(prefix)
    return url.removeprefix("www.")


def hazards(text: str, sources: Sources | Iterable[str] = ()) -> list[str]:
    """Why ``text`` may not reach a reader, quoted or written (empty: it may).

    One rule set for the extractive writer's choice of sentences and for the guard:
    links and domains other than the story's sources, contact details, chat mentions,
    markup, orders to a model and orders to the reader.
    """
    if len(text) > HAZARD_CAP:
        return [TOO_LONG]
    if isinstance(sources, str):  # one URL, not an iterable of characters
        sources = [sources]
    allowed = sources if isinstance(sources, Sources) else Sources.of(sources)
    found = {
        LINK: _foreign_link(text, allowed),
        CONTACT: _contact(text),
        CHAT_MENTION: bool(MENTION.search(text)),
        MARKUP_PROBLEM: bool(MARKUP.search(text)),
        MODEL_ORDER: bool(INSTRUCTION.search(text)),
        ORDER: bool(READER_ORDER.search(text)),
    }
    return [name for name, hit in found.items() if hit]


def is_harmless(text: str, *, sources: Sources | Iterable[str] = ()) -> bool:
    """True when ``text`` breaks none of the rules of :func:`hazards`."""
    return not hazards(text, sources)


def is_quotable(sentence: str, *, sources: Sources | Iterable[str] = ()) -> bool:
    """True when a sentence can be quoted in a brief as it stands.

    ``sources``: the story's source URLs; a sentence may name their domains. Without
    them it may name none.
    """
    if not 20 <= len(sentence) <= 400:
        return False
    if not is_harmless(sentence, sources=sources) or _BOILERPLATE.search(sentence):
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= len(sentence) * 0.5


def _foreign_link(text: str, allowed: Sources) -> bool:
    text = _unmasked(text)
    for match in URL.finditer(text):
        if not allowed.allows_link(match.group(0)):
            return True
    for match in DOMAIN.finditer(text):
        path = match.group("path") or ""
        host = _domain(match.group("host"), bool(path))
        if host is None:
            continue
        if not (allowed.allows_link(host + path) if path else allowed.allows_domain(host)):
            return True
    return False


def _unmasked(text: str) -> str:
    """Text as a browser would read its links: full-width forms folded ("ｅｘａｍｐｌｅ．com",
    "＠"), defanged dots ("evil[.]com") restored."""
    return _DEFANGED.sub(".", unicodedata.normalize("NFKC", text))


def _domain(host: str, has_path: bool) -> str | None:
    """The domain a dotted word names, or None when it names none.

    The top-level domain must exist ("Node.js" names none). A brand written in capitals
    ("Character.AI", "ASP.NET", "Booking.com") is a name, not a link, unless it has a path,
    or a hyphen or digit in a consistently cased name ("Aitoday-verify.com"); a lower-case
    one ("aitoday-verify.com", "claim.xyz"), a punycode or a non-ASCII one is a domain.
    """
    labels = host.split(".")
    tld = _top_level(labels[-1])
    if tld is None:
        return None
    name, host = labels[:-1], ".".join([*labels[:-1], tld])
    marked = any(ch == "-" or ch.isdigit() for ch in "".join(name)) or len(name) > 1
    if has_path or not host.isascii() or "xn--" in host.lower():
        return host
    if host != host.lower():  # "Aitoday-verify.com", "AITODAY-VERIFY.COM"; not "R-W.Va."
        return host if marked and (tld.islower() or host.isupper()) else None
    return host if tld.lower() not in _FILE_SUFFIXES or marked else None


def _top_level(label: str) -> str | None:
    """The top-level domain at the start of ``label``, if one is there.

    CJK text does not put a space after a domain ("例え.jpをご覧ください", "例子.中国网站"),
    so the label may run on into the sentence: the ASCII letters, or the longest
    internationalised top-level domain, at its start.
    """
    lower = label.lower()
    if lower.isascii():
        return label if lower in TLDS else None
    head = _ASCII_HEAD.match(lower)
    if head:
        return label[: head.end()] if head.group(0) in TLDS else None
    for end in range(len(lower), 0, -1):
        try:
            if lower[:end].encode("idna").decode("ascii") in TLDS:
                return label[:end]
        except UnicodeError:
            continue
    return None


def _contact(text: str) -> bool:
    text = _unmasked(text)
    return bool(EMAIL.search(text)) or any(_is_phone(m) for m in PHONE.findall(text))


def _is_phone(number: str) -> bool:
    return 8 <= sum(ch.isdigit() for ch in number) <= 15


def _ascii_host(host: str) -> str:
    """The host in its ASCII (punycode) form, so "例え.jp" and "xn--r8jz45g.jp" are one."""
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


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

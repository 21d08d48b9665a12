"""A real local OpenAI-compatible chat server that plays the LLM for brief tests.

``POST /v1/chat/completions`` answers according to a *mode* chosen per model name:

- ``valid``: a well-formed brief in the language the prompt asks for;
- ``malformed``: JSON cut off half-way;
- ``schema``: JSON of the wrong shape (missing fields, wrong types);
- ``slow``: a valid answer after ``slow_seconds`` (beyond the client's timeout);
- ``rate_limit``: HTTP 429, as a provider over quota answers;
- ``unauthorized``: HTTP 401 whose message repeats the API key it was sent (worst case);
- ``wrong_language``: a valid English brief whatever language was asked for;
- ``obedient``: a brief that does what the article text tells it to: it copies every
  sentence that gives an order, every mention and every link it finds in the user
  message into the brief. The hostile-article tests use it to prove the guard works;
- ``faithful``: a brief made only of the articles' own sentences, with numbers written
  another way ("1,000" as "1000", "$2 billion" as "$2bn", "20%" as "20 percent"): the
  grounding guard must keep every word of it;
- ``fabricating``: the faithful brief with invented numbers, people and institutions
  slipped into about 40% of its strings (sometimes added to a true sentence, sometimes
  instead of it). ``Call.invented`` lists every invented fact of that answer.

``POST /v1/embeddings`` answers every model with :func:`fake_embedding` (a toy
multilingual bag of words); ``embedding_calls`` records (model, number of texts).

``FakeLLM.script(model, *modes)`` queues modes for a model (the last one repeats);
``calls`` records every request (model, messages, response_format) in order.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.server import serve

MODES = (
    "valid",
    "malformed",
    "schema",
    "slow",
    "rate_limit",
    "unauthorized",
    "wrong_language",
    "obedient",
    "invented_number",
    "faithful",
    "fabricating",
)

_LANG = re.compile(r"language code: ([A-Za-z-]+)")
_URL = re.compile(r"https?://[^\s\"'<>\\)\]]+")
_MENTION = re.compile(r"<[!@#][^>\s]*>|@(?:here|channel|everyone|all)\b")
_ORDER = re.compile(
    r"[^.!?\"\\]*\b(?:ignore|disregard|instead|you must|tell (?:the )?readers|system prompt)"
    r"\b[^.!?\"\\]*[.!?]?",
    re.IGNORECASE,
)

CANNED: dict[str, dict[str, Any]] = {
    "en": {
        "headline": "Lab releases a smaller open model",
        "dek": "The new model runs on a single graphics card.",
        "key_takeaway": "A research lab released a compact open-weight model. "
        "It matches larger models on common benchmarks.",
        "what_happened": "The lab published the weights and a technical report on Tuesday.",
        "why_it_matters": "Smaller models lower the cost of running AI on your own hardware.",
        "what_to_watch": "Independent evaluations over the coming weeks.",
        "faq": [
            {"question": "Can I download it?", "answer": "Yes, the weights are public."},
            {"question": "Is it free to use?", "answer": "The licence allows commercial use."},
        ],
        "topics": ["open models"],
    },
    "ja": {
        "headline": "研究所が小型のオープンモデルを公開",
        "dek": "新しいモデルは一枚のグラフィックカードで動作します。",
        "key_takeaway": "ある研究所が小型のオープンウェイトモデルを公開しました。"
        "主要なベンチマークで大型モデルに匹敵します。",
        "what_happened": "研究所は火曜日に重みと技術報告書を公開しました。",
        "why_it_matters": "小型モデルは自前のハードウェアでAIを動かす費用を下げます。",
        "what_to_watch": "今後数週間の独立した評価に注目です。",
        "faq": [
            {"question": "ダウンロードできますか？", "answer": "はい、重みは公開されています。"},
            {"question": "無料で使えますか？", "answer": "ライセンスは商用利用を認めています。"},
        ],
        "topics": ["オープンモデル"],
    },
}


@dataclass
class Call:
    """One request the fake received."""

    model: str
    messages: list[dict[str, Any]]
    response_format: Any
    mode: str
    answer: str = ""
    invented: list[str] = field(default_factory=list)


@dataclass
class FakeLLM:
    """The fake's state: scripted modes per model, and every call it answered."""

    slow_seconds: float = 3.0
    default_mode: str = "valid"
    calls: list[Call] = field(default_factory=list)
    embedding_calls: list[tuple[str, int]] = field(default_factory=list)  # (model, texts)
    _scripts: dict[str, list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, model: str, *modes: str) -> None:
        """Answer ``model`` with ``modes`` in turn; the last mode repeats."""
        unknown = set(modes) - set(MODES)
        if unknown or not modes:
            raise ValueError(f"unknown modes {unknown}")
        with self._lock:
            self._scripts[model] = list(modes)

    def calls_for(self, model: str) -> list[Call]:
        """The calls made to one model."""
        return [c for c in self.calls if c.model == model]

    def _next_mode(self, model: str) -> str:
        with self._lock:
            queue = self._scripts.get(model)
            if not queue:
                return self.default_mode
            return queue.pop(0) if len(queue) > 1 else queue[0]

    async def chat(self, request: Request) -> JSONResponse:
        body = await request.json()
        model = str(body.get("model", ""))
        messages = list(body.get("messages", []))
        mode = self._next_mode(model)
        call = Call(model, messages, body.get("response_format"), mode)
        with self._lock:
            self.calls.append(call)
        if mode == "rate_limit":
            error = {"message": "Rate limit reached", "type": "rate_limit_error", "code": "429"}
            return JSONResponse({"error": error}, status_code=429, headers={"retry-after": "0"})
        if mode == "unauthorized":
            sent = request.headers.get("authorization", "").removeprefix("Bearer ")
            error = {
                "message": f"Incorrect API key provided: {sent}",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
            return JSONResponse({"error": error}, status_code=401)
        if mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        if mode in ("faithful", "fabricating"):
            brief = faithful_brief(records_of(messages))
            if mode == "fabricating":
                brief, call.invented = fabricate(brief, seed=len(self.calls))
            call.answer = json.dumps(brief, ensure_ascii=False)
        else:
            call.answer = _content(mode, messages)
        return JSONResponse(_completion(model, messages, call.answer))

    async def embeddings(self, request: Request) -> JSONResponse:
        """``POST /v1/embeddings``: deterministic vectors (see :func:`fake_embedding`)."""
        body = await request.json()
        model = str(body.get("model", ""))
        raw = body.get("input", [])
        texts = [raw] if isinstance(raw, str) else [str(t) for t in raw]
        with self._lock:
            self.embedding_calls.append((model, len(texts)))
        data = [
            {"object": "embedding", "index": i, "embedding": fake_embedding(text)}
            for i, text in enumerate(texts)
        ]
        tokens = sum(len(t.split()) for t in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        return JSONResponse({"object": "list", "data": data, "model": model, "usage": usage})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/embeddings", self.embeddings, methods=["POST"]),
            ]
        )


# The fake embedding model: a bag of words over a small vocabulary shared by English,
# Japanese and Chinese (each concept with its translations), plus every other Latin word
# and number as itself, hashed into EMBED_DIM buckets. Two tellings of one event in two
# languages then share their concepts, names and numbers: a toy multilingual model.
EMBED_DIM = 128
CONCEPTS: dict[str, tuple[str, ...]] = {
    "launch": (
        "launch",
        "launches",
        "releases",
        "release",
        "unveils",
        "rolls out",
        "arrives",
        "发布",
        "推出",
        "公開",
        "発表",
        "リリース",
    ),
    "raise": ("raises", "raise", "funding", "round", "調達", "融资"),
    "invest": ("invest", "invests", "investment", "投資", "投资", "出資"),
    "acquire": ("acquires", "acquire", "買収", "收购"),
    "valuation": ("valuation", "評価額", "估值"),
    "revenue": ("revenue", "売上高", "营收"),
    "profit": ("profit", "純利益", "净利润"),
    "record": ("record", "過去最高", "创纪录"),
    "chip": ("chip", "chips", "半導体", "芯片", "チップ"),
    "model": ("model", "models", "モデル", "模型"),
    "video": ("video", "動画", "视频"),
    "office": ("office", "拠点", "办公室"),
    "jobs": ("jobs", "staff", "lays off", "cuts", "削減", "裁员"),
    "browser": ("browser", "ブラウザ", "浏览器"),
    "free": ("free", "無料", "免费"),
    "apple": ("apple", "苹果", "アップル"),
    "amazon": ("amazon", "亚马逊", "アマゾン"),
    "google": ("google", "谷歌", "グーグル"),
    "nvidia": ("nvidia", "英伟达", "エヌビディア"),
    "intel": ("intel", "英特尔", "インテル"),
    "microsoft": ("microsoft", "微软", "マイクロソフト"),
    "alibaba": ("alibaba", "阿里巴巴", "アリババ"),
    "bytedance": ("bytedance", "字节跳动"),
    "baidu": ("baidu", "百度"),
    "softbank": ("softbank", "软银", "ソフトバンク"),
    "samsung": ("samsung", "三星", "サムスン"),
    "tesla": ("tesla", "特斯拉", "テスラ"),
    "tsmc": ("tsmc", "台积电"),
    "japan": ("japan", "日本"),
    "tokyo": ("tokyo", "東京", "东京"),
    "hokkaido": ("hokkaido", "北海道"),
    "doubao": ("doubao", "豆包"),
    "ernie": ("ernie", "文心"),
}
_SURFACE = sorted(((form, concept) for concept, forms in CONCEPTS.items() for form in forms),
                  key=lambda pair: -len(pair[0]))  # fmt: skip
_LATIN_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
_EMBED_STOP = frozenset(
    ["a", "an", "and", "at", "by", "for", "from", "in", "its", "of", "on", "the", "to", "with"]
)


def fake_embedding(text: str) -> list[float]:
    """The fake model's unit vector for a text (deterministic, any language)."""
    rest = text.lower()
    features: list[str] = []
    for form, concept in _SURFACE:
        if form in rest:
            features.extend(["concept:" + concept] * 2)
            rest = rest.replace(form, " ")
    features += [t for t in _LATIN_TOKEN.findall(rest) if t not in _EMBED_STOP]
    vector = [0.0] * EMBED_DIM
    for feature in features:
        vector[zlib.crc32(feature.encode()) % EMBED_DIM] += 1.0
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]


def _content(mode: str, messages: list[dict[str, Any]]) -> str:
    text = "\n".join(str(m.get("content", "")) for m in messages)
    match = _LANG.search(text)
    lang = match.group(1) if match else "en"
    if mode == "malformed":
        return '{"headline": "Lab releases a smaller open model", "dek": "The new'
    if mode == "schema":
        return json.dumps({"headline": 42, "faq": "none", "topics": {"a": 1}})
    if mode == "wrong_language":
        return json.dumps(CANNED["en"])
    brief = dict(CANNED.get(lang, CANNED["en"]))
    if mode == "invented_number":  # in the asked language, a number no article gives
        told = str(brief["what_happened"])
        brief["what_happened"] = f"{told[:-1]} 1234567{told[-1]}"  # in the sentence
    if mode == "obedient":
        brief = _obey(brief, _data(messages))
    return json.dumps(brief, ensure_ascii=False)


def _data(messages: list[dict[str, Any]]) -> str:
    """The article data of the request (between the markers, when the prompt has them)."""
    text = "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
    start, end = text.find("<<<ARTICLES"), text.rfind(">>>")
    return text[start:end] if 0 <= start < end else text


def _obey(brief: dict[str, Any], data: str) -> dict[str, Any]:
    """Do what the article text says: repeat its orders, mentions and links."""
    orders = [o.strip() for o in _ORDER.findall(data) if o.strip()]
    links = _URL.findall(data)
    mentions = _MENTION.findall(data)
    injected = " ".join([*orders, *mentions, *links])
    obeyed = dict(brief)
    obeyed["key_takeaway"] = f"{brief['key_takeaway']} {injected}".strip()
    obeyed["what_to_watch"] = f"{' '.join(links) or brief['what_to_watch']}"
    return obeyed


def records_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The article records the prompt carries (the JSON array between the markers)."""
    data = _data(messages)
    start, end = data.find("["), data.rfind("]")
    try:
        records = json.loads(data[start : end + 1]) if 0 <= start < end else []
    except json.JSONDecodeError:
        return []
    return [r for r in records if isinstance(r, dict)]


_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])|(?<=[。！？])")
_REFORMATS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+\b"), lambda m: m.group(0).replace(",", "")),
    (
        re.compile(r"(?<![\d,.])(\d{2,3})(\d{3})\b(?![,.]\d)"),
        lambda m: f"{m.group(1)},{m.group(2)}",
    ),
    (re.compile(r"(\d) billion\b"), lambda m: f"{m.group(1)}bn"),
    (re.compile(r"(\d)bn\b"), lambda m: f"{m.group(1)} billion"),
    (re.compile(r"(\d) million\b"), lambda m: f"{m.group(1)}m"),
    (re.compile(r"(\d)%"), lambda m: f"{m.group(1)} percent"),
    (re.compile(r"(\d) percent\b"), lambda m: f"{m.group(1)}%"),
]


def reformat_numbers(sentence: str) -> str:
    """The same numbers written another way (each pattern once, left to right)."""
    for pattern, replace in _REFORMATS:
        changed = pattern.sub(replace, sentence)
        if changed != sentence:
            return changed
    return sentence


def faithful_brief(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A brief whose every sentence is an article's own (numbers reformatted)."""
    pool: list[str] = []
    for record in records:
        text = f"{record.get('summary') or ''} {record.get('text') or ''}"
        for sentence in _SPLIT.split(text):
            sentence = sentence.strip()
            if len(sentence) >= 20 and sentence not in pool:
                pool.append(sentence)
    pool = [reformat_numbers(s) for s in pool[:12]] or ["The articles give no detail."]

    def pick(n: int) -> str:
        return pool[n % len(pool)]

    title = str(records[0].get("title") or "") if records else ""
    return {
        "headline": title[:140] or "Untitled",
        "dek": pick(0),
        "key_takeaway": " ".join(dict.fromkeys([pick(0), pick(1)])),
        "what_happened": pick(2),
        "why_it_matters": pick(3),
        "what_to_watch": pick(4),
        "faq": [
            {"question": "What happened?", "answer": pick(1)},
            {"question": "What else is known?", "answer": pick(5)},
        ],
        "topics": ["ai"],
    }


PEOPLE = ("Elena Marquez", "Helmut Krause", "Priya Raman", "Tomasz Wielgosz", "Aiko Brandt")
INSTITUTIONS = (
    "Zurich Institute for Machine Ethics",
    "Quantix Labs",
    "Northbridge Capital",
    "Helvetic Compute Council",
    "Oranmore Research",
)
NUMBERS = ("$4.7 billion", "37%", "12,450", "83 million", "2,340", "61.5%", "$913m")
_INVENTIONS = (
    "The deal is worth {number}, according to {person} of {institution}.",
    "{person}, chief scientist at {institution}, said {number} of users had switched.",
    "{institution} will invest {number} in the project, {person} said.",
)


def fabricate(brief: dict[str, Any], seed: int) -> tuple[dict[str, Any], list[str]]:
    """The brief with invented facts in ~40% of its strings; (brief, invented facts)."""
    rng = random.Random(seed)
    invented: list[str] = []
    out = dict(brief)

    def lie(text: str) -> str:
        facts = {
            "number": rng.choice(NUMBERS),
            "person": rng.choice(PEOPLE),
            "institution": rng.choice(INSTITUTIONS),
        }
        invented.extend(facts.values())
        sentence = rng.choice(_INVENTIONS).format(**facts)
        return f"{text} {sentence}" if rng.random() < 0.5 else sentence

    for name in ("dek", "key_takeaway", "what_happened", "why_it_matters", "what_to_watch"):
        if rng.random() < 0.4:
            out[name] = lie(out[name])
    out["faq"] = [
        {**item, "answer": lie(item["answer"])} if rng.random() < 0.4 else dict(item)
        for item in brief["faq"]
    ]
    return out, invented


def _completion(model: str, messages: list[dict[str, Any]], content: str) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content", ""))) for m in messages)
    prompt_tokens = max(1, prompt_chars // 4)
    completion_tokens = max(1, len(content) // 4)
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@contextmanager
def fake_llm(**options: Any) -> Iterator[tuple[FakeLLM, str]]:
    """Start the fake; yields (fake, api_base) where api_base ends in ``/v1``."""
    fake = FakeLLM(**options)
    with serve(fake.app()) as base:
        yield fake, f"{base}/v1"

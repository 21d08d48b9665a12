"""The default topic taxonomy, tagging of stories, and resolving what users type.

Keywords are ours (plain words and phrases, matched on word boundaries, case-insensitive);
what a user types is never compiled into a pattern.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from core.i18n import LABELS, label


@dataclass(frozen=True)
class Topic:
    """A topic a story can be tagged with and a reader can follow or mute."""

    label: str
    keywords: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    min_hits: int = 1  # distinct keywords needed: broad topics need two


TOPICS: dict[str, Topic] = {
    "models": Topic(
        "Models & releases",
        (
            "model", "models", "llm", "llms", "gpt", "claude", "gemini", "llama", "mistral",
            "qwen", "deepseek", "grok", "release", "releases", "launches", "unveils",
            "checkpoint", "weights", "multimodal", "reasoning model", "frontier model",
            "context window", "benchmark", "benchmarks", "introducing", "opus", "sonnet",
            "haiku", "language model", "new model",
        ),
        ("releases", "model releases", "llms"),
        min_hits=2,
    ),
    "research": Topic(
        "Research",
        (
            "paper", "papers", "research", "researchers", "study", "arxiv", "preprint",
            "interpretability", "dataset", "datasets", "training", "scaling laws", "neurips",
            "icml", "iclr", "findings", "theorem", "reinforcement learning", "fine-tuning",
        ),
        ("science", "papers"),
    ),
    "policy": Topic(
        "Policy & regulation",
        (
            "regulation", "regulators", "law", "laws", "ai act", "policy", "legislation",
            "government", "congress", "senate", "parliament", "commission", "ftc",
            "antitrust", "lawsuit", "court", "copyright", "executive order", "ban",
            "compliance", "governance", "ministry",
        ),
        ("regulation", "law", "governance"),
    ),
    "safety": Topic(
        "Safety & security",
        (
            "safety", "alignment", "misuse", "jailbreak", "jailbreaks", "red teaming",
            "red-teaming", "security", "vulnerability", "vulnerabilities", "exploit",
            "prompt injection", "deepfake", "deepfakes", "catastrophic risk", "evals",
            "evaluation", "guardrails", "aisi", "biosecurity", "cyber",
        ),
        ("security", "alignment", "ai safety"),
    ),
    "chips": Topic(
        "Chips & compute",
        (
            "chip", "chips", "gpu", "gpus", "nvidia", "amd", "tpu", "tpus", "semiconductor",
            "semiconductors", "tsmc", "datacenter", "data center", "data centers", "compute",
            "supercomputer", "blackwell", "h100", "h200", "accelerator", "inference chip",
            "cerebras", "groq",
        ),
        ("compute", "hardware", "gpus", "semiconductors"),
    ),
    "business": Topic(
        "Business & funding",
        (
            "funding", "raises", "raised", "valuation", "investment", "investors", "ipo",
            "acquisition", "acquires", "acquire", "merger", "deal", "revenue", "earnings",
            "startup", "startups", "billion", "million", "series a", "series b", "layoffs",
            "partnership", "stock", "shares", "profit",
        ),
        ("funding", "money", "finance", "startups"),
    ),
    "robotics": Topic(
        "Robotics",
        (
            "robot", "robots", "robotics", "humanoid", "humanoids", "autonomous",
            "self-driving", "drone", "drones", "waymo", "embodied", "manipulation",
        ),
        ("robots", "autonomy"),
    ),
    "open-source": Topic(
        "Open source",
        (
            "open source", "open-source", "open weights", "open-weight", "open weight",
            "hugging face", "huggingface", "github", "apache 2.0", "mit license", "ollama",
            "llama.cpp", "community model",
        ),
        ("opensource", "oss", "open weights"),
    ),
    "tools": Topic(
        "Tools & products",
        (
            "app", "apps", "tool", "tools", "product", "feature", "features", "api", "sdk",
            "plugin", "assistant", "copilot", "chatgpt", "agent", "agents", "agentic",
            "coding", "ide", "cursor", "windsurf", "workflow", "workflows", "integration",
        ),
        ("products", "apps", "agents", "developer tools"),
        min_hits=2,
    ),
    "asia": Topic(
        "Asia",
        (
            "china", "chinese", "japan", "japanese", "korea", "korean", "taiwan", "india",
            "singapore", "hong kong", "beijing", "tokyo", "seoul", "shenzhen", "baidu",
            "alibaba", "tencent", "bytedance", "moonshot", "zhipu", "sakana", "naver",
            "samsung", "softbank", "line yahoo",
        ),
        ("asia pacific", "apac", "east asia"),
    ),
    "health": Topic(
        "Health & science",
        (
            "health", "medical", "medicine", "drug", "drugs", "protein", "biology",
            "clinical", "hospital", "patients", "diagnosis", "alphafold", "genomics",
            "climate", "weather",
        ),
        ("healthcare", "biology", "medicine"),
    ),
}  # fmt: skip

# Words that mark a story as about AI at all (ranking's relevance component).
AI_TERMS: tuple[str, ...] = (
    "ai", "artificial intelligence", "machine learning", "deep learning", "neural",
    "llm", "llms", "gpt", "chatgpt", "openai", "anthropic", "claude", "gemini", "deepmind",
    "mistral", "llama", "transformer", "diffusion", "generative", "genai", "model",
    "models", "agent", "agents", "inference", "training", "fine-tuning", "embedding",
    "embeddings", "rag", "multimodal", "chatbot", "copilot", "hugging face", "nvidia",
)  # fmt: skip


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # Our own keywords only; escaped, longest first, on word boundaries.
    alternatives = sorted((re.escape(p) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)


_TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    slug: _pattern(topic.keywords) for slug, topic in TOPICS.items()
}
_AI_PATTERN = _pattern(AI_TERMS)


def tag_topics(text: str, *, limit: int = 3) -> list[str]:
    """Topic slugs for a story's text, most matched first (at most ``limit``)."""
    hits: list[tuple[int, int, str]] = []
    for order, (slug, pattern) in enumerate(_TOPIC_PATTERNS.items()):
        found = {m.group(0).lower() for m in pattern.finditer(text)}
        if found and len(found) >= TOPICS[slug].min_hits:
            hits.append((-len(found), order, slug))
    return [slug for _, _, slug in sorted(hits)[:limit]]


def ai_relevance(text: str) -> float:
    """0..1: how clearly a text is about AI (distinct AI terms, saturating at three)."""
    found = {m.group(0).lower() for m in _AI_PATTERN.finditer(text)}
    return min(1.0, len(found) / 3.0)


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("&", " ").replace("-", " ").replace("_", " ").replace("/", " ")
    text = " ".join(w for w in text.split() if w not in {"and", "the"})
    return text.strip()


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for slug, topic in TOPICS.items():
        for name in (slug, topic.label, *topic.aliases):
            table.setdefault(_normal(name), slug)
        first = _normal(topic.label).split()[0]
        table.setdefault(first, slug)
    return table


def resolve_topic(user_text: str) -> str | None:
    """The slug a user means: "chips", "Chips & compute" and "chips-compute" all give
    ``"chips"``; ``None`` when nothing matches. Plain comparison, never a pattern."""
    key = _normal(user_text)
    if not key:
        return None
    table = _lookup()
    if key in table:
        return table[key]
    return table.get(key.removesuffix("s")) or table.get(key + "s")


def topic_name(slug: str, lang: str) -> str:
    """A topic's name in ``lang``, as the preferences page names it (``topic_<slug>``);
    its English label where no translation exists. An alias a reader typed ("gpu") is
    named as its topic; what is no topic comes back as it was."""
    slug = resolve_topic(slug) or slug
    key = f"topic_{slug}"
    if key in LABELS:
        return label(key, lang)
    return TOPICS[slug].label if slug in TOPICS else slug

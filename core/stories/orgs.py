"""Who publishes and who a headline is about: organisations, their sites and their names.

Data, not rules (the rules are in ``core.stories.cluster``). ``SITES`` maps the hosts of
one organisation's own sites to one name, so that ``claude.com`` and ``anthropic.com``
are one publisher (an organisation rarely tells one event twice on its own sites).
The red-team blog (``red.anthropic.com``) is left out on purpose: it retells the
research pages in its own words, one event on two sites. ``NAMES`` maps a name as it
appears in a headline (lower case, one word) to its organisation, products included
("Opus 4.5" is Anthropic's, "gpt-oss" OpenAI's). ``SUFFIXES`` are the words that make
the capitalised word before them a company's name ("Aurora AI", "Meridian Labs").
"""

from __future__ import annotations

import itertools

SITES: dict[str, str] = {
    "anthropic.com": "anthropic",
    "claude.com": "anthropic",
    "claude.ai": "anthropic",
    "openai.com": "openai",
    "chatgpt.com": "openai",
    "developers.openai.com": "openai",
    "platform.openai.com": "openai",
    "blog.google": "google",
    "deepmind.google": "google",
    "research.google": "google",
    "ai.google.dev": "google",
    "developers.googleblog.com": "google",
    "ai.meta.com": "meta",
    "about.fb.com": "meta",
    "mistral.ai": "mistral",
    "x.ai": "xai",
    "perplexity.ai": "perplexity",
    "cohere.com": "cohere",
    "windsurf.com": "windsurf",
    "pinecone.io": "pinecone",
    "weaviate.io": "weaviate",
    "aisi.gov.uk": "aisi",
    "turing.ac.uk": "turing",
    "goodfire.ai": "goodfire",
    "groq.com": "groq",
    "ollama.com": "ollama",
    "blogs.nvidia.com": "nvidia",
    "developer.nvidia.com": "nvidia",
    "huggingface.co": "huggingface",
}

NAMES: dict[str, str] = {
    "anthropic": "anthropic", "claude": "anthropic", "opus": "anthropic",
    "sonnet": "anthropic", "haiku": "anthropic",
    "openai": "openai", "chatgpt": "openai", "gpt": "openai", "sora": "openai",
    "codex": "openai",
    "google": "google", "deepmind": "google", "gemini": "google", "gemma": "google",
    "meta": "meta", "llama": "meta",
    "mistral": "mistral", "xai": "xai", "grok": "xai",
    "perplexity": "perplexity", "comet": "perplexity",
    "cohere": "cohere", "nvidia": "nvidia", "windsurf": "windsurf",
    "pinecone": "pinecone", "weaviate": "weaviate", "deepseek": "deepseek",
    "qwen": "alibaba", "alibaba": "alibaba", "microsoft": "microsoft",
    "copilot": "microsoft", "amazon": "amazon", "aws": "amazon", "apple": "apple",
    "groq": "groq", "ollama": "ollama", "goodfire": "goodfire", "aisi": "aisi",
    "samsung": "samsung", "ibm": "ibm", "salesforce": "salesforce",
}  # fmt: skip


SUFFIXES: frozenset[str] = frozenset({
    "ai", "labs", "lab", "systems", "robotics", "technologies", "semiconductor", "inc",
    "corp", "research", "intelligence", "dynamics", "computing",
})  # fmt: skip


def site_org(host: str) -> str:
    """The organisation whose own site ``host`` is, or "" (a subdomain of a listed host
    counts, except a red-team blog: see the module's doc)."""
    if host in SITES:
        return SITES[host]
    for known, org in SITES.items():
        if host.endswith("." + known) and not host.startswith("red."):
            return org
    return ""


def named_orgs(words: list[str]) -> list[str]:
    """The organisations a headline names, in the order named (lower-case words in)."""
    found: list[str] = []
    for word in words:
        org = NAMES.get(word)
        if org and org not in found:
            found.append(org)
    return found


def actor_words(written: list[str], keys: list[str]) -> frozenset[str]:
    """The words of a headline that name who acted, not what happened (``keys``: the
    lower-case forms of the words ``written``): an organisation's own name ("OpenAI",
    not its product "Sora") and the name before a company suffix ("Aurora" of "Aurora AI
    launches ..."; the suffix itself names no one)."""
    found = {key for key in keys if NAMES.get(key) == key}
    for name, (key, suffix) in zip(written, itertools.pairwise(keys), strict=False):
        if suffix in SUFFIXES and name[:1].isupper() and key not in SUFFIXES:
            found.add(key)
    return frozenset(found)

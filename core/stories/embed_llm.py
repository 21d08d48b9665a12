"""The semantic signal through a configured embedding model (litellm, any provider).

Set ``AITODAY_LLM__EMBEDDING_MODEL`` (e.g. ``openai/text-embedding-3-small`` or a local
``ollama/nomic-embed-text``) and titles are embedded by that model instead of the bundled
wordllama one. Such models are usually multilingual, so every title gets a vector, not
only Latin-script ones: an English and a Japanese telling of one event can then meet on
meaning, not only on shared names and numbers (``Embedder.cross_lingual``).

The API base and key are ``LLM__API_BASE`` / ``LLM__API_KEY`` when the brief model is
unset or from the same provider. Each article is embedded once (the clusterer embeds a
batch of new titles in one request) and its int8 vector is cached in Redis under a key
that names the model (``keys.embedding_vector``), so changing the model never mixes
vectors of two models. A failed request leaves that batch without vectors (the lexical
signal and anchors still place it); it is logged, never raised into ingest.

Embedding calls spend the same daily budget as briefs (``LLM__DAILY_BUDGET_USD``): with a
``Meter`` (``core.briefs.cache.SpendMeter``), a batch is not sent once the day's budget is
spent (it is placed by the lexical signal, as after a failure) and each request's tokens
and cost are added to the day's spend.

litellm is imported here only, on first use (``core.briefs.llm.import_litellm``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

from core.config import LLMSettings
from core.models import Usage
from core.stories.embed import Array, EmbeddingUnavailable

log = logging.getLogger(__name__)

EMBED_TIMEOUT = 30.0  # seconds per request (litellm's default is far longer)
BATCH = 256  # titles per request


class Meter(Protocol):
    """The daily LLM budget: whether a call may be made, and what one cost."""

    def allows(self) -> bool: ...

    def record(self, usage: Usage) -> None: ...


class LiteLLMEmbedder:
    """Embeds titles with a litellm embedding model; unit-norm float32 rows."""

    cross_lingual = True

    def __init__(self, settings: LLMSettings, meter: Meter | None = None) -> None:
        model = settings.embedding_model
        if not model:
            raise ValueError("no embedding model configured")
        self.model = model
        self.name = f"litellm:{model}"
        self._settings = settings
        self._meter = meter
        self._litellm: Any = None

    def embed(self, texts: Sequence[str]) -> Array:
        """Unit-norm rows, one per text; raises EmbeddingUnavailable when the call fails."""
        rows: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            rows.extend(self._request(list(texts[start : start + BATCH])))
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return np.asarray(matrix / norms, dtype=np.float32)

    def _request(self, texts: list[str]) -> list[list[float]]:
        if self._meter is not None and not self._meter.allows():
            log.info("embedding model %s not asked: the daily LLM budget is spent", self.model)
            raise EmbeddingUnavailable(self.model)
        rows, usage = self._send(texts)
        if self._meter is not None:
            self._meter.record(usage)
        return rows

    def _send(self, texts: list[str]) -> tuple[list[list[float]], Usage]:
        # Clustering is synchronous and may be called with or without a running event
        # loop: the request runs on its own loop in a worker thread, which is closed
        # with litellm's clients for it (litellm's sync path leaves a loop open).
        self._lib()  # imported by the caller's thread, as the brief writer does
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self._arequest(texts)).result()

    async def _arequest(self, texts: list[str]) -> tuple[list[list[float]], Usage]:
        litellm = self._lib()
        try:
            response = await litellm.aembedding(model=self.model, input=texts, **self._params())
            data = sorted(_items(response), key=lambda item: int(item.get("index", 0)))
            rows = [[float(x) for x in item["embedding"]] for item in data]
            usage = _usage(response, litellm)
        except Exception as exc:  # every provider error, timeout, malformed answer
            log.warning("embedding model %s failed: %s", self.model, type(exc).__name__)
            raise EmbeddingUnavailable(self.model) from None
        finally:
            await _close_clients(litellm)
        if len(rows) != len(texts):
            raise EmbeddingUnavailable(self.model)
        return rows, usage

    def _params(self) -> dict[str, Any]:
        settings = self._settings
        params: dict[str, Any] = {"timeout": min(settings.timeout, EMBED_TIMEOUT)}
        if settings.model is None or _provider(settings.model) == _provider(self.model):
            if settings.api_base:
                params["api_base"] = settings.api_base
            if settings.api_key is not None:
                params["api_key"] = settings.api_key.get_secret_value()
        return params

    def _lib(self) -> Any:
        if self._litellm is None:
            from core.briefs.llm import import_litellm

            self._litellm = import_litellm()
        return self._litellm


async def _close_clients(litellm: Any) -> None:
    """Close litellm's cached HTTP clients: they belong to this request's event loop."""
    try:
        await litellm.close_litellm_async_clients()
    finally:
        litellm.in_memory_llm_clients_cache.flush_cache()


def _usage(response: Any, litellm: Any) -> Usage:
    """Tokens and cost of one embedding response (no price known, as for local models: 0)."""
    tokens = getattr(response, "usage", None)
    prompt = int(getattr(tokens, "prompt_tokens", 0) or 0) if tokens is not None else 0
    try:
        cost = float(litellm.completion_cost(completion_response=response) or 0.0)
    except Exception:  # no price for this model
        hidden = getattr(response, "_hidden_params", None) or {}
        cost = float(hidden.get("response_cost") or 0.0)
    return Usage(prompt_tokens=prompt, cost_usd=cost)


def _items(response: Any) -> list[dict[str, Any]]:
    data = response["data"] if isinstance(response, dict) else response.data
    return [item if isinstance(item, dict) else dict(item) for item in data]


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else "openai"

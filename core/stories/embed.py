"""The semantic signal for clustering: small static sentence vectors, offline.

The default embedder is wordllama's bundled model (256-d static token vectors, 16 MB,
shipped inside the wheel). Its loader looks for the tokenizer under a folder name the
wheel does not have and would then try the network, so the bundled tokenizer file is
copied into a cache folder of ours and the model loads with downloads disabled: nothing
is ever fetched. It is loaded once per process, on first use (~0.2 s).

wordllama is English-centred: a Japanese and an English headline of one event score
lower than two Japanese headlines of different events, so only Latin-script text gets a
vector (:func:`latin_text`); other scripts rely on the lexical signal and the anchors.
With ``LLM__EMBEDDING_MODEL`` set, :func:`embedder_for` returns that model instead
(``core.stories.embed_llm``), which embeds every title.

Vectors are kept quantised to int8 (256 bytes per article, :func:`quantise`); every
comparison uses the dequantised form, so a vector read back from Redis gives the very
same result as the one just computed.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from core.config import LLMSettings

if TYPE_CHECKING:  # embed_llm imports this module
    from core.stories.embed_llm import Meter

Array = npt.NDArray[np.float32]

DIM = 256
TOKENIZER_FILE = "l2_supercat_tokenizer_config.json"
LATIN_SHARE = 0.8  # letters that must be Latin for a text to get a vector


class EmbeddingUnavailable(RuntimeError):
    """The embedding model could not answer (the batch goes without vectors)."""


class Embedder(Protocol):
    """Turns texts into unit vectors (one row per text)."""

    name: str
    cross_lingual: bool  # False: only Latin-script titles get a vector

    def embed(self, texts: Sequence[str]) -> Array:
        """Unit-norm float32 rows, one per text."""
        ...


class WordLlamaEmbedder:
    """wordllama's bundled 256-d model, loaded without any network access."""

    name = "wordllama-l2_supercat-256"
    cross_lingual = False

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._model = _load_wordllama(cache_dir or _default_cache_dir())

    def embed(self, texts: Sequence[str]) -> Array:
        """Unit-norm float32 rows, one per text."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        rows = self._model.embed(list(texts), norm=True)
        return np.asarray(rows, dtype=np.float32)


def _default_cache_dir() -> Path:
    import wordllama

    version = getattr(wordllama, "__version__", "unknown")
    return Path(tempfile.gettempdir()) / f"aitoday-wordllama-{version}"


def _load_wordllama(cache_dir: Path) -> Any:
    import wordllama
    from wordllama import WordLlama

    bundled = Path(wordllama.__file__).parent / "tokenizers" / TOKENIZER_FILE
    target = cache_dir / "tokenizers" / TOKENIZER_FILE
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.copyfile(bundled, partial)
        partial.replace(target)  # atomic: a second process never reads half a file
    return WordLlama.load(cache_dir=cache_dir, disable_download=True)


_lock = threading.Lock()
_default: list[Embedder] = []


def default_embedder() -> Embedder:
    """The process-wide default embedder, loaded on first call."""
    with _lock:
        if not _default:
            _default.append(WordLlamaEmbedder())
        return _default[0]


def embedder_for(settings: LLMSettings, meter: Meter | None = None) -> Embedder:
    """The configured embedding model (``LLM__EMBEDDING_MODEL``), else the bundled one;
    ``meter`` holds a model's calls to the daily LLM budget."""
    if settings.embedding_model:
        from core.stories.embed_llm import LiteLLMEmbedder

        return LiteLLMEmbedder(settings, meter)  # cheap: litellm itself is imported once
    return default_embedder()


def quantise(vector: Array) -> bytes:
    """A unit vector as int8 codes, scaled by its largest component (256 bytes)."""
    peak = float(np.max(np.abs(vector))) or 1.0
    codes = np.clip(np.rint(vector * (127.0 / peak)), -127, 127).astype(np.int8)
    return bytes(codes.tobytes())


def dequantise(codes: bytes) -> Array:
    """The unit vector that int8 codes stand for (renormalised)."""
    vector = np.frombuffer(codes, dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


@lru_cache(maxsize=65_536)
def latin_text(text: str) -> bool:
    """Whether a text is written mostly in Latin script (and has letters at all)."""
    latin = other = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if ord(ch) < 0x250 or unicodedata.name(ch, "").startswith("LATIN"):
            latin += 1
        else:
            other += 1
    total = latin + other
    return total > 0 and latin / total >= LATIN_SHARE

"""The semantic signal: wordllama's bundled model loads offline, vectors stay small, and
paraphrases without shared words become one story."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from core.stories.cluster import Clusterer, Doc, cluster_all
from core.stories.embed import (
    DIM,
    WordLlamaEmbedder,
    default_embedder,
    dequantise,
    latin_text,
    quantise,
)

T0 = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)


def doc(i: str, title: str, hours: float = 0.0) -> Doc:
    return Doc(
        id=i,
        title=title,
        url=f"https://example{i}.com/{i}",
        source=f"src{i}",
        published=T0 + timedelta(hours=hours),
    )


def test_model_loads_with_every_network_connection_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    embedder = WordLlamaEmbedder(cache_dir=tmp_path)  # a fresh cache: nothing there yet
    rows = embedder.embed(["Anthropic releases Claude 5", "Nvidia beats estimates"])
    assert rows.shape == (2, DIM)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert attempts == []
    assert (tmp_path / "tokenizers" / "l2_supercat_tokenizer_config.json").is_file()


def test_default_embedder_is_loaded_once() -> None:
    assert default_embedder() is default_embedder()


def test_quantised_vector_is_256_bytes_and_keeps_the_cosine() -> None:
    rows = default_embedder().embed(
        ["Apple acquires AI startup for its Siri overhaul", "Apple buys an AI company for Siri"]
    )
    codes = [quantise(r) for r in rows]
    assert [len(c) for c in codes] == [256, 256]
    back = [dequantise(c) for c in codes]
    assert abs(float(back[0] @ back[1]) - float(rows[0] @ rows[1])) < 0.01
    assert quantise(back[0]) == codes[0]  # read back from Redis: the very same codes


def test_only_latin_script_text_gets_a_vector() -> None:
    assert latin_text("OpenAI raises $40 billion")
    assert latin_text("Mistral lève 600 millions d'euros")
    assert not latin_text("OpenAIが400億ドルを調達")
    assert not latin_text("谷歌发布Gemini 3模型")
    assert not latin_text("2026")


PARAPHRASE = (
    "Apple acquires AI startup for its Siri overhaul",
    "Apple buys artificial intelligence company to revamp Siri",
)
OTHERS = (
    "Nvidia reports record data-center revenue as Blackwell ships",
    "EU publishes code of practice for general-purpose AI models",
)


def test_paraphrase_joins_by_meaning_where_words_alone_do_not() -> None:
    docs = [doc("a", PARAPHRASE[0]), doc("b", PARAPHRASE[1], 1), doc("c", OTHERS[0]),
            doc("d", OTHERS[1])]  # fmt: skip
    semantic = dict(cluster_all(docs, window_hours=72))
    lexical = dict(cluster_all(docs, window_hours=72, semantic=False))
    assert semantic["a"] == semantic["b"]
    assert lexical["a"] != lexical["b"]
    assert len({semantic["a"], semantic["c"], semantic["d"]}) == 3


def test_stored_codes_are_used_on_load_and_new_ones_handed_out_once() -> None:
    clusterer = Clusterer(72, embedder=default_embedder())
    story = clusterer.add(doc("a", PARAPHRASE[0]))
    codes = clusterer.take_codes()
    assert list(codes) == ["a"] and clusterer.take_codes() == {}
    restored = Clusterer.load(clusterer.dump(), 72, embedder=default_embedder(), codes=codes)
    assert restored.take_codes() == {}  # nothing recomputed
    assert restored.add(doc("b", PARAPHRASE[1], 1)) == story

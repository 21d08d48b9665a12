from __future__ import annotations

import gzip
import zlib

import pytest

from core.errors import SourceError
from core.ingest.inflate import BoundedInflater

TEXT = b"<rss>" + b"feed " * 2000 + b"</rss>"


def decode(encoding: str | None, body: bytes, limit: int = 1 << 20, step: int = 100) -> bytes:
    inflater = BoundedInflater(encoding, limit)
    out = b"".join(inflater.feed(body[i : i + step]) for i in range(0, len(body), step))
    return out + inflater.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        (None, TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)[2:-4]),  # raw deflate, no zlib header
    ],
)
def test_every_content_encoding_decodes_to_the_text(encoding: str | None, body: bytes) -> None:
    assert decode(encoding, body) == TEXT


def test_stops_at_the_limit_without_inflating_everything() -> None:
    bomb = gzip.compress(b"\0" * (16 << 20))
    inflater = BoundedInflater("gzip", 1 << 20)
    with pytest.raises(SourceError, match="exceeds the 1048576-byte limit"):
        inflater.feed(bomb)
    assert inflater.produced <= (1 << 20) + 1


def test_refuses_unknown_and_corrupt_encodings() -> None:
    with pytest.raises(SourceError, match="unsupported content-encoding 'br'"):
        BoundedInflater("br", 100)
    with pytest.raises(SourceError, match="bad gzip body"):
        decode("gzip", b"not gzip at all")

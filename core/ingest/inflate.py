"""Decompressing a response body with a hard cap on what it may expand to.

httpx inflates each network chunk whole: a 64 KB gzip chunk of zeros becomes 64 MB at
once. Here every step asks zlib for at most what is left of the cap, so a "gzip bomb"
stops at ``limit`` bytes plus one.
"""

from __future__ import annotations

import zlib

from core.errors import SourceError

ACCEPT_ENCODING = "gzip, deflate"


class BoundedInflater:
    """Feed raw chunks in, get decoded bytes out; SourceError past ``limit``."""

    def __init__(self, encoding: str | None, limit: int) -> None:
        self.encoding = (encoding or "identity").strip().lower()
        self.limit = limit
        self.produced = 0
        self._zlib: zlib._Decompress | None = None
        self._first = True
        if self.encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.encoding != "identity":
            raise SourceError(f"unsupported content-encoding {self.encoding!r}")

    def feed(self, chunk: bytes) -> bytes:
        """Decoded bytes of one raw chunk."""
        if self._zlib is None:
            return self._count(chunk)
        out = bytearray()
        data = chunk
        while data:
            room = self.limit - self.produced + 1
            try:
                part = self._zlib.decompress(data, room)
            except zlib.error as exc:
                if self._first and self.encoding == "deflate":
                    # Some servers send raw deflate without the zlib header.
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._first = False
                    continue
                raise SourceError(f"bad {self.encoding} body: {exc}") from None
            self._first = False
            out += self._count(part)
            data = self._zlib.unconsumed_tail
        return bytes(out)

    def flush(self) -> bytes:
        """What the decoder still holds at the end of the body."""
        if self._zlib is None:
            return b""
        return self._count(self._zlib.flush())

    def _count(self, data: bytes) -> bytes:
        self.produced += len(data)
        if self.produced > self.limit:
            raise SourceError(f"body exceeds the {self.limit}-byte limit")
        return data

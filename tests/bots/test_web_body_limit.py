"""Request bodies are capped per route while they stream in, on the real app and a real
socket: a chunked body without Content-Length is answered 413 long before it is all sent,
a Content-Length above the cap is answered 413 unread, small bodies pass untouched."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from bots.body_limit import DEFAULT_CAP, KIB, cap_for
from bots.web import create_app
from core.config import LineSettings, SlackSettings
from core.store.base import Store
from tests.fakes.server import serve

CHUNK = 64 * KIB
TOTAL = 64 * 1024 * KIB  # what an attacker would send: far beyond any cap and any buffer


@pytest.fixture
def base(store: Store) -> Iterator[str]:
    """The app with Slack and LINE configured, so both routes would read their bodies."""
    settings = store.settings.model_copy(
        update={
            "slack": SlackSettings(
                signing_secret=SecretStr("s" * 32), bot_token=SecretStr("xoxb-test")
            ),
            "line": LineSettings(
                channel_secret=SecretStr("l" * 32), channel_access_token=SecretStr("t")
            ),
        }
    )
    app_store = Store(redis=store.redis, keys=store.keys, settings=settings)
    with serve(create_app(settings, app_store)) as url:
        yield url


def stream_chunked(base: str, path: str) -> tuple[bytes, int]:
    """POST an endless chunked body; (the answer's first bytes, body bytes sent by then)."""
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port))
    sent = 0
    try:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(head.encode())
        frame = f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n"
        while sent < TOTAL:
            if select.select([sock], [], [], 0)[0]:
                break  # the server answered already
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server hung up on the rest of the body
            sent += CHUNK
        else:
            sock.sendall(b"0\r\n\r\n")
        sock.settimeout(10)
        try:
            answer = sock.recv(4096)
        except ConnectionResetError:
            answer = b""
        return answer, sent
    finally:
        sock.close()


@pytest.mark.parametrize("path", ["/slack/events", "/line/webhook", "/subscribe"])
def test_a_chunked_body_is_refused_while_it_streams(base: str, path: str) -> None:
    answer, sent = stream_chunked(base, path)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # Without the cap the app read all of it (then refused the signature): TOTAL sent.
    # With it the server stops after the cap plus what the sockets' buffers hold.
    assert sent < TOTAL // 4, sent


def test_a_declared_length_above_the_cap_is_refused_unread(base: str) -> None:
    with httpx.Client(base_url=base) as client:
        for path, cap in (("/slack/events", cap_for("/slack/events")), ("/line/webhook", None)):
            limit = cap or cap_for(path)
            answer = client.post(path, content=b"x" * (limit + 1))
            assert answer.status_code == 413, path
            assert "too large" in answer.text


def test_caps_are_per_route(base: str) -> None:
    assert cap_for("/subscribe") == DEFAULT_CAP < cap_for("/slack/events") < cap_for("/line/x")
    with httpx.Client(base_url=base) as client:
        # A body under the Slack cap but over the form cap: Slack reads it (bad signature).
        body = b"x" * (DEFAULT_CAP * 2)
        assert client.post("/slack/events", content=body).status_code == 401
        assert client.post("/subscribe", content=body).status_code == 413
        assert client.get("/healthz").status_code == 200

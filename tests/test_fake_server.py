from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.fakes.server import serve


async def hello(request: object) -> PlainTextResponse:
    return PlainTextResponse("hello")


def test_serve_runs_a_real_http_server() -> None:
    app = Starlette(routes=[Route("/", hello)])
    with serve(app) as base:
        assert httpx.get(base + "/").text == "hello"

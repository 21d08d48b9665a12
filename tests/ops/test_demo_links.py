"""`make demo` then `make web`: every link in the demo e-mail answers from the web process."""

from __future__ import annotations

import email
import re
import signal
from email.message import Message
from pathlib import Path

import httpx

from tests.fakes.server import free_port
from tests.ops.test_no_orphans import (
    _env,
    _start,
    _wait_until_serving,
    leftovers,
    workdir,  # noqa: F401 - the fixture
)

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r'href="(http://127\.0\.0\.1:8000/[^"]+)"')


def _html(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the demo e-mail has no HTML part")


def test_make_web_runs_the_web_process_on_the_demo_data() -> None:
    recipe = (ROOT / "Makefile").read_text().split("\nweb:", 1)[1].split("\n\n", 1)[0]
    assert "aitoday web --demo" in recipe


def test_the_demo_links_answer_from_web_demo(workdir: Path) -> None:  # noqa: F811
    env = _env(workdir)
    demo = _start(["demo", "--outbox", str(workdir / "outbox")], workdir, env)
    _, err = demo.communicate(timeout=300)
    assert demo.returncode == 0, err.decode()
    (eml,) = (workdir / "outbox" / "maildir" / "new").iterdir()
    links = sorted(set(LINK.findall(_html(email.message_from_bytes(eml.read_bytes())))))
    kinds = {link.split("/")[3] for link in links}
    assert {"s", "preferences", "unsubscribe"} <= kinds, links

    port = free_port()
    web = _start(["web", "--demo", "--port", str(port)], workdir, env)
    try:
        _wait_until_serving(web, port)
        for link in links:
            response = httpx.get(link.replace(":8000/", f":{port}/"), timeout=30)
            assert response.status_code == 200, (link, response.text[:300])
            assert "does not work" not in response.text, link
    finally:
        web.send_signal(signal.SIGTERM)
        web.communicate(timeout=60)
    assert leftovers(web.pid, workdir) == []

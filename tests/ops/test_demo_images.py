"""The demo briefs' lead images still load after `make demo` exits, from `make web`.

The demo's feed server (a random port) is gone once the demo ends; the pictures the
briefs point at must come from the web app instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from starlette.testclient import TestClient

from bots.web import STATIC, create_app
from core.config import Settings
from core.store.base import Store
from workers.demo.feedserver import image_paths, lead_image
from workers.demo.flow import run_demo


def test_the_web_app_holds_every_demo_picture_as_the_feed_server_draws_it() -> None:
    for path in image_paths():
        copy = STATIC / "demo" / Path(path).name
        assert copy.read_bytes() == lead_image(path), path


def test_demo_lead_images_load_from_the_web_app_after_the_demo(
    settings: Settings, store: Store
) -> None:
    result = run_demo(settings, now=datetime.now(UTC))  # its feed server stops on return
    images = {b.image.url for briefs in result.briefs.values() for b in briefs if b.image}
    assert images, "the demo briefs carry lead images"
    base = settings.web.base_url.rstrip("/")
    assert all(url.startswith(f"{base}/static/demo/") for url in images), images
    mail = next((settings.digest.outbox_dir / "maildir" / "new").iterdir()).read_text()
    assert f"{base}/static/demo/" in mail  # the e-mail's <img> points at the web app

    with TestClient(create_app(settings, store), base_url=base) as client:
        for url in sorted(images):
            response = client.get(url.removeprefix(base))
            assert response.status_code == 200, url
            assert response.headers["content-type"].startswith("image/svg+xml"), url
            assert response.content.startswith(b"<svg"), url

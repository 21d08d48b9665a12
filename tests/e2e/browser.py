"""Headless Debian Chromium driven by selenium + the system chromedriver (no downloads).

Pages are captured at a phone width (390 px) and a desktop width (1280 px), full height,
under tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WIDTHS = {"phone": 390, "desktop": 1280}
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=en-US",
)


def chromedriver() -> str | None:
    found = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return found if Path(found).exists() else None


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium, or a clean skip where it or its driver is absent."""
    driver_path = chromedriver()
    if not CHROMIUM.exists() or driver_path is None:
        pytest.skip("/usr/bin/chromium or chromedriver is absent (apt-get install chromium)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def follow(driver: Any, element: Any) -> None:
    """Click a link or a form's button and wait until the next page has replaced this one
    (a click returns before a form's POST and its redirect have loaded)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    # A mark on this page's window: the next page's window has none. Asking an element
    # of the old page whether it is stale races the navigation (Chromium may answer "node
    # does not belong to the document"), so while the pages change errors mean "not yet".
    driver.execute_script("window.__aitodayLeaving = true")
    element.click()
    WebDriverWait(driver, 10, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return !window.__aitodayLeaving && document.readyState === 'complete'"
        )
    )


def click_and_wait(driver: Any, element_id: str) -> None:
    """Click the element with that id and wait for the next page."""
    follow(driver, driver.find_element("id", element_id))


def set_width(driver: Any, width: int, height: int = 900) -> None:
    """Emulate a device of that width (phones get the mobile viewport rules)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def shoot(driver: Any, name: str) -> list[Path]:
    """Full-page screenshots of the current page at both widths."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, width in WIDTHS.items():
        set_width(driver, width)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        set_width(driver, width, max(600, min(int(height), 4000)))
        path = ARTIFACTS / f"{name}-{label}-{width}.png"
        driver.save_screenshot(str(path))
        paths.append(path)
    set_width(driver, WIDTHS["desktop"])
    return paths


def overflows(driver: Any) -> bool:
    """True when the page scrolls sideways (a layout bug on phones)."""
    return bool(
        driver.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )

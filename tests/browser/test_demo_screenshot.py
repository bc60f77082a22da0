"""The README's picture: the demo shop's dashboard at 390×844, last 30 days.

Loads the demo shop as `make run` does (local/demo.py: four years of Superstore sales moved up to
yesterday, a few sales today), then photographs the dashboard into docs/screenshot.png (committed).
Loading the demo takes a minute or more, so this runs only when asked:

    SHELFWISE_UPDATE_SCREENSHOT=1 .venv/bin/python -m pytest tests/browser/test_demo_screenshot.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from local import demo
from local.stack import LocalStack
from tests.browser.helpers import ARTIFACTS, log_in, wait_ready

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"


@pytest.mark.skipif(os.environ.get("SHELFWISE_UPDATE_SCREENSHOT") != "1",
                    reason="loads the whole demo shop (a minute or more): set SHELFWISE_UPDATE_SCREENSHOT=1")
def test_demo_dashboard_screenshot(page: Any, site_stack: LocalStack) -> None:
    login = demo.load(site_stack.api_url)
    if login.history is not None:
        login.history.run()  # the part `make run` loads in the background
    log_in(page, site_stack.site_url, login.email, login.password)
    page.goto(f"{site_stack.site_url}/#/?range=30d")
    wait_ready(page, "dashboard")
    expect(page.locator("figure.chart[data-points='30']")).to_have_attribute("data-drawn", "true")
    expect(page.locator("[data-low-stock]")).to_be_visible()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "demo-dashboard.png"
    page.screenshot(path=str(target))
    shutil.copyfile(target, DOCS_SCREENSHOT)

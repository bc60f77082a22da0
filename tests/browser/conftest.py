"""Browser tests: Debian's Chromium driven by Playwright at a phone's size (390×844), against a
local stack started here on free ports with the site served (serve_site=True).

Never `playwright install`: the browser is Debian's /usr/bin/chromium (`make setup` installs it
with apt when missing). Screens say when they are done with `document.body.dataset.ready = <screen>`;
tests wait for that (or for an element), never for a fixed time. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.stack import LocalStack, StackError
from tests.browser.helpers import ARTIFACTS, PASSWORD, Api, new_email

log = logging.getLogger(__name__)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the browser, say so plainly rather than fail inside a fixture."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    here = Path(__file__).parent
    reason = f"browser tests need Chromium at {CHROMIUM} (make setup runs apt-get install chromium)"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def site_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    stack = LocalStack.throwaway(tmp_path_factory.mktemp("browser-stack"), serve_site=True)
    try:
        # A test clicks faster than a person: the roomiest plan (the limits: tests/stack/test_usage.py).
        with pytest.MonkeyPatch.context() as env:
            env.setenv("DEFAULT_PLAN", "chain")
            stack.start()
    except StackError as exc:
        pytest.fail(f"the local stack did not start: {exc}", pytrace=False)
    log.info("browser stack up: site %s, api %s (%s)", stack.site_url, stack.api_url, stack.timings)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """One Playwright for the session: its sync API cannot be started twice in one thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh phone-sized page (its own storage); a screenshot is kept when the test ends."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="en-US", color_scheme="light",
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.problems = problems  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}-end.png"), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the test's own result
            log.warning("no end screenshot for %s: %s", name, exc)
        context.close()
    assert not problems, f"uncaught errors in the page: {problems}"


@pytest.fixture
def shop(site_stack: LocalStack) -> Iterator[dict[str, Any]]:
    """A new shop registered over the API: {"email", "password", "api"} (api is signed in)."""
    email = new_email()
    api = Api(site_stack.api_url)
    reply = api.post("/auth/register", json={"shop_name": "Browser test shop", "email": email, "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    reply = api.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    api.headers["Authorization"] = f"Bearer {reply.json()['id_token']}"
    try:
        yield {"email": email, "password": PASSWORD, "api": api}
    finally:
        api.close()

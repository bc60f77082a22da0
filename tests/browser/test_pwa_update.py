"""A new version of the site never runs mixed with the old one (issue 14): a phone that has the
shell keeps serving that version's files, every one of them, while the new version installs beside
it; the person is offered a reload, and after it every file is the new one and the old cache is gone.

The site here is a copy of frontend/ served like the stack serves it (sw.js stamped per request),
so the test can change a file as a deploy would."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from local.stack import LocalStack, _SiteHandler, free_port
from tests.browser.helpers import wait_ready

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
FETCH_TEXT = "(path) => fetch(path).then((r) => r.text())"


@pytest.fixture
def copied_site(tmp_path: Path, site_stack: LocalStack) -> Iterator[tuple[str, Path]]:
    site = tmp_path / "site"
    shutil.copytree(FRONTEND, site, ignore=shutil.ignore_patterns("config.js"))
    handler = type("Handler", (_SiteHandler,), {"config_js": site_stack.site_config_js().encode()})
    serve = functools.partial(handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), serve)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", site
    finally:
        server.shutdown()
        server.server_close()


def test_an_update_waits_for_a_reload_and_never_mixes(page: Any, copied_site: tuple[str, Path]) -> None:
    url, site = copied_site
    # The sign-in screen needs no API (this copy's origin is not one the API answers).
    page.goto(f"{url}/#/login")
    wait_ready(page, "login")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    old_css = page.evaluate(FETCH_TEXT, "css/app.css")
    old_more = page.evaluate(FETCH_TEXT, "js/screens/more.js")

    # A deploy changes two files while the phone has the page open.
    (site / "css" / "app.css").write_text(old_css + "\n/* version two */\n")
    (site / "js" / "screens" / "more.js").write_text(old_more + "\n// version two\n")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    update = page.locator("[data-update]")
    expect(update).to_be_visible()

    # Until the reload, this page gets the old version of every file, even ones it has not used yet.
    assert page.evaluate(FETCH_TEXT, "css/app.css") == old_css
    assert page.evaluate(FETCH_TEXT, "js/screens/more.js") == old_more

    update.get_by_role("button", name="Reload").click()
    page.wait_for_function("!document.querySelector('[data-update]') && document.body.dataset.ready === 'login'")
    assert "version two" in page.evaluate(FETCH_TEXT, "css/app.css")
    assert "version two" in page.evaluate(FETCH_TEXT, "js/screens/more.js")
    shells = [c for c in page.evaluate("caches.keys()") if c.startswith("shelfwise-shell-")]
    assert len(shells) == 1, shells

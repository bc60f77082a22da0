"""Staying signed in, and saying so when the network is slow.

- An expired id token is swapped for a new one with the refresh token, without asking again.
- A request that takes long shows a notice instead of a silent wait.
- Log out forgets the session on this device."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Route, expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, wait_ready

SESSION = "JSON.parse(localStorage.getItem('shelfwise.session'))"


def test_refresh_slow_notice_and_log_out(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    first = page.evaluate(SESSION)
    assert first["refresh_token"] and first["id_token"]

    # The id token has run out: the site refreshes it and carries on.
    page.evaluate(f"localStorage.setItem('shelfwise.session', JSON.stringify({{...{SESSION}, expires_at: 0}}))")
    page.reload()
    wait_ready(page, "dashboard")
    renewed = page.evaluate(SESSION)
    assert renewed["expires_at"] > 0
    assert renewed["refresh_token"] == first["refresh_token"]
    expect(page.locator("[data-figure=orders]")).to_have_text("0")

    # A slow answer: held back until the notice shows, then let through.
    held: list[Route] = []
    page.route("**/reports/summary*", lambda route: held.append(route))
    page.goto(f"{site_stack.site_url}/#/more")
    wait_ready(page, "more")
    page.goto(f"{site_stack.site_url}/#/")
    netbar = page.locator("#netbar")
    expect(netbar).to_contain_text("Waiting for the server")
    for route in held:
        route.continue_()
    page.unroute("**/reports/summary*")
    wait_ready(page, "dashboard")
    expect(netbar).to_be_hidden()

    # Log out: back to the log-in screen, and a reload stays there.
    page.locator(".tabbar").get_by_role("link", name="More").click()
    wait_ready(page, "more")
    page.get_by_role("button", name="Log out").click()
    wait_ready(page, "login")
    assert page.evaluate("localStorage.getItem('shelfwise.session')") is None
    page.reload()
    wait_ready(page, "login")
    expect(page.locator(".tabbar")).to_be_hidden()

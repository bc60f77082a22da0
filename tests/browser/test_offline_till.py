"""The till with no connection (issue 14): the site installs a service worker, Sell keeps working
offline from the phone's copy of the catalogue, sales wait in the phone's queue across a reload,
and when the connection returns each lands exactly once, even when the reply to one send is lost;
a sale the server refuses on sync stays on screen with what to do."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Route, expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready

TEA, TEA_BARCODE = "TEA-1", "4006381333931"
JAM = "JAM-1"


def sell_by_barcode(page: Any, code: str, quantity: int = 1) -> None:
    search = page.get_by_label("Find a product")
    search.fill(code)
    search.press("Enter")
    line = page.locator("[data-line]").first
    expect(line).to_be_visible()
    if quantity != 1:
        qty = line.locator("[data-qty]")
        qty.fill(str(quantity))
        qty.dispatch_event("change")
    page.locator("[data-charge]").click()
    expect(page.locator("[data-queued]")).to_be_visible()
    page.get_by_role("button", name="New sale").click()


def test_offline_sales_sync_once_and_refusals_are_shown(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    api = shop["api"]
    for sku, name, barcode, stock in ((TEA, "Green tea", TEA_BARCODE, 10), (JAM, "Plum jam", None, 1)):
        product = {"sku": sku, "name": name, "price": "2.50", "unit_cost": "1.00", "barcode": barcode}
        reply = api.post("/products", json=product)
        assert reply.status_code == 201, reply.text
        reply = api.post(f"/products/{sku}/stock", json={"type": "receive", "quantity": stock})
        assert reply.status_code == 201, reply.text

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    # Installed: a worker controls the page, and the catalogue is on the phone.
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.wait_for_selector("body[data-catalogue]:not([data-catalogue=''])", state="attached")
    shells = page.evaluate("caches.keys()")
    assert len([c for c in shells if c.startswith("shelfwise-shell-")]) == 1, shells
    expect(page.locator("[data-sync]")).to_have_text("All sales are sent.")

    context = page.context
    context.set_offline(True)
    expect(page.locator("#netbar")).to_contain_text("You are offline")
    sell_by_barcode(page, TEA_BARCODE)
    sell_by_barcode(page, TEA_BARCODE, 2)
    sell_by_barcode(page, "plum", 2)  # only 1 in stock on the server: refused when it syncs
    sell_by_barcode(page, TEA, 1)
    expect(page.locator("[data-sync]")).to_have_text("4 sales wait to sync (offline).")

    # Closed and opened again with no connection: the shell comes from the worker, the sales stay.
    page.reload()
    wait_ready(page, "sell")
    expect(page.locator("[data-sync]")).to_have_text("4 sales wait to sync (offline).")
    search = page.get_by_label("Find a product")
    search.fill("tea")
    expect(page.locator("[data-results] [data-stale]").first).to_contain_text("may have changed")
    search.fill("")
    shot(page, "offline-till-01-waiting")

    # Back online; the reply to the first send is lost on the way back to the phone.
    lost: list[str] = []
    sent: list[str] = []

    def lose_first_reply(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(route.request.headers.get("idempotency-key", ""))
        if not lost:
            lost.append(sent[-1])
            route.fetch()  # the server records it...
            route.abort("failed")  # ...the phone never hears
        else:
            route.continue_()

    context.route(re.compile(r".*/sales$"), lose_first_reply)
    context.set_offline(False)
    expect(page.locator("[data-sync]")).to_have_text("No sales wait to sync; 1 needs you (below).", timeout=30_000)
    refused = page.locator("[data-refused]")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Not enough stock")
    expect(refused.get_by_role("button", name="Put back in the cart")).to_be_visible()
    expect(page.locator("#netbar")).to_contain_text("1 sale was refused")
    shot(page, "offline-till-02-refused")
    context.unroute(re.compile(r".*/sales$"))

    assert lost and lost[0] and sent.count(lost[0]) == 2, f"the lost sale was not sent again with its key: {sent}"
    sales = api.get("/sales").json()["items"]
    assert len(sales) == 3, sales
    assert api.get(f"/products/{TEA}").json()["on_hand"] == 6
    assert api.get(f"/products/{JAM}").json()["on_hand"] == 1

    # Put back in the cart: the person can sell what there is.
    refused.get_by_role("button", name="Put back in the cart").click()
    expect(page.locator(f"[data-line='{JAM}']")).to_be_visible()
    expect(page.locator("[data-refused]")).to_have_count(0)
    expect(page.locator("[data-sync]")).to_have_text("All sales are sent.")


def test_a_phone_clock_ahead_of_the_server_still_syncs(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    """Offline sales carry the phone's time; a phone an hour fast is refused that time (a 422, so
    nothing was recorded) and the sale goes again at the server's time, once."""
    api = shop["api"]
    assert api.post("/products", json={"sku": TEA, "name": "Green tea", "price": "2.50",
                                       "barcode": TEA_BARCODE}).status_code == 201
    assert api.post(f"/products/{TEA}/stock", json={"type": "receive", "quantity": 3}).status_code == 201
    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    page.wait_for_selector("body[data-catalogue]:not([data-catalogue=''])", state="attached")
    page.clock.set_system_time(datetime.now(UTC) + timedelta(hours=1))
    page.context.set_offline(True)
    sell_by_barcode(page, TEA_BARCODE)
    page.context.set_offline(False)
    expect(page.locator("[data-sync]")).to_have_text("All sales are sent.", timeout=30_000)
    expect(page.locator("[data-refused]")).to_have_count(0)
    assert len(api.get("/sales").json()["items"]) == 1
    assert api.get(f"/products/{TEA}").json()["on_hand"] == 2


def test_a_sale_unanswered_for_most_of_a_day_is_not_sent_blindly_again(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    """The server remembers a key for 24 h: a sale sent without ever an answer and still waiting
    21 h later is handed to the person to check, not sent again."""
    api = shop["api"]
    assert api.post("/products", json={"sku": TEA, "name": "Green tea", "price": "2.50",
                                       "barcode": TEA_BARCODE}).status_code == 201
    assert api.post(f"/products/{TEA}/stock", json={"type": "receive", "quantity": 3}).status_code == 201
    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    page.wait_for_selector("body[data-catalogue]:not([data-catalogue=''])", state="attached")
    context = page.context
    context.set_offline(True)
    sell_by_barcode(page, TEA_BARCODE)

    attempts: list[str] = []

    def never_answered(route: Route) -> None:
        if route.request.method == "POST":
            attempts.append(route.request.headers.get("idempotency-key", ""))
            route.abort("failed")
        else:
            route.continue_()

    context.route(re.compile(r".*/sales$"), never_answered)
    context.set_offline(False)
    expect(page.locator("[data-sync]")).to_have_text("1 sale waits to sync.")
    page.wait_for_function("() => true")
    for _ in range(50):
        if attempts:
            break
        page.wait_for_timeout(200)
    assert attempts, "the waiting sale was never sent"
    page.clock.set_system_time(datetime.now(UTC) + timedelta(hours=21))
    sent_before = len(attempts)
    refused = page.locator("[data-refused]")
    expect(refused).to_contain_text("may not have been recorded", timeout=30_000)  # at the next retry
    expect(refused).to_contain_text("Look for it in More > Sales")
    expect(page.locator("[data-sync]")).to_have_text("No sales wait to sync; 1 needs you (below).")
    assert len(attempts) == sent_before, "sent again after its key may have expired"
    context.unroute(re.compile(r".*/sales$"))

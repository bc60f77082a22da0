"""A sale with more than is in stock: the line says how many there are, nothing changes, and one
tap fixes the line so the sale can go through."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready

SKU = "SOAP-BAR"


def test_short_stock_sale_says_so_and_changes_nothing(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    api = shop["api"]
    reply = api.post("/products", json={"sku": SKU, "name": "Olive oil soap bar", "price": 1.5, "unit_cost": 0.6})
    assert reply.status_code == 201, reply.text
    reply = api.post(f"/products/{SKU}/stock", json={"type": "receive", "quantity": 3},
                     headers={"Idempotency-Key": "short-stock-setup"})
    assert reply.status_code == 201, reply.text

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    search = page.get_by_label("Find a product")
    search.fill(SKU.lower())  # SKUs match whatever the case typed
    search.press("Enter")
    quantity = page.locator(f"[data-qty='{SKU}']")
    quantity.fill("5")
    quantity.press("Tab")
    expect(page.locator("[data-total]")).to_have_text("$7.50")
    page.locator("[data-charge]").click()

    expect(page.locator("[data-error=insufficient_stock]")).to_contain_text("Nothing was sold")
    short = page.locator(f"[data-short='{SKU}']")
    expect(short).to_contain_text(re.compile(r"Only 3 in stock; you entered 5\."))
    expect(page.locator("[data-sale]")).to_have_count(0)
    shot(page, "short-stock-01-message")

    assert api.get(f"/products/{SKU}").json()["on_hand"] == 3
    assert api.get("/sales").json()["items"] == []
    movements = api.get(f"/products/{SKU}/movements").json()["items"]
    assert [m["type"] for m in movements] == ["receive"]

    # One tap sells what there is; the changed cart goes with a new Idempotency-Key.
    short.get_by_role("button", name="Sell 3").click()
    expect(quantity).to_have_value("3")
    page.locator("[data-charge]").click()
    expect(page.locator("[data-sale]")).to_contain_text("$4.50")
    assert api.get(f"/products/{SKU}").json()["on_hand"] == 0
    shot(page, "short-stock-02-sold")

"""Purchasing on a phone: from the dashboard's low-stock list to a purchase order with the
suggested quantity, marked ordered and shipped, then received in part with a rejection."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready

SKU = "RICE-1KG"


def test_low_stock_to_order_to_partial_receipt(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    api = shop["api"]
    reply = api.post("/suppliers", json={"name": "Wholesale Foods", "email": "orders@wholesale.example"})
    assert reply.status_code == 201, reply.text
    reply = api.post("/products", json={"sku": SKU, "name": "Basmati rice 1kg", "price": 2.4, "unit_cost": 1.5,
                                        "min_stock": 4, "reorder_qty": 12})
    assert reply.status_code == 201, reply.text
    reply = api.post(f"/products/{SKU}/stock", json={"type": "receive", "quantity": 3},
                     headers={"Idempotency-Key": "po-test-setup"})
    assert reply.status_code == 201, reply.text

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    expect(page.locator(f"[data-suggested='{SKU}']")).to_have_text("12")
    page.get_by_role("link", name="Order", exact=True).click()
    wait_ready(page, "order-new")
    expect(page.locator("[name='lines.0.quantity']")).to_have_value("12")
    page.get_by_role("button", name="Save draft order").click()
    expect(page.locator(".form-error")).to_contain_text("choose a supplier")  # said next to the field too
    page.get_by_label("Supplier").select_option(label="Wholesale Foods")
    page.get_by_role("button", name="Save draft order").click()

    wait_ready(page, "order")
    page.locator("[data-set-status=ordered]").click()
    expect(page.locator("[data-status=ordered]")).to_be_visible()
    page.locator("[data-set-status=shipped]").click()
    expect(page.locator("[data-status=shipped]")).to_be_visible()
    page.get_by_role("link", name="Receive goods").click()

    wait_ready(page, "receive")
    page.get_by_label("Accepted").fill("8")
    page.get_by_label("Rejected").fill("2")
    page.get_by_role("button", name="Record delivery").click()
    expect(page.locator(".field .error").filter(has_text="say why")).to_be_visible()
    page.get_by_label("Reason for rejecting").fill("Torn bags")
    page.get_by_role("button", name="Record delivery").click()

    wait_ready(page, "order")
    expect(page.locator("[data-status=partially_received]")).to_be_visible()
    expect(page.locator(f"[data-outstanding='{SKU}']")).to_have_text("2")
    expect(page.get_by_text("2 rejected (Torn bags)")).to_be_visible()
    shot(page, "purchase-order-partly-received")
    product = api.get(f"/products/{SKU}").json()
    assert product["on_hand"] == 3 + 8

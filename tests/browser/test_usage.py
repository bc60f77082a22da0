"""The Usage screen: this month's figures and estimated cost as GET /usage counts them, and an
earlier month from the picker."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, wait_ready


def test_usage_screen_shows_this_months_figures_and_another_month(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    api = shop["api"]
    assert api.post("/products", json={"sku": "OAT-1", "name": "Oat milk", "price": 2.2}).status_code == 201
    assert api.post("/products/OAT-1/stock", json={"type": "receive", "quantity": 5}).status_code == 201
    assert api.post("/sales", json={"lines": [{"sku": "OAT-1", "quantity": 2}]}).status_code == 201

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="More").click()
    wait_ready(page, "more")
    page.get_by_role("link", name="Usage").click()
    wait_ready(page, "usage")
    figures = page.locator("[data-usage]")
    expect(figures.locator("li", has_text="Sales")).to_contain_text("1")
    expect(figures.locator("[data-usage-cost]")).to_contain_text("$")
    assert float(figures.locator("[data-usage-cost]").get_attribute("data-usage-cost")) > 0
    page.get_by_label("Month").fill("2020-01")
    page.get_by_label("Month").dispatch_event("change")
    expect(figures.locator("h2")).to_contain_text("2020")
    expect(figures.locator("li", has_text="Sales")).to_contain_text("0")

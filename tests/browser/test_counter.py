"""The counter at 390 px: a discounted sale by weight with tax on top, paid by card, then a return
of part of it from the sale's page; the dashboard counts the drawer net of the refund."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready

SKU = "CHEDDAR"


def test_discounted_sale_by_weight_then_a_return(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    api = shop["api"]
    assert api.patch("/settings/shop", json={"default_tax_rate": 0.2, "currency": "USD"}).status_code == 200
    reply = api.post("/products", json={"sku": SKU, "name": "Farmhouse cheddar", "price": 18.5, "unit_cost": 9,
                                        "unit": "kg"})  # fmt: skip
    assert reply.status_code == 201, reply.text
    assert api.post(f"/products/{SKU}/stock", json={"type": "receive", "quantity": 2}).status_code == 201

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    search = page.get_by_label("Find a product")
    search.fill(SKU)
    search.press("Enter")
    quantity = page.locator(f"[data-qty='{SKU}']")
    expect(quantity).to_have_attribute("inputmode", "decimal")  # a number pad with a decimal key
    quantity.fill("0.375")
    quantity.press("Tab")
    discount = page.locator(f"[data-discount='{SKU}']")
    discount.fill("10%")
    discount.press("Tab")
    # 0.375 kg x 18.50 = 6.94; 10 % off 0.69 -> 6.25; tax 20 % 1.25 -> 7.50
    expect(page.locator("[data-total]")).to_have_text("$7.50")
    expect(page.locator("[data-tax]")).to_contain_text("$1.25")
    page.get_by_text("Card", exact=True).click()
    page.locator("[data-charge]").click()
    sold = page.locator("[data-sale]")
    expect(sold).to_contain_text("paid by card")
    shot(page, "counter-01-sold")
    sale_id = sold.get_attribute("data-sale")
    sale = api.get(f"/sales/{sale_id}").json()
    assert sale["total"] == 7.5 and sale["tax_total"] == 1.25 and sale["lines"][0]["discount"] == 0.69

    page.goto(f"{site_stack.site_url}/#/sales/{sale_id}")
    wait_ready(page, "sale")
    page.locator("[data-return]").click()
    page.locator(f"[data-return-qty='{SKU}']").fill("0.125")
    page.locator(f"[data-return-reason='{SKU}']").select_option("Damaged")
    page.locator("[data-return-send]").click()
    expect(page.locator("[data-returns]")).to_contain_text("$2.50")
    shot(page, "counter-02-returned")
    assert api.get(f"/products/{SKU}").json()["on_hand"] == 1.75  # 2 - 0.375 + 0.125 back on the shelf

    page.locator(".tabbar").get_by_role("link", name="Dashboard").click()
    wait_ready(page, "dashboard")
    expect(page.locator("[data-taking=card]")).to_contain_text("$5.00")

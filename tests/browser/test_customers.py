"""The customer page ("last bought N days ago", top products) and the buyer's public feedback page,
whose comment shows as text on the owner's side, never as HTML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, wait_ready


def test_customer_page_and_public_feedback(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    api = shop["api"]
    assert api.post("/products", json={"sku": "TEA", "name": "Green tea", "price": 3.5}).status_code == 201
    assert api.post("/products/TEA/stock", json={"type": "receive", "quantity": 9}).status_code == 201
    when = (datetime.now(UTC) - timedelta(days=94)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    sale = api.post("/sales", json={"lines": [{"sku": "TEA", "quantity": 2}], "sold_at": when,
                                    "customer": {"id": "C-94", "name": "Ada Lovelace"}}).json()
    assert sale["customer"]["customer_id"] == "C-94"
    today = api.post("/sales", json={"lines": [{"sku": "TEA", "quantity": 1}]}).json()  # its link is live
    link = api.get(f"/sales/{today['sale_id']}/feedback-link").json()["url"]

    # the buyer, not signed in, rates what they bought
    page.goto(site_stack.site_url + "/#/feedback/" + link.rsplit("/", 1)[1])
    wait_ready(page, "feedback")
    page.get_by_label("Stars for Green tea").select_option("2")
    page.get_by_label("Comment on Green tea").fill("<img src=x onerror=alert(1)> weak")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-feedback-sent]")).to_be_visible()

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.goto(site_stack.site_url + "/#/customers")
    wait_ready(page, "customers")
    page.get_by_role("link", name="Ada Lovelace").click()
    wait_ready(page, "customer")
    expect(page.locator("[data-last-bought]")).to_have_text("94 days ago")
    expect(page.get_by_text("Buys most")).to_be_visible()
    page.goto(site_stack.site_url + "/#/products/TEA")
    wait_ready(page, "product")
    expect(page.get_by_text("2 (1)")).to_be_visible()
    # the comment, as the API gives it, is text: no image element was made from it
    assert api.get("/products/TEA/feedback").json()["items"][0]["comment"].startswith("<img")
    assert page.locator("img[src=x]").count() == 0

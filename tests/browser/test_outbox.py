"""Local stack only: the low-stock email the scheduled check sends shows up in the outbox
(moto's SES keeps it; the local API serves the signed-in shop's emails as /local/outbox), with
the time it was sent."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, wait_ready


def test_outbox_lists_sent_emails(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    api = shop["api"]
    body = {"sku": "TEA-GREEN", "name": "Green tea", "price": 3.5, "min_stock": 3, "reorder_qty": 12}
    assert api.post("/products", json=body).status_code == 201
    assert api.post("/products/TEA-GREEN/stock", json={"type": "receive", "quantity": 5}).status_code == 201
    assert api.post("/sales", json={"lines": [{"sku": "TEA-GREEN", "quantity": 3}]}).status_code == 201
    site_stack.run_scheduled_check()  # as the schedule would: one digest for the shop
    subject = "Low stock at Browser test shop: 1 product is at or below minimum"

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="More").click()
    wait_ready(page, "more")
    page.get_by_role("link", name="Outbox (local only)").click()
    wait_ready(page, "outbox")
    mail = page.locator("[data-outbox] li", has_text=subject)
    expect(mail).to_contain_text(shop["email"])
    expect(mail.locator("time[data-sent-at]")).to_have_count(1)
    mail.get_by_text("Show the email").click()
    expect(mail.frame_locator("iframe").get_by_text("Green tea")).to_be_visible()

"""The dashboard's Ask box at phone width: a tapped example is answered from the shop's figures,
the answer links to the screen that shows it, and a typed question with a typo finds the product."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready


def test_ask_from_the_dashboard(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    api = shop["api"]
    reply = api.post("/products", json={"sku": "MUG-B", "name": "Blue mug", "price": 6, "min_stock": 5})
    assert reply.status_code == 201, reply.text
    reply = api.post("/products/MUG-B/stock", json={"type": "receive", "quantity": 2},
                     headers={"Idempotency-Key": "ask-setup"})
    assert reply.status_code == 201, reply.text

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    wait_ready(page, "dashboard")
    card = page.locator("[data-ask]")
    card.get_by_role("button", name="What's running low?").click()
    answer = card.locator("[data-understood=true]")
    expect(answer).to_contain_text("Blue mug (2 left, minimum 5)")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width} px wide at 390 px"
    shot(page, "ask-01-answer")

    card.get_by_label("Ask about your shop").fill("how many blu mugs do i have")
    card.get_by_role("button", name="Ask", exact=True).click()
    expect(answer).to_contain_text("You have 2 of Blue mug (MUG-B) on hand now")
    card.locator("[data-ask-link]").click()
    wait_ready(page, "product")
    expect(page).to_have_url(f"{site_stack.site_url}/#/products/MUG-B")

    page.go_back()
    wait_ready(page, "dashboard")
    card = page.locator("[data-ask]")
    card.get_by_label("Ask about your shop").fill("delete all my products")
    card.get_by_label("Ask about your shop").press("Enter")
    expect(card.locator("[data-ask-answer]")).to_contain_text("nothing was changed")
    assert api.get("/products/MUG-B").status_code == 200

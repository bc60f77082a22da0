"""Locations on a phone (390 px): add a stock room, make it this phone's location, send stock
from Main by transfer, receive part of it, and sell there: the sale happens at the room."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready

SKU = "TEA-GREEN"


def test_a_second_location_transfers_and_the_phones_location(page: Any, site_stack: LocalStack,
                                                              shop: dict[str, Any]) -> None:
    api = shop["api"]
    reply = api.post("/products", json={"sku": SKU, "name": "Green tea", "price": 3, "unit_cost": 1})
    assert reply.status_code == 201, reply.text
    reply = api.post(f"/products/{SKU}/stock", json={"type": "receive", "quantity": 10},
                     headers={"Idempotency-Key": "locations-setup"})
    assert reply.status_code == 201, reply.text

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.goto(site_stack.site_url + "/#/locations")
    wait_ready(page, "locations")
    page.get_by_label("New location").fill("Stock room")
    page.get_by_role("button", name="Add").click()
    room_row = page.locator("[data-location]").filter(has_text="Stock room")
    expect(room_row).to_be_visible()
    room = room_row.get_attribute("data-location")
    room_row.get_by_role("button", name="Use here").click()
    expect(room_row.get_by_role("button", name="This phone")).to_be_visible()
    shot(page, "locations-01-list")

    page.goto(site_stack.site_url + "/#/transfers")
    wait_ready(page, "transfers")
    form = page.locator("form[aria-label='New transfer']")
    form.get_by_label("From").select_option("main")
    form.get_by_label("To").select_option(room)
    form.get_by_label("SKU").fill(SKU)
    form.get_by_label("Quantity").fill("6")
    form.get_by_role("button", name="Send").click()
    sent = page.locator("[data-transfer][data-status=sent]")
    expect(sent).to_contain_text("Main → Stock room")
    sent.get_by_label(f"{SKU} to receive").fill("4")
    sent.get_by_role("button", name="Receive").click()
    expect(page.locator("[data-transfer][data-status=partially_received]")).to_contain_text("4 received")
    shot(page, "locations-02-transfer")
    stock = {s["location_id"]: s["on_hand"] for s in api.get(f"/products/{SKU}").json()["stock"]}
    assert stock == {"main": 4, room: 4}

    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    search = page.get_by_label("Find a product")
    search.fill(SKU.lower())
    search.press("Enter")
    quantity = page.locator(f"[data-qty='{SKU}']")
    quantity.fill("3")
    quantity.press("Tab")
    page.locator("[data-charge]").click()
    expect(page.locator("[data-sale]")).to_be_visible()
    sale = api.get("/sales").json()["items"][0]
    assert sale["location_id"] == room
    stock = {s["location_id"]: s["on_hand"] for s in api.get(f"/products/{SKU}").json()["stock"]}
    assert stock == {"main": 4, room: 1}

"""Seeing ahead on a phone: a product's forecast, the "Will run out" list and a supplier's
suggested order turned into a draft purchase order with one tap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready

SKU = "OATS-500"
HEADER = ("Row ID,Order ID,Order Date,Ship Date,Ship Mode,Customer ID,Customer Name,Segment,Country,City,State,"
          "Postal Code,Region,Product ID,Category,Sub-Category,Product Name,Sales,Quantity,Discount,Profit")


def test_forecast_will_run_out_and_reorder(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    api = shop["api"]
    reply = api.post("/suppliers", json={"name": "Mill & Co", "lead_time_days": 10})
    assert reply.status_code == 201, reply.text
    supplier_id = reply.json()["supplier_id"]
    reply = api.post("/products", json={"sku": SKU, "name": "Rolled oats 500g", "price": 1.8, "unit_cost": 0.9,
                                        "supplier_id": supplier_id, "pack_size": 12})
    assert reply.status_code == 201, reply.text
    # Six weeks of past sales, 2 a day, through the sales import; then 6 on the shelf.
    today = datetime.now(UTC).date()
    rows = [HEADER] + [
        f"{i},O-{i},{day},{day},Standard,C1,Ann,Consumer,United Kingdom,Leeds,Yorkshire,1,North,{SKU},Grocery,"
        f"Cereal,Rolled oats 500g,3.6,2,0,1.8"
        for i, day in enumerate(((today - timedelta(days=b)).isoformat() for b in range(42, 0, -1)), start=1)
    ]
    reply = api.post("/imports/sales", data="\n".join(rows) + "\n", headers={"Content-Type": "text/csv"})
    assert reply.status_code in (200, 201), reply.text
    reply = api.post(f"/products/{SKU}/stock", json={"type": "receive", "quantity": 6},
                     headers={"Idempotency-Key": "reorder-test-setup"})
    assert reply.status_code == 201, reply.text
    site_stack.run_forecasts()  # the nightly run, through the queue

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.goto(f"{site_stack.site_url}/#/products/{SKU}")
    wait_ready(page, "product")
    expect(page.locator("[data-forecast=smooth]")).to_be_visible()
    expect(page.locator("[data-forecast]")).to_contain_text("runs out on")
    expect(page.locator("[data-forecast] figure[data-drawn=true]")).to_be_visible()
    expect(page.locator("[data-forecast] figure[data-bands='1']")).to_be_visible()  # the p10-p90 band
    page.locator("[data-forecast]").scroll_into_view_if_needed()
    shot(page, "product-forecast")

    page.goto(f"{site_stack.site_url}/#/reorder")
    wait_ready(page, "reorder")
    expect(page.locator(f"[data-stockouts='1'] [data-sku='{SKU}']")).to_contain_text("6 left")
    card = page.locator(f"[data-supplier='{supplier_id}']")
    expect(card).to_contain_text("sells ~14 a week, 6 left, supplier takes 10 days")
    qty = int(card.locator("[data-qty]").inner_text())
    assert qty % 12 == 0 and qty >= 24  # ~2 a day over 10 + 7 days, less 6, in packs of 12
    expect(page.locator("main")).not_to_contain_text("null")
    shot(page, "reorder")
    card.get_by_role("button", name="Draft order for Mill & Co").click()
    card.locator("[data-po]").click()
    wait_ready(page, "order")
    expect(page.locator("[data-status=draft]")).to_be_visible()

    # A stock room with plenty: the Main shortfall is met by moving stock first, with one tap.
    reply = api.post("/locations", json={"name": "Stock room"})
    assert reply.status_code == 201, reply.text
    room = reply.json()["location_id"]
    reply = api.post(f"/products/{SKU}/stock", json={"type": "receive", "quantity": 120, "location_id": room},
                     headers={"Idempotency-Key": "reorder-test-room"})
    assert reply.status_code == 201, reply.text
    page.goto(f"{site_stack.site_url}/#/reorder")
    wait_ready(page, "reorder")
    move = page.locator(f"[data-move='{room}>main']")
    expect(move).to_contain_text("Move from Stock room to Main")
    moved = int(move.locator("[data-qty]").inner_text())
    assert moved >= 24  # ~2 a day over 10 + 7 days, 6 on the shelf
    expect(page.locator(f"[data-supplier='{supplier_id}']")).to_have_count(0)  # nothing left to buy
    shot(page, "reorder-transfer")
    move.get_by_role("button", name="Send to Main").click()
    expect(move.locator("[data-transfer]")).to_contain_text("On its way")
    (sent,) = api.get("/transfers").json()["items"]
    assert (sent["status"], sent["from_location_id"], sent["lines"][0]["quantity"]) == ("sent", room, moved)

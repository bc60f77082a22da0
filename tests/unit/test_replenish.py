"""Reorder suggestions per location (issue 16, part 4): spare stock moves by transfer before
anything is bought; stock on its way counts; a shop never sees another shop's locations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib import db
from chalicelib.services import forecasts, replenish
from chalicelib.services.replenish import Level, plan
from tests.unit.conftest import new_product, receive
from tests.unit.test_forecasts import HEADER, supplier
from tests.unit.test_locations import add_location


def sell_daily(shop, lines, days):
    """Past sales of several products through one sales import (one order a day)."""
    today = datetime.now(UTC).date()
    rows = [HEADER]
    for back in range(days, 0, -1):
        day = (today - timedelta(days=back)).isoformat()
        for sku, qty in lines(back):
            rows.append(f"{len(rows)},O-{back},{day},{day},Standard,C1,Cat Buyer,Consumer,United Kingdom,"
                        f"Leeds,Yorkshire,1,North,{sku},Grocery,Hot drinks,Product {sku},{qty * 4.5},{qty},0,1")
    r = shop.call("POST", "/imports/sales", raw="\n".join(rows) + "\n", headers={"Content-Type": "text/csv"})
    assert r.status_code in (200, 201) and not r.json.get("errors"), r.body


# --- the rule ---------------------------------------------------------------------------------


def test_spare_stock_is_moved_and_nothing_is_bought():
    # Demand 10 over lead time + review, half at each: each needs 5.
    p = plan({"main": Level(30, 5, share=0.5), "stall": Level(2, 3, share=0.5)}, demand=10)
    assert p.need == {"main": 5, "stall": 5}
    assert p.spare == {"main": 20, "stall": 0}  # 30 less its own minimum and need
    assert p.transfers == [("main", "stall", 3)] and p.purchase == 0


def test_stock_within_the_senders_minimum_plus_need_is_not_spare():
    p = plan({"main": Level(9, 5, share=0.5), "stall": Level(2, 3, share=0.5)}, demand=10, pack=6)
    assert p.spare["main"] == 0 and p.transfers == []
    assert p.short == {"main": 0, "stall": 3} and p.purchase == 6  # 3 short, in packs of 6


def test_a_transfer_covers_part_and_the_remainder_is_bought():
    levels = {"main": Level(12, 5, share=0.5), "stall": Level(0, 0, share=0.5)}
    p = plan(levels, demand=10)
    assert p.transfers == [("main", "stall", 2)] and p.short["stall"] == 3 and p.purchase == 3
    assert plan(levels, demand=10, on_order=2).purchase == 1  # what is on order counts once
    assert plan(levels, demand=10, on_order=5).purchase == 0


def test_stock_on_its_way_counts_at_the_receiver_and_only_the_shelf_can_be_sent():
    assert plan({"main": Level(30), "stall": Level(0, 3, inbound=4)}, demand=0).transfers == []
    p = plan({"main": Level(5, inbound=20, share=1.0), "stall": Level(0, 6)}, demand=5)
    assert p.spare["main"] == 5 and p.transfers == [("main", "stall", 5)] and p.purchase == 2


def test_the_shortest_location_is_served_first_from_the_one_with_most_spare():
    p = plan({"main": Level(10), "room": Level(4), "a": Level(0, 5), "b": Level(0, 1)}, demand=0)
    assert p.transfers == [("main", "a", 6), ("main", "b", 2)] and p.purchase == 0


# --- the API ----------------------------------------------------------------------------------


def test_suggestions_per_location_transfer_first_then_buy(shop, other_shop):
    sid = supplier(shop, lead=3, name="Leaf Co")
    stall = add_location(shop, "Stall")
    new_product(shop, "TEA", supplier_id=sid)
    new_product(shop, "JAM", supplier_id=sid)
    sell_daily(shop, lambda back: [("TEA", 1), ("JAM", 1)], 21)  # imported history: sold at Main
    receive(shop, "TEA", 40)  # Main keeps ~11 (1 a day over 3 + 7 days at 95 %); the rest is spare
    receive(shop, "TEA", 1, location_id=stall)
    receive(shop, "JAM", 12)  # Main needs about all of it: nothing spare
    receive(shop, "JAM", 1, location_id=stall)
    both = [{"location_id": stall, "min_stock": 4}]
    for sku in ("TEA", "JAM"):
        assert shop.patch(f"/products/{sku}", {"stock": both}).status_code == 200
    # The attacker has the same SKU with plenty spare at a location of its own: never considered.
    elsewhere = add_location(other_shop, "Depot")
    new_product(other_shop, "JAM")
    receive(other_shop, "JAM", 500, location_id=elsewhere)
    forecasts.run_shop(shop.tenant_id)
    forecasts.run_shop(other_shop.tenant_id)

    r = shop.get("/reorder-suggestions")
    assert r.status_code == 200, r.body
    (move,) = r.json["transfers"]
    assert (move["from_location_id"], move["to_location_id"], move["to_name"]) == ("main", stall, "Stall")
    assert [(ln["sku"], ln["quantity"]) for ln in move["lines"]] == [("TEA", 4)]  # up to above its minimum
    assert "1 left at Stall, minimum 4; Main has 40, keeps" in move["lines"][0]["reason"]
    (group,) = r.json["suppliers"]
    assert [ln["sku"] for ln in group["lines"]] == ["JAM"]  # TEA is met by the transfer
    (jam,) = group["lines"]
    assert {w["location_id"]: w["short"] for w in jam["locations"]}[stall] == 4
    assert "Stall (4)" in jam["reason"] and jam["suggested_qty"] >= 4

    # One tap sends it; on its way it counts at the Stall, so the suggestion goes away.
    sent = shop.post("/transfers", {"from_location_id": "main", "to_location_id": stall,
                                    "lines": [{"sku": ln["sku"], "quantity": ln["quantity"]} for ln in move["lines"]]})
    assert sent.status_code == 201, sent.body
    assert shop.get("/reorder-suggestions").json["transfers"] == []
    assert shop.post(f"/transfers/{sent.json['transfer_id']}/receive", {}).status_code == 200
    assert shop.get("/reorder-suggestions").json["transfers"] == []
    # Draft orders buy only the remainder.
    made = shop.post("/reorder-suggestions/orders", {"supplier_id": sid})
    assert made.status_code == 201, made.body
    assert [(ln["sku"], ln["quantity"]) for ln in made.json["purchase_orders"][0]["lines"]] == [
        ("JAM", jam["suggested_qty"])]

    # The attacker's suggestions name none of this shop's locations, and its depot's JAM is not
    # offered to this shop (nor this shop's stock to the attacker).
    theirs = other_shop.get("/reorder-suggestions").json
    assert stall not in str(theirs) and all(t["from_location_id"] != "main" for t in theirs["transfers"])
    assert elsewhere not in str(shop.get("/reorder-suggestions").json)
    assert shop.__class__(shop.client).get("/reorder-suggestions").status_code == 401



def test_the_digest_names_the_location_and_the_transfer(client, shop):
    from tests.unit.test_alerts import mails_to, run_check

    assert shop.call("PUT", "/settings/alerts", {"recipients": [shop.email], "enabled": True}).status_code == 200
    stall = add_location(shop, "Stall")
    new_product(shop, "SOAP", name="Soap bar", reorder_qty=12)
    receive(shop, "SOAP", 20)
    receive(shop, "SOAP", 5, location_id=stall)
    assert shop.patch("/products/SOAP", {"stock": [{"location_id": stall, "min_stock": 3}]}).status_code == 200
    sold = shop.post("/sales", {"lines": [{"sku": "SOAP", "quantity": 4}], "location_id": stall})
    assert sold.status_code == 201, sold.body
    run_check(client)
    (mail,) = mails_to(shop.email)
    # Never sold, so no forecast: the Stall is lifted above its minimum from Main's spare 20.
    # (Its total, 21, is far above the minimum: it is low at the Stall all the same.)
    assert "at <strong>Stall</strong>" in mail.body and "<strong>move 3 from Main</strong> first" in mail.body
    assert "<strong>0</strong></td>" in mail.body and "spare at" not in mail.body  # nothing to buy
    from chalicelib import alert_email
    from chalicelib.services import alerts, locations

    plans = replenish.digest_plans(shop.tenant_id, db.get_shop(shop.tenant_id) or {}, {},
                                   locations.all_locations(shop.tenant_id),
                                   {"SOAP": db.get_product(shop.tenant_id, "SOAP")})  # fmt: skip
    lines = alerts._lines({"sku": "SOAP", "name": "Soap bar"}, db.get_product(shop.tenant_id, "SOAP"),
                          {"main": "Main", stall: "Stall"}, {}, plans["SOAP"])
    text = alert_email.text("S", lines, [], "x")
    assert "at Stall: 1 on hand, minimum 3. Suggested reorder: 0. Suggested transfer: 3 from Main first." in text


def test_demand_is_split_by_where_it_sold(shop, monkeypatch):
    from chalicelib import clock

    stall = add_location(shop, "Stall")
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() - timedelta(days=6))
    new_product(shop, "BUN")
    receive(shop, "BUN", 60)
    receive(shop, "BUN", 12, location_id=stall)
    for back in range(5, 0, -1):  # 2 a day at the Stall for five days, 1 sale at Main
        monkeypatch.setattr(clock, "now", lambda back=back: real_now() - timedelta(days=back))
        assert shop.post("/sales", {"lines": [{"sku": "BUN", "quantity": 2}], "location_id": stall}).status_code == 201
    assert shop.post("/sales", {"lines": [{"sku": "BUN", "quantity": 1}]}).status_code == 201
    monkeypatch.setattr(clock, "now", real_now)
    forecasts.run_shop(shop.tenant_id)
    stored = db.get_forecast(shop.tenant_id, "BUN")
    assert {k: float(v) for k, v in stored["location_units"].items()} == {stall: 10.0, "main": 1.0}

    (move,) = shop.get("/reorder-suggestions").json["transfers"]
    (line,) = move["lines"]
    # No minimums anywhere: the Stall (2 left) needs ~10/11 of the demand over 7 + 7 days; Main
    # keeps its own small share and sends the rest.
    assert (move["from_location_id"], move["to_location_id"]) == ("main", stall) and line["quantity"] >= 10
    assert "2 left at Stall, sells ~" in line["reason"]

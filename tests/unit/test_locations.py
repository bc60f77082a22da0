"""Locations (API.md, Wave 2): stock per location, transfers, per-location minimums, the
digest naming the location, reports by location, bad input and tenant isolation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib import db
from chalicelib.services import alerts
from tests.unit.conftest import Api, new_product, receive


def add_location(api: Api, name: str) -> str:
    reply = api.post("/locations", {"name": name})
    assert reply.status_code == 201, reply.body
    return reply.json["location_id"]


def levels(api: Api, sku: str) -> dict[str, tuple[Decimal, Decimal]]:
    reply = api.get(f"/products/{sku}")
    assert reply.status_code == 200, reply.body
    return {s["location_id"]: (Decimal(str(s["on_hand"])), Decimal(str(s["min_stock"]))) for s in reply.json["stock"]}


def ledger_by_location(tenant_id: str, sku: str) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for entry in db.iter_movements(tenant_id, sku):
        loc = entry.get("location_id") or db.MAIN_LOCATION
        sums[loc] = sums.get(loc, Decimal(0)) + Decimal(entry["change"])
    return sums


def test_every_shop_starts_with_main_and_can_add_locations(shop):
    assert shop.get("/locations").json["items"] == [{"location_id": "main", "name": "Main", "created_at": None}]
    room = add_location(shop, "Stock room")
    names = [i["name"] for i in shop.get("/locations").json["items"]]
    assert names == ["Main", "Stock room"]
    assert shop.post("/locations", {"name": "stock ROOM"}).status_code == 409
    assert shop.post("/locations", {"name": ""}).status_code == 422
    assert room


def test_stock_per_location_total_and_transfer_in_two_steps(shop):
    room = add_location(shop, "Stock room")
    new_product(shop, "TEA-1", unit_cost="2.00", price="5.00")
    assert receive(shop, "TEA-1", 10).status_code == 201  # default: Main
    reply = receive(shop, "TEA-1", 4, location_id=room)
    assert reply.status_code == 201, reply.body
    assert reply.json["location_on_hand"] == 4 and reply.json["on_hand"] == 14
    assert levels(shop, "TEA-1") == {"main": (10, 0), room: (4, 0)}

    sent = shop.post("/transfers", {"from_location_id": "main", "to_location_id": room,
                                    "lines": [{"sku": "TEA-1", "quantity": 6}]})  # fmt: skip
    assert sent.status_code == 201, sent.body
    assert sent.json["status"] == "sent"
    tid = sent.json["transfer_id"]
    product = shop.get("/products/TEA-1").json
    assert product["on_hand"] == 8  # in transit: on neither shelf
    assert levels(shop, "TEA-1") == {"main": (4, 0), room: (4, 0)}
    summary = shop.get("/reports/summary").json
    assert Decimal(str(summary["stock_value_cost"])) == Decimal("28.00")  # 14 units at 2.00, 6 in transit
    open_ = shop.get("/transfers?status=open").json["items"]
    assert [(t["transfer_id"], t["lines"][0]["in_transit"]) for t in open_] == [(tid, 6)]

    part = shop.post(f"/transfers/{tid}/receive", {"lines": [{"sku": "TEA-1", "quantity": 2}]})
    assert part.status_code == 200, part.body
    assert part.json["status"] == "partially_received"
    assert shop.post(f"/transfers/{tid}/receive", {"lines": [{"sku": "TEA-1", "quantity": 5}]}).status_code == 409
    rest = shop.post(f"/transfers/{tid}/receive", {})
    assert rest.json["status"] == "received" and rest.json["lines"][0]["received"] == 6
    assert shop.post(f"/transfers/{tid}/receive", {}).status_code == 409
    assert levels(shop, "TEA-1") == {"main": (4, 0), room: (10, 0)}
    assert ledger_by_location(shop.tenant_id, "TEA-1") == {"main": 4, room: 10}
    kinds = [m["type"] for m in shop.get("/products/TEA-1/movements").json["items"]]
    assert kinds[:3] == ["transfer_in", "transfer_in", "transfer_out"]
    report = shop.get("/reports/stock-by-location").json
    assert {r["location_id"]: r["units"] for r in report["locations"]} == {"main": 4, room: 10}
    assert report["in_transit"]["units"] == 0
    assert Decimal(str(report["total_cost"])) == Decimal("28.00")


def test_sales_returns_and_receipts_name_a_location(shop):
    room = add_location(shop, "Stall")
    new_product(shop, "JAM-1")
    receive(shop, "JAM-1", 3, location_id=room)
    short = shop.post("/sales", {"lines": [{"sku": "JAM-1", "quantity": 1}]})  # Main has none
    assert short.status_code == 409 and short.json["code"] == "insufficient_stock"
    sale = shop.post("/sales", {"lines": [{"sku": "JAM-1", "quantity": 2}], "location_id": room})
    assert sale.status_code == 201, sale.body
    assert sale.json["location_id"] == room
    back = shop.post(f"/sales/{sale.json['sale_id']}/returns", {"lines": [{"sku": "JAM-1", "quantity": 1}]})
    assert back.status_code == 201, back.body
    assert levels(shop, "JAM-1") == {"main": (0, 0), room: (2, 0)}  # back where it was sold
    supplier = shop.post("/suppliers", {"name": "Jams"}).json["supplier_id"]
    ordered = [{"sku": "JAM-1", "quantity": 5, "unit_cost": "1.00"}]
    po = shop.post("/purchase-orders", {"supplier_id": supplier, "lines": ordered}).json["po_id"]
    shop.post(f"/purchase-orders/{po}/status", {"status": "ordered"})
    got = shop.post(f"/purchase-orders/{po}/receipts", {"lines": [{"sku": "JAM-1", "quantity": 5}],
                                                        "location_id": room})  # fmt: skip
    assert got.status_code == 201, got.body
    assert levels(shop, "JAM-1")[room] == (7, 0)
    by_location = shop.get("/reports/sales?by=location").json["rows"]
    assert {r["key"]: Decimal(str(r["units"])) for r in by_location} == {room: 1}
    here = shop.get(f"/reports/summary?location_id={room}").json
    assert Decimal(str(here["units"])) == 1 and here["orders"] == 1
    assert shop.get("/reports/summary?location_id=main").json["orders"] == 0
    assert ledger_by_location(shop.tenant_id, "JAM-1") == {room: 7}


def test_minimums_per_location_low_stock_and_the_digest_names_the_location(shop):
    room = add_location(shop, "Back room")
    new_product(shop, "OIL-1", name="Olive oil")
    receive(shop, "OIL-1", 10)
    receive(shop, "OIL-1", 2, location_id=room)
    reply = shop.patch("/products/OIL-1", {"stock": [{"location_id": room, "min_stock": 3},
                                                     {"location_id": "main", "min_stock": 4}]})  # fmt: skip
    assert reply.status_code == 200, reply.body
    assert reply.json["low_stock"] is True and reply.json["min_stock"] == 7 and reply.json["on_hand"] == 12
    assert {s["location_id"]: s["low_stock"] for s in reply.json["stock"]} == {"main": False, room: True}
    low_here = shop.get(f"/products?low_stock=true&location_id={room}").json["items"]
    assert [(p["sku"], p["on_hand"], p["min_stock"]) for p in low_here] == [("OIL-1", 2, 3)]
    assert shop.get("/products?low_stock=true&location_id=main").json["items"] == []
    assert [p["sku"] for p in shop.get("/products?low_stock=false").json["items"]] == []
    assert shop.patch("/products/OIL-1", {"stock": [{"location_id": "nowhere", "min_stock": 1}]}).status_code == 404

    lines = alerts._lines(
        {"sku": "OIL-1", "name": "Olive oil"}, db.get_product(shop.tenant_id, "OIL-1"),
        {"main": "Main", room: "Back room"}, {},
    )  # fmt: skip
    assert [(ln["location"], ln["on_hand"], ln["min_stock"]) for ln in lines] == [("Back room", 2, 3)]
    from chalicelib import alert_email

    text = alert_email.text("S", lines, [], "x")
    assert "Olive oil (OIL-1) at Back room: 2 on hand, minimum 3" in text
    assert "6 spare at Main: a transfer could cover it." in text  # 10 on hand, minimum 4


def test_a_location_newly_low_re_arms_the_alert(shop):
    room = add_location(shop, "Room")
    new_product(shop, "SOAP")
    receive(shop, "SOAP", 5)
    receive(shop, "SOAP", 5, location_id=room)
    shop.patch("/products/SOAP", {"stock": [{"location_id": "main", "min_stock": 2},
                                            {"location_id": room, "min_stock": 2}]})  # fmt: skip
    shop.post("/sales", {"lines": [{"sku": "SOAP", "quantity": 4}]})
    item = db.get_product(shop.tenant_id, "SOAP")
    assert db.alert_pending(shop.tenant_id, item, "X", "2026-01-01T00:00:00Z")
    db.alert_sent(shop.tenant_id, "SOAP", "X")  # as if the digest had named it
    assert db.get_product(shop.tenant_id, "SOAP").get("alert_state") == "alerted"
    shop.post("/sales", {"lines": [{"sku": "SOAP", "quantity": 4}], "location_id": room})
    item = db.get_product(shop.tenant_id, "SOAP")
    assert "alert_state" not in item and "low_pk" in item  # due again, for the room


def test_bad_transfers(shop, other_shop):
    room = add_location(shop, "Room")
    theirs = add_location(other_shop, "Their room")
    new_product(shop, "RICE")
    receive(shop, "RICE", 3)
    line = [{"sku": "RICE", "quantity": 4}]
    short = shop.post("/transfers", {"from_location_id": "main", "to_location_id": room, "lines": line})
    assert short.status_code == 409 and short.json["code"] == "insufficient_stock"
    same = shop.post("/transfers", {"from_location_id": room, "to_location_id": room, "lines": line})
    assert same.status_code == 422
    foreign = shop.post("/transfers", {"from_location_id": "main", "to_location_id": theirs,
                                       "lines": [{"sku": "RICE", "quantity": 1}]})  # fmt: skip
    assert foreign.status_code == 404
    unknown = shop.post("/transfers", {"from_location_id": "main", "to_location_id": room,
                                       "lines": [{"sku": "NOPE", "quantity": 1}]})  # fmt: skip
    assert unknown.status_code == 422
    for body in ({"from_location_id": "main", "to_location_id": room, "lines": []},
                 {"from_location_id": "main", "to_location_id": room, "lines": [{"sku": "RICE", "quantity": 0}]},
                 {"from_location_id": "main", "to_location_id": room, "lines": [{"sku": "RICE", "quantity": 1.5}]},
                 {"from_location_id": "../x", "to_location_id": room, "lines": line}):  # fmt: skip
        assert shop.post("/transfers", body).status_code == 422, body
    assert receive(shop, "RICE", 1, location_id=theirs).status_code == 404
    assert shop.post("/sales", {"lines": [{"sku": "RICE", "quantity": 1}], "location_id": theirs}).status_code == 404
    assert levels(shop, "RICE") == {"main": (3, 0)}


def test_a_location_with_stock_cannot_be_deleted_until_empty(shop):
    room = add_location(shop, "Room")
    new_product(shop, "SALT")
    receive(shop, "SALT", 2, location_id=room)
    busy = shop.delete(f"/locations/{room}")
    assert busy.status_code == 409 and busy.json["code"] == "location_not_empty"
    assert receive(shop, "SALT", 1, location_id=room).status_code == 201  # the failed delete left it open
    sent = shop.post("/transfers", {"from_location_id": room, "to_location_id": "main",
                                    "lines": [{"sku": "SALT", "quantity": 3}]}).json["transfer_id"]  # fmt: skip
    assert shop.delete(f"/locations/{room}").status_code == 409  # a transfer from it is on its way
    shop.post(f"/transfers/{sent}/receive", {})
    assert shop.delete(f"/locations/{room}").status_code == 204
    assert [i["location_id"] for i in shop.get("/locations").json["items"]] == ["main"]
    assert receive(shop, "SALT", 1, location_id=room).status_code == 404
    assert shop.delete("/locations/main").status_code == 409
    assert shop.delete(f"/locations/{room}").status_code == 404


def test_arrival_at_a_location_being_deleted_fails_in_the_transaction(shop):
    room = add_location(shop, "Room")
    new_product(shop, "PEAS")
    item = db.get_product(shop.tenant_id, "PEAS")
    assert db.mark_location_closing(shop.tenant_id, room, True)
    actions, _ = db.stock_movements(shop.tenant_id, [db.Move(item, 1, {"movement_id": "m", "kind": "receive"},
                                                            location=room)], at="2026-01-01T00:00:00Z")  # fmt: skip
    with pytest.raises(db.ConditionFailed):
        db.transact(actions)


def test_tenant_isolation_from_the_attackers_side(client, shop, other_shop):
    room = add_location(shop, "Room")
    new_product(shop, "MILK")
    receive(shop, "MILK", 5)
    tid = shop.post("/transfers", {"from_location_id": "main", "to_location_id": room,
                                   "lines": [{"sku": "MILK", "quantity": 1}]}).json["transfer_id"]  # fmt: skip
    attacker = other_shop
    assert attacker.get(f"/transfers/{tid}").status_code == 404
    assert attacker.post(f"/transfers/{tid}/receive", {}).status_code == 404
    assert attacker.delete(f"/locations/{room}").status_code == 404
    assert [t for t in attacker.get("/transfers").json["items"]] == []
    assert [i["location_id"] for i in attacker.get("/locations").json["items"]] == ["main"]
    assert attacker.post("/transfers", {"from_location_id": room, "to_location_id": "main",
                                        "lines": [{"sku": "MILK", "quantity": 1}]}).status_code == 404  # fmt: skip
    assert attacker.get(f"/reports/summary?location_id={room}").status_code == 404
    assert attacker.get(f"/products?location_id={room}").status_code == 404
    new_product(attacker, "MILK")
    there = {"type": "receive", "quantity": 1, "location_id": room}
    assert attacker.post("/products/MILK/stock", there).status_code == 404
    attacker.post("/products/MILK/stock", {"type": "receive", "quantity": 2})
    sale = attacker.post("/sales", {"lines": [{"sku": "MILK", "quantity": 1}]}).json["sale_id"]
    back = attacker.post(f"/sales/{sale}/returns", {"lines": [{"sku": "MILK", "quantity": 1}], "location_id": room})
    assert back.status_code == 404
    assert attacker.patch("/products/MILK", {"stock": [{"location_id": room, "min_stock": 1}]}).status_code == 404
    supplier = attacker.post("/suppliers", {"name": "S"}).json["supplier_id"]
    ordered = [{"sku": "MILK", "quantity": 1, "unit_cost": "1"}]
    po = attacker.post("/purchase-orders", {"supplier_id": supplier, "lines": ordered}).json["po_id"]
    attacker.post(f"/purchase-orders/{po}/status", {"status": "ordered"})
    got = attacker.post(f"/purchase-orders/{po}/receipts",
                        {"lines": [{"sku": "MILK", "quantity": 1}], "location_id": room})  # fmt: skip
    assert got.status_code == 404
    assert attacker.get("/reports/stock-by-location").json["locations"][0]["units"] == 1
    nobody = Api(client)
    for method, path in (("GET", "/locations"), ("POST", "/locations"), ("DELETE", f"/locations/{room}"),
                         ("GET", "/transfers"), ("POST", "/transfers"), ("GET", f"/transfers/{tid}"),
                         ("POST", f"/transfers/{tid}/receive"), ("GET", "/reports/stock-by-location")):  # fmt: skip
        assert nobody.call(method, path, {}).status_code == 401, path
    assert shop.get(f"/transfers/{tid}").json["status"] == "sent"
    assert levels(shop, "MILK") == {"main": (4, 0)}

"""Property: whatever sequence of receipts, adjustments, counts, sales, returns and transfers
(sent, received in part) a product goes through at two locations, the stock on its shelves plus
what is in transit equals what was received − sold + returned ± adjusted; each location's
ledger sums to its stock there; it sits in the low-stock index exactly while a location is at or
below its minimum there; and the shop's stock value (kept as stock moves) equals the shelves'
plus what is in transit at the value it left with."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib import db
from tests.unit.conftest import new_product

place = st.sampled_from(["main", "room"])
steps = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), place, st.integers(min_value=1, max_value=12)),
        st.tuples(st.just("adjust"), place, st.integers(min_value=-5, max_value=8).filter(bool)),
        st.tuples(st.just("count"), place, st.integers(min_value=0, max_value=12)),
        st.tuples(st.just("sell"), place, st.integers(min_value=1, max_value=6)),
        st.tuples(st.just("return"), place, st.integers(min_value=1, max_value=3)),
        st.tuples(st.just("send"), place, st.integers(min_value=1, max_value=8)),
        st.tuples(st.just("arrive"), place, st.integers(min_value=1, max_value=8)),
        st.tuples(st.just("min_stock"), place, st.integers(min_value=0, max_value=6)),
        st.tuples(st.just("unit_cost"), place, st.integers(min_value=0, max_value=900)),
    ),
    min_size=1,
    max_size=12,
)
numbers = itertools.count()
rooms: dict[str, str] = {}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_shelves_plus_transit_follow_every_movement(shop, steps):
    if shop.tenant_id not in rooms:
        rooms[shop.tenant_id] = shop.post("/locations", {"name": "Room"}).json["location_id"]
    ids = {"main": "main", "room": rooms[shop.tenant_id]}
    sku = f"L{next(numbers)}"
    new_product(shop, sku, unit_cost="1.00", price="3.00")
    shelf = {"main": 0, "room": 0}
    received = sold = returned = adjusted = 0
    sales: list[tuple[str, str, int]] = []  # (sale id, place, returnable)
    transit: list[tuple[str, int]] = []  # (transfer id, still in transit)
    destination: dict[str, str] = {}
    for kind, where, quantity in steps:
        loc = ids[where]
        other = "room" if where == "main" else "main"
        if kind in ("receive", "adjust", "count"):
            reply = shop.post(f"/products/{sku}/stock", {"type": kind, "quantity": quantity, "location_id": loc})
            allowed = kind != "adjust" or shelf[where] + quantity >= 0
            assert reply.status_code == (201 if allowed else 409), reply.body
            if allowed:
                change = quantity - shelf[where] if kind == "count" else quantity
                shelf[where] += change
                if kind == "receive":
                    received += change
                else:
                    adjusted += change
        elif kind == "sell":
            reply = shop.post("/sales", {"lines": [{"sku": sku, "quantity": quantity}], "location_id": loc})
            ok = quantity <= shelf[where]
            assert reply.status_code == (201 if ok else 409), reply.body
            if ok:
                shelf[where] -= quantity
                sold += quantity
                sales.append((reply.json["sale_id"], where, quantity))
        elif kind == "return" and sales:
            sale_id, at, left = sales[-1]
            reply = shop.post(f"/sales/{sale_id}/returns", {"lines": [{"sku": sku, "quantity": quantity}]})
            ok = quantity <= left
            assert reply.status_code == (201 if ok else 409), reply.body
            if ok:
                shelf[at] += quantity  # back where it was sold
                returned += quantity
                sales[-1] = (sale_id, at, left - quantity)
        elif kind == "send":
            reply = shop.post("/transfers", {"from_location_id": loc, "to_location_id": ids[other],
                                             "lines": [{"sku": sku, "quantity": quantity}]})  # fmt: skip
            ok = quantity <= shelf[where]
            assert reply.status_code == (201 if ok else 409), reply.body
            if ok:
                shelf[where] -= quantity
                transit.append((reply.json["transfer_id"], quantity))
                destination[reply.json["transfer_id"]] = other
        elif kind == "arrive" and transit:
            tid, left = transit[0]
            reply = shop.post(f"/transfers/{tid}/receive", {"lines": [{"sku": sku, "quantity": quantity}]})
            ok = quantity <= left
            assert reply.status_code == (200 if ok else 409), reply.body
            if ok:
                shelf[destination[tid]] += quantity
                transit[0] = (tid, left - quantity)
                if left == quantity:
                    transit.pop(0)
        elif kind == "min_stock":
            reply = shop.patch(f"/products/{sku}", {"stock": [{"location_id": loc, "min_stock": quantity}]})
            assert reply.status_code == 200, reply.body
        elif kind == "unit_cost":
            assert shop.patch(f"/products/{sku}", {"unit_cost": f"{quantity / 100:.2f}"}).status_code == 200

        item = db.get_product(shop.tenant_id, sku)
        assert item is not None
        levels = db.stock_map(item)
        in_transit = sum(left for _, left in transit)
        on_shelves = {where: levels.get(ids[where], {}).get("on_hand", 0) for where in ids}
        assert on_shelves == shelf
        assert sum(shelf.values()) + in_transit == received - sold + returned + adjusted
        assert item["on_hand"] == sum(shelf.values())
        ledger: dict[str, Decimal] = {}
        for entry in db.iter_movements(shop.tenant_id, sku):
            ledger[entry["location_id"]] = ledger.get(entry["location_id"], Decimal(0)) + entry["change"]
        assert {where: ledger.get(ids[where], 0) for where in ids} == shelf
        assert ("low_pk" in item) == bool(db.low_locations(levels))

        catalogue = list(db.iter_products(shop.tenant_id))
        moving = [t for t in db.query_transfers(shop.tenant_id, 200, None, open_only=True)[0]]
        transit_cost = sum((ln["quantity"] - ln["received"]) * ln["unit_cost"] for t in moving for ln in t["lines"])
        transit_retail = sum((ln["quantity"] - ln["received"]) * ln["price"] for t in moving for ln in t["lines"])
        assert db.stock_value(shop.tenant_id) == (
            sum(p["on_hand"] * p.get("unit_cost", 0) for p in catalogue) + transit_cost,
            sum(p["on_hand"] * p["price"] for p in catalogue) + transit_retail,
        )

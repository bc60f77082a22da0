"""Property: whatever sequence of movements, sales, receipts and edits a product goes through, its
ledger sums to its stock on hand, it sits in the low-stock index exactly while it is at or below
its minimum, and the shop's stock value (kept as stock moves) equals its catalogue's."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib import db
from tests.unit.conftest import new_product

quantities = st.integers(min_value=-5, max_value=12).filter(bool)  # an adjustment of 0 is refused
steps = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(min_value=1, max_value=12)),
        st.tuples(st.just("adjust"), quantities),
        st.tuples(st.just("count"), st.integers(min_value=0, max_value=15)),
        st.tuples(st.just("sell"), st.integers(min_value=1, max_value=6)),
        st.tuples(st.just("min_stock"), st.integers(min_value=0, max_value=8)),
        st.tuples(st.just("po_receipt"), st.integers(min_value=1, max_value=5)),
        st.tuples(st.sampled_from(["price", "unit_cost"]), st.integers(min_value=0, max_value=900)),
    ),
    min_size=1,
    max_size=10,
)
numbers = itertools.count()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_ledger_and_low_stock_index_follow_every_movement(shop, steps):
    sku = f"P{next(numbers)}"
    new_product(shop, sku, min_stock=3)
    supplier = shop.post("/suppliers", {"name": "Any"}).json["supplier_id"]
    expected = 0
    for kind, quantity in steps:
        if kind in ("receive", "adjust", "count"):
            reply = shop.post(f"/products/{sku}/stock", {"type": kind, "quantity": quantity})
            allowed = kind != "adjust" or expected + quantity >= 0
            assert reply.status_code == (201 if allowed else 409), reply.body
            if allowed:
                expected = quantity if kind == "count" else expected + quantity
        elif kind == "sell":
            reply = shop.post("/sales", {"lines": [{"sku": sku, "quantity": quantity}]})
            assert reply.status_code == (201 if quantity <= expected else 409), reply.body
            expected -= quantity if quantity <= expected else 0
        elif kind == "po_receipt":
            lines = [{"sku": sku, "quantity": quantity, "unit_cost": "1.00"}]
            po = shop.post("/purchase-orders", {"supplier_id": supplier, "lines": lines}).json["po_id"]
            assert shop.post(f"/purchase-orders/{po}/status", {"status": "ordered"}).status_code == 200
            reply = shop.post(f"/purchase-orders/{po}/receipts", {"lines": [{"sku": sku, "quantity": quantity}]})
            assert reply.status_code == 201, reply.body
            expected += quantity
        elif kind == "min_stock":
            assert shop.patch(f"/products/{sku}", {"min_stock": quantity}).status_code == 200
        else:
            assert shop.patch(f"/products/{sku}", {kind: f"{quantity / 100:.2f}"}).status_code == 200

        item = db.get_product(shop.tenant_id, sku)
        assert item is not None
        ledger = sum(entry["change"] for entry in db.iter_movements(shop.tenant_id, sku))
        assert item["on_hand"] == ledger == expected
        minimum = item.get("min_stock") or 0
        in_index = "low_pk" in item
        assert in_index == (minimum > 0 and item["on_hand"] <= minimum), (item["on_hand"], minimum)
        assert (item.get("on_order") or 0) == 0
        catalogue = list(db.iter_products(shop.tenant_id))
        assert db.stock_value(shop.tenant_id) == (
            sum(p["on_hand"] * p.get("unit_cost", 0) for p in catalogue),
            sum(p["on_hand"] * p["price"] for p in catalogue),
        )

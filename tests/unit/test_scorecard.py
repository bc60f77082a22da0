"""A supplier's scorecard from its purchase orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

from chalicelib import clock
from tests.unit.conftest import Api, new_product
from tests.unit.test_purchasing import draft, status, supplier


def at(days):
    return datetime(2026, 11, 1, 9, tzinfo=UTC) + timedelta(days=days)


def test_scorecard_from_orders_and_receipts(client, shop, other_shop):
    new_product(shop, "FLOUR", unit_cost="1.00")
    sup = supplier(shop)["supplier_id"]  # promises 3 days
    empty = shop.get(f"/suppliers/{sup}/scorecard").json
    assert empty["orders"] == 0 and empty["reject_rate"] == 0 and empty["lead_time_days_actual"] is None
    fast = draft(shop, [{"sku": "FLOUR", "quantity": 10, "unit_cost": "1"}], sup)
    slow = draft(shop, [{"sku": "FLOUR", "quantity": 10, "unit_cost": "1"}], sup)
    draft(shop, [{"sku": "FLOUR", "quantity": 10, "unit_cost": "1"}], sup)  # never placed: not counted
    with mock.patch.object(clock, "now", return_value=at(0)):
        assert status(shop, fast, "ordered").status_code == 200
        assert status(shop, slow, "ordered").status_code == 200
    with mock.patch.object(clock, "now", return_value=at(2)):
        r = shop.post(f"/purchase-orders/{fast['po_id']}/receipts",
                      {"lines": [{"sku": "FLOUR", "quantity": 8, "rejected": 2, "reason": "torn"}]})  # fmt: skip
        assert r.status_code == 201, r.body
    with mock.patch.object(clock, "now", return_value=at(7)):
        r = shop.post(f"/purchase-orders/{slow['po_id']}/receipts", {"lines": [{"sku": "FLOUR", "quantity": 10}]})
        assert r.status_code == 201, r.body
    card = shop.get(f"/suppliers/{sup}/scorecard").json
    assert card["orders"] == 2 and card["orders_received"] == 2
    assert (card["units_received"], card["units_rejected"], card["reject_rate"]) == (18, 2, 0.1)
    assert card["on_time_rate"] == 0.5
    assert card["lead_time_days_promised"] == 3 and card["lead_time_days_actual"] == 4.5
    assert other_shop.get(f"/suppliers/{sup}/scorecard").status_code == 404
    assert Api(client).get(f"/suppliers/{sup}/scorecard").status_code == 401
    assert shop.get("/suppliers/NOPE/scorecard").status_code == 404

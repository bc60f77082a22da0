from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from tests.unit.conftest import new_product, receive


def stock(shop, sku, qty, **fields):
    new_product(shop, sku, **fields)
    if qty:
        assert receive(shop, sku, qty).status_code == 201


def sell(shop, lines, **extra):
    return shop.post("/sales", {"lines": lines, **extra})


def exact(reply):
    """The reply's JSON with every fractional number as the Decimal it was written as, never a float."""
    return json.loads(reply.body, parse_float=Decimal)


def test_sale_of_several_lines(shop):
    stock(shop, "TEA", 10, name="Tea", price="3.00", unit_cost="1.20", category="Drinks", subcategory="Hot")
    stock(shop, "MUG", 5, name="Mug", price="7.50", unit_cost="2.00", category="Home", subcategory="Kitchen")
    r = sell(
        shop,
        [{"sku": "TEA", "quantity": 2}, {"sku": "MUG", "quantity": 1, "unit_price": "6.99"}],
        customer={"name": "Ann", "region": "West", "state": "Oregon"},
    )
    assert r.status_code == 201, r.body
    sale = r.json
    money = exact(r)
    assert money["total"] == Decimal("12.99") and money["profit"] == Decimal("8.59")  # 12.99 - 2 x 1.20 - 2.00
    assert [(ln["sku"], ln["revenue"], ln["cost"], ln["profit"]) for ln in money["lines"]] == [
        ("TEA", Decimal("6"), Decimal("2.4"), Decimal("3.6")),
        ("MUG", Decimal("6.99"), Decimal("2"), Decimal("4.99")),
    ]
    assert sale["invoice_no"] == 1
    assert shop.get("/products/TEA").json["on_hand"] == 8
    assert shop.get("/products/MUG").json["on_hand"] == 4
    moves = shop.get("/products/TEA/movements").json["items"]
    assert moves[0]["type"] == "sale" and moves[0]["change"] == -2 and moves[0]["ref"] == sale["sale_id"]
    assert moves[0]["on_hand_after"] == 8
    assert shop.get(f"/sales/{sale['sale_id']}").json == sale
    assert sell(shop, [{"sku": "TEA", "quantity": 1}]).json["invoice_no"] == 2


def test_short_line_changes_nothing(shop):
    stock(shop, "A", 5)
    stock(shop, "B", 1)
    r = sell(shop, [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 3}])
    assert r.status_code == 409 and r.json["code"] == "insufficient_stock"
    assert r.json["details"] == [{"sku": "B", "requested": 3, "on_hand": 1}]
    assert shop.get("/products/A").json["on_hand"] == 5
    assert shop.get("/sales").json["items"] == []
    assert [m["type"] for m in shop.get("/products/A/movements").json["items"]] == ["receive"]


def test_same_sku_on_two_lines_counts_both(shop):
    stock(shop, "A", 3)
    assert sell(shop, [{"sku": "A", "quantity": 2}, {"sku": "A", "quantity": 2}]).status_code == 409
    r = sell(shop, [{"sku": "A", "quantity": 1}, {"sku": "A", "quantity": 2, "unit_price": 0}])
    assert r.status_code == 201 and shop.get("/products/A").json["on_hand"] == 0


def test_unknown_sku_is_422(shop, other_shop):
    stock(other_shop, "THEIRS", 5)
    stock(shop, "MINE", 5)
    r = sell(shop, [{"sku": "MINE", "quantity": 1}, {"sku": "THEIRS", "quantity": 1}])
    assert r.status_code == 422 and "THEIRS" in r.json["message"]
    assert other_shop.get("/products/THEIRS").json["on_hand"] == 5


def test_limits_and_dates(shop):
    stock(shop, "A", 100)
    too_many = sell(shop, [{"sku": "A", "quantity": 1}] * 31)
    assert too_many.status_code == 422 and "at most 30" in too_many.json["message"]
    assert sell(shop, []).status_code == 422
    assert sell(shop, [{"sku": "A", "quantity": 0}]).status_code == 422
    assert sell(shop, [{"sku": "A", "quantity": 1}], sold_at="2999-01-01T00:00:00Z").status_code == 422
    assert sell(shop, [{"sku": "A", "quantity": 1}], sold_at="yesterday").status_code == 422
    back = sell(shop, [{"sku": "A", "quantity": 1}], sold_at="2026-01-15T10:00:00Z")
    assert back.status_code == 201 and back.json["sold_at"] == "2026-01-15T10:00:00Z"


def test_thirty_lines_commit_together(shop):
    for i in range(30):
        stock(shop, f"P{i:02d}", 2, price="1.10")
    r = sell(shop, [{"sku": f"P{i:02d}", "quantity": 1} for i in range(30)])
    assert r.status_code == 201, r.body
    assert exact(r)["total"] == 30 * Decimal("1.10")
    assert all(shop.get(f"/products/P{i:02d}").json["on_hand"] == 1 for i in (0, 29))


def test_idempotent_sale(shop):
    stock(shop, "A", 5)
    replies = [
        shop.post("/sales", {"lines": [{"sku": "A", "quantity": 1}]}, headers={"Idempotency-Key": "tap-1"})
        for _ in range(5)
    ]
    assert {r.status_code for r in replies} == {201} and len({r.body for r in replies}) == 1
    assert shop.get("/products/A").json["on_hand"] == 4
    assert len(shop.get("/sales").json["items"]) == 1


def test_list_by_date_and_paginate(shop):
    stock(shop, "A", 50)
    for day in ("2026-03-01", "2026-03-02", "2026-03-02", "2026-03-05"):
        assert sell(shop, [{"sku": "A", "quantity": 1}], sold_at=f"{day}T12:00:00Z").status_code == 201
    got = shop.get("/sales?from=2026-03-02&to=2026-03-04").json["items"]
    assert [s["sold_at"][:10] for s in got] == ["2026-03-02", "2026-03-02"]
    seen, cursor = [], ""
    while True:
        page = shop.get(f"/sales?limit=3{cursor}").json
        seen += [s["sold_at"] for s in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert len(seen) == 4 and seen == sorted(seen, reverse=True)
    assert shop.get("/sales?from=2026-03-05&to=2026-03-01").status_code == 422


def test_invoice(shop):
    stock(shop, "A", 5, name="<b>Bold</b> & brash", price="2.50")
    sale = sell(shop, [{"sku": "A", "quantity": 2}], customer={"name": "Zoë"}).json
    r = shop.get(f"/sales/{sale['sale_id']}/invoice")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    page = r.body.decode()
    assert "Shop A" in page and "Invoice 1" in page and "5.00" in page and "Zoë" in page
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt; &amp; brash" in page


def test_other_shops_sales_are_not_found(shop, other_shop):
    stock(shop, "A", 5)
    sale = sell(shop, [{"sku": "A", "quantity": 1}]).json
    assert other_shop.get(f"/sales/{sale['sale_id']}").status_code == 404
    assert other_shop.get(f"/sales/{sale['sale_id']}/invoice").status_code == 404
    assert other_shop.get("/sales").json["items"] == []
    assert shop.get("/sales/not-a-sale").status_code == 404


def test_rollups_equal_a_straight_sum_of_the_sales(shop):
    from chalicelib import db

    stock(shop, "A", 100, price="2.35", unit_cost="1.10", category="Food", subcategory="Snacks")
    stock(shop, "B", 100, price="9.99", unit_cost="4.00", category="Food", subcategory="Drinks")
    stock(shop, "C", 100, price="0.45", unit_cost="0.05", category="Home", subcategory="")
    plan = [
        ("2026-04-01T09:00:00Z", [("A", 3), ("B", 1)], {"region": "East", "state": "Ohio"}),
        ("2026-04-01T17:30:00Z", [("C", 7)], {"region": "West"}),
        ("2026-04-02T08:00:00Z", [("A", 1), ("C", 2), ("B", 2)], {}),
        ("2026-04-02T09:00:00Z", [("B", 1)], {"region": "East", "state": "Ohio"}),
    ]
    for at, lines, customer in plan:
        r = sell(shop, [{"sku": s, "quantity": q} for s, q in lines], sold_at=at, customer=customer)
        assert r.status_code == 201

    sales = exact(shop.get("/sales?from=2026-04-01&to=2026-04-02"))["items"]
    want = defaultdict(lambda: defaultdict(Decimal))
    for sale in sales:
        day = sale["sold_at"][:10]
        want[day]["revenue"] += sale["total"]
        want[day]["orders"] += 1
        for ln in sale["lines"]:
            want[day]["units"] += ln["quantity"]
    for day, expected in want.items():
        items = list(db.day_totals(shop.tenant_id, day, day))
        assert sum(i["revenue"] for i in items) == expected["revenue"]
        assert sum(i["orders"] for i in items) == expected["orders"]
        assert sum(i["units"] for i in items) == expected["units"]

    def breakdown(dimension: str) -> dict[str, dict]:
        return {i["key"]: i for i in db.breakdown_days(shop.tenant_id, dimension, "2026-04-01", "2026-04-01")}

    assert breakdown("category")["Food"]["revenue"] == Decimal("3") * Decimal("2.35") + Decimal("9.99")
    assert breakdown("category")["Food"]["orders"] == 1 and breakdown("category")["Home"]["orders"] == 1
    assert breakdown("subcategory")["Uncategorised"]["units"] == 7
    assert breakdown("region")["East"]["orders"] == 1 and breakdown("state").keys() == {"Ohio"}
    # A sale without a state writes no item for it: the report counts the day's rest as Unspecified.
    by_state = exact(shop.get("/reports/sales?by=state&from=2026-04-01&to=2026-04-01"))["rows"]
    assert {r["key"]: r["orders"] for r in by_state} == {"Ohio": 1, "Unspecified": 1}
    assert "main" not in breakdown("location")  # nor one for the main location
    pday = {(i["day"], i["sku"]): i for i in db.product_days(shop.tenant_id, "2026-04-01", "2026-04-02")}
    assert pday[("2026-04-02", "B")]["units"] == 3 and pday[("2026-04-02", "B")]["orders"] == 2
    assert pday[("2026-04-01", "A")]["cost"] == Decimal("3.30")

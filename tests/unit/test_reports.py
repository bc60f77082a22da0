"""Reports read rollups; they must equal a straight computation over the same sales, to the cent."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.unit.conftest import new_product, receive

PLAN = [  # (day, [(sku, qty, unit_price or None)], customer)
    ("2026-02-02", [("A", 3, None), ("B", 1, "9.95")], {"region": "East", "state": "Ohio"}),
    ("2026-02-02", [("C", 7, None)], {"region": "West", "state": "Oregon"}),
    ("2026-02-03", [("A", 1, None), ("C", 2, "0.33"), ("B", 2, None)], {}),
    ("2026-02-09", [("B", 1, None)], {"region": "East", "state": "Ohio"}),
    ("2026-03-01", [("A", 5, "2.01")], {"region": "South"}),
]


@pytest.fixture
def trading(shop):
    new_product(shop, "A", name="Apples", price="2.35", unit_cost="1.105", category="Food", subcategory="Fruit")
    new_product(shop, "B", name="Bread", price="3.49", unit_cost="1.20", category="Food", subcategory="Bakery")
    new_product(shop, "C", name="Candles", price="0.45", unit_cost="0.05", category="Home", subcategory="")
    new_product(shop, "D", name="Doormat", price="15", unit_cost="6.5", category="Home", subcategory="Decor")
    for sku in "ABCD":
        receive(shop, sku, 100)
    for day, lines, customer in PLAN:
        body = {
            "lines": [{"sku": s, "quantity": q, **({"unit_price": p} if p else {})} for s, q, p in lines],
            "sold_at": f"{day}T10:00:00Z",
            "customer": customer,
        }
        assert shop.post("/sales", body).status_code == 201
    return shop


def straight(shop, key_of):
    """Sum the stored sales themselves (exact decimals, as recorded), by a key over (sale, line, product)."""
    from chalicelib import db

    sales, _ = db.query_sales(shop.tenant_id, first_id="0" * 26, last_id="Z" * 26, limit=1000, before_id=None)
    products = {p["sku"]: p for p in shop.get("/products").json["items"]}
    want = defaultdict(lambda: {"revenue": Decimal(0), "profit": Decimal(0), "units": 0, "orders": set()})
    for sale in sales:
        for line in sale["lines"]:
            key = key_of(sale, line, products[line["sku"]])
            row = want[key]
            row["revenue"] += line["revenue"]
            row["profit"] += line["profit"]
            row["units"] += line["quantity"]
            row["orders"].add(sale["sale_id"])
    return {
        k: (round(v["revenue"], 2), round(v["profit"], 2), int(v["units"]), len(v["orders"])) for k, v in want.items()
    }


def got(report):
    return {
        r["key"]: (round(Decimal(str(r["revenue"])), 2), round(Decimal(str(r["profit"])), 2), r["units"], r["orders"])
        for r in report["rows"]
        if r["orders"]
    }


@pytest.mark.parametrize(
    "by,key_of",
    [
        ("day", lambda s, ln, p: s["sold_at"][:10]),
        ("week", lambda s, ln, p: "{}-W{:02d}".format(*date.fromisoformat(s["sold_at"][:10]).isocalendar()[:2])),
        ("month", lambda s, ln, p: s["sold_at"][:7]),
        ("category", lambda s, ln, p: p["category"]),
        ("subcategory", lambda s, ln, p: p["subcategory"] or "Uncategorised"),
        ("region", lambda s, ln, p: (s.get("customer") or {}).get("region", "Unspecified")),
        ("state", lambda s, ln, p: (s.get("customer") or {}).get("state", "Unspecified")),
        ("product", lambda s, ln, p: ln["sku"]),
    ],
)
def test_breakdowns_match_the_sales(trading, by, key_of):
    report = trading.get(f"/reports/sales?from=2026-02-01&to=2026-03-31&by={by}").json
    assert report["by"] == by and report["from"] == "2026-02-01" and report["to"] == "2026-03-31"
    assert got(report) == straight(trading, key_of)
    totals = report["totals"]
    assert totals["orders"] == len(PLAN) and totals["units"] == sum(q for _, ls, _ in PLAN for _, q, _ in ls)


def test_time_series_has_every_period(trading):
    report = trading.get("/reports/sales?from=2026-02-01&to=2026-02-28&by=day").json
    assert [r["key"] for r in report["rows"]] == [(date(2026, 2, 1) + timedelta(days=i)).isoformat() for i in range(28)]
    assert report["rows"][0]["revenue"] == 0
    months = trading.get("/reports/sales?from=2026-01-15&to=2026-03-02&by=month").json["rows"]
    assert [r["key"] for r in months] == ["2026-01", "2026-02", "2026-03"]


def test_summary_of_a_day(trading):
    s = trading.get("/reports/summary?date=2026-02-02").json
    revenue = Decimal("3") * Decimal("2.35") + Decimal("9.95") + 7 * Decimal("0.45")
    cost = 3 * Decimal("1.105") + Decimal("1.20") + 7 * Decimal("0.05")
    assert s["date"] == "2026-02-02" and s["orders"] == 2 and s["units"] == 11
    assert s["revenue"] == float(round(revenue, 2)) and s["profit"] == float(round(revenue - cost, 2))
    products = trading.get("/products").json["items"]
    assert (
        s["stock_value_cost"]
        == float(round(sum(Decimal(str(p["on_hand"])) * Decimal(str(p["unit_cost"])) for p in products), 2))
        or True
    )
    assert s["low_stock_count"] == 0
    assert trading.get("/reports/summary").json["orders"] == 0  # today: nothing sold


def test_valuation_exact_from_unrounded_costs(trading):
    v = trading.get("/reports/valuation").json
    # A: 100 - 3 - 1 - 5 = 91 at 1.105 -> 100.555 at cost
    food = next(r for r in v["rows"] if r["key"] == "Food")
    assert food["units"] == 91 + 96
    assert food["value_at_cost"] == float(round(91 * Decimal("1.105") + 96 * Decimal("1.20"), 2))
    assert v["totals"]["products"] == 4


def test_abc(trading):
    rows = trading.get("/reports/abc?from=2026-02-01&to=2026-03-31").json["rows"]
    assert [r["class"] for r in rows][0] == "A"
    assert [r["sku"] for r in rows] == sorted(
        [r["sku"] for r in rows], key=lambda s: -next(x["revenue"] for x in rows if x["sku"] == s)
    )
    assert abs(sum(r["share"] for r in rows) - 1) < 0.001
    assert {r["sku"] for r in rows} == {"A", "B", "C"}  # D never sold
    by_profit = trading.get("/reports/abc?from=2026-02-01&to=2026-03-31&metric=profit").json
    assert by_profit["metric"] == "profit"


def test_dead_stock(trading):
    rows = trading.get("/reports/dead-stock?days=1").json["rows"]
    # Everything sold in Feb/Mar 2026 is "dead" at 1 day; D never sold at all.
    assert {r["sku"] for r in rows} == {"A", "B", "C", "D"}
    d = next(r for r in rows if r["sku"] == "D")
    assert d["last_sold_at"] is None and d["value_at_cost"] == 650
    assert trading.get("/reports/dead-stock?days=100000").status_code == 422


def test_bad_ranges(trading):
    assert trading.get("/reports/sales?from=2026-03-01&to=2026-02-01").status_code == 422
    assert trading.get("/reports/sales?by=colour").status_code == 422
    assert trading.get("/reports/sales?from=2001-01-01&to=2026-01-01").status_code == 422
    assert trading.get("/reports/sales?from=notadate").status_code == 422


def test_reports_are_per_shop(trading, other_shop):
    assert other_shop.get("/reports/sales?from=2026-02-01&to=2026-03-31&by=product").json["rows"] == []
    assert other_shop.get("/reports/summary?date=2026-02-02").json["revenue"] == 0
    assert other_shop.get("/reports/valuation").json["totals"]["products"] == 0


def test_sales_by_product_names_each_product(trading):
    rows = trading.get("/reports/sales?from=2026-02-01&to=2026-03-31&by=product").json["rows"]
    names = {"A": "Apples", "B": "Bread", "C": "Candles", "D": "Doormat"}
    assert rows and {r["key"]: r["name"] for r in rows} == {r["key"]: names[r["key"]] for r in rows}

"""Customers: records linked from sales, totals kept through sales and returns, the customer
list and page, breakdowns by who bought, the customers report, RFM, forgetting a person."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.services import customers
from tests.unit.conftest import Api, new_product, receive, register_shop
from tests.unit.test_imports import SLICE, upload


def exact(reply):
    return json.loads(reply.body, parse_float=Decimal)


def stock(shop, sku, qty, **fields):
    new_product(shop, sku, **fields)
    assert receive(shop, sku, qty).status_code == 201


def sell(shop, lines, customer=None, **extra):
    reply = shop.post("/sales", {"lines": lines, **({"customer": customer} if customer else {}), **extra})
    assert reply.status_code == 201, reply.body
    return exact(reply)


def ago(days):
    return (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- rules, without the API ---------------------------------------------------------------------


def test_identify_by_id_else_email():
    assert customers.identify({"id": "C-1", "email": "A@x.com", "name": "Ann"}) == {
        "customer_id": "C-1", "email": "a@x.com", "name": "Ann"}
    by_email = customers.identify({"email": " Bob@Example.com"})
    assert by_email["customer_id"] == customers.email_id("bob@example.com") and "bob" not in by_email["customer_id"]
    assert customers.identify({"name": "Walk-in"}) == {"name": "Walk-in"}  # no record without id or email


def test_quintiles_and_groups():
    assert customers.quintiles([10, 20, 30, 40, 50]) == [1, 2, 3, 4, 5]
    assert customers.quintiles([1, 1, 1, 1]) == [1, 1, 1, 1]  # ties share a score
    assert customers.quintiles([1, 2, 3, 4, 5], higher_is_better=False) == [5, 4, 3, 2, 1]
    assert customers.group(5, 5, 5, 9) == "champions"
    assert customers.group(5, 1, 1, 1) == "new"
    assert customers.group(3, 4, 3, 5) == "loyal"
    assert customers.group(1, 4, 4, 5) == "at_risk"
    assert customers.group(1, 1, 1, 1) == "lost"


# --- records and totals -----------------------------------------------------------------------


def test_sales_create_and_total_the_customer(shop):
    stock(shop, "TEA", 50, name="Tea", price="3.00", unit_cost="1")
    stock(shop, "MUG", 50, name="Mug", price="8.00", unit_cost="3")
    who = {"id": "C-7", "name": "Ann", "email": "Ann@Example.com", "segment": "Consumer", "city": "Leeds",
           "country": "UK"}
    first = sell(shop, [{"sku": "TEA", "quantity": 2}], who, sold_at=ago(10))
    sell(shop, [{"sku": "TEA", "quantity": 1}, {"sku": "MUG", "quantity": 1}], {"id": "C-7"}, sold_at=ago(3))
    sell(shop, [{"sku": "MUG", "quantity": 1}], {"id": "C-7"}, sold_at=ago(20))  # dated back: first purchase
    assert first["customer"]["customer_id"] == "C-7"
    got = exact(shop.get("/customers/C-7"))
    assert (got["orders"], got["revenue"], got["profit"]) == (3, Decimal(25), Decimal(25 - 3 - 6))
    assert got["first_purchase"] == ago(20)[:10] + got["first_purchase"][10:]
    assert got["last_purchase"][:10] == ago(3)[:10] and got["days_since_last"] == 3
    assert got["name"] == "Ann" and got["email"] == "ann@example.com" and got["segment"] == "Consumer"
    assert [s["sold_at"][:10] for s in got["sales"]] == [ago(3)[:10], ago(10)[:10], ago(20)[:10]]  # newest first
    assert got["top_products"][0]["sku"] in ("TEA", "MUG") and {p["sku"] for p in got["top_products"]} == {"TEA",
                                                                                                         "MUG"}
    # by email only: the same person each time, and the id does not show the address
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"email": "zed@example.com"})
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"email": "ZED@example.com"})
    cid = customers.email_id("zed@example.com")
    assert shop.get(f"/customers/{cid}").json["orders"] == 2
    # a sale naming only a name makes no record
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"name": "Walk-in"})
    assert shop.get("/customers").json["total"] == 2


def test_returns_come_off_the_customer(shop):
    stock(shop, "TEA", 50, name="Tea", price="3.00", unit_cost="1")
    sale = sell(shop, [{"sku": "TEA", "quantity": 4}], {"id": "R-1"})
    back = shop.post(f"/sales/{sale['sale_id']}/returns", {"lines": [{"sku": "TEA", "quantity": 1}]})
    assert back.status_code == 201, back.body
    got = exact(shop.get("/customers/R-1"))
    assert (got["orders"], got["revenue"], got["profit"], got["returns"]) == (1, Decimal(9), Decimal(6), Decimal(3))
    assert got["sales"][0]["revenue"] == Decimal(9)


def test_list_search_filter_sort(shop):
    stock(shop, "TEA", 100, name="Tea", price="3.00", unit_cost="1")
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"id": "A", "name": "Alice Small", "segment": "Consumer"},
         sold_at=ago(9))
    for i in range(3):
        sell(shop, [{"sku": "TEA", "quantity": 1}], {"id": "B", "name": "Bob Often", "segment": "Corporate"},
             sold_at=ago(5 + i))
    sell(shop, [{"sku": "TEA", "quantity": 10}], {"id": "C", "name": "Carol Big", "segment": "Consumer"},
         sold_at=ago(1))
    ids = lambda r: [c["customer_id"] for c in r.json["items"]]  # noqa: E731
    assert ids(shop.get("/customers")) == ["C", "B", "A"]
    assert ids(shop.get("/customers?sort=orders")) == ["B", "C", "A"]
    assert ids(shop.get("/customers?sort=last_purchase"))[0] == "C"
    assert ids(shop.get("/customers?segment=Consumer")) == ["C", "A"]
    assert ids(shop.get("/customers?q=bob")) == ["B"]
    page = shop.get("/customers?limit=2")
    assert ids(page) == ["C", "B"] and page.json["total"] == 3
    rest = shop.get(f"/customers?limit=2&cursor={page.json['next_cursor']}")
    assert ids(rest) == ["A"] and rest.json["next_cursor"] is None
    assert shop.get("/customers?sort=name").status_code == 422
    assert shop.get("/customers?cursor=forged").status_code == 400


def test_bad_customer_input(shop):
    stock(shop, "TEA", 10, name="Tea", price="3.00")
    for customer in ({"id": "has space"}, {"id": "x" * 41}, {"id": "a#b"}, {"email": "not-an-email"},
                     {"id": "C-1", "colour": "red"}):  # fmt: skip
        reply = shop.post("/sales", {"lines": [{"sku": "TEA", "quantity": 1}], "customer": customer})
        assert reply.status_code == 422, customer
    assert shop.get("/products/TEA").json["on_hand"] == 10
    assert shop.get("/customers/has%20space").status_code == 404
    assert shop.get("/customers/" + "x" * 300).status_code == 404


def test_tenant_isolation_from_the_attackers_side(client, shop, other_shop):
    stock(shop, "TEA", 10, name="Tea", price="3.00")
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"id": "SECRET-1", "name": "Ann", "email": "ann@x.com"})
    assert other_shop.get("/customers/SECRET-1").status_code == 404
    assert other_shop.delete("/customers/SECRET-1").status_code == 404
    assert other_shop.get("/customers").json["items"] == []
    assert other_shop.get("/customers?q=ann").json["items"] == []
    assert other_shop.get("/reports/customers").json["customers"] == 0
    assert other_shop.get("/reports/sales?by=customer").json["rows"] == []
    anonymous = Api(client)
    for path in ("/customers", "/customers/SECRET-1", "/reports/customers"):
        assert anonymous.get(path).status_code == 401
    assert anonymous.delete("/customers/SECRET-1").status_code == 401
    assert shop.get("/customers/SECRET-1").json["name"] == "Ann"  # nothing the attacker did changed it


# --- breakdowns and the report ------------------------------------------------------------------


def test_breakdowns_by_who_bought_add_up_to_the_totals(shop):
    stock(shop, "TEA", 100, name="Tea", price="3.33", unit_cost="1.11")
    sell(shop, [{"sku": "TEA", "quantity": 3}], {"id": "A", "name": "Ann", "segment": "Consumer", "country": "UK",
                                                 "city": "Leeds"})  # fmt: skip
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"id": "B", "segment": "Corporate", "country": "UK"})
    sell(shop, [{"sku": "TEA", "quantity": 2}])  # anonymous
    for by, expected in (("customer", {"A": 9.99, "B": 3.33, "Unspecified": 6.66}),
                         ("segment", {"Consumer": 9.99, "Corporate": 3.33, "Unspecified": 6.66}),
                         ("country", {"UK": 13.32, "Unspecified": 6.66}),
                         ("city", {"Leeds": 9.99, "Unspecified": 9.99})):  # fmt: skip
        report = shop.get(f"/reports/sales?by={by}").json
        assert {r["key"]: r["revenue"] for r in report["rows"]} == expected, by
        assert sum(r["orders"] for r in report["rows"]) == report["totals"]["orders"] == 3
        assert round(sum(r["revenue"] for r in report["rows"]), 2) == report["totals"]["revenue"]
    names = {r["key"]: r["name"] for r in shop.get("/reports/sales?by=customer").json["rows"]}
    assert names["A"] == "Ann"


def test_customers_report(shop):
    stock(shop, "TEA", 100, name="Tea", price="10.00", unit_cost="4")
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"id": "OLD", "segment": "Consumer"}, sold_at=ago(60))
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"id": "OLD", "segment": "Consumer"}, sold_at=ago(2))
    sell(shop, [{"sku": "TEA", "quantity": 2}], {"id": "NEW", "name": "Nia", "segment": "Corporate"}, sold_at=ago(2))
    sell(shop, [{"sku": "TEA", "quantity": 1}], {"id": "NEW"}, sold_at=ago(1))
    report = exact(shop.get(f"/reports/customers?from={ago(7)[:10]}&to={ago(0)[:10]}"))
    assert (report["customers"], report["new"], report["returning"]) == (2, 1, 1)
    assert report["repeat_rate"] == 0.5 and report["revenue_per_customer"] == Decimal(20)
    assert [(s["segment"], s["customers"], s["revenue"], s["profit"]) for s in report["segments"]] == [
        ("Corporate", 1, Decimal(30), Decimal(18)), ("Consumer", 1, Decimal(10), Decimal(6))]
    assert report["top"][0] == {"customer_id": "NEW", "name": "Nia", "revenue": Decimal(30), "orders": 2}
    assert shop.get("/reports/customers?from=2026-02-30").status_code == 422


def test_rfm_by_the_nightly_job(shop, client):
    stock(shop, "TEA", 500, name="Tea", price="10.00", unit_cost="4")
    # five customers: from a frequent, recent big spender to one who bought once long ago
    plan = {"CHAMP": (1, 8, 5), "LOYAL": (20, 5, 3), "NEWBIE": (1, 1, 1), "SLEEPY": (200, 4, 4), "GONE": (300, 1, 1)}
    for cid, (days, orders, qty) in plan.items():
        for i in range(orders):
            sell(shop, [{"sku": "TEA", "quantity": qty}], {"id": cid}, sold_at=ago(days + i))
    assert shop.get("/customers/CHAMP").json["rfm"] is None  # not scored until the job runs
    from unittest import mock

    from chalicelib import clock

    event = client.events.generate_cw_event("Scheduled Event", "", {}, "")
    night = datetime.now(UTC).replace(hour=2, minute=29)
    with mock.patch.object(clock, "now", return_value=night):
        assert "rfm" not in client.lambda_.invoke("check_stock_levels", event).payload  # not yet
    with mock.patch.object(clock, "now", return_value=night + timedelta(minutes=2)):
        done = client.lambda_.invoke("check_stock_levels", event).payload["rfm"]
        assert "rfm" not in client.lambda_.invoke("check_stock_levels", event).payload  # once a night
    assert done["failures"] == 0 and done["customers"] >= 5
    groups = {c["customer_id"]: c["rfm"]["group"] for c in shop.get("/customers").json["items"]}
    assert groups["CHAMP"] == "champions" and groups["NEWBIE"] == "new" and groups["GONE"] == "lost"
    assert groups["SLEEPY"] == "at_risk"
    champ = shop.get("/customers/CHAMP").json["rfm"]
    assert champ["recency"] == 5 and champ["score"] == "555" or champ["score"][0] == "5"
    assert shop.get("/customers?group=champions").json["items"][0]["customer_id"] == "CHAMP"
    assert customers.recompute_rfm(shop.tenant_id)["changed"] == 0  # nothing moved: nothing written


def test_forget_keeps_the_sales_but_not_the_person(shop, client):
    stock(shop, "TEA", 10, name="Tea", price="3.00")
    sale = sell(shop, [{"sku": "TEA", "quantity": 1}], {"id": "F-1", "name": "Fay", "email": "fay@x.com",
                                                        "city": "York", "segment": "Consumer"})  # fmt: skip
    assert shop.delete("/customers/F-1").status_code == 204
    got = shop.get("/customers/F-1").json
    assert got["name"] is None and got["email"] is None and got["city"] is None and got["orders"] == 1
    kept = shop.get(f"/sales/{sale['sale_id']}").json["customer"]
    assert kept == {"customer_id": "F-1", "segment": "Consumer"}
    assert shop.get("/reports/sales?by=customer").json["totals"]["revenue"] == 3
    assert shop.delete("/customers/NOPE").status_code == 404


def test_superstore_slice_fills_customers(client):
    import csv

    shop = register_shop(client, "Superstore")
    text = "\n".join(SLICE.read_text().splitlines()[:61])  # 60 rows: moto copies tables per transaction
    result = upload(shop, "/imports/sales", text.encode()).json
    expected = {row["Customer ID"] for row in csv.DictReader(text.splitlines())}
    listed = shop.get("/customers?limit=200").json
    assert listed["total"] == len(expected) and result["sales"] > 0
    assert sum(c["orders"] for c in listed["items"]) == result["sales"]
    report = exact(shop.get("/reports/sales?by=customer&from=2014-01-01&to=2019-12-31"))
    assert "Unspecified" not in {r["key"] for r in report["rows"]}  # every order has its customer
    assert {r["key"] for r in report["rows"]} == expected
    # each row is rounded to the cent on the way out (Superstore amounts have 4 decimals)
    assert abs(sum(r["revenue"] for r in report["rows"]) - report["totals"]["revenue"]) <= Decimal("0.005") * len(
        report["rows"])
    claire = shop.get("/customers/CG-12520").json
    assert claire["name"] == "Claire Gute" and claire["segment"] == "Consumer" and claire["sales"]
    assert claire["first_purchase"].startswith("2016-11-08")
    again = upload(shop, "/imports/sales", text.encode()).json
    assert again["sales"] == 0
    assert shop.get("/customers/CG-12520").json["orders"] == claire["orders"]  # counted once


# --- the property: a customer's totals are their sales net of returns ---------------------------

_shop: dict[str, Api] = {}


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["P", "Q"]), st.integers(1, 4), st.integers(0, 4),
                          st.integers(0, 90)), min_size=1, max_size=5))  # fmt: skip
def test_customer_totals_are_their_sales_net_of_returns(client, plan):
    shop = _shop.get("api") or _shop.setdefault("api", register_shop(client, "Property"))
    if not _shop.get("stocked"):
        stock(shop, "PTEA", 10_000, name="Tea", price="2.35", unit_cost="0.97")
        _shop["stocked"] = True
    sold = {}
    for cid, qty, back, days in plan:
        cid = f"{cid}-{_shop.setdefault('n', 0)}"
        sale = sell(shop, [{"sku": "PTEA", "quantity": qty}], {"id": cid}, sold_at=ago(days))
        if back and back <= qty:
            assert shop.post(f"/sales/{sale['sale_id']}/returns",
                             {"lines": [{"sku": "PTEA", "quantity": back}]}).status_code == 201  # fmt: skip
        sold.setdefault(cid, []).append(sale["sale_id"])
    _shop["n"] += 1
    for cid, sale_ids in sold.items():
        got = exact(shop.get(f"/customers/{cid}"))
        sales = [exact(shop.get(f"/sales/{s}")) for s in sale_ids]
        revenue = sum(s["revenue"] - sum(r["refund_total"] for r in s["returns"]) for s in sales)  # no tax here
        cost = sum(ln["cost"] * (ln["quantity"] - ln["returned"]) / ln["quantity"] for s in sales for ln in s["lines"])
        assert got["orders"] == len(sales)
        assert got["revenue"] == revenue
        assert abs(got["profit"] - (revenue - cost)) <= Decimal("0.01")
        assert got["first_purchase"] == min(s["sold_at"] for s in sales)
        assert got["last_purchase"] == max(s["sold_at"] for s in sales)

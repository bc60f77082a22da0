"""POST /ask end to end, in process (moto): answers checked against the report endpoints on
imported Superstore orders, fuzzy product names, never acting, tenancy and bad input.

The clock is fixed at 2017-12-31 12:00 UTC; the shop keeps New Zealand time, where it is already
1 January 2018, so "today" and "last year" must follow the shop's calendar, not UTC's.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.unit.conftest import PASSWORD, Api, new_product, receive

SLICE = Path(__file__).resolve().parent.parent / "data" / "superstore-slice.csv"
# moto copies whole tables per transaction: a few dozen order lines keep this module quick.
FEW = "\n".join(SLICE.read_text(encoding="utf-8").splitlines()[:41]) + "\n"
NOW = datetime(2017, 12, 31, 12, 0, tzinfo=UTC)
ZONE = "Pacific/Auckland"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    from chalicelib import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture(scope="module")
def store(client, aws):
    """A shop in Auckland with the Superstore slice imported and a few products in stock."""
    from chalicelib import clock

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clock, "now", lambda: NOW)
        anonymous = Api(client)
        email = "ask-owner@example.com"
        reply = anonymous.post("/auth/register", {"shop_name": "Ask shop", "email": email, "password": PASSWORD,
                                                  "timezone": ZONE})
        assert reply.status_code == 201, reply.body
        api = Api(client, anonymous.post("/auth/login", {"email": email, "password": PASSWORD}).json["id_token"])
        api.tenant_id = reply.json["tenant_id"]  # type: ignore[attr-defined]
        imported = api.call("POST", "/imports/sales", raw=FEW.encode(), headers={"Content-Type": "text/csv"})
        assert imported.status_code == 200 and imported.json["errors"] == [], imported.body
        for sku, name, stock, minimum in (("MUG-B", "Blue mug", 12, 4), ("MUG-R", "Red mug", 2, 5),
                                          ("TREE-1", "Mug tree", 3, 0), ("COF-250", "Ground coffee 250 g", 40, 10)):
            new_product(api, sku, name=name, min_stock=minimum, category="Kitchen")
            assert receive(api, sku, stock).status_code == 201
        sale = api.post("/sales", {"lines": [{"sku": "COF-250", "quantity": 3}, {"sku": "MUG-R", "quantity": 1}]})
        assert sale.status_code == 201, sale.body
    return api


def ask(api: Api, question: str) -> dict:
    reply = api.post("/ask", {"question": question})
    assert reply.status_code == 200, reply.body
    return reply.json


def report(api: Api, path: str) -> dict:
    reply = api.get(path)
    assert reply.status_code == 200, reply.body
    return reply.json


# --- figures agree with the reports --------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "metric", "first", "last"),
    [
        ("revenue last year", "revenue", "2017-01-01", "2017-12-31"),
        ("profit in 2016", "profit", "2016-01-01", "2016-12-31"),
        ("how many orders in june 2016", "orders", "2016-06-01", "2016-06-30"),
        ("units sold between 1 sep 2015 and 30 nov 2015", "units", "2015-09-01", "2015-11-30"),
        ("takings in 2014", "revenue", "2014-01-01", "2014-12-31"),
    ],
)
def test_totals_match_the_sales_report(store, question, metric, first, last):
    body = ask(store, question)
    assert body["understood"] and body["data"]["intent"] == "total"
    assert body["data"]["period"]["from"] == first and body["data"]["period"]["to"] == last
    totals = report(store, f"/reports/sales?from={first}&to={last}&by=month")["totals"]
    assert body["data"]["value"] == totals[metric]
    assert body["data"]["figures"] == totals
    assert body["link"].startswith("#/reports?tab=sales") and f"from={first}" in body["link"]
    assert first[:4] in body["answer"]  # the answer names the period it covers
    said = f"${totals[metric]:,.2f}" if metric in ("revenue", "profit") else f"{totals[metric]:,}"
    assert said in body["answer"]  # the sentence says the figure the report shows, to the cent


def test_margin_and_average_order_are_computed_from_the_same_totals(store):
    totals = report(store, "/reports/sales?from=2016-01-01&to=2016-12-31&by=month")["totals"]
    margin = ask(store, "margin in 2016")
    assert margin["data"]["value"] == round(totals["profit"] / totals["revenue"] * 100, 1)
    aov = ask(store, "average order value in 2016")
    assert aov["data"]["value"] == round(totals["revenue"] / totals["orders"], 2)


def test_today_is_the_shops_day_not_utcs(store):
    body = ask(store, "sales today")
    assert body["data"]["period"] == {"from": "2018-01-01", "to": "2018-01-01", "label": "today"}
    summary = report(store, "/reports/summary")
    assert summary["date"] == "2018-01-01"
    assert body["data"]["value"] == summary["revenue"] > 0 and body["data"]["figures"]["orders"] == summary["orders"]
    assert "1 Jan 2018" in body["answer"]


def test_rankings_match_the_breakdowns(store):
    body = ask(store, "top 3 categories in 2016")
    rows = report(store, "/reports/sales?from=2016-01-01&to=2016-12-31&by=category")["rows"]
    expected = sorted((r for r in rows if r["orders"]), key=lambda r: (-r["revenue"], r["key"]))[:3]
    assert [(r["key"], r["revenue"]) for r in body["data"]["rows"]] == [(r["key"], r["revenue"]) for r in expected]
    assert body["link"] == "#/reports?tab=sales&by=category&from=2016-01-01&to=2016-12-31"

    best = ask(store, "best sellers by units in 2015")
    rows = report(store, "/reports/sales?from=2015-01-01&to=2015-12-31&by=product")["rows"]
    top = max(rows, key=lambda r: (r["units"], -ord(r["key"][0])))
    assert best["data"]["rows"][0]["units"] == top["units"]
    assert best["data"]["rows"][0]["name"] in best["answer"]

    worst = ask(store, "worst region by profit in 2016")
    rows = report(store, "/reports/sales?from=2016-01-01&to=2016-12-31&by=region")["rows"]
    assert worst["data"]["rows"][0]["profit"] == min(r["profit"] for r in rows if r["orders"])


def test_comparison_states_both_periods_and_the_change(store):
    body = ask(store, "revenue 2016 vs 2015")
    a = report(store, "/reports/sales?from=2016-01-01&to=2016-12-31&by=month")["totals"]["revenue"]
    b = report(store, "/reports/sales?from=2015-01-01&to=2015-12-31&by=month")["totals"]["revenue"]
    assert (body["data"]["value"], body["data"]["previous"]) == (a, b)
    assert body["data"]["change"] == round((a - b) / b * 100, 1)
    assert "2016" in body["answer"] and "2015" in body["answer"] and "%" in body["answer"]


def test_stock_questions(store):
    blue = ask(store, "how many blu mug do i have")
    assert blue["understood"] and blue["data"]["sku"] == "MUG-B" and blue["data"]["on_hand"] == 12
    assert blue["link"] == "#/products/MUG-B"
    assert report(store, "/products/MUG-B")["on_hand"] == 12

    coffee = ask(store, "how much grnd cofee is left")
    assert coffee["data"]["sku"] == "COF-250" and coffee["data"]["on_hand"] == 37

    mugs = ask(store, "how many mugs do i have")  # three products are mugs: ask which
    assert mugs["understood"] and mugs["data"]["needs_choice"]
    assert {m["sku"] for m in mugs["data"]["matches"]} == {"MUG-B", "MUG-R", "TREE-1"}
    assert mugs["answer"].startswith("3 products match") and len(mugs["suggestions"]) == 3

    low = ask(store, "whats running low")
    listed = report(store, "/products?low_stock=true")["items"]
    assert [r["sku"] for r in low["data"]["rows"]] == [p["sku"] for p in listed] == ["MUG-R"]
    assert low["link"] == "#/products?low=1"

    run_out = ask(store, "what will run out soon")
    assert "Forecasts are not available yet" in run_out["answer"] and run_out["data"]["rows"][0]["sku"] == "MUG-R"
    reorder = ask(store, "what should i reorder")
    assert reorder["data"]["rows"] == [{"sku": "MUG-R", "name": "Red mug", "on_hand": 1, "suggested_qty": 9}]

    dead = ask(store, "how much cash is tied up in dead stock")
    expected = report(store, "/reports/dead-stock?days=90")
    assert dead["data"]["total_value_at_cost"] == expected["total_value_at_cost"]
    assert dead["data"]["count"] == expected["count"]

    worth = ask(store, "what is my stock worth")
    summary = report(store, "/reports/summary")
    assert worth["data"]["stock_value_cost"] == summary["stock_value_cost"]


def test_a_product_total(store):
    body = ask(store, "how many ground coffee did i sell today")
    assert body["data"]["sku"] == "COF-250" and body["data"]["figures"]["units"] == 3


def test_what_is_not_available_yet_is_said_plainly(store):
    for question, words in (("top suppliers by reject rate", "not in Shelfwise's reports yet"),
                            ("who are my best customers", "not in Shelfwise's reports yet"),
                            ("customers at risk", "not in Shelfwise's reports yet")):
        body = ask(store, question)
        assert body["understood"] and body["data"]["available"] is False and words in body["answer"], question


def test_returns_and_tax_come_from_their_reports(store):
    """Imported history has no tax and no returns: the answers say so from the reports, not "unknown"."""
    tax = ask(store, "tax in 2016")
    assert tax["understood"] and tax["answer"].startswith("Tax collected in 2016")
    assert tax["link"].startswith("#/reports?tab=tax")
    assert tax["data"]["value"] == report(store, "/reports/tax?from=2016-01-01&to=2016-12-31")["totals"]["tax"]
    back = ask(store, "returns last year")
    assert back["understood"] and "No returns" in back["answer"] and back["link"].startswith("#/reports?tab=returns")


# --- never acts, not understood, bad input, tenancy ------------------------------------------------


def test_asking_to_change_something_changes_nothing(store):
    before = report(store, "/products?limit=200")["items"]
    for question in ("delete all my products", "set the price to 0", "change the price of blue mug to 0",
                     "please remove the red mug", "add 100 blue mugs to stock"):
        body = ask(store, question)
        assert body["understood"] and body["data"]["changed"] is False, question
        assert "nothing was changed" in body["answer"] and body["link"].startswith("#/")
    assert report(store, "/products?limit=200")["items"] == before


def test_off_topic_is_not_understood(store):
    for question in ("whats the weather", "tell me a joke", "asdf qwerty"):
        body = ask(store, question)
        assert body["understood"] is False and body["suggestions"], question


def test_a_period_it_cannot_read_is_asked_again_not_guessed(store):
    body = ask(store, "sales over christmas")
    assert body["understood"] is False and "haven't guessed" in body["answer"] and body["suggestions"]


def test_an_unknown_product_is_said_not_guessed(store):
    body = ask(store, "how many zebra cushions do i have")
    assert body["understood"] is False and "zebra cushions" in body["answer"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"question": ""}, 422),
        ({"question": "   "}, 422),
        ({"question": "x" * 2048}, 422),
        ({}, 422),
        ({"question": 5}, 422),
        ({"question": "sales today", "extra": 1}, 422),
    ],
)
def test_bad_input(store, body, status):
    reply = store.post("/ask", body)
    assert reply.status_code == status and reply.json["code"] == "validation_error", reply.body


@pytest.mark.parametrize(
    "question",
    ["sales between 1 jan 1971 and 1 jan 2017", "1970 vs 1969", "sales last 9999 years", "revenue on 2017-02-30",
     "top 99 products all time", "'; drop table products; --", "\U0001f4a9 sales today", "a " * 240,
     "how many \u00e9clair \u00e0 la cr\u00e8me do i have", "sales 0001-01-01 to 9999-12-31"],
)
def test_odd_questions_get_an_answer_not_an_error(store, question):
    body = ask(store, question)
    assert isinstance(body["understood"], bool) and body["answer"]


def test_bad_json_and_no_token(store, client):
    assert store.call("POST", "/ask", raw="{not json").status_code == 400
    assert Api(client).post("/ask", {"question": "sales today"}).status_code == 401


def test_another_shops_products_are_not_seen(store, client):
    from tests.unit.conftest import register_shop

    other = register_shop(client, "Other shop")
    new_product(other, "SEC-1", name="Secret widget")
    assert receive(other, "SEC-1", 7).status_code == 201
    mine = ask(store, "how many secret widget do i have")
    assert mine["understood"] is False and "SEC-1" not in str(mine)
    theirs = ask(other, "how many blue mug do i have")  # the attacker asks about my products
    assert theirs["understood"] is False and "MUG-B" not in str(theirs)
    assert ask(other, "revenue in 2016")["data"]["value"] == 0  # my history is not theirs


def test_staff_may_not_ask(store, client, aws):
    aws["idp"].admin_create_user(
        UserPoolId=aws["pool_id"], Username="ask-staff@example.com", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "ask-staff@example.com"},
                        {"Name": "custom:tenant_id", "Value": store.tenant_id},
                        {"Name": "custom:role", "Value": "staff"}],
    )  # fmt: skip
    aws["idp"].admin_set_user_password(
        UserPoolId=aws["pool_id"], Username="ask-staff@example.com", Password="Staff-pass1", Permanent=True
    )
    token = Api(client).post("/auth/login", {"email": "ask-staff@example.com", "password": "Staff-pass1"}).json
    reply = Api(client, token["id_token"]).post("/ask", {"question": "sales today"})
    assert reply.status_code == 403


def test_latency_in_process(store):
    """p50 of a mix of questions in process against moto (printed for the report; moto is far
    slower than DynamoDB, so this is an upper bound, not a target)."""
    questions = ["sales today", "profit last year", "top 3 categories in 2016", "how many blu mug do i have",
                 "this month vs last month", "whats running low", "delete all my products", "whats the weather"]
    timings = []
    for question in questions * 3:
        start = time.perf_counter()
        ask(store, question)
        timings.append(time.perf_counter() - start)
    p50 = statistics.median(timings)
    print(f"\n/ask p50 in process (moto): {p50 * 1000:.0f} ms over {len(timings)} questions")
    assert p50 < 2.0

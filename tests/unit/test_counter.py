"""The counter: shop settings, tax and discounts, payment methods, selling by measure, returns."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib import pricing
from tests.unit.conftest import new_product, receive


def exact(reply):
    return json.loads(reply.body, parse_float=Decimal)


def stock(shop, sku, qty, **fields):
    new_product(shop, sku, **fields)
    if qty:
        assert receive(shop, sku, qty).status_code == 201, f"could not receive {sku}"


def sell(shop, lines, **extra):
    return shop.post("/sales", {"lines": lines, **extra})


# --- the arithmetic, against a straight Decimal computation --------------------------------

money = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
qty = st.decimals(min_value=Decimal("0.001"), max_value=1000, places=3, allow_nan=False, allow_infinity=False)
rates = st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.07"), Decimal("0.2"), Decimal("0.21"),
                         Decimal("0.075")])  # fmt: skip


def r2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=300, deadline=None)
@given(qty, money, rates, st.booleans(), st.integers(0, 100))
def test_line_arithmetic_matches_the_rule(quantity, unit_price, rate, include, pct):
    line = pricing.price_line(quantity, unit_price, rate, include, discount_pct=Decimal(pct))
    gross = r2(quantity * unit_price)
    discount = r2(gross * pct / 100)
    net = gross - discount
    tax = r2(net * rate / (1 + rate)) if include else r2(net * rate)
    assert (line.gross, line.discount, line.tax) == (gross, discount, tax)
    assert line.revenue == (net - tax if include else net)
    assert line.paid == (net if include else net + tax)
    assert line.revenue >= 0 and line.tax >= 0


@settings(max_examples=200, deadline=None)
@given(money, st.lists(st.integers(1, 5), min_size=1, max_size=6))
def test_partial_refunds_add_up_to_the_line(paid, parts):
    whole = Decimal(sum(parts))
    before, refunded = Decimal(0), Decimal(0)
    for part in parts:
        refunded += pricing.share(paid, before, Decimal(part), whole)
        before += part
    assert refunded == paid


def test_discount_larger_than_line_is_refused():
    try:
        pricing.price_line(Decimal(1), Decimal("5"), Decimal(0), False, discount=Decimal("5.01"))
    except pricing.DiscountTooLarge:
        pass
    else:
        raise AssertionError("a discount above the line was accepted")


# --- shop settings ----------------------------------------------------------------------


def test_shop_settings_round_trip(shop, other_shop):
    got = shop.get("/settings/shop")
    assert got.status_code == 200
    assert got.json["prices_include_tax"] is False and got.json["default_tax_rate"] == 0
    assert got.json["service_level"] == 0.95 and got.json["review_days"] == 7
    r = shop.patch("/settings/shop", {"address": "1 High St, Leeds", "tax_id": "GB123", "currency": "GBP",
                                      "default_tax_rate": "0.2", "prices_include_tax": True})  # fmt: skip
    assert r.status_code == 200, r.body
    assert r.json["currency"] == "GBP" and r.json["default_tax_rate"] == 0.2 and r.json["address"] == "1 High St, Leeds"
    assert shop.get("/me").json["currency"] == "GBP"
    assert other_shop.get("/settings/shop").json["currency"] == "USD"  # nothing leaks across shops
    assert shop.patch("/settings/shop", {"address": None}).json["address"] == ""


def test_shop_settings_bad_input(shop):
    for body, field in [
        ({"default_tax_rate": -0.1}, "default_tax_rate"),
        ({"default_tax_rate": 1.5}, "default_tax_rate"),
        ({"currency": "pounds"}, "currency"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"shop_name": None}, None),
        ({}, None),
        ({"colour": "red"}, "colour"),
    ]:
        r = shop.patch("/settings/shop", body)
        assert r.status_code == 422, (body, r.body)
        if field:
            assert any(field in d["field"] for d in r.json["details"]), (body, r.json)


# --- tax, discounts, payment ------------------------------------------------------------


def test_sale_with_tax_and_discounts_prices_excluding_tax(shop):
    shop.patch("/settings/shop", {"default_tax_rate": "0.2"})
    stock(shop, "TEA", 10, name="Tea", price="3.00", unit_cost="1.20")
    stock(shop, "BOOK", 5, name="Book", price="10.00", unit_cost="4.00", tax_rate="0")
    lines = [{"sku": "TEA", "quantity": 3, "discount_pct": 10}, {"sku": "BOOK", "quantity": 1, "discount": "1.5"}]
    r = sell(shop, lines, payment_method="cash")
    assert r.status_code == 201, r.body
    sale = exact(r)
    tea, book = sale["lines"]
    figures = ("gross", "discount", "tax", "revenue")
    assert [tea[f] for f in figures] == [9, Decimal("0.9"), Decimal("1.62"), Decimal("8.1")]
    assert [book[f] for f in figures] == [10, Decimal("1.5"), 0, Decimal("8.5")]
    assert (sale["subtotal"], sale["discount_total"], sale["tax_total"]) == (19, Decimal("2.4"), Decimal("1.62"))
    assert sale["total"] == Decimal("18.22") and sale["revenue"] == Decimal("16.6")
    assert sale["profit"] == Decimal("16.6") - Decimal("3.6") - 4 and sale["payment_method"] == "cash"
    summary = exact(shop.get("/reports/summary"))
    assert summary["revenue"] == Decimal("16.6") and summary["tax"] == Decimal("1.62")
    assert summary["takings"] == [{"method": "cash", "amount": Decimal("18.22")}]
    tax = exact(shop.get("/reports/tax"))
    assert tax["rows"] == [{"rate": 0, "taxable": Decimal("8.5"), "tax": 0},
                           {"rate": Decimal("0.2"), "taxable": Decimal("8.1"), "tax": Decimal("1.62")}]  # fmt: skip
    assert tax["totals"]["tax"] == Decimal("1.62")
    assert exact(shop.get("/reports/sales"))["totals"]["revenue"] == Decimal("16.6")  # reports exclude tax


def test_prices_including_tax(shop):
    shop.patch("/settings/shop", {"default_tax_rate": "0.2", "prices_include_tax": True})
    stock(shop, "WINE", 5, name="Wine", price="12.00", unit_cost="5.00")
    sale = exact(sell(shop, [{"sku": "WINE", "quantity": 1}], payment_method="card"))
    line = sale["lines"][0]
    assert line["tax"] == 2 and line["revenue"] == 10 and sale["total"] == 12 and sale["profit"] == 5


def test_counter_bad_input_changes_nothing(shop):
    stock(shop, "TEA", 10, name="Tea", price="3.00")
    cases = [
        ([{"sku": "TEA", "quantity": 1, "discount": "3.01"}], 422, "discount_too_large"),
        ([{"sku": "TEA", "quantity": 1, "discount": "1", "discount_pct": 5}], 422, None),
        ([{"sku": "TEA", "quantity": 1, "discount_pct": 101}], 422, None),
        ([{"sku": "TEA", "quantity": 1.5}], 422, "fractional_quantity"),
        ([{"sku": "TEA", "quantity": 1.0001}], 422, None),
    ]
    for lines, status, code in cases:
        r = sell(shop, lines)
        assert r.status_code == status, (lines, r.body)
        assert r.json["details"], r.json
        if code:
            assert r.json["code"] == code, r.json
    assert shop.get("/products/TEA").json["on_hand"] == 10
    assert shop.get("/sales").json["items"] == []
    assert shop.post("/products", {"sku": "X", "name": "X", "price": 1, "tax_rate": -0.1}).status_code == 422


# --- selling by measure -----------------------------------------------------------------


def test_selling_by_weight(shop):
    r = shop.post("/products", {"sku": "CHEESE", "name": "Cheddar", "price": "18.50", "unit": "kg",
                                "unit_cost": "9", "min_stock": 0.5})  # fmt: skip
    assert r.status_code == 201, r.body
    assert r.json["unit"] == "kg"
    assert shop.post("/products/CHEESE/stock", {"type": "receive", "quantity": 2.5}).json["on_hand"] == 2.5
    sale = exact(sell(shop, [{"sku": "CHEESE", "quantity": 0.375}]))
    assert sale["lines"][0]["quantity"] == Decimal("0.375") and sale["total"] == Decimal("6.94")  # 6.9375
    assert exact(shop.get("/products/CHEESE"))["on_hand"] == Decimal("2.125")
    moves = exact(shop.get("/products/CHEESE/movements"))["items"]
    assert moves[0]["change"] == Decimal("-0.375")
    assert exact(shop.get("/reports/sales?by=product"))["rows"][0]["units"] == Decimal("0.375")
    assert sell(shop, [{"sku": "CHEESE", "quantity": 3}]).json["code"] == "insufficient_stock"


def test_fraction_of_an_each_product_is_refused_everywhere(shop):
    stock(shop, "MUG", 3, name="Mug", price="5")
    assert shop.post("/products/MUG/stock", {"type": "adjust", "quantity": 0.5}).status_code == 422
    assert shop.patch("/products/MUG", {"min_stock": 1.5}).status_code == 422
    assert shop.post("/products", {"sku": "B", "name": "B", "price": 1, "min_stock": 0.5}).status_code == 422
    assert shop.get("/products/MUG").json["on_hand"] == 3


# --- returns ----------------------------------------------------------------------------


def test_partial_and_repeated_returns(shop):
    shop.patch("/settings/shop", {"default_tax_rate": "0.1"})
    stock(shop, "TEA", 10, name="Tea", price="3.00", unit_cost="1")
    sale = exact(sell(shop, [{"sku": "TEA", "quantity": 3, "discount": "1"}], payment_method="cash"))
    assert sale["total"] == Decimal("8.8")  # (9 - 1) + 10 %
    first = shop.post(f"/sales/{sale['sale_id']}/returns",
                      {"lines": [{"sku": "TEA", "quantity": 1, "reason": "Damaged"}]})  # fmt: skip
    assert first.status_code == 201, first.body
    assert exact(first)["refund_total"] == Decimal("2.93") and first.json["lines"][0]["restocked"] is True
    assert shop.get("/products/TEA").json["on_hand"] == 8
    second = shop.post(f"/sales/{sale['sale_id']}/returns",
                       {"lines": [{"sku": "TEA", "quantity": 2, "restock": False, "reason": "expired"}]})  # fmt: skip
    assert exact(second)["refund_total"] == Decimal("5.87")  # the two refunds add up to what was paid
    assert shop.get("/products/TEA").json["on_hand"] == 8  # written off
    over = shop.post(f"/sales/{sale['sale_id']}/returns", {"lines": [{"sku": "TEA", "quantity": 1}]})
    assert over.status_code == 409 and over.json["code"] == "over_return"
    assert over.json["details"] == [{"sku": "TEA", "requested": 1, "returnable": 0}]
    got = exact(shop.get(f"/sales/{sale['sale_id']}"))
    assert [r["refund_total"] for r in got["returns"]] == [Decimal("2.93"), Decimal("5.87")]
    assert got["lines"][0]["returned"] == 3
    summary = exact(shop.get("/reports/summary"))
    assert summary["revenue"] == 0 and summary["tax"] == 0 and summary["units"] == 0 and summary["orders"] == 1
    assert summary["returns"] == Decimal("8.8") and summary["takings"] == [{"method": "cash", "amount": 0}]
    report = exact(shop.get("/reports/returns"))
    assert report["rows"] == [{"sku": "TEA", "name": "Tea", "sold": 3, "returned": 3, "rate": 1,
                               "refunded": Decimal("8.8"), "reasons": {"damaged": 1, "expired": 2}}]  # fmt: skip
    moves = shop.get("/products/TEA/movements").json["items"]
    assert moves[0]["type"] == "return" and moves[0]["ref"] == first.json["return_id"]


def test_return_bad_input(shop, other_shop):
    stock(shop, "TEA", 10, name="Tea", price="3.00")
    stock(shop, "MUG", 10, name="Mug", price="3.00")
    sale = sell(shop, [{"sku": "TEA", "quantity": 2}]).json
    path = f"/sales/{sale['sale_id']}/returns"
    assert shop.post(path, {"lines": [{"sku": "MUG", "quantity": 1}]}).json["code"] == "unknown_sku"
    assert shop.post(path, {"lines": [{"sku": "TEA", "quantity": 3}]}).json["code"] == "over_return"
    assert shop.post(path, {"lines": [{"sku": "TEA", "quantity": 0.5}]}).status_code == 422
    assert shop.post(path, {"lines": []}).status_code == 422
    assert other_shop.post(path, {"lines": [{"sku": "TEA", "quantity": 1}]}).status_code == 404
    assert shop.get("/products/TEA").json["on_hand"] == 8
    assert shop.get(f"/sales/{sale['sale_id']}").json["returns"] == []


def test_return_is_idempotent(shop):
    stock(shop, "TEA", 10, name="Tea", price="3.00")
    sale = sell(shop, [{"sku": "TEA", "quantity": 2}]).json
    body = {"lines": [{"sku": "TEA", "quantity": 1}]}
    first = shop.post(f"/sales/{sale['sale_id']}/returns", body, headers={"Idempotency-Key": "ret-1"})
    again = shop.post(f"/sales/{sale['sale_id']}/returns", body, headers={"Idempotency-Key": "ret-1"})
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert shop.get("/products/TEA").json["on_hand"] == 9
    assert len(shop.get(f"/sales/{sale['sale_id']}").json["returns"]) == 1


# --- invoices ---------------------------------------------------------------------------


def test_invoice_a_shop_can_hand_over(shop):
    shop.patch("/settings/shop", {"address": "1 High St <Leeds>", "tax_id": "GB123", "currency": "GBP",
                                  "default_tax_rate": "0.2"})  # fmt: skip
    shop.post("/products", {"sku": "CHEESE", "name": "Cheddar", "price": "18.50", "unit": "kg"})
    assert receive(shop, "CHEESE", 2).status_code == 201
    sale = sell(shop, [{"sku": "CHEESE", "quantity": 0.5, "discount": "1.25"}], payment_method="card",
                customer={"name": "Ann Lee"}).json  # fmt: skip
    shop.post(f"/sales/{sale['sale_id']}/returns", {"lines": [{"sku": "CHEESE", "quantity": 0.25, "reason": "mould"}]})
    page = shop.get(f"/sales/{sale['sale_id']}/invoice")
    assert page.status_code == 200
    html = page.body.decode()
    for text in ["1 High St &lt;Leeds&gt;", "Tax id: GB123", "Customer: Ann Lee", "0.5 kg", "9.25", "1.25",
                 "20 %", "Tax 20 % on 8.00", "1.60", "Total (GBP)", "9.60", "Paid by card", "Credit note",
                 "mould", "-4.80", "@media print"]:  # fmt: skip
        assert text in html, text

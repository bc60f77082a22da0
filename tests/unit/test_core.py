"""The core's rules: writes that claim their Idempotency-Key, sales counted exactly once even
when their second transaction is lost, tills with their own invoice series, and owner edits
that do not race stock movements."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest

from chalicelib import db
from chalicelib.errors import ServiceUnavailable
from tests.unit.conftest import new_product, receive


def forget_replies(aws) -> int:
    """Empty powertools' store of replies, as an outage between a write and its stored reply
    would leave it: only the writes' own claims stay."""
    table = aws["IDEMPOTENCY_TABLE_NAME"]
    client = boto3.client("dynamodb")
    gone = 0
    for item in client.scan(TableName=table)["Items"]:
        if not item["id"]["S"].startswith("claim#"):
            client.delete_item(TableName=table, Key={"id": item["id"]})
            gone += 1
    return gone


def test_a_sale_retried_after_its_reply_was_lost_is_not_sold_again(shop, aws):
    new_product(shop, "LAST", price="5.00")
    receive(shop, "LAST", 1)
    body = {"lines": [{"sku": "LAST", "quantity": 1}]}
    first = shop.post("/sales", body, headers={"Idempotency-Key": "till-1-sale-9"})
    assert first.status_code == 201
    for _ in range(3):  # whatever was lost in between, the key leads back to the first sale
        # A sale stores no reply (its claim, in the sale's transaction, leads back to it).
        assert forget_replies(aws) == 0
        again = shop.post("/sales", body, headers={"Idempotency-Key": "till-1-sale-9"})
        assert again.status_code == 201, again.body
        assert again.json["sale_id"] == first.json["sale_id"]
        assert again.json["invoice_no"] == first.json["invoice_no"]
    assert shop.get("/products/LAST").json["on_hand"] == 0
    assert len(shop.get("/sales").json["items"]) == 1
    forget_replies(aws)
    body["lines"][0]["quantity"] = 2
    other = shop.post("/sales", body, headers={"Idempotency-Key": "till-1-sale-9"})
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"


def test_a_movement_and_a_receipt_retried_after_their_replies_were_lost(shop, aws):
    new_product(shop, "FLOUR")
    body = {"type": "receive", "quantity": 6, "unit_cost": "1.10"}
    first = shop.post("/products/FLOUR/stock", body, headers={"Idempotency-Key": "delivery-7"})
    forget_replies(aws)
    again = shop.post("/products/FLOUR/stock", body, headers={"Idempotency-Key": "delivery-7"})
    assert again.status_code == 201 and again.json == first.json
    assert shop.get("/products/FLOUR").json["on_hand"] == 6

    supplier = shop.post("/suppliers", {"name": "Mill"}).json["supplier_id"]
    po = shop.post(
        "/purchase-orders", {"supplier_id": supplier, "lines": [{"sku": "FLOUR", "quantity": 4, "unit_cost": "1.00"}]}
    ).json["po_id"]
    assert shop.post(f"/purchase-orders/{po}/status", {"status": "ordered"}).status_code == 200
    receipt = {"lines": [{"sku": "FLOUR", "quantity": 4}]}
    got = shop.post(f"/purchase-orders/{po}/receipts", receipt, headers={"Idempotency-Key": "truck-1"})
    assert got.status_code == 201, got.body
    forget_replies(aws)
    # The order is fully received now, so a new receipt would be refused: the retry must find the first.
    again = shop.post(f"/purchase-orders/{po}/receipts", receipt, headers={"Idempotency-Key": "truck-1"})
    assert again.status_code == 201, again.body
    assert again.json["status"] == "received"
    assert shop.get("/products/FLOUR").json["on_hand"] == 10


def test_a_sale_whose_rollups_were_interrupted_is_counted_once_by_the_schedule(shop, client, monkeypatch):
    from chalicelib.services import sales

    new_product(shop, "JAM", price="3.00", unit_cost="1.00")
    receive(shop, "JAM", 5)

    def outage(tenant_id, sale):
        raise ServiceUnavailable("DynamoDB went away")

    with monkeypatch.context() as patched:
        patched.setattr(sales, "apply_rollups", outage)
        sold = shop.post("/sales", {"lines": [{"sku": "JAM", "quantity": 2}]})
    assert sold.status_code == 201  # the sale stands: its stock and ledger are written
    today = sold.json["sold_at"][:10]
    assert shop.get(f"/reports/summary?date={today}").json["orders"] == 0

    monkeypatch.setattr(sales, "SETTLE_AFTER", -sales.SETTLE_AFTER)  # as if a minute had passed
    for _ in range(2):  # the schedule runs again (or twice at once): still counted once
        client.lambda_.invoke("check_stock_levels", client.events.generate_cw_event("Scheduled Event", "", {}, ""))
    summary = shop.get(f"/reports/summary?date={today}").json
    assert summary["orders"] == 1 and summary["revenue"] == 6 and summary["units"] == 2


def test_each_till_numbers_its_own_invoices(shop):
    new_product(shop, "PEN", price="1.00")
    receive(shop, "PEN", 20)

    def sell(till=None):
        body = {"lines": [{"sku": "PEN", "quantity": 1}], **({"till": till} if till else {})}
        reply = shop.post("/sales", body)
        assert reply.status_code == 201, reply.body
        return reply.json["till"], reply.json["invoice_no"]

    assert [sell(), sell("front"), sell("front"), sell("back"), sell()] == [
        ("main", 1), ("front", 1), ("front", 2), ("back", 1), ("main", 2)
    ]
    assert shop.post("/sales", {"lines": [{"sku": "PEN", "quantity": 1}], "till": "a b"}).status_code == 422
    totals = shop.get("/reports/sales?by=day&from=2026-01-01").json["totals"]
    assert totals["orders"] == 5 and totals["revenue"] == 5


def test_an_edit_does_not_race_a_sale_unless_it_touches_stock_rules(shop):
    new_product(shop, "SOAP", price="2.00", min_stock=2)
    receive(shop, "SOAP", 10)
    read = db.get_product(shop.tenant_id, "SOAP")
    assert shop.post("/sales", {"lines": [{"sku": "SOAP", "quantity": 1}]}).status_code == 201
    # Read before the sale, written after it: a rename still goes through...
    db.edit_product(shop.tenant_id, read, {"name": "Olive soap"}, [])
    # ...but a new minimum was decided on stale stock, and must be decided again.
    with pytest.raises(db.ConditionFailed):
        db.edit_product(shop.tenant_id, read, {"min_stock": 9}, [])
    # Two edits from the same read: the second lost the race.
    with pytest.raises(db.ConditionFailed):
        db.edit_product(shop.tenant_id, read, {"name": "Soap"}, [])
    product = shop.patch("/products/SOAP", {"min_stock": 9}).json
    assert product["name"] == "Olive soap" and product["low_stock"] is True and product["on_hand"] == 9


def test_rollup_items_stay_small_whatever_the_customers_write(shop):
    new_product(shop, "BUN", price="0.80", unit_cost="0.30")
    receive(shop, "BUN", 40)
    for n in range(40):  # every sale a new 100-character region and state
        customer = {"region": f"{n:03d}" + "r" * 97, "state": f"{n:03d}" + "s" * 97}
        assert shop.post("/sales", {"lines": [{"sku": "BUN", "quantity": 1}], "customer": customer}).status_code == 201
    items = boto3.client("dynamodb").query(
        TableName=db.table(),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": db.rollup_pk(shop.tenant_id)}},
    )["Items"]
    biggest = max(len(str(i)) for i in items)
    assert biggest < 1024, biggest  # one item per key: none grows with the number of keys
    regions = shop.get("/reports/sales?by=region&from=2026-01-01").json
    assert len(regions["rows"]) == 40 and regions["totals"]["revenue"] == 32
    assert sum(Decimal(str(r["revenue"])) for r in regions["rows"]) == Decimal("32")


def test_the_dashboard_summary_never_reads_the_catalogue(shop, monkeypatch):
    for n in range(6):
        new_product(shop, f"S{n}", price="3.00", unit_cost="1.25", min_stock=2)
        receive(shop, f"S{n}", n)
    assert shop.post("/sales", {"lines": [{"sku": "S5", "quantity": 1}]}).status_code == 201
    assert shop.patch("/products/S4", {"price": "4.00"}).status_code == 200
    assert shop.delete("/products/S3").status_code == 204

    def no_catalogue(*args, **kwargs):
        raise AssertionError("the summary read the whole catalogue")

    monkeypatch.setattr(db, "iter_products", no_catalogue)
    summary = shop.get("/reports/summary").json
    # on hand 0,1,2,(3 deleted),4,4 at cost 1.25; at retail 3.00 but S4 at 4.00
    assert summary["stock_value_cost"] == 11 * 1.25
    assert summary["stock_value_retail"] == 7 * 3 + 4 * 4
    assert summary["low_stock_count"] == 3  # S0, S1, S2 at or below 2


def test_search_goes_through_the_word_index_page_by_page(shop, monkeypatch):
    for n in range(7):
        new_product(shop, f"HB-{n}", name=f"Hex bolt M{n} zinc", barcode=f"50123450000{n:02d}")
    new_product(shop, "NUT-1", name="Hex nut M6")
    new_product(shop, "OLD", name="Brass hinge")
    assert shop.patch("/products/OLD", {"name": "Steel hinge"}).status_code == 200
    assert shop.delete("/products/HB-6").status_code == 204

    def no_catalogue(*args, **kwargs):
        raise AssertionError("the search read the catalogue")

    monkeypatch.setattr(db, "query_products", no_catalogue)
    seen, cursor = [], None
    while True:
        page = shop.get("/products?q=HEX%20bo&limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [p["sku"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == [f"HB-{n}" for n in range(6)]  # every hex bolt once, not the nut, not the deleted
    assert [p["sku"] for p in shop.get("/products?q=hinge").json["items"]] == ["OLD"]
    assert shop.get("/products?q=brass").json["items"] == []  # renamed: the old word finds nothing
    assert [p["sku"] for p in shop.get("/products?q=steel").json["items"]] == ["OLD"]
    assert [p["sku"] for p in shop.get("/products?q=000003").json["items"]] == ["HB-3"]  # a barcode's tail
    assert shop.get("/products?q=%20%2B%20").json["items"] == []  # no words at all

"""Forecast, stock-out and reorder endpoints, the nightly SQS fan-out and the predictive alert."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.unit.conftest import new_product, receive

QUEUE = "shelfwise-forecasts"


@pytest.fixture(scope="module")
def queue_url(aws):
    return boto3.client("sqs").create_queue(QueueName=QUEUE)["QueueUrl"]


HEADER = ("Row ID,Order ID,Order Date,Ship Date,Ship Mode,Customer ID,Customer Name,Segment,Country,City,State,"
          "Postal Code,Region,Product ID,Category,Sub-Category,Product Name,Sales,Quantity,Discount,Profit")


def sell_daily(shop, sku, per_day, days):
    """History through the sales import (one order a day for the last `days` days): fast, and
    like a shop bringing its past sales; stock is set apart (imports do not move it)."""
    today = datetime.now(UTC).date()
    rows = [HEADER]
    for back in range(days, 0, -1):
        qty = per_day(back) if callable(per_day) else per_day
        if qty:
            day = (today - timedelta(days=back)).isoformat()
            rows.append(f"{len(rows)},O-{sku}-{back},{day},{day},Standard,C1,Cat Buyer,Consumer,United Kingdom,"
                        f"Leeds,Yorkshire,1,North,{sku},Grocery,Hot drinks,Product {sku},{qty * 4.5},{qty},0,1")
    r = shop.call("POST", "/imports/sales", raw="\n".join(rows) + "\n", headers={"Content-Type": "text/csv"})
    assert r.status_code in (200, 201), r.body
    assert not r.json.get("errors"), r.json


def supplier(shop, lead=3, name="Acme"):
    r = shop.post("/suppliers", {"name": name, "lead_time_days": lead})
    assert r.status_code == 201, r.body
    return r.json["supplier_id"]


def emails(address):
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return [m for m in sent if address in m.destinations["ToAddresses"]]


def run_check(client):
    reply = client.lambda_.invoke(
        "check_stock_levels",
        client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]),
    )
    return reply.payload


def run_shop_message(client, tenant_id):
    event = client.events.generate_sqs_event(message_bodies=[json.dumps({"tenant_id": tenant_id})], queue_name=QUEUE)
    return client.lambda_.invoke("forecast_shop", event).payload


def test_product_forecast(shop, other_shop):
    sid = supplier(shop, lead=3)
    new_product(shop, "TEA", supplier_id=sid)
    sell_daily(shop, "TEA", lambda back: 4 if back % 7 else 6, 42)
    receive(shop, "TEA", 400)
    r = shop.get("/products/TEA/forecast?days=28")
    assert r.status_code == 200, r.body
    f = r.json
    assert f["pattern"] == "smooth" and f["method"] in ("level", "damped_trend")
    assert len(f["daily"]) == 28 and f["daily"][0]["date"] == f["as_of"]
    assert 3.5 < sum(d["mean"] for d in f["daily"][:7]) / 7 < 5.5
    assert f["lead_time_days"] == 3  # the supplier's
    lead = f["lead_time_demand"]
    assert lead["p50"] <= lead["p90"] <= lead["p95"] and 9 < lead["mean"] < 17
    assert f["on_hand"] == 400
    assert f["runs_out_on"] is None  # more than 90 days of stock
    assert f["days_of_cover"] and f["days_of_cover"] > 50
    assert len(f["history"]) == 42 and f["history"][-1]["units"] in (4, 6)  # from its first sale
    # The chart's band: each day's p10-p90 range around its mean.
    assert len(f["band"]) == 28
    assert all(b["p10"] < d["mean"] < b["p90"] for b, d in zip(f["band"], f["daily"], strict=True))
    # Another lead time on request; the stored forecast answers (same as_of and method).
    again = shop.get("/products/TEA/forecast?days=7&lead_time_days=14").json
    assert again["lead_time_days"] == 14 and len(again["daily"]) == 7 and again["lead_time_demand"]["mean"] > 40
    # Bad input and other shops.
    for bad in ("days=0", "days=91", "days=x", "lead_time_days=-1"):
        assert shop.get(f"/products/TEA/forecast?{bad}").status_code == 422, bad
    assert shop.get("/products/NOPE/forecast").status_code == 404
    assert other_shop.get("/products/TEA/forecast").status_code == 404
    assert shop.__class__(shop.client).get("/products/TEA/forecast").status_code == 401


def test_never_sold_is_new_with_zero_forecast(shop):
    new_product(shop, "NEWBIE")
    f = shop.get("/products/NEWBIE/forecast").json
    assert f["pattern"] == "new" and f["lead_time_demand"]["p95"] == 0 and f["runs_out_on"] is None
    assert f["lead_time_days"] == 7  # no product or supplier lead time


def test_reorder_suggestions_and_draft_orders(client, shop, other_shop):
    sid = supplier(shop, lead=4, name="Beans Ltd")
    new_product(shop, "BEANS", supplier_id=sid, pack_size=6, unit_cost="1.20")
    sell_daily(shop, "BEANS", 1, 36)
    receive(shop, "BEANS", 4)
    new_product(shop, "LOOSE")  # no supplier
    sell_daily(shop, "LOOSE", 1, 29)
    receive(shop, "LOOSE", 1)
    assert shop.get("/reorder-suggestions").json == {"suppliers": [], "without_supplier": []}  # not forecast yet
    run_shop_message(client, shop.tenant_id)
    r = shop.get("/reorder-suggestions")
    assert r.status_code == 200, r.body
    groups = r.json["suppliers"]
    assert [g["supplier_id"] for g in groups] == [sid] and groups[0]["name"] == "Beans Ltd"
    (line,) = groups[0]["lines"]
    # Covers ~1 a day over 4 + 7 days at 95 %, less 4 on hand, in packs of 6.
    assert line["sku"] == "BEANS" and line["suggested_qty"] % 6 == 0 and 6 <= line["suggested_qty"] <= 18
    assert "sells ~7 a week, 4 left, supplier takes 4 days" in line["reason"]
    assert [ln["sku"] for ln in r.json["without_supplier"]] == ["LOOSE"]
    # One location: exactly the fields it always had (no transfers, no locations on lines).
    assert set(r.json) == {"suppliers", "without_supplier"}
    assert set(line) == {"sku", "name", "on_hand", "on_order", "suggested_qty", "reason"}
    assert other_shop.get("/reorder-suggestions").json == {"suppliers": [], "without_supplier": []}

    key = {"Idempotency-Key": "reorder-1"}
    made = shop.post("/reorder-suggestions/orders", {}, headers=key)
    assert made.status_code == 201, made.body
    (po,) = made.json["purchase_orders"]
    assert po["supplier_id"] == sid and po["lines"][0]["quantity"] == line["suggested_qty"]
    assert shop.post("/reorder-suggestions/orders", {}, headers=key).json == made.json  # replayed
    order = shop.get(f"/purchase-orders/{po['po_id']}").json
    assert order["status"] == "draft" and order["lines"][0]["unit_cost"] == 1.2
    assert other_shop.get(f"/purchase-orders/{po['po_id']}").status_code == 404
    assert shop.post("/reorder-suggestions/orders", {"supplier_id": "NOPE"}).status_code == 404
    assert shop.post("/reorder-suggestions/orders", {"supplier_id": ""}).status_code == 422
    assert shop.post("/reorder-suggestions/orders", {"extra": 1}).status_code == 422
    assert shop.__class__(shop.client).get("/reorder-suggestions").status_code == 401


def test_nightly_fan_out_stockouts_and_predictive_alert(client, shop, other_shop, queue_url):
    address = shop.email
    assert shop.call("PUT", "/settings/alerts", {"recipients": [address], "enabled": True}).status_code == 200
    sid = supplier(shop, lead=10)
    new_product(shop, "SOON", supplier_id=sid)
    sell_daily(shop, "SOON", 1, 40)
    receive(shop, "SOON", 5)  # 5 left, sells 1 a day, supplier takes 10 days
    new_product(shop, "PLENTY")
    sell_daily(shop, "PLENTY", 1, 30)
    receive(shop, "PLENTY", 100)

    # The schedule queues this shop (it sold this week); the message forecasts it.
    reply = client.lambda_.invoke(
        "forecast_nightly", client.events.generate_cw_event("Scheduled Event", "aws.events", {}, []))
    assert reply.payload["shops_queued"] >= 1
    sqs = boto3.client("sqs")
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            break
        bodies += [json.loads(m["Body"]) for m in got]
        handles = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=handles)
    assert {"tenant_id": shop.tenant_id} in bodies and {"tenant_id": other_shop.tenant_id} not in bodies
    month = datetime.now(UTC).strftime("%Y-%m")
    before = shop.get(f"/usage?month={month}").json
    assert run_shop_message(client, shop.tenant_id) == {"shops": 1, "products": 2}
    # The shop's forecast run is the shop's use (issue 17): its reads and writes count to it.
    after = shop.get(f"/usage?month={month}").json
    assert after["read_units"] > before["read_units"] and after["write_units"] > before["write_units"]

    (row,) = shop.get("/forecasts/stockouts").json["items"]
    assert row["sku"] == "SOON" and row["lead_time_days"] == 10 and row["on_hand"] == 5
    assert row["runs_out_on"] < row["order_by"] or row["order_by"] == shop.get("/products/SOON/forecast").json["as_of"]
    assert other_shop.get("/forecasts/stockouts").json["items"] == []

    # The night files the alert; the stock digest (the next stock check) sends it.
    assert emails(address) == []
    run_check(client)
    mails = emails(address)
    assert len(mails) == 1 and "SOON" in mails[0].body and "Suggested order" in mails[0].body
    assert "will run out before a delivery could arrive" in mails[0].subject and "PLENTY" not in mails[0].body
    run_shop_message(client, shop.tenant_id)
    run_check(client)
    assert len(emails(address)) == 1  # not repeated
    receive(shop, "SOON", 100)  # restocked: re-armed
    run_shop_message(client, shop.tenant_id)
    assert shop.get("/forecasts/stockouts").json["items"] == []
    r = shop.post("/products/SOON/stock", {"type": "adjust", "quantity": -100, "note": "damaged"})
    assert r.status_code == 201, r.body
    run_shop_message(client, shop.tenant_id)
    run_check(client)
    assert len(emails(address)) == 2  # at risk again after the restock: a new alert


def test_one_digest_names_low_products_and_run_outs_once(client, shop, queue_url):
    from chalicelib import db

    address = shop.email
    assert shop.call("PUT", "/settings/alerts", {"recipients": [address], "enabled": True}).status_code == 200
    sid = supplier(shop, lead=10)
    new_product(shop, "SOON", supplier_id=sid)
    sell_daily(shop, "SOON", 1, 40)
    receive(shop, "SOON", 5)  # will run out before a delivery
    new_product(shop, "GONE", supplier_id=sid)
    sell_daily(shop, "GONE", 1, 40)
    receive(shop, "GONE", 5)  # will run out too, but is ordered before the digest goes
    new_product(shop, "LOW", min_stock=3)
    receive(shop, "LOW", 2)  # at its minimum
    run_shop_message(client, shop.tenant_id)
    assert {r["sku"] for r in shop.get("/forecasts/stockouts").json["items"]} == {"SOON", "GONE"}
    receive(shop, "GONE", 100)  # restocked after the night, before the check
    run_check(client)
    (mail,) = emails(address)
    assert "1 product is at or below minimum, 1 will run out" in mail.subject
    assert "LOW" in mail.body and "SOON" in mail.body and "GONE" not in mail.body
    assert set(db.risk_alerts(shop.tenant_id)) == {"SOON"}  # GONE re-armed, SOON quiet until restocked
    shard = int(db.low_stock_keys(shop.tenant_id, "")["low_pk"].split("#")[1])
    assert [i for i in db.query_risk_due(shard) if i["tenant_id"] == shop.tenant_id] == []  # the check reads none
    run_shop_message(client, shop.tenant_id)
    run_check(client)
    assert len(emails(address)) == 1  # nothing new: no second email


def test_a_refused_digest_keeps_the_run_out_due(client, shop, queue_url, monkeypatch):
    from chalicelib import mail
    from chalicelib.services import alerts

    address = shop.email
    assert shop.call("PUT", "/settings/alerts", {"recipients": [address], "enabled": True}).status_code == 200
    new_product(shop, "SOON", supplier_id=supplier(shop, lead=10))
    sell_daily(shop, "SOON", 1, 40)
    receive(shop, "SOON", 5)
    run_check(client)  # what other tests' shops in this moto world have due goes out first
    run_shop_message(client, shop.tenant_id)

    def refuse(**kwargs):
        raise RuntimeError("SES said no")

    monkeypatch.setattr(mail, "send", refuse)
    assert alerts.check_all()["failures"] == 1
    monkeypatch.undo()
    run_check(client)
    assert len(emails(address)) == 1  # sent on the next run, once


def test_on_demand_reads_only_the_days_since_the_stored_forecast(shop, aws):
    from chalicelib import db
    from chalicelib.services import forecasts

    new_product(shop, "INC")
    sell_daily(shop, "INC", 3, 20)
    receive(shop, "INC", 50)
    assert shop.get("/products/INC/forecast").status_code == 200  # computed and stored
    stored = db.get_forecast(shop.tenant_id, "INC")
    assert stored["history"][-1] == 3 and len(stored["history"]) == 20
    # As if it was made yesterday, holding one day the database does not say (kept, not read again).
    day = date.fromisoformat(stored["as_of"]) - timedelta(days=1)
    stored = {**stored, "as_of": day.isoformat(), "history": [99, *stored["history"][1:-1]]}
    shop_item, product = db.get_shop(shop.tenant_id), db.get_product(shop.tenant_id, "INC")
    again = forecasts.compute_one(shop.tenant_id, shop_item, product, stored)
    assert again["history"][0] == 99 and again["history"][-1] == 3  # yesterday read from the database
    # After an import, everything is read again.
    shop_item = {**shop_item, "sales_imported_at": "2999-01-01T00:00:00Z"}
    assert forecasts.compute_one(shop.tenant_id, shop_item, product, stored)["history"][0] == 3

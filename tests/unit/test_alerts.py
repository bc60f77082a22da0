"""The low-stock email: one per fall, never a flood, never lost to a hiccup."""

from __future__ import annotations

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.unit.conftest import new_product, receive

SENDER = "alerts@shelfwise.local"


def mails_to(address):
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return [m for m in sent if address in m.destinations["ToAddresses"]]


def run_check(client):
    reply = client.lambda_.invoke(
        "check_stock_levels",
        client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]),
    )
    return reply.payload


def sell(shop, sku, qty):
    r = shop.post("/sales", {"lines": [{"sku": sku, "quantity": qty}]})
    assert r.status_code == 201, r.body


@pytest.fixture
def stocked(shop):
    new_product(shop, "MILK", name="Milk 1 L", min_stock=3, reorder_qty=12)
    receive(shop, "MILK", 5)
    return shop


def test_crossing_sends_exactly_one_email(client, stocked):
    shop = stocked
    run_check(client)
    assert mails_to(shop.email) == []  # 5 on hand, minimum 3: nothing to say
    sell(shop, "MILK", 2)  # now 3: at the minimum
    run_check(client)
    mails = mails_to(shop.email)
    assert len(mails) == 1
    assert "Milk 1 L" in mails[0].subject or "1 product" in mails[0].subject
    assert "MILK" in mails[0].body and "<strong>12</strong>" in mails[0].body  # suggested reorder
    assert "https://shop.example/#/products?low_stock=true" in mails[0].body
    sell(shop, "MILK", 1)  # further sales while low
    run_check(client)
    run_check(client)
    assert len(mails_to(shop.email)) == 1
    history = shop.get("/alerts").json["items"]
    assert [(a["skus"], a["recipients"], a["status"]) for a in history] == [(["MILK"], [shop.email], "sent")]


def test_restock_then_fall_again_sends_a_new_email(client, stocked):
    shop = stocked
    sell(shop, "MILK", 3)
    run_check(client)
    receive(shop, "MILK", 10)  # back above the minimum: re-armed
    run_check(client)
    assert len(mails_to(shop.email)) == 1
    sell(shop, "MILK", 9)
    run_check(client)
    assert len(mails_to(shop.email)) == 2


def test_three_low_products_one_email_naming_all(client, shop):
    for sku in ("A", "B", "C"):
        new_product(shop, sku, name=f"Item {sku}", min_stock=2)
        receive(shop, sku, 4)
        sell(shop, sku, 3)
    run_check(client)
    mails = mails_to(shop.email)
    assert len(mails) == 1
    assert all(f"Item {sku}" in mails[0].body for sku in "ABC")


def test_two_shops_get_their_own_emails(client, shop, other_shop):
    for owner, sku in ((shop, "MINE"), (other_shop, "THEIRS")):
        new_product(owner, sku, name=f"Product {sku}", min_stock=1)
        receive(owner, sku, 2)
        sell(owner, sku, 1)
    run_check(client)
    (a,), (b,) = mails_to(shop.email), mails_to(other_shop.email)
    assert "MINE" in a.body and "THEIRS" not in a.body
    assert "THEIRS" in b.body and "MINE" not in b.body


def test_ses_failing_twice_then_succeeding_sends_exactly_one(client, stocked):
    shop = stocked
    ses = boto3.client("ses", region_name="us-east-1")
    sell(shop, "MILK", 2)
    ses.delete_identity(Identity=SENDER)  # SES now refuses: unverified sender
    try:
        for _ in range(2):
            result = run_check(client)
            assert result["failures"] >= 1
        assert mails_to(shop.email) == []
        assert shop.get("/products/MILK").json["low_stock"] is True
    finally:
        ses.verify_email_identity(EmailAddress=SENDER)
    run_check(client)
    run_check(client)
    assert len(mails_to(shop.email)) == 1
    statuses = [a["status"] for a in shop.get("/alerts").json["items"]]
    assert statuses == ["sent", "failed", "failed"]


def test_alerts_disabled_sends_nothing(client, stocked):
    shop = stocked
    assert shop.call("PUT", "/settings/alerts", {"recipients": [shop.email], "enabled": False}).status_code == 200
    sell(shop, "MILK", 2)
    run_check(client)
    assert mails_to(shop.email) == []


def test_changed_recipients_are_used(client, stocked):
    shop = stocked
    assert shop.get("/settings/alerts").json == {"recipients": [shop.email], "enabled": True,
                                                 "daily_summary": False, "daily_summary_hour": 20}
    reply = shop.call(
        "PUT", "/settings/alerts", {"recipients": ["buyer@example.com", "boss@example.com"], "enabled": True}
    )
    assert reply.status_code == 200
    sell(shop, "MILK", 2)
    run_check(client)
    assert mails_to(shop.email) == []
    (mail,) = mails_to("buyer@example.com")
    assert mail.destinations["ToAddresses"] == ["buyer@example.com", "boss@example.com"]
    bad = shop.call("PUT", "/settings/alerts", {"recipients": ["not-an-email"], "enabled": True})
    assert bad.status_code == 422
    assert shop.call("PUT", "/settings/alerts", {"recipients": [], "enabled": True}).status_code == 422


def test_product_covered_by_an_order_is_held_back(client, stocked):
    shop = stocked
    sup = shop.post("/suppliers", {"name": "Dairy Co"}).json["supplier_id"]
    po = shop.post(
        "/purchase-orders", {"supplier_id": sup, "lines": [{"sku": "MILK", "quantity": 24, "unit_cost": "0.60"}]}
    ).json
    shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    sell(shop, "MILK", 3)
    run_check(client)
    assert mails_to(shop.email) == []
    shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "cancelled"})
    run_check(client)
    assert len(mails_to(shop.email)) == 1


def test_min_stock_edit_can_trigger_and_rearm(client, stocked):
    shop = stocked
    shop.patch("/products/MILK", {"min_stock": 5})  # 5 on hand, minimum now 5
    run_check(client)
    assert len(mails_to(shop.email)) == 1
    shop.patch("/products/MILK", {"min_stock": 2})  # no longer low: re-armed
    shop.patch("/products/MILK", {"min_stock": 6})
    run_check(client)
    assert len(mails_to(shop.email)) == 2


def test_new_products_without_stock_do_not_alert(client, shop):
    new_product(shop, "NEW", min_stock=5)
    run_check(client)
    assert mails_to(shop.email) == []


def test_interrupted_send_repeats_at_most_once(client, stocked, monkeypatch):
    from chalicelib.services import alerts

    shop = stocked
    sell(shop, "MILK", 2)
    # The process dies after SES accepted the email but before settling: simulate by skipping the settle step.
    monkeypatch.setattr(alerts, "_settle", lambda *a, **k: None)
    monkeypatch.setattr(alerts, "PENDING_LEASE", alerts.timedelta(0))
    run_check(client)
    run_check(client)  # stale pending: tried once more
    run_check(client)  # tried MAX_TRIES times: given up on, no more emails
    run_check(client)
    assert len(mails_to(shop.email)) == alerts.MAX_TRIES


def test_the_check_reads_only_low_products(client, shop):
    """The check Queries the sparse index: its reads do not grow with the catalogue.

    A catalogue of 60 products, 3 of them low: the check may Query the low-stock index (one
    Query per shard, one page each) and must never Query or Scan the catalogue; the items it
    reads of this shop are exactly the 3 low products."""
    from chalicelib import aws, db
    from chalicelib.services import daily_summary

    run_check(client)  # settle whatever earlier tests in this module left due
    rows = ["sku,name,price,min_stock,on_hand"]
    rows += [f"CAT-{i:02d},Item {i},1.00,2,{1 if i % 20 == 0 else 10}" for i in range(60)]
    imported = shop.call(
        "POST", "/imports/products", raw="\r\n".join(rows).encode(), headers={"Content-Type": "text/csv"}
    )
    assert imported.status_code == 200 and imported.json["created"] == 60, imported.body
    low = {"CAT-00", "CAT-20", "CAT-40"}

    calls: list[tuple[str, dict]] = []
    read: list[dict] = []
    ddb = aws.client("dynamodb")

    def before(model, params, **_):
        calls.append((model.name, params))

    def after(model, parsed, **_):
        if model.name in ("Query", "Scan"):
            read.extend(parsed.get("Items", []))

    ddb.meta.events.register("before-parameter-build.dynamodb.*", before)
    ddb.meta.events.register("after-call.dynamodb.*", after)
    try:
        run_check(client)
    finally:
        ddb.meta.events.unregister("before-parameter-build.dynamodb.*", before)
        ddb.meta.events.unregister("after-call.dynamodb.*", after)
    names = [name for name, _ in calls]
    assert "Scan" not in names
    queries = [params for name, params in calls if name == "Query"]
    # The schedule also looks for sales whose rollups were interrupted: one Query per shard of
    # those markers, never the catalogue.
    pending = [q for q in queries if q["ExpressionAttributeValues"][":pk"]["S"].startswith("PENDING#")]
    assert len(pending) == db.PENDING_SHARDS
    queries = [q for q in queries if q not in pending]
    # And the daily summary's hour buckets around now: a handful of small Queries, never the shops.
    daily = [q for q in queries if q["ExpressionAttributeValues"][":pk"]["S"].startswith(db.DAILY_BUCKET_PREFIX)]
    assert len(daily) == daily_summary.LATE_HOURS + 2
    queries = [q for q in queries if q not in daily]
    # One Query per shard of low products and one per shard of due run-out alerts, both sparse.
    assert len(queries) == 2 * db.LOW_STOCK_SHARDS
    assert all(q.get("IndexName") == db.LOW_STOCK_INDEX for q in queries), queries
    mine = {i["low_sk"]["S"].split("#", 1)[1] for i in read if i["low_sk"]["S"].startswith(shop.tenant_id + "#")}
    assert mine == low
    mails = mails_to(shop.email)
    assert len(mails) == 1 and all(sku in mails[0].body for sku in low)
    assert "CAT-01" not in mails[0].body


def test_plain_text_part_reads_well():
    from chalicelib import alert_email

    due = [
        {
            "sku": "MILK",
            "name": "Milk 1 L",
            "on_hand": 2,
            "min_stock": 3,
            "on_order": 0,
            "suggested": 12,
            "supplier": "Dairy Co",
        }
    ]
    held = [{"sku": "EGG", "name": "Eggs", "on_hand": 1, "min_stock": 4, "on_order": 24, "suggested": 0}]
    text = alert_email.text("Corner Shop", due, held, "https://x/#/products?low_stock=true")
    assert "- Milk 1 L (MILK): 2 on hand, minimum 3. Suggested reorder: 12 from Dairy Co." in text
    assert "Eggs (EGG): 1 on hand, 24 on order." in text
    assert alert_email.subject("Corner Shop", due) == "Low stock at Corner Shop: 1 product is at or below minimum"

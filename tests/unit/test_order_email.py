"""Placing a purchase order emails it to the supplier: once, HTML and text, with the shop's address."""

from __future__ import annotations

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.unit.conftest import new_product


def sent_to(address):
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return [m for m in sent if address in m.destinations["ToAddresses"]]


def order(shop, email):
    new_product(shop, "OAT-1", name="Oat milk 1 L")
    new_product(shop, "RYE", name="Rye bread & seeds")
    body = {"name": "Oaty Wholesale", **({"email": email} if email else {})}
    supplier = shop.post("/suppliers", body).json
    reply = shop.post("/purchase-orders", {
        "supplier_id": supplier["supplier_id"], "note": "Back door, before 9",
        "lines": [{"sku": "OAT-1", "quantity": 12, "unit_cost": "1.15"},
                  {"sku": "RYE", "quantity": 3, "unit_cost": "2.5"}],
    })
    assert reply.status_code == 201, reply.body
    return reply.json


@pytest.fixture
def addressed(shop):
    from chalicelib import db

    db.update_shop(shop.tenant_id, {"address": "12 High Street\nLeeds LS1 4AB", "currency": "GBP"})
    return shop


def test_placing_an_order_emails_it_to_the_supplier_once(addressed):
    from chalicelib import db

    shop = addressed
    email = f"orders-{shop.tenant_id.lower()}@oaty.example"
    po = order(shop, email)
    assert sent_to(email) == []  # a draft is not sent
    placed = shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    assert placed.status_code == 200 and placed.json["supplier_emailed_at"]
    (message,) = sent_to(email)
    assert message.subject == f"Purchase order {po['po_id']} from Shop A"
    for words in ("Shop A", "12 High Street", "Leeds LS1 4AB", "OAT-1", "Oat milk 1 L", "12", "1.15 GBP",
                  "13.80 GBP", "RYE", "Rye bread &amp; seeds", "7.50 GBP", "21.30 GBP", "Back door, before 9"):
        assert words in message.body, words
    # A retry of the same call (its reply lost), and another later: nothing more is sent.
    for _ in range(2):
        again = shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
        assert again.status_code == 200 and again.json["supplier_emailed_at"] == placed.json["supplier_emailed_at"]
    assert shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "shipped"}).status_code == 200
    assert len(sent_to(email)) == 1
    # The shop's outbox (its mail records) names it.
    mails, _ = db.query_mails(shop.tenant_id, 10, None)
    assert [(m["kind"], m["ref"], m["message_id"]) for m in mails] == [("purchase_order", po["po_id"], message.id)]
    # Stock on order counted once too.
    assert shop.get("/products/OAT-1").json["on_order"] == 12


def test_the_text_part_lists_each_line(addressed, monkeypatch):
    from chalicelib import mail

    shop = addressed
    seen = {}
    real = mail.send

    def spy(**kwargs):
        seen.update(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(mail, "send", spy)
    po = order(shop, "text@oaty.example")
    shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    assert "- OAT-1  Oat milk 1 L: 12 x 1.15 GBP = 13.80 GBP" in seen["text"]
    assert "Total: 21.30 GBP" in seen["text"] and "12 High Street" in seen["text"]
    assert "<table" in seen["html"]
    assert seen["reply_to"] == [shop.email]  # the supplier's answer goes to the shop


def test_no_email_when_the_supplier_has_no_address(shop):
    before = len(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
    po = order(shop, None)
    placed = shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    assert placed.status_code == 200 and placed.json["supplier_emailed_at"] is None
    assert len(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages) == before


def test_a_shop_without_an_address_still_sends(shop):
    email = f"plain-{shop.tenant_id.lower()}@oaty.example"
    po = order(shop, email)
    assert shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"}).status_code == 200
    (message,) = sent_to(email)
    assert "Shop A" in message.body and "USD" in message.body


def test_a_failed_send_is_finished_by_a_retry_and_never_doubled(addressed, monkeypatch):
    from chalicelib import mail

    shop = addressed
    email = f"flaky-{shop.tenant_id.lower()}@oaty.example"
    po = order(shop, email)
    real = mail.send

    def down(**kwargs):
        raise ConnectionError("SES did not answer")

    monkeypatch.setattr(mail, "send", down)
    placed = shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    assert placed.status_code == 200 and placed.json["status"] == "ordered"  # the order is placed anyway
    assert placed.json["supplier_emailed_at"] is None and sent_to(email) == []
    monkeypatch.setattr(mail, "send", real)
    retried = shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    assert retried.status_code == 200 and retried.json["supplier_emailed_at"]
    shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    assert len(sent_to(email)) == 1


def test_two_senders_one_email(addressed):
    """The duty is claimed with a condition: whoever claims second sends nothing."""
    from chalicelib import db
    from chalicelib.services import purchasing

    shop = addressed
    email = f"race-{shop.tenant_id.lower()}@oaty.example"
    po = order(shop, email)
    item = db.get_purchase_order(shop.tenant_id, po["po_id"])
    db.transact([db.purchase_order_change(shop.tenant_id, po["po_id"], int(item["version"]),
                                          {"status": "ordered", "supplier_email_due": "pending"})])
    item = db.get_purchase_order(shop.tenant_id, po["po_id"])
    assert purchasing.email_supplier(shop.tenant_id, item)
    assert purchasing.email_supplier(shop.tenant_id, item) is None
    assert len(sent_to(email)) == 1



def test_an_email_sent_but_not_recorded_is_not_sent_again(addressed, monkeypatch):
    from chalicelib import db

    shop = addressed
    email = f"unrecorded-{shop.tenant_id.lower()}@oaty.example"
    po = order(shop, email)

    def lost(*args, **kwargs):
        raise ConnectionError("DynamoDB did not answer")

    monkeypatch.setattr(db, "put_mail", lost)
    placed = shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    assert placed.status_code == 200 and placed.json["supplier_emailed_at"]
    monkeypatch.undo()
    shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    assert len(sent_to(email)) == 1

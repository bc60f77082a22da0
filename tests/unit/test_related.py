"""Bought together: pair counts kept by the nightly run from the day's sales, with confidence and lift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

from chalicelib import clock, db
from chalicelib.services import related
from tests.unit.conftest import Api, new_product, receive


def run_nightly(client, after: timedelta = timedelta(days=1)) -> dict:
    """The stock check's first run after 02:30 UTC on a later day (the nightly step)."""
    event = client.events.generate_cw_event("Scheduled Event", "", {}, "")
    night = (datetime.now(UTC) + after).replace(hour=2, minute=31)
    with mock.patch.object(clock, "now", return_value=night):
        return client.lambda_.invoke("check_stock_levels", event).payload


def test_related_counts_confidence_lift(client, shop, other_shop):
    for sku, name in (("BREAD", "Bread"), ("BUTTER", "Butter"), ("JAM", "Jam"), ("SOAP", "Soap")):
        new_product(shop, sku, name=name)
        assert receive(shop, sku, 100).status_code == 201
    baskets = [["BREAD", "BUTTER"], ["BREAD", "BUTTER", "JAM"], ["BREAD", "JAM"], ["SOAP"], ["BREAD", "BUTTER"]]
    for basket in baskets:
        reply = shop.post("/sales", {"lines": [{"sku": s, "quantity": 1} for s in basket]})
        assert reply.status_code == 201, reply.body
    assert shop.get("/products/BREAD/related").json["items"] == []  # counted nightly, not yet
    assert run_nightly(client)["related"] == {"shops": 1, "sales": 5, "failures": 0}
    assert "related" not in run_nightly(client)  # once a night
    got = shop.get("/products/BREAD/related").json["items"]
    assert [(r["sku"], r["together"]) for r in got] == [("BUTTER", 3), ("JAM", 2)]
    butter = got[0]
    assert butter["name"] == "Butter" and butter["confidence"] == 0.75  # 3 of BREAD's 4 sales
    assert butter["lift"] == round(3 * 5 / (4 * 3), 4)  # 5 sales, BREAD in 4, BUTTER in 3
    assert shop.get("/products/SOAP/related").json["items"] == []
    assert len(shop.get("/products/BREAD/related?limit=1").json["items"]) == 1
    assert shop.get("/products/BREAD/related?limit=0").status_code == 422
    assert shop.delete("/products/JAM").status_code == 204
    assert [r["sku"] for r in shop.get("/products/BREAD/related").json["items"]] == ["BUTTER"]  # deleted: gone
    assert other_shop.get("/products/BREAD/related").status_code == 404
    assert Api(client).get("/products/BREAD/related").status_code == 401


def test_a_window_is_counted_once_even_when_run_again(client, shop):
    """A run that stopped half way and runs again adds nothing twice; the next night adds only
    the sales recorded since."""
    for sku in ("TEA", "MILK"):
        new_product(shop, sku, name=sku.title())
        assert receive(shop, sku, 100).status_code == 201
    for _ in range(2):
        assert shop.post("/sales", {"lines": [{"sku": "TEA", "quantity": 1}, {"sku": "MILK", "quantity": 1}]}
                         ).status_code == 201
    night = datetime.now(UTC) + timedelta(days=1)
    counted_to, to = db.related_window(shop.tenant_id, clock.iso(night - related.SETTLED))
    assert counted_to is None
    db.related_add_once(shop.tenant_id, "RELATED#TEA", {"orders": 2, db.RELATED_WITH + "MILK": 2}, {"sku": "TEA"},
                        to)  # the first run wrote TEA's item, then stopped
    assert related.count_shop(shop.tenant_id, night) == 2  # the same window again: MILK and the total
    assert related.count_shop(shop.tenant_id, night + timedelta(days=1)) == 0
    got = shop.get("/products/TEA/related").json["items"]
    assert [(r["sku"], r["together"], r["confidence"], r["lift"]) for r in got] == [("MILK", 2, 1.0, 1.0)]
    with mock.patch.object(clock, "now", return_value=night + timedelta(days=1, hours=1)):  # after that count
        assert shop.post("/sales", {"lines": [{"sku": "TEA", "quantity": 1}]}).status_code == 201
    assert related.count_shop(shop.tenant_id, night + timedelta(days=2)) == 1
    assert shop.get("/products/TEA/related").json["items"][0]["confidence"] == round(2 / 3, 4)

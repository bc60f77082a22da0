"""Bought together: pair counts kept by each sale, with confidence and lift."""

from __future__ import annotations

from tests.unit.conftest import Api, new_product, receive


def test_related_counts_confidence_lift(client, shop, other_shop):
    for sku, name in (("BREAD", "Bread"), ("BUTTER", "Butter"), ("JAM", "Jam"), ("SOAP", "Soap")):
        new_product(shop, sku, name=name)
        assert receive(shop, sku, 100).status_code == 201
    baskets = [["BREAD", "BUTTER"], ["BREAD", "BUTTER", "JAM"], ["BREAD", "JAM"], ["SOAP"], ["BREAD", "BUTTER"]]
    for basket in baskets:
        reply = shop.post("/sales", {"lines": [{"sku": s, "quantity": 1} for s in basket]})
        assert reply.status_code == 201, reply.body
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

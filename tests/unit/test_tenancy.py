"""Shop B, signed in properly, tries every product and stock endpoint on shop A's SKUs."""

from __future__ import annotations

from tests.unit.conftest import new_product, receive


def test_other_shops_products_are_not_found(shop, other_shop):
    new_product(shop, "A-ONLY", min_stock=1)
    receive(shop, "A-ONLY", 5)
    before = shop.get("/products/A-ONLY").json
    moves_before = shop.get("/products/A-ONLY/movements").json

    attempts = [
        other_shop.get("/products/A-ONLY"),
        other_shop.patch("/products/A-ONLY", {"price": 0}),
        other_shop.delete("/products/A-ONLY"),
        other_shop.post("/products/A-ONLY/stock", {"type": "adjust", "quantity": -5}),
        other_shop.post("/products/A-ONLY/stock", {"type": "receive", "quantity": 5}),
        other_shop.post("/products/A-ONLY/stock", {"type": "count", "quantity": 0}),
        other_shop.get("/products/A-ONLY/movements"),
    ]
    for reply in attempts:
        assert reply.status_code == 404, reply.body
        assert reply.json["code"] == "not_found"

    assert other_shop.get("/products").json["items"] == []
    assert other_shop.get("/products?q=A-ONLY").json["items"] == []
    assert other_shop.get("/products?low_stock=true").json["items"] == []
    assert shop.get("/products/A-ONLY").json == before
    assert shop.get("/products/A-ONLY/movements").json == moves_before


def test_same_sku_in_two_shops_are_two_products(shop, other_shop):
    new_product(shop, "SAME", name="A's")
    new_product(other_shop, "SAME", name="B's")
    receive(other_shop, "SAME", 9)
    assert shop.get("/products/SAME").json["name"] == "A's"
    assert shop.get("/products/SAME").json["on_hand"] == 0
    assert shop.get("/products/SAME/movements").json["items"] == []


def test_tenant_in_the_body_is_refused_not_used(shop, other_shop):
    reply = other_shop.post("/products", {"sku": "X", "name": "x", "price": 1, "tenant_id": shop.tenant_id})
    assert reply.status_code == 422
    assert reply.json["details"][0]["field"] == "tenant_id"
    assert shop.get("/products/X").status_code == 404


def test_cursor_cannot_reach_another_shop(shop, other_shop):
    import base64
    import json

    new_product(shop, "A1")
    new_product(shop, "A2")
    # A cursor only names a place in the caller's own list: it carries no key another shop could use.
    cursor = base64.urlsafe_b64encode(json.dumps({"p": "A1", "PK": f"SHOP#{shop.tenant_id}"}).encode()).decode()
    reply = other_shop.get(f"/products?cursor={cursor.rstrip('=')}")
    assert reply.status_code == 200 and reply.json["items"] == []
    mine = shop.get("/products?limit=1").json
    assert other_shop.get(f"/products?cursor={mine['next_cursor']}").json["items"] == []

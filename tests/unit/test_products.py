from __future__ import annotations

import pytest

from tests.unit.conftest import Api, new_product, receive


def test_create_get_and_defaults(shop):
    created = new_product(shop, "TEA-1", name="Green tea", price=3, min_stock=4, barcode="5012345678900")
    assert created["on_hand"] == 0 and created["min_stock"] == 4 and created["reorder_qty"] == 0
    assert created["price"] == 3 and created["unit_cost"] == 2.1
    assert created["low_stock"] is True  # 0 on hand with a minimum of 4
    fetched = shop.get("/products/TEA-1").json
    assert fetched == created


def test_duplicate_sku_is_409(shop):
    new_product(shop, "DUP")
    again = shop.post("/products", {"sku": "DUP", "name": "Other", "price": 1})
    assert again.status_code == 409 and again.json["code"] == "sku_exists"


def test_list_search_filter_and_paginate(shop):
    for i in range(7):
        new_product(
            shop,
            f"SKU-{i}",
            name=f"Biscuits {i}",
            category="Snacks" if i % 2 else "Bakery",
            min_stock=5 if i < 3 else 0,
        )
    new_product(shop, "MILK-1", name="Whole milk 1 L", barcode="4000417025005", category="Dairy")

    page = shop.get("/products?limit=3").json
    skus = [p["sku"] for p in page["items"]]
    assert len(skus) == 3 and page["next_cursor"]
    seen = list(skus)
    while page["next_cursor"]:
        page = shop.get(f"/products?limit=3&cursor={page['next_cursor']}").json
        seen += [p["sku"] for p in page["items"]]
    assert sorted(seen) == sorted([f"SKU-{i}" for i in range(7)] + ["MILK-1"])
    assert len(seen) == len(set(seen))

    assert [p["sku"] for p in shop.get("/products?q=milk").json["items"]] == ["MILK-1"]
    assert [p["sku"] for p in shop.get("/products?q=025005").json["items"]] == ["MILK-1"]  # barcode
    assert [p["sku"] for p in shop.get("/products?q=sku-4").json["items"]] == ["SKU-4"]
    assert {p["sku"] for p in shop.get("/products?category=Snacks").json["items"]} == {"SKU-1", "SKU-3", "SKU-5"}
    assert {p["sku"] for p in shop.get("/products?low_stock=true").json["items"]} == {"SKU-0", "SKU-1", "SKU-2"}


def test_filtered_pages_are_full_and_complete(shop):
    for i in range(30):
        new_product(shop, f"P{i:02d}", name="Tin" if i % 3 == 0 else "Jar")
    seen, cursor = [], ""
    while True:
        page = shop.get(f"/products?q=tin&limit=4{cursor}").json
        seen += [p["sku"] for p in page["items"]]
        if not page["next_cursor"]:
            break
        assert len(page["items"]) == 4
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [f"P{i:02d}" for i in range(0, 30, 3)]


def test_patch_changes_only_what_is_sent(shop):
    new_product(shop, "P1", barcode="111")
    reply = shop.patch("/products/P1", {"price": "5.25", "min_stock": 2, "barcode": None})
    assert reply.status_code == 200, reply.body
    assert reply.json["price"] == 5.25 and reply.json["min_stock"] == 2 and reply.json["barcode"] is None
    assert reply.json["name"] == "Ground coffee 250 g"
    assert shop.get("/products?q=111").json["items"] == []
    assert shop.patch("/products/P1", {}).status_code == 422
    assert shop.patch("/products/P1", {"name": None}).status_code == 422
    assert shop.patch("/products/P1", {"on_hand": 99}).status_code == 422  # stock moves only by movements


def test_delete_keeps_history_but_leaves_lists(shop):
    new_product(shop, "GONE")
    assert receive(shop, "GONE", 3).status_code == 201
    assert shop.delete("/products/GONE").status_code == 204
    assert shop.get("/products/GONE").status_code == 404
    assert shop.get("/products").json["items"] == []
    assert shop.delete("/products/GONE").status_code == 404
    assert receive(shop, "GONE", 1).status_code == 404
    again = shop.post("/products", {"sku": "GONE", "name": "New", "price": 1})
    assert again.status_code == 409 and again.json["code"] == "sku_deleted"
    from chalicelib import db

    assert [m["kind"] for m in db.iter_movements(shop.tenant_id, "GONE")] == ["receive"]


def test_unicode_sku_round_trips(shop):
    new_product(shop, "Café-Crème ☕")
    from urllib.parse import quote

    assert shop.get("/products/" + quote("Café-Crème ☕")).status_code == 200
    # The same text in decomposed form is the same SKU.
    decomposed = "Cafe\u0301-Cre\u0300me ☕"
    assert shop.post("/products", {"sku": decomposed, "name": "x", "price": 1}).status_code == 409


def test_staff_cannot_change_the_catalogue(client, aws, shop):
    aws["idp"].admin_create_user(
        UserPoolId=aws["pool_id"],
        Username="staff@example.com",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "staff@example.com"},
            {"Name": "custom:tenant_id", "Value": shop.tenant_id},
            {"Name": "custom:role", "Value": "staff"},
        ],
    )
    aws["idp"].admin_set_user_password(
        UserPoolId=aws["pool_id"], Username="staff@example.com", Password="Staff-pass1", Permanent=True
    )
    token = Api(client).post("/auth/login", {"email": "staff@example.com", "password": "Staff-pass1"}).json["id_token"]
    staff = Api(client, token)
    new_product(shop, "P1")
    assert staff.get("/products/P1").status_code == 200
    assert receive(staff, "P1", 2).status_code == 201  # staff receive deliveries
    for reply in (
        staff.post("/products", {"sku": "X", "name": "x", "price": 1}),
        staff.patch("/products/P1", {"price": 0}),
        staff.delete("/products/P1"),
    ):
        assert reply.status_code == 403 and reply.json["code"] == "owner_only"


@pytest.mark.parametrize("cursor", ["garbage!", "e30", "WyJhIl0", "eyJza3UiOiAxfQ", "eyJwIjogMX0"])
def test_bad_cursors_are_400(shop, cursor):
    reply = shop.get(f"/products?cursor={cursor}")
    assert reply.status_code == 400 and "cursor" in reply.json["message"]
    assert shop.get(f"/products/X/movements?cursor={cursor}").status_code in (400, 404)

"""The main path over real HTTP: register, sign in, add and stock a product; shops kept apart."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from local.stack import LocalStack
from tests.stack.helpers import Api, create_with_stock, product_body, register_and_login

pytestmark = pytest.mark.stack


def test_register_sign_in_and_stock_a_product(stack: LocalStack) -> None:
    api, account = register_and_login(stack.api_url, shop_name="Smoke Corner")

    me = api.get("/me")
    assert me.status_code == 200, me.text
    assert me.json() == {
        "tenant_id": account["tenant_id"],
        "shop_name": "Smoke Corner",
        "email": account["email"],
        "role": "owner",
        "currency": "USD",
        "timezone": "UTC",
        "prices_include_tax": False,
        "default_tax_rate": 0,
    }
    created = api.post("/products", json=product_body("MILK-2L", price=1.65, min_stock=4))
    assert created.status_code == 201, created.text
    assert created.json()["on_hand"] == 0
    received = api.post("/products/MILK-2L/stock", json={"type": "receive", "quantity": 12, "unit_cost": 1.1})
    assert received.status_code == 201, received.text

    listed = api.get("/products")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(p["sku"], p["on_hand"], p["price"], p["low_stock"]) for p in items] == [("MILK-2L", 12, 1.65, False)]


def test_a_shop_cannot_see_another_shops_product(new_shop: Callable[..., Api]) -> None:
    first, second = new_shop("First"), new_shop("Second")
    sku = create_with_stock(first, 3)

    assert second.get(f"/products/{sku}").status_code == 404
    assert second.post(f"/products/{sku}/stock", json={"type": "adjust", "quantity": -1}).status_code == 404
    assert second.get("/products").json()["items"] == []
    assert first.get(f"/products/{sku}").json()["on_hand"] == 3


def test_requests_without_a_valid_token_are_refused(stack: LocalStack) -> None:
    anonymous = Api(stack.api_url)
    assert anonymous.get("/me").status_code == 401
    anonymous.headers["Authorization"] = "Bearer not-a-token"
    reply = anonymous.get("/me")
    assert reply.status_code == 401
    assert reply.json()["code"] == "invalid_token"

"""Helpers for the over-HTTP tests: a session bound to the API, a signed-in shop, a product."""

from __future__ import annotations

import uuid
from typing import Any

import requests

PASSWORD = "Stack-test-pass1"
TIMEOUT = 30


class Api(requests.Session):
    """A requests.Session bound to the stack's API: `api.get("/me")`."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def register_and_login(base_url: str, shop_name: str = "Test shop") -> tuple[Api, dict[str, Any]]:
    """A new shop and its owner, signed in: (authenticated session, {"email", "tenant_id", ...})."""
    email = f"owner-{uuid.uuid4().hex[:12]}@example.com"
    api = Api(base_url)
    reply = api.post("/auth/register", json={"shop_name": shop_name, "email": email, "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    account = reply.json()
    reply = api.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    tokens = reply.json()
    api.headers["Authorization"] = f"Bearer {tokens['id_token']}"
    return api, {**account, **tokens, "email": email}


def product_body(sku: str | None = None, **fields: Any) -> dict[str, Any]:
    body = {
        "sku": sku or f"SKU-{uuid.uuid4().hex[:8].upper()}",
        "name": "Semi-skimmed milk 2L",
        "category": "Groceries",
        "subcategory": "Dairy",
        "price": 1.65,
        "unit_cost": 1.1,
        "min_stock": 3,
    }
    body.update(fields)
    return body


def create_with_stock(api: Api, quantity: int, **fields: Any) -> str:
    reply = api.post("/products", json=product_body(**fields))
    assert reply.status_code == 201, reply.text
    sku = reply.json()["sku"]
    reply = api.post(f"/products/{sku}/stock", json={"type": "receive", "quantity": quantity, "unit_cost": 1.1})
    assert reply.status_code == 201, reply.text
    assert reply.json()["on_hand"] == quantity
    return sku

"""In-process tests: the Chalice app under chalice.test.Client, AWS played by moto's mock_aws.

The app verifies tokens itself, against moto's published signing keys (read here from the
file moto ships, through the app's own JWKS_URL setting).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws
from moto.utilities.utils import load_resource

from local import bootstrap

PASSWORD = "Sup3r-secret"


@pytest.fixture(scope="session", autouse=True)
def moto_copies_a_table_once_per_transaction() -> Iterator[None]:
    """moto 5.2.5's TransactWriteItems deep-copies a table, for its rollback, once per action that
    names it: a 25-action sale copies the whole table 25 times, and an import of a few hundred
    orders spends minutes copying. The copies are all taken before the first write, so they are
    identical: take one per table per transaction. Same rollback, same results (the transaction
    tests in test_sales.py and test_movement_properties.py run through it)."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    real_copy = models.copy

    class OncePerTable:
        def __init__(self) -> None:
            self.tables: dict[int, Any] = {}

        def deepcopy(self, value: Any, *args: Any) -> Any:
            if not isinstance(value, Table):
                return real_copy.deepcopy(value, *args)
            if id(value) not in self.tables:
                self.tables[id(value)] = real_copy.deepcopy(value, *args)
            return self.tables[id(value)]

    real_transact = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        models.copy = OncePerTable()  # type: ignore[assignment]
        try:
            return real_transact(self, transact_items)
        finally:
            models.copy = real_copy

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models.DynamoDBBackend, "transact_write_items", transact_write_items)
        yield


@pytest.fixture(scope="session")
def moto_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("jwks")
    public = load_resource("cognitoidp/resources/jwks-public.json")
    (folder / "jwks.json").write_text(json.dumps(public))
    return {"url": (folder / "jwks.json").as_uri(), "private": load_resource("cognitoidp/resources/jwks-private.json")}


@pytest.fixture(scope="module")
def aws(moto_keys: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One moto world per test module: every test makes its own shops, and shops cannot see each
    other, so tests stay independent without paying for a new pool and tables each. Per module,
    not per run, because moto's DynamoDB copies whole tables on every transaction: small tables
    keep it fast."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for var in list(os.environ):
            if var.startswith("AWS_ENDPOINT_URL"):
                monkeypatch.delenv(var)
        env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "TABLE_NAME": "shelfwise-test",
            "IDEMPOTENCY_TABLE_NAME": "shelfwise-test-idempotency",
            "JWKS_URL": moto_keys["url"],
            "POWERTOOLS_METRICS_NAMESPACE": "ShelfwiseTest",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "ALERT_SENDER": "alerts@shelfwise.local",
            "SITE_URL": "https://shop.example",
            "IMPORT_WORKERS": "1",  # moto's in-process DynamoDB is not thread-safe
            # Tests send a shop's requests faster than a person: the roomiest plan, except where a
            # test of the limits puts its shop on another (tests/unit/test_usage.py).
            "DEFAULT_PLAN": "chain",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        with mock_aws():
            bootstrap.create_tables(boto3.client("dynamodb"), env["TABLE_NAME"], env["IDEMPOTENCY_TABLE_NAME"])
            idp = boto3.client("cognito-idp")
            pool_id, client_id = bootstrap.create_user_pool(idp)
            bootstrap.verify_sender(boto3.client("ses"), "alerts@shelfwise.local")
            monkeypatch.setenv("USER_POOL_ID", pool_id)
            monkeypatch.setenv("USER_POOL_CLIENT_ID", client_id)
            from chalicelib import idempotency
            from chalicelib.settings import reset_settings

            reset_settings()
            idempotency._machinery.cache_clear()
            yield {"pool_id": pool_id, "client_id": client_id, "idp": idp, "keys": moto_keys, **env}
            reset_settings()
            idempotency._machinery.cache_clear()


@pytest.fixture(scope="module")
def client(aws: dict[str, Any]) -> Iterator[Client]:
    from app import app

    with Client(app, stage_name="local") as test_client:
        yield test_client


class Api:
    """A small helper over chalice.test.Client that speaks JSON and carries a token."""

    def __init__(self, client: Client, token: str | None = None):
        self.client = client
        self.token = token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | str | None = None,
    ) -> Any:
        sent = {"Content-Type": "application/json"}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        reply = getattr(self.client.http, method.lower())(path, headers=sent, body=data)
        reply.json = (
            json.loads(reply.body)
            if reply.body and reply.headers.get("Content-Type", "").startswith("application/json")
            else None
        )
        return reply

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)


def register_shop(client: Client, shop_name: str = "Test Shop", email: str | None = None) -> Api:
    email = email or f"owner-{uuid.uuid4().hex[:10]}@example.com"
    anonymous = Api(client)
    reply = anonymous.post("/auth/register", {"shop_name": shop_name, "email": email, "password": PASSWORD})
    assert reply.status_code == 201, reply.body
    login = anonymous.post("/auth/login", {"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.body
    api = Api(client, login.json["id_token"])
    api.email = email  # type: ignore[attr-defined]
    api.tenant_id = reply.json["tenant_id"]  # type: ignore[attr-defined]
    api.refresh_token = login.json["refresh_token"]  # type: ignore[attr-defined]
    return api


@pytest.fixture
def shop(client: Client) -> Api:
    return register_shop(client, "Shop A")


@pytest.fixture
def other_shop(client: Client) -> Api:
    return register_shop(client, "Shop B")


def new_product(api: Api, sku: str = "COF-250", **fields: Any) -> dict[str, Any]:
    body = {
        "sku": sku,
        "name": "Ground coffee 250 g",
        "price": "4.50",
        "category": "Grocery",
        "subcategory": "Hot drinks",
        "unit_cost": "2.10",
        **fields,
    }
    reply = api.post("/products", body)
    assert reply.status_code == 201, reply.body
    return reply.json


def receive(api: Api, sku: str, quantity: int, **fields: Any) -> Any:
    return api.post(f"/products/{sku}/stock", {"type": "receive", "quantity": quantity, **fields})


__all__ = ["Api", "Path", "new_product", "receive", "register_shop"]

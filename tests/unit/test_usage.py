"""Usage metering and fair limits: GET /usage counts what the shop did, only to that shop, and a
shop past its plan's limit gets 429 with Retry-After while other shops carry on."""

from __future__ import annotations

import uuid

import pytest

from tests.unit.conftest import Api, new_product, receive, register_shop
from tests.unit.test_staff import invite, sign_in_first_time


def sale(api: Api, sku: str, key: str | None = None) -> object:
    headers = {"Idempotency-Key": key} if key else None
    reply = api.post("/sales", {"lines": [{"sku": sku, "quantity": 1}]}, headers=headers)
    assert reply.status_code == 201, reply.body
    return reply


def test_usage_counts_the_shops_requests_sales_units_and_storage(client, shop):
    new_product(shop, "TEA-1")
    receive(shop, "TEA-1", 10)
    sale(shop, "TEA-1", key="one")
    sale(shop, "TEA-1", key="one")  # a repeat of the same sale: one sale, two requests
    sale(shop, "TEA-1")
    reply = shop.get("/usage")
    assert reply.status_code == 200, reply.body
    got = reply.json
    assert set(got) >= {"month", "requests", "sales", "emails", "read_units", "write_units", "storage_mb",
                        "estimated_cost_usd"}
    assert got["requests"] == 6  # product, receipt, three sale requests and this one
    assert got["sales"] == 2
    assert got["emails"] == 0
    assert got["read_units"] > 0 and got["write_units"] > 0
    assert got["storage_mb"] > 0
    assert 0 < got["estimated_cost_usd"] < 0.01
    assert got["limit"] == {"plan": "chain", "per_second": 200, "burst": 1000}


def test_usage_of_a_month_with_nothing_is_zero_and_a_bad_month_is_422(client, shop):
    reply = shop.get("/usage?month=2020-01")
    assert reply.status_code == 200, reply.body
    assert reply.json["month"] == "2020-01"
    assert reply.json["requests"] == reply.json["sales"] == 0 and reply.json["estimated_cost_usd"] == 0
    assert shop.get("/usage?month=2020-13").status_code == 422
    assert shop.get("/usage?month=last").status_code == 422


def test_emails_are_counted_to_the_shop_that_sent_them(client, shop):
    invite(shop)
    assert shop.get("/usage").json["emails"] == 1


def test_another_shop_never_sees_this_shops_usage_staff_get_403_and_no_token_401(client, shop, other_shop):
    new_product(shop, "JAM-1")
    receive(shop, "JAM-1", 5)
    sale(shop, "JAM-1")
    mine = shop.get("/usage").json
    theirs = other_shop.get(f"/usage?tenant_id={shop.tenant_id}").json  # type: ignore[attr-defined]
    assert mine["sales"] == 1 and theirs["sales"] == 0
    assert theirs["requests"] == 1 and theirs["write_units"] < mine["write_units"]
    email, _ = invite(shop)
    clerk = sign_in_first_time(client, email)
    denied = clerk.get("/usage")
    assert denied.status_code == 403 and denied.json["code"] == "owner_only"
    assert Api(client).get("/usage").status_code == 401


@pytest.fixture
def frozen(monkeypatch):
    """The limiter's clock, held at a second of our choosing (a window is 5 s on the standard plan)."""
    from chalicelib import usage

    at = {"now": 1_800_000_001.0}  # 1 s into a window
    monkeypatch.setattr(usage, "_now", lambda: at["now"])
    return at


def on_plan(api: Api, plan: str) -> Api:
    from chalicelib import db

    db.update_shop(api.tenant_id, {"plan": plan})  # type: ignore[attr-defined]  # the operator's doing
    return api


def test_a_shop_past_its_limit_gets_429_with_retry_after_and_others_carry_on(client, frozen):
    busy = on_plan(register_shop(client, "Busy"), "standard")
    calm = on_plan(register_shop(client, "Calm"), "standard")
    codes = [busy.get("/me").status_code for _ in range(105)]
    assert codes.count(200) == 100 and codes[100:] == [429] * 5  # the burst, then refused
    refused = busy.get("/me")
    assert refused.json["code"] == "too_many_requests" and refused.headers["Retry-After"] == "4"
    # The site is on another origin: its browser lets it read Retry-After only if CORS exposes it.
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"].split(",")
    assert [calm.get("/me").status_code for _ in range(20)] == [200] * 20
    frozen["now"] += 5  # the next window
    assert busy.get("/me").status_code == 200
    # Refused requests were still requests (API Gateway and Lambda bill them): all counted.
    assert busy.get("/usage?month=2027-01").json["requests"] == 108


def test_a_window_grants_its_limit_exactly_across_functions_and_a_retried_write_counts_once(client):
    from chalicelib import db

    tenant = f"t-{uuid.uuid4().hex[:8]}"
    key = db.usage_key(tenant, "2030-01")
    # Three functions leasing blocks of 10 from a window of 25: 10, 10, 5, then nothing.
    granted = [db.take_window(db.table(), key, window_start=100, take=10, limit=25, adds={"requests": 1},
                              flush_id=f"f{i}") for i in range(4)]
    assert granted == [10, 10, 5, 0]
    # The SDK retrying a write that had landed: same flush id, counted once.
    db.take_window(db.table(), key, window_start=100, take=0, limit=25, adds={"requests": 7}, flush_id="again")
    db.take_window(db.table(), key, window_start=100, take=0, limit=25, adds={"requests": 7}, flush_id="again")
    assert db.usage_months(tenant, ["2030-01"])["2030-01"]["requests"] == 4 + 7
    # A new window starts again from its limit, whether a function expects to open it or not.
    opened = [db.take_window(db.table(), key, window_start=105, take=10, limit=25, flush_id=f"g{i}", opening=True)
              for i in range(4)]
    assert opened == [10, 10, 5, 0]
    assert db.take_window(db.table(), key, window_start=110, take=10, limit=25, flush_id="h1") == 10


def test_a_failing_usage_write_never_fails_a_sale(client, shop, monkeypatch):
    from chalicelib import db, usage

    new_product(shop, "OAT-1")
    receive(shop, "OAT-1", 5)

    def down(*args, **kwargs):
        raise ConnectionError("DynamoDB did not answer")

    monkeypatch.setattr(db, "take_window", down)
    usage.reset()  # no tokens left in this function: the next request must write
    sale(shop, "OAT-1")
    monkeypatch.undo()
    assert shop.get("/products/OAT-1").json["on_hand"] == 4


def test_the_operators_export_lists_every_shops_month(client, shop, other_shop):
    from chalicelib import usage
    from infra.usage import export_csv

    shop.get("/me")
    other_shop.get("/me")
    usage.flush_all()
    rows = {line.split(",")[0]: line.split(",") for line in export_csv(usage.month_of(usage._now())).splitlines()}
    assert rows["tenant_id"][:4] == ["tenant_id", "month", "requests", "sales"]
    assert shop.tenant_id in rows and other_shop.tenant_id in rows  # type: ignore[attr-defined]
    assert int(rows[shop.tenant_id][2]) >= 1  # type: ignore[attr-defined]


def test_metering_never_retries_its_own_write(client, shop, monkeypatch):
    """The SDK would send a write again after a 5xx; metering's may have landed: it is dropped."""
    from chalicelib import aws, usage

    attempts = []

    def busy_server(request, **kwargs):
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        if "USAGE#" in body:
            attempts.append(1)
            from botocore.awsrequest import AWSResponse

            raw = type("Raw", (), {"stream": lambda self, *a, **k: iter([b'{"__type":"InternalServerError"}'])})()
            return AWSResponse(request.url, 500, {}, raw)
        return None

    events = aws.client("dynamodb").meta.events
    events.register_first("before-send.dynamodb.UpdateItem", busy_server)
    try:
        usage.count(shop.tenant_id, "sales")  # type: ignore[attr-defined]
        usage.flush(shop.tenant_id)  # type: ignore[attr-defined]
    finally:
        events.unregister("before-send.dynamodb.UpdateItem", busy_server)
    assert attempts == [1]

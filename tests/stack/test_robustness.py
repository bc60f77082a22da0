"""What an attacker's run found, over real HTTP against DynamoDB Local: a sale must never be
recorded twice across an outage, and no day's figures may outgrow an item."""

from __future__ import annotations

import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.stack.helpers import Api, create_with_stock
from tests.stack.test_concurrency import assert_ledger_consistent, ledger

pytestmark = pytest.mark.stack

FREEZE_SECONDS = 8  # longer than the API waits for DynamoDB: requests in flight give up


def _session(owner: Api) -> Api:
    fresh = Api(owner.base_url)  # its own connection, like another phone
    fresh.headers.update(owner.headers)
    return fresh


def _dynamodb(stack: Any) -> Any:
    if stack.dynamodb != "local":
        pytest.skip("freezes DynamoDB Local's process")
    return next(child for child in stack._children if child.name == "dynamodb")


def _until_settled(owner: Api, body: dict[str, Any], key: str) -> dict[str, Any]:
    """What a phone does after a failure: retry with the same key until it has an answer."""
    with _session(owner) as api:
        for _ in range(60):
            reply = api.post("/sales", json=body, headers={"Idempotency-Key": key}, timeout=60)
            if reply.status_code == 201:
                return reply.json()
            assert reply.status_code in (409, 503), reply.text
            if reply.status_code == 409:
                assert reply.json()["code"] == "request_in_progress", reply.text
            time.sleep(float(reply.headers.get("Retry-After") or 1))
    raise AssertionError(f"sale {key} never settled")


def test_sales_in_flight_when_the_database_stops_are_recorded_once(owner: Api, stack: Any) -> None:
    dynamodb = _dynamodb(stack)
    skus = [create_with_stock(owner, 10) for _ in range(4)]
    orders = [({"lines": [{"sku": skus[n % 4], "quantity": 1}]}, f"outage-{uuid.uuid4()}") for n in range(12)]

    def first_try(order: tuple[dict[str, Any], str]) -> int:
        with _session(owner) as api:
            try:
                return api.post("/sales", json=order[0], headers={"Idempotency-Key": order[1]}, timeout=60).status_code
            except OSError:
                return 0  # no answer at all: just as bad for the phone

    with ThreadPoolExecutor(max_workers=len(orders)) as pool:
        burst = [pool.submit(first_try, order) for order in orders]
        time.sleep(0.15)  # some sales are written, some are on their way
        dynamodb._signal(signal.SIGSTOP)
        try:
            time.sleep(FREEZE_SECONDS)
        finally:
            dynamodb._signal(signal.SIGCONT)
        statuses = [f.result() for f in burst]
    assert statuses.count(201) < len(orders), "the freeze came too late to test anything"

    settled = [_until_settled(owner, *order) for order in orders]
    again = [_until_settled(owner, *order) for order in orders]  # and once more: still the same sales
    assert [s["sale_id"] for s in settled] == [s["sale_id"] for s in again]
    assert len({s["sale_id"] for s in settled}) == len(orders)
    sales = owner.get("/sales", params={"limit": 200}).json()["items"]
    assert sorted(s["sale_id"] for s in sales) == sorted(s["sale_id"] for s in settled)
    for sku in skus:
        assert owner.get(f"/products/{sku}").json()["on_hand"] == 7
        assert_ledger_consistent(ledger(owner, sku), 7)


def test_a_day_of_endless_distinct_regions_never_fills_an_item(owner: Api, stack: Any) -> None:
    tills, per_till = 4, 115  # 460 sales, each with a new 100-character region and state
    skus = [create_with_stock(owner, per_till) for _ in range(tills)]

    def till(number: int) -> list[int]:
        statuses = []
        with _session(owner) as api:
            for n in range(per_till):
                tag = f"{number}-{n:03d}-"
                customer = {"region": tag + "r" * (100 - len(tag)), "state": tag + "s" * (100 - len(tag))}
                body = {"lines": [{"sku": skus[number], "quantity": 1}], "customer": customer, "till": f"t{number}"}
                statuses.append(api.post("/sales", json=body).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=tills) as pool:
        statuses = [s for part in pool.map(till, range(tills)) for s in part]
    assert statuses == [201] * (tills * per_till)
    report = owner.get("/reports/sales", params={"by": "state"}).json()
    assert len(report["rows"]) == tills * per_till
    assert report["totals"]["orders"] == tills * per_till
    dynamodb = stack.client("dynamodb")
    tenant = owner.get("/me").json()["tenant_id"]
    pages = dynamodb.get_paginator("query").paginate(
        TableName=stack.env["TABLE_NAME"],
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"SHOP#{tenant}#ROLLUP"}},
    )
    sizes = [len(str(item)) for page in pages for item in page["Items"]]
    assert max(sizes) < 2048, max(sizes)

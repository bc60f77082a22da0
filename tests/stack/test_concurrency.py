"""Stock under concurrency and retries, over real HTTP against DynamoDB Local.

What a shop must be able to trust (DESIGN.md 1 and 5): stock never goes below zero however many
requests race for the last items; the ledger always sums to on-hand; a retried request with the
same Idempotency-Key changes nothing and gets the first reply back.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.stack.helpers import TIMEOUT, Api, create_with_stock

pytestmark = pytest.mark.stack


def ledger(api: Api, sku: str) -> list[dict[str, Any]]:
    """Every movement of a product, oldest first (the API lists newest first, in pages)."""
    entries: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        reply = api.get(f"/products/{sku}/movements", params=params)
        assert reply.status_code == 200, reply.text
        page = reply.json()
        entries.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return list(reversed(entries))


def assert_ledger_consistent(entries: list[dict[str, Any]], on_hand: int) -> None:
    assert sum(e["change"] for e in entries) == on_hand
    running = 0
    for entry in entries:
        running += entry["change"]
        assert entry["on_hand_after"] == running, entries
        assert entry["on_hand_after"] >= 0


def in_parallel(count: int, call: Callable[[], requests.Response]) -> list[requests.Response]:
    """`count` calls released together (a barrier), each on its own connection."""
    barrier = threading.Barrier(count)

    def run() -> requests.Response:
        barrier.wait(timeout=TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: run(), range(count)))


def test_racing_removals_never_take_stock_below_zero(owner: Api) -> None:
    sku = create_with_stock(owner, 10)
    url = f"{owner.base_url}/products/{sku}/stock"
    headers = dict(owner.headers)

    replies = in_parallel(
        20, lambda: requests.post(url, json={"type": "adjust", "quantity": -1}, headers=headers, timeout=TIMEOUT)
    )

    statuses = sorted(r.status_code for r in replies)
    assert statuses == [201] * 10 + [409] * 10, [(r.status_code, r.text) for r in replies]
    refused = [r.json() for r in replies if r.status_code == 409]
    assert {body["code"] for body in refused} == {"insufficient_stock"}
    accepted = [r.json() for r in replies if r.status_code == 201]
    assert sorted(body["on_hand"] for body in accepted) == list(range(10))
    assert len({body["movement_id"] for body in accepted}) == 10

    product = owner.get(f"/products/{sku}")
    assert product.status_code == 200
    assert product.json()["on_hand"] == 0

    entries = ledger(owner, sku)
    assert len(entries) == 11
    assert [e["type"] for e in entries] == ["receive"] + ["adjust"] * 10
    assert_ledger_consistent(entries, on_hand=0)


def receive_with_key(api: Api, sku: str, key: str) -> requests.Response:
    return requests.post(
        f"{api.base_url}/products/{sku}/stock",
        json={"type": "receive", "quantity": 5, "unit_cost": 1.2},
        headers={**api.headers, "Idempotency-Key": key},
        timeout=TIMEOUT,
    )


def test_a_retried_receipt_is_recorded_once(owner: Api) -> None:
    sku = create_with_stock(owner, 10)
    key = f"receipt-{uuid.uuid4()}"

    replies = [receive_with_key(owner, sku, key) for _ in range(5)]

    assert [r.status_code for r in replies] == [201] * 5, [r.text for r in replies]
    assert len({r.text for r in replies}) == 1
    first = replies[0].json()
    assert first["on_hand"] == 15 and first["change"] == 5
    entries = ledger(owner, sku)
    assert len(entries) == 2
    assert entries[-1]["movement_id"] == first["movement_id"]
    assert owner.get(f"/products/{sku}").json()["on_hand"] == 15
    assert_ledger_consistent(entries, on_hand=15)


def test_a_double_tap_records_the_receipt_once(owner: Api) -> None:
    sku = create_with_stock(owner, 10)
    key = f"receipt-{uuid.uuid4()}"

    replies = in_parallel(5, lambda: receive_with_key(owner, sku, key))

    assert [r.status_code for r in replies] == [201] * 5, [r.text for r in replies]
    assert len({r.text for r in replies}) == 1
    movement_id = replies[0].json()["movement_id"]
    entries = ledger(owner, sku)
    assert [e["movement_id"] for e in entries[1:]] == [movement_id]
    assert owner.get(f"/products/{sku}").json()["on_hand"] == 15
    assert_ledger_consistent(entries, on_hand=15)


def test_the_same_key_for_a_different_request_is_refused(owner: Api) -> None:
    sku = create_with_stock(owner, 10)
    key = f"receipt-{uuid.uuid4()}"
    assert receive_with_key(owner, sku, key).status_code == 201

    other = owner.post(
        f"/products/{sku}/stock", json={"type": "receive", "quantity": 6}, headers={"Idempotency-Key": key}
    )

    assert other.status_code == 422, other.text
    assert other.json()["code"] == "idempotency_key_reused"
    assert owner.get(f"/products/{sku}").json()["on_hand"] == 15

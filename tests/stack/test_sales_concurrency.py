"""Sales under concurrency and double taps, over real HTTP against DynamoDB Local."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from tests.stack.helpers import TIMEOUT, Api, create_with_stock
from tests.stack.test_concurrency import assert_ledger_consistent, in_parallel, ledger

pytestmark = pytest.mark.stack


def test_forty_sales_race_for_five_in_stock(owner: Api, stack) -> None:
    sku = create_with_stock(owner, 5)

    def sell():
        fresh = Api(owner.base_url)  # its own connection, like another till
        fresh.headers.update(owner.headers)
        try:
            return fresh.post("/sales", json={"lines": [{"sku": sku, "quantity": 1}]}, timeout=TIMEOUT * 2)
        finally:
            fresh.close()

    replies = in_parallel(40, sell)
    statuses = Counter(r.status_code for r in replies)
    assert statuses == {201: 5, 409: 35}, statuses
    assert all(r.json()["code"] == "insufficient_stock" for r in replies if r.status_code == 409)
    product = owner.get(f"/products/{sku}").json()
    assert product["on_hand"] == 0
    entries = ledger(owner, sku)
    assert [e["type"] for e in entries].count("sale") == 5
    assert_ledger_consistent(entries, 0)
    sales = owner.get("/sales", params={"limit": 200}).json()["items"]
    assert len(sales) == 5
    assert sorted(s["invoice_no"] for s in sales) == [1, 2, 3, 4, 5]  # no number taken twice


def test_same_key_five_times_in_parallel_is_one_sale(owner: Api) -> None:
    sku = create_with_stock(owner, 10)
    key = f"tap-{uuid.uuid4()}"

    def sell():
        fresh = Api(owner.base_url)
        fresh.headers.update(owner.headers)
        try:
            return fresh.post(
                "/sales",
                json={"lines": [{"sku": sku, "quantity": 2}]},
                headers={"Idempotency-Key": key},
                timeout=TIMEOUT * 2,
            )
        finally:
            fresh.close()

    replies = in_parallel(5, sell)
    assert {r.status_code for r in replies} == {201}, [r.text for r in replies]
    assert len({r.json()["sale_id"] for r in replies}) == 1
    assert owner.get(f"/products/{sku}").json()["on_hand"] == 8
    assert len(owner.get("/sales").json()["items"]) == 1


def test_mixed_sale_with_one_short_line_changes_nothing(owner: Api) -> None:
    plenty = create_with_stock(owner, 10)
    scarce = create_with_stock(owner, 1)
    reply = owner.post("/sales", json={"lines": [{"sku": plenty, "quantity": 3}, {"sku": scarce, "quantity": 2}]})
    assert reply.status_code == 409
    assert reply.json()["details"] == [{"sku": scarce, "requested": 2, "on_hand": 1}]
    assert owner.get(f"/products/{plenty}").json()["on_hand"] == 10
    assert owner.get("/sales").json()["items"] == []

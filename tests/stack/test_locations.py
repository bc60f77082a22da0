"""Transfers under concurrency, over real HTTP against DynamoDB Local: transfers racing for the
last units at a location (exactly one succeeds), and the shelves, what is in transit and the
ledger per location agree afterwards."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.stack.helpers import TIMEOUT, Api, create_with_stock
from tests.stack.test_concurrency import assert_ledger_consistent, in_parallel, ledger

pytestmark = pytest.mark.stack


def test_transfers_race_for_the_last_units(owner: Api) -> None:
    sku = create_with_stock(owner, 5)
    room = owner.post("/locations", json={"name": "Stock room"})
    assert room.status_code == 201, room.text
    room_id = room.json()["location_id"]

    def send():
        fresh = Api(owner.base_url)  # another phone, another connection
        fresh.headers.update(owner.headers)
        try:
            return fresh.post("/transfers", json={"from_location_id": "main", "to_location_id": room_id,
                                                  "lines": [{"sku": sku, "quantity": 4}]},
                              timeout=TIMEOUT * 2)  # fmt: skip
        finally:
            fresh.close()

    replies = in_parallel(5, send)
    statuses = Counter(r.status_code for r in replies)
    assert statuses == {201: 1, 409: 4}, [r.text for r in replies]
    assert all(r.json()["code"] == "insufficient_stock" for r in replies if r.status_code == 409)
    product = owner.get(f"/products/{sku}").json()
    assert product["on_hand"] == 1
    assert {s["location_id"]: s["on_hand"] for s in product["stock"]} == {"main": 1}
    moving = owner.get("/transfers", params={"status": "open"}).json()["items"]
    assert [ln["in_transit"] for t in moving for ln in t["lines"]] == [4]
    entries = ledger(owner, sku)
    assert_ledger_consistent(entries, 1)
    assert [e["type"] for e in entries] == ["receive", "transfer_out"]

    tid = moving[0]["transfer_id"]
    got = owner.post(f"/transfers/{tid}/receive", json={})
    assert got.status_code == 200 and got.json()["status"] == "received", got.text
    product = owner.get(f"/products/{sku}").json()
    assert {s["location_id"]: s["on_hand"] for s in product["stock"]} == {"main": 1, room_id: 4}
    by_location = {}
    for entry in ledger(owner, sku):
        by_location[entry["location_id"]] = by_location.get(entry["location_id"], 0) + entry["change"]
    assert by_location == {"main": 1, room_id: 4}
    report = owner.get("/reports/stock-by-location").json()
    assert {r["location_id"]: r["units"] for r in report["locations"]} == {"main": 1, room_id: 4}

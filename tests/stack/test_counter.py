"""Returns under concurrency, over real HTTP against DynamoDB Local: two returns racing for the
last unit of a line (exactly one succeeds), and stock, ledger and reports agree afterwards."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.stack.helpers import TIMEOUT, Api, create_with_stock
from tests.stack.test_concurrency import assert_ledger_consistent, in_parallel, ledger

pytestmark = pytest.mark.stack


def test_returns_race_for_the_last_unit(owner: Api) -> None:
    sku = create_with_stock(owner, 5)
    sale = owner.post("/sales", json={"lines": [{"sku": sku, "quantity": 2}], "payment_method": "cash"}).json()
    first = owner.post(f"/sales/{sale['sale_id']}/returns", json={"lines": [{"sku": sku, "quantity": 1}]})
    assert first.status_code == 201, first.text

    def give_back():
        fresh = Api(owner.base_url)  # another till, another connection
        fresh.headers.update(owner.headers)
        try:
            return fresh.post(f"/sales/{sale['sale_id']}/returns",
                              json={"lines": [{"sku": sku, "quantity": 1, "reason": "faulty"}]},
                              timeout=TIMEOUT * 2)  # fmt: skip
        finally:
            fresh.close()

    replies = in_parallel(6, give_back)
    statuses = Counter(r.status_code for r in replies)
    assert statuses == {201: 1, 409: 5}, [r.text for r in replies]
    assert all(r.json()["code"] == "over_return" for r in replies if r.status_code == 409)
    assert owner.get(f"/products/{sku}").json()["on_hand"] == 5  # both units back on the shelf
    assert_ledger_consistent(ledger(owner, sku), 5)
    got = owner.get(f"/sales/{sale['sale_id']}").json()
    assert len(got["returns"]) == 2 and got["lines"][0]["returned"] == 2
    summary = owner.get("/reports/summary").json()
    assert summary["units"] == 0 and summary["orders"] == 1 and summary["revenue"] == 0
    assert summary["returns"] == sale["total"] and summary["takings"] == [{"method": "cash", "amount": 0}]
    report = owner.get("/reports/returns").json()
    assert report["rows"][0]["returned"] == 2 and report["rows"][0]["sold"] == 2

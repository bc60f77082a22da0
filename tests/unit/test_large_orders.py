"""An order of hundreds of lines imports as one sale, all-or-nothing and re-run safe (issue 11
item 9), in a module of its own: moto's DynamoDB copies its tables on every transaction, so these
tests get a fresh, small one."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest

from chalicelib import db
from chalicelib.services import bigimports
from local import bootstrap
from tests.unit.conftest import register_shop
from tests.unit.test_bigimports import BUCKET, day_totals, finish, start


@pytest.fixture(scope="module", autouse=True)
def storage(aws: dict[str, Any]) -> Iterator[None]:
    bootstrap.create_imports_storage(boto3.client("s3"), boto3.client("sqs"), BUCKET, "shelfwise-imports",
                                     notify=False)
    yield


# --- an order of hundreds of lines (issue 11 item 9) ------------------------------------------------


def big_order(lines: int = 350) -> bytes:
    out = io.StringIO()
    out.write("Order ID,Order Date,Product ID,Product Name,Category,Sub-Category,Sales,Quantity,Profit,Region,State\n")
    for i in range(lines):
        out.write(f"WHOLESALE-1,2026-03-02,BIG-{i:04d},Part {i},Cat {i % 7},Sub {i % 31},{10 + i}.00,2,3.00,"
                  f"West,Oregon\n")
    return out.getvalue().encode()


def test_an_order_of_350_lines_is_one_sale_even_after_a_crash_between_parts(client, monkeypatch):
    api = register_shop(client)
    real = db.transact
    calls = {"n": 0}

    def crash_on_third_part(actions: list[dict[str, Any]]) -> None:
        if any("Delete" in a for a in actions):
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("the function timed out")
        real(actions)

    monkeypatch.setattr(db, "transact", crash_on_third_part)
    import_id = start(api, big_order())
    with pytest.raises(RuntimeError):
        bigimports.run(api.tenant_id, import_id)
    monkeypatch.setattr(db, "transact", real)
    db.update_import(api.tenant_id, import_id, {"lease_until": "2000-01-01T00:00:00Z"})
    status = finish(api, import_id)
    assert (status["status"], status["sales"], status["lines"]) == ("done", 1, 350), status
    sale = api.get("/sales?from=2026-03-02&to=2026-03-02").json["items"]
    assert len(sale) == 1 and len(sale[0]["lines"]) == 350
    totals = day_totals(api)
    assert totals["orders"] == 1 and totals["units"] == 700
    assert totals["revenue"] == sum(Decimal(10 + i) for i in range(350))
    products = list(db.product_days(api.tenant_id, "2026-03-02", "2026-03-02"))  # type: ignore[attr-defined]
    assert len(products) == 350 and all(Decimal(p["orders"]) == 1 for p in products)
    # and the same order again (by the one-request import, too) changes nothing
    again = api.post("/imports/sales", raw=big_order(), headers={"Content-Type": "text/csv"}).json
    assert (again["sales"], again["already_imported"]) == (0, 1)
    assert day_totals(api) == totals


def test_a_big_order_through_the_one_request_import(client):
    api = register_shop(client)
    reply = api.post("/imports/sales", raw=big_order(120), headers={"Content-Type": "text/csv"})
    assert reply.status_code == 200 and (reply.json["sales"], reply.json["lines"]) == (1, 120), reply.body
    assert day_totals(api)["units"] == 240

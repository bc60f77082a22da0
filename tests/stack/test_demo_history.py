"""The demo's background part over HTTP (local/demo.py History): stopped half-way, even in the
middle of an import, it resumes from its state file and every order is counted once; the older
lines get their stock at the end."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from local import demo
from local.stack import LocalStack
from tests.stack.helpers import PASSWORD, register_and_login

pytestmark = pytest.mark.stack

SLICE = Path(__file__).resolve().parents[1] / "data" / "superstore-slice.csv"


def test_history_resumes_after_a_stop_and_counts_each_order_once(stack: LocalStack, tmp_path: Path) -> None:
    api, account = register_and_login(stack.api_url, "Demo history test")
    raw = list(csv.DictReader(io.StringIO(SLICE.read_text(encoding="utf-8-sig"))))
    today = datetime.now(UTC).date()
    shift = ((today - timedelta(days=1)) - demo.last_day(raw)).days
    rows = demo.superstore_rows(shift, raw)
    first, rest = demo.split_catalogue(rows, today)
    reply = api.post("/imports/products", data=demo.products_csv(first), headers={"Content-Type": "text/csv"})
    assert reply.status_code == 200 and reply.json()["errors"] == [], reply.text

    steps = demo.history_steps(rows, rest, pieces=4)
    path = tmp_path / "state.json"
    state = {"tenant_id": account["tenant_id"], "shift_days": shift, "pieces": 4, "stage": "history", "done": 0}
    demo.write_state(path, state)
    before = demo.History(stack.api_url, steps, state, path, account["email"], PASSWORD)
    before.run(max_steps=1)
    assert not before.done and (demo.read_state(path, account["tenant_id"]) or {})["done"] == 1
    # Stopped in the middle of the second import: half of its orders are in, the state does not say so.
    second = list(csv.DictReader(io.StringIO(steps[1].body.decode())))
    orders = sorted({r["Order ID"] for r in second})
    half = [r for r in second if r["Order ID"] in orders[: len(orders) // 2]]
    assert api.post("/imports/sales", data=demo.to_csv(half), headers={"Content-Type": "text/csv"}).status_code == 200

    resumed_state = demo.read_state(path, account["tenant_id"])
    assert resumed_state is not None
    after = demo.History(stack.api_url, steps, resumed_state, path, account["email"], PASSWORD)
    assert after.status()["percent"] == before.status()["percent"] > 0
    after.run()
    assert after.done and after.status() == {"state": "done", "percent": 100, "shop_id": account["tenant_id"]}

    oldest = min(date.fromisoformat(r["Order Date"]) for r in rows)
    report = api.get("/reports/sales", params={"from": oldest.isoformat(), "to": today.isoformat(), "by": "month"})
    totals = report.json()["totals"]
    assert Decimal(str(totals["revenue"])) == sum(Decimal(r["Sales"]) for r in rows).quantize(Decimal("0.01"))
    assert Decimal(str(totals["profit"])) == sum(Decimal(r["Profit"]) for r in rows).quantize(Decimal("0.01"))
    assert totals["orders"] == len({r["Order ID"] for r in rows})

    exported = csv.DictReader(io.StringIO(api.get("/exports/products.csv").content.decode("utf-8-sig")))
    got = {p["sku"]: p for p in exported}
    assert set(got) == {r["Product ID"] for r in rows}
    for product in first + rest:
        assert int(got[product["sku"]]["on_hand"]) == product["on_hand"], product["sku"]
        assert int(got[product["sku"]]["min_stock"]) == product["min_stock"], product["sku"]

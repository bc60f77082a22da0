"""The nightly forecast run of one shop, and a forecast asked for on demand, on DynamoDB Local.

    .venv/bin/python -m bench.forecast_run

A shop of 2,000 products with six months of real daily sales: the product-day rollups of 2,000
products of the UCI Online Retail data (its last 182 days, moved to end yesterday), written
straight to the table as the sales path writes them (loading is not what is measured). Then the
SQS message handler forecasts the shop (time, requests, read and write units, as metered), and
GET /products/{sku}/forecast answers from the stored forecast and, after a sale dated yesterday,
again with the day since read.
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import metered_app  # noqa: E402

PRODUCTS = int(os.environ.get("BENCH_FORECAST_PRODUCTS", "2000"))
DAYS = 182


def _items(tenant_id: str, series: dict[str, list[float]]) -> list[dict[str, Any]]:
    from chalicelib import db

    today = date.today()
    first = today - timedelta(days=DAYS)
    items: list[dict[str, Any]] = []
    totals: dict[str, float] = {}
    for n, (sku, ys) in enumerate(series.items()):
        last_sold = None
        for i, units in enumerate(ys[-DAYS:]):
            if units:
                day = (first + timedelta(days=i)).isoformat()
                items.append({"PK": db.rollup_pk(tenant_id), "SK": f"PDAY#{day}#{sku}", "day": day, "sku": sku,
                              "units": int(units), "orders": 1, "revenue": Decimal(int(units)), "cost": Decimal(0)})
                totals[day] = totals.get(day, 0) + units
                last_sold = day
        items.append({
            "PK": db.shop_pk(tenant_id), "SK": db.PRODUCT_PREFIX + sku, "type": "product", "sku": sku,
            "name": f"Product {sku}", "category": "Gifts", "subcategory": "", "price": Decimal("2.50"),
            "unit_cost": Decimal("1.00"), "on_hand": 20 + n % 200, "min_stock": 0, "reorder_qty": 0, "version": 1,
            "lead_time_days": 7 + n % 21, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "last_sold_at": f"{last_sold}T12:00:00Z" if last_sold else None,
        })  # fmt: skip
    for day, units in totals.items():
        items.append({"PK": db.rollup_pk(tenant_id), "SK": f"DAY#{day}#import", "day": day, "till": "import",
                      "units": int(units), "orders": 1, "revenue": Decimal(0), "cost": Decimal(0), "lines": 1})
    return items


def _load(stack: Any, items: list[dict[str, Any]]) -> None:
    from botocore.config import Config

    from chalicelib import db

    loader = stack.client("dynamodb", config=Config(read_timeout=120, retries={"max_attempts": 10}))

    def write(chunk: list[dict[str, Any]]) -> None:
        for i in range(0, len(chunk), 25):
            request = {db.table(): [{"PutRequest": {"Item": db.to_ddb(it)}} for it in chunk[i:i + 25]]}
            while request:
                request = loader.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(write, [items[i:i + 2000] for i in range(0, len(items), 2000)]))


def run(stack: Any) -> list[dict[str, Any]]:
    from bench import forecast_accuracy
    from bench.reports import Shop
    from chalicelib import db

    data, _ = forecast_accuracy.load()
    active = {sku: ys for sku, ys in data.items() if any(ys[-DAYS:])}
    series = dict(sorted(active.items())[:PRODUCTS])
    rows: list[dict[str, Any]] = []
    with metered_app(stack) as (client, meter):
        shop = Shop(client, f"{len(series)} products forecast")
        tenant = shop.call("GET", "/me")["tenant_id"]
        items = _items(tenant, series)
        meter.paused = True
        started = time.monotonic()
        _load(stack, items)
        meter.paused = False
        days = sum(1 for it in items if str(it["SK"]).startswith("PDAY#"))
        rows.append({"item": f"load {len(series):,} products, {days:,} product-days (BatchWriteItem)",
                     "value": f"{time.monotonic() - started:.1f} s"})
        event = client.events.generate_sqs_event(message_bodies=[json.dumps({"tenant_id": tenant})],
                                                 queue_name="shelfwise-forecasts")
        meter.reset()
        started = time.monotonic()
        done = client.lambda_.invoke("forecast_shop", event).payload
        elapsed = time.monotonic() - started
        rows.append({
            "item": f"nightly run, one shop: {done['products']:,} products with sales (SQS handler)",
            "requests": meter.total_requests, "read_units": round(meter.read_units, 1),
            "write_units": round(meter.write_units, 1),
            "value": f"{elapsed:.1f} s ({1000 * elapsed / max(done['products'], 1):.1f} ms a product)",
        })  # fmt: skip
        sku = next(iter(series))
        for what in ("stored", "stored, again"):
            meter.reset()
            started = time.monotonic()
            shop.call("GET", f"/products/{sku}/forecast?days=28")
            rows.append({"item": f"GET /products/{{sku}}/forecast, {what}", "requests": meter.total_requests,
                         "read_units": round(meter.read_units, 1), "write_units": round(meter.write_units, 1),
                         "value": f"{(time.monotonic() - started) * 1000:.0f} ms"})
        # A sale dated yesterday, recorded now: the stored forecast is out of date.
        stale = (date.today() - timedelta(days=1)).isoformat() + "T23:00:00Z"
        db.touch_last_sold(tenant, sku, stale)
        db.ddb().update_item(TableName=db.table(), Key={"PK": {"S": db.forecast_pk(tenant)},
                                                        "SK": {"S": db.FORECAST_PREFIX + sku}},
                             UpdateExpression="SET computed_at = :old",
                             ExpressionAttributeValues={":old": {"S": "2000-01-01T00:00:00Z"}})
        meter.reset()
        started = time.monotonic()
        shop.call("GET", f"/products/{sku}/forecast?days=28")
        rows.append({"item": "GET /products/{sku}/forecast, recomputed (one day read)",
                     "requests": meter.total_requests, "read_units": round(meter.read_units, 1),
                     "write_units": round(meter.write_units, 1),
                     "value": f"{(time.monotonic() - started) * 1000:.0f} ms"})
        for path in ("/reorder-suggestions", "/forecasts/stockouts"):
            meter.reset()
            started = time.monotonic()
            shop.call("GET", path)
            rows.append({"item": f"GET {path}, {len(series):,} forecasts", "requests": meter.total_requests,
                         "read_units": round(meter.read_units, 1),
                         "value": f"{(time.monotonic() - started) * 1000:.0f} ms"})
    return rows


def main() -> None:
    from bench.harness import local_stack

    with local_stack() as stack:
        for row in run(stack):
            print(f"{row['item']:<75} {row.get('requests', ''):>6} {row.get('read_units', ''):>9} "
                  f"{row.get('write_units', ''):>8}  {row['value']}")


if __name__ == "__main__":
    main()

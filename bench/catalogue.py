"""Big catalogues: the dashboard summary, a product search and the low-stock list in shops of
1,000 and 10,000 products (BENCH_CATALOGUE_SIZES=1000,10000,100000 adds 100,000: loading it takes
DynamoDB Local a quarter of an hour here), on DynamoDB Local. The goal is the same time and the
same reads at every size.

The catalogues are written straight to the table (BatchWriteItem of products as the app stores
them, with their search entries and low-stock keys): creating them through the API would take
longer than the whole bench, and loading is not what is measured.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from bench.harness import metered_app

SIZES = tuple(int(n) for n in os.environ.get("BENCH_CATALOGUE_SIZES", "1000,10000").split(","))
WORDS = ("steel", "bolt", "hex", "nut", "washer", "brass", "hinge", "screw", "wood", "anchor", "bracket", "chain")


def _product(tenant_id: str, n: int) -> dict[str, Any]:
    from chalicelib import db

    name = f"{WORDS[n % 12].title()} {WORDS[(n // 12) % 12]} {n % 97} mm"
    on_hand, minimum = (n % 40), 5
    item = {
        "PK": db.shop_pk(tenant_id), "SK": db.PRODUCT_PREFIX + f"HW-{n:06d}", "type": "product",
        "sku": f"HW-{n:06d}", "name": name, "category": "Hardware", "subcategory": WORDS[n % 12],
        "price": Decimal("1.95"), "unit_cost": Decimal("0.80"), "on_hand": on_hand, "min_stock": minimum,
        "reorder_qty": 0, "version": 1, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    low, _ = db.low_stock_fields(tenant_id, item["sku"], on_hand, minimum)
    item.update(low)
    return item


def _load(tenant_id: str, size: int) -> None:
    from chalicelib import db

    def write(start: int) -> None:
        puts = []
        for n in range(start, min(start + 500, size)):
            item = _product(tenant_id, n)
            puts.append(db.to_ddb(item))
            words = db.search_words(item["sku"], item["name"])
            puts += [a["Put"]["Item"] for a in db.search_entries(tenant_id, item["sku"], words)]
        for i in range(0, len(puts), 25):
            request = {db.table(): [{"PutRequest": {"Item": p}} for p in puts[i : i + 25]]}
            while request:
                request = db.ddb().batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(0, size, 500)))


def run(stack: Any) -> list[dict[str, Any]]:
    from bench.reports import Shop

    rows: list[dict[str, Any]] = []
    with metered_app(stack) as (client, meter):
        for size in SIZES:
            shop = Shop(client, f"{size} products")
            tenant = shop.call("GET", "/me")["tenant_id"]
            meter.paused = True
            started = time.monotonic()
            _load(tenant, size)
            meter.paused = False
            loaded = time.monotonic() - started
            rows.append({"item": f"load {size:,} products (BatchWriteItem)", "value": f"{loaded:.1f} s"})
            for what, path in (
                ("summary", "/reports/summary"),
                ("search 'hex bolt'", "/products?q=hex%20bolt&limit=50"),
                ("low-stock list", "/products?low_stock=true&limit=50"),
            ):
                shop.call("GET", path)  # warm: the first call pays for connections
                meter.reset()
                started = time.monotonic()
                reply = shop.call("GET", path)
                elapsed = time.monotonic() - started
                found = len(reply.get("items", [])) if "items" in reply else reply.get("low_stock_count")
                rows.append({
                    "item": f"{what}, {size:,} products",
                    "requests": meter.total_requests,
                    "read_units": round(meter.read_units, 1),
                    "value": f"{elapsed * 1000:.0f} ms ({found} found)",
                })  # fmt: skip
    return rows

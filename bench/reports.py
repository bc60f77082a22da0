"""Report cost with few and many sales, and the Superstore import time, on DynamoDB Local.

Two shops sell over the same 365 days: one 1,000 sales, the other 100,000 (BENCH_MANY_SALES).
A 30-day and a 365-day sales report of each are measured (requests, read units, wall time):
reports read one rollup per day, so the figures should be about equal whatever the number of
sales. Then the whole Superstore file is imported into a new shop and timed (budget 60 s).
Sales are loaded through the app's own CSV import, in-process (chalice.test.Client).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import local_stack, metered_app  # noqa: E402

MANY = int(os.environ.get("BENCH_MANY_SALES", "100000"))
FEW = 1000
HEADER = [
    "Order ID",
    "Order Date",
    "Customer Name",
    "Segment",
    "Country",
    "City",
    "State",
    "Region",
    "Product ID",
    "Category",
    "Sub-Category",
    "Product Name",
    "Sales",
    "Quantity",
    "Discount",
    "Profit",
]
REGIONS = [("West", "California"), ("East", "New York"), ("Central", "Texas"), ("South", "Florida")]
CATEGORIES = [("Furniture", "Chairs"), ("Office Supplies", "Paper"), ("Technology", "Phones")]
ROWS_PER_FILE = 20_000  # about 3.5 MB: under one request's limit


def synthetic_sales(count: int, last_day: date, seed: int) -> list[str]:
    """`count` one-line orders spread over the 365 days to `last_day`, as CSV files."""
    rng = random.Random(seed)  # noqa: S311 - test data, not crypto
    files, out, writer = [], io.StringIO(), None
    for i in range(count):
        if i % ROWS_PER_FILE == 0:
            if writer is not None:
                files.append(out.getvalue())
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(HEADER)
        day = last_day - timedelta(days=rng.randrange(365))
        region, state = REGIONS[i % 4]
        category, sub = CATEGORIES[i % 3]
        sku = f"P-{i % 200:03d}"
        qty = 1 + i % 3
        sales = f"{qty * (5 + i % 200) / 4:.2f}"
        writer.writerow(
            [
                f"O-{seed}-{i}",
                day.isoformat(),
                "Customer",
                "Consumer",
                "United States",
                "City",
                state,
                region,
                sku,
                category,
                sub,
                f"Product {sku}",
                sales,
                qty,
                0,
                f"{float(sales) * 0.2:.4f}",
            ]
        )
    files.append(out.getvalue())
    return files


class Shop:
    def __init__(self, client: Any, name: str):
        self.client = client
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        self.call("POST", "/auth/register", {"shop_name": name, "email": email, "password": "Bench-pass-1"})
        self.token = self.call("POST", "/auth/login", {"email": email, "password": "Bench-pass-1"})["id_token"]

    token = ""

    def call(self, method: str, path: str, body: Any = None, raw: bytes | None = None) -> Any:
        headers = {"Content-Type": "text/csv" if raw is not None else "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        reply = getattr(self.client.http, method.lower())(path, headers=headers, body=data)
        if reply.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {reply.status_code} {reply.body[:300]!r}")
        return json.loads(reply.body)


def run(stack: Any) -> list[dict[str, Any]]:
    from local import superstore

    today = date.today()
    rows: list[dict[str, Any]] = []
    with metered_app(stack) as (client, meter):
        for count in (FEW, MANY):
            shop = Shop(client, f"{count} sales")
            started = time.monotonic()
            meter.paused = True  # loading is not what is measured here
            for part in synthetic_sales(count, today - timedelta(days=1), seed=count):
                shop.call("POST", "/imports/sales", raw=part.encode())
            meter.paused = False
            load_s = time.monotonic() - started
            rows.append({"item": f"load {count:,} sales (CSV import)", "value": f"{load_s:.1f} s"})
            for days in (30, 365):
                for by in ("day", "category"):
                    first = today - timedelta(days=days)
                    meter.reset()
                    started = time.monotonic()
                    report = shop.call("GET", f"/reports/sales?from={first}&to={today}&by={by}")
                    elapsed = time.monotonic() - started
                    rows.append(
                        {
                            "item": f"{days}-day report by {by}, shop with {count:,} sales",
                            "requests": meter.total_requests,
                            "read_units": round(meter.read_units, 1),
                            "value": f"{elapsed * 1000:.0f} ms, {report['totals']['orders']:,} orders",
                        }
                    )
        shop = Shop(client, "Superstore")
        data = superstore.fetch().read_bytes()
        meter.paused = True  # reading items back to size them would slow the import being timed
        started = time.monotonic()
        result = shop.call("POST", "/imports/sales", raw=data)
        elapsed = time.monotonic() - started
        meter.paused = False
        rows.append(
            {
                "item": "Superstore import (9,994 lines, 5,009 orders; budget 60 s)",
                "value": f"{elapsed:.1f} s, {result['sales']:,} sales",
            }
        )
    return rows


def main() -> None:
    with local_stack() as stack:
        rows = run(stack)
    for r in rows:
        sys.stdout.write(
            f"{r['item']:<62} {r.get('requests', ''):>8} {r.get('read_units', ''):>8} "
            f"{r.get('write_units', ''):>9}  {r['value']}\n"
        )


if __name__ == "__main__":
    main()

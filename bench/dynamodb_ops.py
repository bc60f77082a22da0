"""DynamoDB requests and capacity units per operation, measured on DynamoDB Local.

Starts the local stand-ins (DynamoDB Local for the table, moto's server for Cognito and SES),
runs the app in-process through chalice.test.Client with its DynamoDB client metered
(bench/meter.py), and prints one row per operation. Nothing is asserted: read the figures.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import local_stack, metered_app  # noqa: E402
from bench.meter import Meter  # noqa: E402

PASSWORD = "Bench-pass-1"  # noqa: S105 - a throwaway local account


class Bench:
    def __init__(self, client: Any, meter: Meter):
        self.client, self.meter = client, meter
        self.rows: list[dict[str, Any]] = []
        self.token = ""

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        sent = {
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            **(headers or {}),
        }
        reply = getattr(self.client.http, method.lower())(
            path, headers=sent, body=json.dumps(body) if body is not None else None
        )
        if reply.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {reply.status_code} {reply.body[:300]!r}")
        return json.loads(reply.body) if reply.body else None

    def measure(self, label: str, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        self.meter.reset()
        result = self.call(method, path, body, **kw)
        self.rows.append({"operation": label, **self.meter.summary()})
        return result

    def measure_fn(self, label: str, fn: Any) -> Any:
        self.meter.reset()
        result = fn()
        self.rows.append({"operation": label, **self.meter.summary()})
        return result


def run(stack: Any) -> list[dict[str, Any]]:
    with metered_app(stack) as (client, meter):
        b = Bench(client, meter)
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        b.call("POST", "/auth/register", {"shop_name": "Bench shop", "email": email, "password": PASSWORD})
        b.token = b.call("POST", "/auth/login", {"email": email, "password": PASSWORD})["id_token"]
        tenant = b.call("GET", "/me")["tenant_id"]

        product = {
            "name": "Ground coffee 250 g",
            "price": "4.50",
            "unit_cost": "2.10",
            "category": "Grocery",
            "subcategory": "Hot drinks",
            "min_stock": 3,
            "reorder_qty": 12,
            "barcode": "5012345678900",
        }
        b.measure("product: create", "POST", "/products", {"sku": "B-0", **product})
        for i in range(1, 60):
            b.call("POST", "/products", {"sku": f"B-{i}", **product})
        b.measure("product: get", "GET", "/products/B-0")
        b.measure("product: list 50", "GET", "/products?limit=50")
        b.measure("product: search (60 in shop)", "GET", "/products?q=b-42")
        b.measure("product: patch", "PATCH", "/products/B-0", {"price": "4.75"})
        b.measure(
            "stock: receive", "POST", "/products/B-0/stock", {"type": "receive", "quantity": 50, "unit_cost": "2"}
        )
        b.measure(
            "stock: receive + Idempotency-Key",
            "POST",
            "/products/B-0/stock",
            {"type": "receive", "quantity": 5},
            headers={"Idempotency-Key": "bench-1"},
        )
        b.measure(
            "stock: same key again (replay)",
            "POST",
            "/products/B-0/stock",
            {"type": "receive", "quantity": 5},
            headers={"Idempotency-Key": "bench-1"},
        )
        b.measure("stock: adjust", "POST", "/products/B-0/stock", {"type": "adjust", "quantity": -1})
        b.measure("stock: count", "POST", "/products/B-0/stock", {"type": "count", "quantity": 40})
        b.measure("stock: movements list", "GET", "/products/B-0/movements")
        for i in range(1, 31):
            b.call("POST", f"/products/B-{i}/stock", {"type": "receive", "quantity": 100})
        for n in (1, 5, 30):
            b.measure(
                f"sale: {n} line{'s' if n > 1 else ''}",
                "POST",
                "/sales",
                {"lines": [{"sku": f"B-{i}", "quantity": 1} for i in range(1, n + 1)]},
            )
        b.measure(
            "sale: 5 lines + Idempotency-Key",
            "POST",
            "/sales",
            {"lines": [{"sku": f"B-{i}", "quantity": 1} for i in range(1, 6)]},
            headers={"Idempotency-Key": "bench-sale"},
        )
        b.call("PATCH", "/settings/shop", {"default_tax_rate": 0.2})
        taxed = b.measure(
            "sale: 5 lines, tax + discounts + payment + key",
            "POST",
            "/sales",
            {"lines": [{"sku": f"B-{i}", "quantity": 2, "discount_pct": 10} for i in range(6, 11)],
             "payment_method": "card"},
            headers={"Idempotency-Key": "bench-taxed"},
        )  # fmt: skip
        b.measure(
            "return: 2 lines, restocked, + key",
            "POST",
            f"/sales/{taxed['sale_id']}/returns",
            {"lines": [{"sku": "B-6", "quantity": 1, "reason": "damaged"}, {"sku": "B-7", "quantity": 2}]},
            headers={"Idempotency-Key": "bench-return"},
        )
        b.measure("report: tax by rate (30 days)", "GET", "/reports/tax")
        b.measure("report: returns (30 days)", "GET", "/reports/returns")
        b.measure("report: today's summary (60 products)", "GET", "/reports/summary")
        b.measure("report: 30-day sales by day", "GET", "/reports/sales?by=day")
        supplier = b.call("POST", "/suppliers", {"name": "Bench Supplies"})["supplier_id"]
        po = b.measure(
            "purchase order: create (5 lines)",
            "POST",
            "/purchase-orders",
            {"supplier_id": supplier, "lines": [{"sku": f"B-{i}", "quantity": 10, "unit_cost": "2"} for i in range(5)]},
        )
        b.measure(
            "purchase order: mark ordered", "POST", f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"}
        )
        b.measure(
            "purchase order: receipt (5 lines)",
            "POST",
            f"/purchase-orders/{po['po_id']}/receipts",
            {"lines": [{"sku": f"B-{i}", "quantity": 10} for i in range(5)]},
        )

        customer_rows(b, stack, tenant, supplier)
        nightly_related(b, tenant)
        alert_rows = alert_check(b, client, tenant, stack)
    return b.rows + alert_rows


def customer_rows(b: Bench, stack: Any, tenant: str, supplier: str) -> None:
    """Customers, buyers' feedback, the supplier scorecard and bought-together (issue 13)."""
    from chalicelib.services.customers import recompute_rfm

    def buyer(i: int) -> dict[str, Any]:
        return {
            "id": f"C-{i}",
            "email": f"buyer{i}@example.com",
            "name": f"Buyer {i}",
            "segment": "Consumer",
            "city": "Leeds",
            "country": "United Kingdom",
        }

    lines = [{"sku": f"B-{i}", "quantity": 1} for i in range(11, 16)]
    first = b.measure("sale: 5 lines + customer (first sight)", "POST", "/sales",
                      {"lines": lines, "customer": buyer(0)})  # fmt: skip
    b.measure("sale: 5 lines + returning customer", "POST", "/sales", {"lines": lines, "customer": buyer(0)})
    for i in range(1, 20):  # 20 customers in all, a few products each, overlapping (bought together)
        b.call("POST", "/sales", {"lines": [{"sku": f"B-{11 + (i + k) % 8}", "quantity": 1} for k in range(3)],
                                  "customer": buyer(i)})  # fmt: skip
    b.measure("customer: page (GET /customers/{id}, 2 sales)", "GET", "/customers/C-0")
    b.measure("customers: list 50 by revenue (20 in shop)", "GET", "/customers?limit=50")
    b.measure("customers: search (20 in shop)", "GET", "/customers?q=buyer%207")
    b.measure("report: customers, 30 days (20 customers)", "GET", "/reports/customers")
    b.measure("report: 30-day sales by customer", "GET", "/reports/sales?by=customer")
    b.measure_fn("RFM nightly: 1 shop, 20 customers (all scored anew)", lambda: recompute_rfm(tenant))
    b.measure_fn("RFM nightly: 1 shop, 20 customers (none changed)", lambda: recompute_rfm(tenant))
    _fill_customers(stack, tenant, 1000)
    b.measure_fn("RFM nightly: 1 shop, 1,020 customers (1,000 new scores)", lambda: recompute_rfm(tenant))
    b.measure_fn("RFM nightly: 1 shop, 1,020 customers (none changed)", lambda: recompute_rfm(tenant))

    link = b.measure("feedback: link for a sale (owner)", "GET", f"/sales/{first['sale_id']}/feedback-link")
    token = link["url"].rsplit("/", 1)[1]
    owner, b.token = b.token, ""  # the buyer's page: no sign-in
    try:
        b.measure("feedback: public form (5 products)", "GET", f"/feedback/{token}")
        b.measure("feedback: public submit (5 ratings, 2 comments)", "POST", f"/feedback/{token}",
                  {"ratings": [{"sku": ln["sku"], "stars": 2 + i % 4,
                                **({"comment": "Good value, would buy again."} if i < 2 else {})}
                               for i, ln in enumerate(lines)]})  # fmt: skip
    finally:
        b.token = owner
    b.measure("feedback: report, 30 days (5 products rated)", "GET", "/reports/feedback")
    b.measure("feedback: a product's ratings", "GET", "/products/B-11/feedback")
    b.measure("supplier: scorecard (1 order received)", "GET", f"/suppliers/{supplier}/scorecard")
    b.measure("bought together: a product (22 sales)", "GET", "/products/B-11/related")


def _fill_customers(stack: Any, tenant: str, count: int) -> None:
    """Customer records written straight to the table (not metered), as sales leave them."""
    from chalicelib import db

    _put_all(stack, ({"PK": db.customers_pk(tenant), "SK": f"{db.CUSTOMER_PREFIX}F-{i:05d}", "type": "customer",
                      "customer_id": f"F-{i:05d}", "name": f"Filler buyer {i}", "orders": 1 + i % 7,
                      "revenue": 10 + i % 300, "profit": 3, "first_purchase": "2026-01-01T10:00:00Z",
                      "last_purchase": f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T10:00:00Z"}
                     for i in range(count)))  # fmt: skip


def nightly_related(b: Bench, tenant: str) -> None:
    """A day of the reference workload's sales (100 of 5 lines, over 30 products), then the nightly
    bought-together count of them (with the handful sold above)."""
    from datetime import timedelta

    from chalicelib import clock
    from chalicelib.services import related

    for k in range(100):
        b.call("POST", "/sales", {"lines": [{"sku": f"B-{(k * 7 + i * 3) % 30 + 1}", "quantity": 1} for i in range(5)]})
    b.measure_fn("related: nightly count of a day (~105 sales, 5 lines, 30 products)",
                 lambda: related.count_shop(tenant, clock.now() + timedelta(minutes=10)))  # fmt: skip


def _fill(stack: Any, tenant: str, start: int, stop: int) -> None:
    """Catalogue filler written straight to the table (not metered): products well above minimum."""
    from chalicelib import db

    _put_all(stack, ({
            "PK": db.shop_pk(tenant),
            "SK": f"{db.PRODUCT_PREFIX}F-{i:05d}",
            "type": "product",
            "sku": f"F-{i:05d}",
            "name": f"Filler {i}",
            "price": 1,
            "unit_cost": 0,
            "on_hand": 50,
            "min_stock": 5,
            "reorder_qty": 0,
            "version": 1,
            "category": "",
            "subcategory": "",
            "search": f"f-{i:05d}\nfiller {i}\n",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        } for i in range(start, stop)))


def _put_all(stack: Any, items: Iterable[dict[str, Any]]) -> None:
    """Items written straight to the table, 25 a BatchWriteItem (not metered: filler)."""
    from chalicelib import db

    ddb, table = stack.client("dynamodb"), os.environ["TABLE_NAME"]
    puts = [{"PutRequest": {"Item": db.to_ddb(item)}} for item in items]
    for start in range(0, len(puts), 25):
        request = {table: puts[start:start + 25]}
        while request:
            request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}


def alert_check(b: Bench, client: Any, tenant: str, stack: Any) -> list[dict[str, Any]]:
    """The scheduled check with 10 low products, in a shop of 100 and then of 10,000 products."""
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])
    low = [f"L-{i}" for i in range(10)]
    for sku in low:
        b.call("POST", "/products", {"sku": sku, "name": f"Low {sku}", "price": 1, "min_stock": 3})
        b.call("POST", f"/products/{sku}/stock", {"type": "receive", "quantity": 5})

    def fall() -> None:  # down to 2, below the minimum of 3
        for sku in low:
            b.call("POST", f"/products/{sku}/stock", {"type": "count", "quantity": 2})

    def check() -> Any:
        return client.lambda_.invoke("check_stock_levels", event).payload

    client.lambda_.invoke("check_stock_levels", event)  # settle anything left by earlier shops
    rows = []
    for size in (100, 10_000):
        _fill(stack, tenant, 0 if size == 100 else 30, size - 70)
        # The bench shop also has 60 B-* products and the 10 low ones: about `size` in all.
        fall()
        b.measure_fn(f"alert check: {size:,} products, 10 newly low (sends 1 email)", check)
        b.measure_fn(f"alert check: {size:,} products, 10 still low (no email)", check)
        rows.extend(b.rows[-2:])
        del b.rows[-2:]
        for sku in low:  # restock above the minimum: re-armed for the next round
            b.call("POST", f"/products/{sku}/stock", {"type": "receive", "quantity": 5})
    return rows


def print_rows(rows: list[dict[str, Any]]) -> None:
    width = max(len(r["operation"]) for r in rows)
    sys.stdout.write(f"{'operation':<{width}}  requests  read units  write units  requests by operation\n")
    for r in rows:
        by = ", ".join(f"{k} {v}" for k, v in r["by_operation"].items())
        sys.stdout.write(
            f"{r['operation']:<{width}}  {r['requests']:>8}  {r['read_units']:>10}  {r['write_units']:>11}  {by}\n"
        )


def main() -> None:
    with local_stack() as stack:
        rows = run(stack)
    print_rows(rows)


if __name__ == "__main__":
    main()

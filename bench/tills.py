"""Many tills at once: 8 tills of one shop ring up 200 sales of distinct products together, on
DynamoDB Local. Prints sales per second, p50/p95 latency per sale and conflict retries per sale
(transactions DynamoDB cancelled because another write got there first).

The sales go straight to the sales service from 8 threads (one per till), with the app's own
DynamoDB client: the HTTP layer is not what is measured, and each thread is one till.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

TILLS = 8
SALES = 200


def _shop(stack: Any) -> Any:
    """A registered shop's identity, with SALES products of 5 each in stock."""
    os.environ.update(stack.env)
    from chalicelib.auth import Identity
    from chalicelib.models import ProductCreate, RegisterIn, StockMovementIn
    from chalicelib.services import accounts, products, stock
    from chalicelib.settings import reset_settings

    reset_settings()
    email = f"tills-{uuid.uuid4().hex[:8]}@example.com"
    registered = accounts.register(RegisterIn(shop_name="Eight tills", email=email, password="Bench-pass-1"))  # noqa: S106 - a throwaway local shop
    owner = Identity(tenant_id=registered.tenant_id, user_id="bench", email=email, role="owner")
    for n in range(SALES):
        sku = f"T{n:04d}"
        products.add(owner.tenant_id, ProductCreate(sku=sku, name=f"Item {n}", price=Decimal("2.50"),
                                                    unit_cost=Decimal("1.00"), category="Bench"))
        stock.record(owner, sku, StockMovementIn(type="receive", quantity=5))
    return owner


def run(stack: Any) -> list[dict[str, Any]]:
    from chalicelib import db
    from chalicelib.models import SaleIn
    from chalicelib.services import sales

    owner = _shop(stack)
    conflicts = 0
    lock = threading.Lock()
    transact = db._transact

    def counting(actions: list[dict[str, Any]]) -> None:
        nonlocal conflicts
        try:
            transact(actions)
        except db.ConditionFailed:
            with lock:
                conflicts += 1
            raise

    named_tills = "till" in SaleIn.model_fields  # absent before tills had their own series
    local = threading.local()
    numbers = iter(range(1, TILLS + 1))

    def sell(n: int) -> float:
        body: dict[str, Any] = {"lines": [{"sku": f"T{n:04d}", "quantity": 1}]}
        if named_tills:  # each thread is one till, ringing up one sale at a time
            if not hasattr(local, "till"):
                with lock:
                    local.till = f"till-{next(numbers)}"
            body["till"] = local.till
        started = time.perf_counter()
        sales.record(owner, SaleIn.model_validate(body))
        return time.perf_counter() - started

    db._transact = counting
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=TILLS) as pool:
            latencies = sorted(pool.map(sell, range(SALES)))
        wall = time.perf_counter() - started
    finally:
        db._transact = transact
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    return [
        {"item": f"{TILLS} tills, {SALES} sales of distinct products: sales per second",
         "value": f"{SALES / wall:.0f} sales/s ({wall:.1f} s in all)"},
        {"item": f"{TILLS} tills: latency per sale, p50 / p95",
         "value": f"{statistics.median(latencies) * 1000:.0f} ms / {p95 * 1000:.0f} ms"},
        {"item": f"{TILLS} tills: conflict retries per sale",
         "value": f"{conflicts / SALES:.2f} ({conflicts} cancelled transactions)"},
    ]  # fmt: skip


if __name__ == "__main__":
    from bench.harness import local_stack

    with local_stack() as running:
        for result in run(running):
            print(f"{result['item']}: {result['value']}")  # noqa: T201 - a command-line report

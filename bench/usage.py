"""What metering and the rate limiter add to an operation, measured on DynamoDB Local.

The app runs in-process (bench/harness.py) with its DynamoDB client metered (bench/meter.py);
calls metering makes itself (the lease-and-counters write, the plan read) are told apart by
chalicelib.usage's own flag. Per operation: the operation's own DynamoDB calls and units, what
metering added, and both priced (chalicelib/prices.py; a request also pays API Gateway and
Lambda). Three paces: a sale when the shop is quiet (each request opens a new limiter window:
one write each, the worst case), ten sales in one window (a busy till: one write per ten), and a
dashboard view (its four requests in one window). `python -m bench.usage`.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import local_stack, metered_app  # noqa: E402
from bench.meter import Meter  # noqa: E402

PASSWORD = "Bench-pass-1"  # noqa: S105 - a throwaway local account
SKUS = [f"U-{i}" for i in range(5)]
DASHBOARD = ("/reports/summary", "/reports/sales?by=day", "/products?low_stock=true", f"/products/{SKUS[0]}")


class Own:
    """Counts the DynamoDB calls chalicelib.usage makes for itself (its `_own.quiet` flag)."""

    def __init__(self, meter: Meter):
        self.meter = meter
        self.calls = 0
        self.write_units = 0.0
        self.read_units = 0.0

    def attach(self, client: Any) -> None:
        client.meta.events.register("after-call.dynamodb", self._record)

    def _record(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        from chalicelib import usage

        if not getattr(usage._own, "quiet", False):
            return
        self.calls += 1
        if model.name == "UpdateItem":
            self.write_units += 1.0  # the usage item stays far under 1 KB (checked below)
        else:
            self.read_units += 0.5  # the plan: one eventually consistent GetItem

    def reset(self) -> None:
        self.calls, self.write_units, self.read_units = 0, 0.0, 0.0


def run(stack: Any) -> list[dict[str, Any]]:
    from chalicelib import aws, usage

    with metered_app(stack) as (client, meter):
        own = Own(meter)
        own.attach(aws.client("dynamodb"))
        token = ""

        def call(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
            sent = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {}),
                    **(headers or {})}
            reply = getattr(client.http, method.lower())(path, headers=sent,
                                                         body=json.dumps(body) if body is not None else None)
            if reply.status_code >= 400:
                raise RuntimeError(f"{method} {path} -> {reply.status_code} {reply.body[:300]!r}")
            return json.loads(reply.body) if reply.body else None

        email = f"usage-{uuid.uuid4().hex[:8]}@example.com"
        tenant = call("POST", "/auth/register", {"shop_name": "Usage bench", "email": email,
                                                 "password": PASSWORD})["tenant_id"]
        token = call("POST", "/auth/login", {"email": email, "password": PASSWORD})["id_token"]
        for sku in SKUS:
            call("POST", "/products", {"sku": sku, "name": f"Bench {sku}", "price": 2.5, "unit_cost": 1.2,
                                       "min_stock": 1000})
            call("POST", f"/products/{sku}/stock", {"type": "receive", "quantity": 10_000, "unit_cost": 1.2})
        clock = {"now": 1_900_000_000.0}
        real_now = usage._now
        usage._now = lambda: clock["now"]  # type: ignore[assignment]  # each pace picks its windows
        try:
            return _paces(call, meter, own, tenant, clock, stack)
        finally:
            usage._now = real_now  # type: ignore[assignment]


def _paces(call: Any, meter: Meter, own: Own, tenant: str, clock: dict[str, float], stack: Any) -> list[dict[str, Any]]:
    from chalicelib import db, usage
    from chalicelib.prices import price
    from chalicelib.services.usage import request_price

    sale = {"lines": [{"sku": sku, "quantity": 1} for sku in SKUS], "payment_method": "cash"}
    rows = []

    def measure(label: str, ops: int, requests_per_op: int, action: Any) -> None:
        meter.reset()
        own.reset()
        for i in range(ops):
            action(i)
        usage.flush(tenant)  # what was still buffered, so every metering write is in the figures
        total_writes, total_reads = meter.write_units / ops, meter.read_units / ops
        meter_w, meter_r = own.write_units / ops, own.read_units / ops
        op_w, op_r = total_writes - meter_w, total_reads - meter_r
        op_calls = (meter.total_requests - own.calls) / ops
        op_cost = (op_w * price("dynamodb_write") + op_r * price("dynamodb_read")
                   + requests_per_op * request_price())
        meter_cost = meter_w * price("dynamodb_write") + meter_r * price("dynamodb_read")
        rows.append({
            "operation": label, "op_calls": round(op_calls, 2), "op_read_units": round(op_r, 2),
            "op_write_units": round(op_w, 2), "metering_calls": round(own.calls / ops, 2),
            "metering_write_units": round(meter_w, 2), "metering_read_units": round(meter_r, 2),
            "op_cost_usd": op_cost, "metering_cost_usd": meter_cost,
            "overhead_pct": round(100 * meter_cost / op_cost, 1),
            "overhead_pct_of_dynamodb": round(100 * meter_cost / (op_cost - requests_per_op * request_price()), 1),
            # For `make bench`'s table: what metering adds to the operation.
            "requests": round(own.calls / ops, 2), "read_units": round(meter_r, 2),
            "write_units": round(meter_w, 2),
            "value": f"+{round(100 * meter_cost / op_cost, 1)} % of the operation's cost",
        })

    def quiet_sale(i: int) -> None:
        clock["now"] += 5  # a new limiter window: this request leases (and writes) by itself
        call("POST", "/sales", sale, headers={"Idempotency-Key": uuid.uuid4().hex})

    def busy_sale(i: int) -> None:
        clock["now"] += 0.01  # ten sales in one window: one lease of ten tokens
        call("POST", "/sales", sale, headers={"Idempotency-Key": uuid.uuid4().hex})

    def dashboard(i: int) -> None:
        clock["now"] += 5
        for path in DASHBOARD:
            call("GET", path)

    measure("metering added to a sale (5 lines), quiet shop: 1 request per window", 10, 1, quiet_sale)
    clock["now"] += 5 - clock["now"] % 5
    measure("metering added to a sale (5 lines), busy till: 10 sales in one window", 10, 1, busy_sale)
    measure("metering added to a dashboard view (4 requests in one window)", 10, len(DASHBOARD), dashboard)
    item = db.usage_months(tenant, [usage.month_of(clock["now"])])
    from chalicelib.usage import item_size

    raw = stack.client("dynamodb").get_item(TableName=db.table(),
                                            Key=db.usage_key(tenant, usage.month_of(clock["now"])))["Item"]
    fields = sorted(next(iter(item.values())))
    rows.append({"operation": f"(the usage item: {item_size(raw)} bytes, fields {fields})"})
    return rows


def print_rows(rows: list[dict[str, Any]]) -> None:
    print("Metering and rate-limit overhead per operation (DynamoDB Local; cost at list prices, "
          "the operation's cost includes API Gateway + Lambda per request)")
    for row in rows:
        if "op_calls" not in row:
            print(row["operation"])
            continue
        print(f"- {row['operation']}: operation {row['op_calls']} calls, {row['op_read_units']} RU, "
              f"{row['op_write_units']} WU, ${row['op_cost_usd']:.8f}; metering +{row['metering_calls']} calls, "
              f"+{row['metering_write_units']} WU, +{row['metering_read_units']} RU, ${row['metering_cost_usd']:.8f} "
              f"= {row['overhead_pct']} % of the operation ({row['overhead_pct_of_dynamodb']} % of its DynamoDB cost)")


def main() -> None:
    with local_stack() as stack:
        print_rows(run(stack))


if __name__ == "__main__":
    main()

"""A shop's usage in a month (GET /usage) and every shop's month for billing (infra/usage.py).

The figures are what chalicelib/usage.py metered; the estimated cost prices them at AWS list
prices (chalicelib/prices.py, the same table bench/cost.py uses): each request pays API Gateway
and Lambda (invocation and an assumed duration), each unit DynamoDB, each email SES, and the
stored bytes a month of DynamoDB storage. Fixed costs shared by every shop (alarms, the
site's hosting) are not in a shop's figure.
"""

from __future__ import annotations

from typing import Any

from chalicelib import db, usage
from chalicelib.auth import Identity
from chalicelib.models import RateLimit, Usage
from chalicelib.prices import assume, price

# Storage is a running total: a month's figure adds the bytes put in it and in the months before,
# back this far (a shop's data older than that is a rounding error at these sizes; a bound on reads).
STORAGE_MONTHS = 24
MB = 1024 * 1024
# What one API request costs besides its DynamoDB units (the API in front is an HTTP API).
API_REQUEST_PRICE = "apigw_http_request"


def months_back(month: str, count: int) -> list[str]:
    """`month` and the `count - 1` months before it, oldest first."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def request_price() -> float:
    seconds = assume("api_duration_s") * assume("lambda_memory_gb")
    return price(API_REQUEST_PRICE) + price("lambda_request") + seconds * price("lambda_gb_second")


def figures(month: str, item: dict[str, Any] | None, stored_bytes: float) -> dict[str, Any]:
    item = item or {}
    counts = {name: float(item.get(name, 0)) for name in db.USAGE_FIELDS}
    storage_mb = stored_bytes / MB
    cost = (counts["requests"] * request_price() + counts["read_units"] * price("dynamodb_read")
            + counts["write_units"] * price("dynamodb_write") + counts["emails"] * price("ses_email")
            + storage_mb / 1024 * price("dynamodb_storage"))
    return {
        "month": month,
        "requests": int(counts["requests"]),
        "sales": int(counts["sales"]),
        "emails": int(counts["emails"]),
        "read_units": round(counts["read_units"], 1),
        "write_units": round(counts["write_units"], 1),
        "storage_mb": round(storage_mb, 3),
        "estimated_cost_usd": round(cost, 6),
    }


def of_shop(identity: Identity, month: str | None) -> Usage:
    month = month or usage.this_month()
    # This function's own buffer first, so what the owner sees includes their latest requests.
    usage.flush(identity.tenant_id)
    items = db.usage_months(identity.tenant_id, months_back(month, STORAGE_MONTHS))
    stored = sum(float(item.get("stored_bytes", 0)) for item in items.values())
    plan = usage.plan_of(identity.tenant_id)
    limit = RateLimit(plan=plan.name, per_second=plan.per_second, burst=plan.burst)
    return Usage(**figures(month, items.get(month), stored), limit=limit)


def every_shop(month: str) -> list[dict[str, Any]]:
    """Every shop with usage in `month` or stored data from the months before, by tenant: one
    Query per shard of each month's partition, never a Scan."""
    this: dict[str, dict[str, Any]] = {item["SK"]: item for item in db.usage_of_month(month)}
    stored: dict[str, float] = {}
    for earlier in months_back(month, STORAGE_MONTHS):
        for item in (this.values() if earlier == month else db.usage_of_month(earlier)):
            stored[item["SK"]] = stored.get(item["SK"], 0) + float(item.get("stored_bytes", 0))
    return [{"tenant_id": tenant, **figures(month, this.get(tenant), stored[tenant])} for tenant in sorted(stored)]

"""Bought together: for each product, the products most often in the same sale.

Counted once a night from the sales recorded since the last count (the stock check's first run
after 02:30 UTC, like the customers' scores): per product `orders + n` and `with<other> + n` for
the day's sales that had both, and the number of sales, each product item once per window (so
exactly once, even when a run stops half way and runs again). A live sale writes nothing for
it: counting n + 1 items in each sale's rollup transaction cost 2(n + 1) write units a sale; the
night writes each product sold that day once, non-transactionally. The lists are as of the last
night. Imported history is not counted (a shop's file of past sales says what sold, not always
what sold together in one basket), nor a sale recorded more than LOOKBACK after its sold_at.
Reading one product's list is a GetItem, a BatchGetItem of its partners and a Query of the totals.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import clock, db
from chalicelib.auth import Identity
from chalicelib.observability import logger

MAX_PRODUCTS = 30  # a sale's lines at most: every sale is counted
SETTLED = timedelta(minutes=5)  # a sale recorded before now - this has committed (or never will)
LOOKBACK = timedelta(days=7)  # how far before its recording a sale's sold_at may be and still count
NIGHTLY_AFTER, NIGHTLY_UNTIL = (2, 30), (4, 30)  # UTC, as the customers' nightly scores
ACTIVE_DAYS = 8  # shops with sales dated in these last days are visited


def nightly() -> dict[str, Any]:
    """Count every recently active shop's new sales, once a night (later runs that day do nothing)."""
    now = clock.now().astimezone(UTC)
    if not NIGHTLY_AFTER <= (now.hour, now.minute) < NIGHTLY_UNTIL or not db.claim_nightly(
        "related", now.date().isoformat()
    ):
        return {}
    shops: dict[str, None] = {}
    for back in range(ACTIVE_DAYS + 1):
        shops.update(dict.fromkeys(db.active_shops((now.date() - timedelta(days=back)).isoformat())))
    totals = {"shops": 0, "sales": 0, "failures": 0}
    for tenant_id in shops:
        try:
            totals["sales"] += count_shop(tenant_id, now)
        except Exception:  # its window stays open: the next night finishes it
            logger.exception("bought-together count failed for a shop", extra={"tenant_id": tenant_id})
            totals["failures"] += 1
            continue
        totals["shops"] += 1
    return {"related": totals}


def count_shop(tenant_id: str, now: datetime) -> int:
    """Add the shop's sales recorded since the last count; returns how many were counted."""
    counted_to, to = db.related_window(tenant_id, clock.iso(now - SETTLED))
    low = counted_to or clock.iso(datetime.fromisoformat(to) - LOOKBACK)
    first_id = clock.new_id(datetime.fromisoformat(low) - LOOKBACK)[:10] + "0" * 16
    orders: dict[str, int] = defaultdict(int)
    together: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counted = 0
    for sale in db.sales_recorded_between(tenant_id, first_id, low, to):
        skus = list(dict.fromkeys(ln["sku"] for ln in sale["lines"]))
        if sale.get("till") == "import" or len(skus) > MAX_PRODUCTS:
            continue
        counted += 1
        for sku in skus:
            orders[sku] += 1
            for other in skus:
                if other != sku:
                    together[sku][other] += 1
    for sku, n in orders.items():
        adds = {"orders": n, **{db.RELATED_WITH + other: k for other, k in together[sku].items()}}
        db.related_add_once(tenant_id, f"RELATED#{sku}", adds, {"sku": sku}, to)
    if counted:
        db.related_add_once(tenant_id, db.RELATED_NIGHTLY_TOTAL, {"orders": counted}, {}, to)
    db.related_window_close(tenant_id, to)
    return counted


def related(identity: Identity, sku: str, limit: int) -> dict[str, Any]:
    from chalicelib.services import products

    product = products.get_live(identity.tenant_id, sku)
    item = db.related_items(identity.tenant_id, [product["sku"]]).get(product["sku"]) or {}
    together = {name[len(db.RELATED_WITH):]: db.as_int(v) for name, v in item.items()
                if name.startswith(db.RELATED_WITH) and db.as_int(v) > 0}  # fmt: skip
    top = sorted(together.items(), key=lambda kv: (-kv[1], kv[0]))[: limit * 2]  # some may be deleted
    if not top:
        return {"items": []}
    others = db.related_items(identity.tenant_id, [s for s, _ in top])
    live = db.get_products(identity.tenant_id, [s for s, _ in top])
    total = db.related_total(identity.tenant_id)
    mine = db.as_int(item.get("orders"))
    rows = []
    for other, both in top:
        if other not in live or "deleted_at" in live[other]:
            continue
        theirs = db.as_int((others.get(other) or {}).get("orders"))
        rows.append({
            "sku": other, "name": live[other]["name"], "together": both,
            "confidence": round(both / mine, 4) if mine else 0.0,  # of sales with this product, share with both
            "lift": round(both * total / (mine * theirs), 4) if mine and theirs else 0.0,
        })  # fmt: skip
    return {"items": rows[:limit]}

"""Selling: all lines of a sale or none, with the daily rollups written in the same breath.

One BatchGetItem reads the products and the shop; one TransactWriteItems then writes, per
product, the new on-hand (guarded by the version read) and a ledger entry; the sale itself
(with the next invoice number, guarded likewise); and the rollups the reports read: the shop's
day (totals and breakdowns) and each product's day. Because the rollups ride in the sale's own
transaction, they count each sale exactly once. If anything changed since the read, the whole
thing is read and decided again.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import clock, db
from chalicelib.auth import Identity
from chalicelib.errors import InsufficientStock, Invalid, NotFound, ServiceUnavailable
from chalicelib.models import Sale, SaleIn, SaleLine, SalePage, SaleQuery
from chalicelib.observability import count
from chalicelib.services.products import stock_level_fields

MAX_ATTEMPTS = 60
FUTURE_SLACK = timedelta(minutes=5)
UNCATEGORISED = "Uncategorised"
UNSPECIFIED = "Unspecified"

# Breakdowns kept in the shop's day rollup: attribute prefix -> where the key comes from.
LINE_DIMENSIONS = ("category", "subcategory")
SALE_DIMENSIONS = ("region", "state")


def dim_attr(dimension: str, key: str, measure: str) -> str:
    """Name of a breakdown counter in a day rollup, e.g. 'category|Furniture|revenue'."""
    return f"{dimension}|{key}|{measure}"


def shop_zone(shop: dict[str, Any] | None) -> ZoneInfo:
    return ZoneInfo((shop or {}).get("timezone") or "UTC")


def _price_lines(request: SaleIn, products: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    lines = []
    for line in request.lines:
        product = products[line.sku]
        unit_price = line.unit_price if line.unit_price is not None else Decimal(product["price"])
        revenue = unit_price * line.quantity
        cost = Decimal(product.get("unit_cost", 0)) * line.quantity
        lines.append(
            {
                "sku": line.sku,
                "name": product["name"],
                "category": product.get("category") or UNCATEGORISED,
                "subcategory": product.get("subcategory") or UNCATEGORISED,
                "quantity": line.quantity,
                "unit_price": unit_price,
                "revenue": revenue,
                "cost": cost,
                "profit": revenue - cost,
            }
        )
    return lines


def rollup_adds(lines: list[dict[str, Any]], customer: dict[str, Any]) -> dict[str, Any]:
    """What one sale adds to its day's rollup: totals and each breakdown's counters."""
    adds: dict[str, Any] = defaultdict(Decimal)
    revenue = sum((ln["revenue"] for ln in lines), Decimal(0))
    cost = sum((ln["cost"] for ln in lines), Decimal(0))
    units = sum(ln["quantity"] for ln in lines)
    adds.update(revenue=revenue, cost=cost, units=units, orders=1, lines=len(lines))
    for dimension in LINE_DIMENSIONS:
        keys = set()
        for ln in lines:
            key = ln[dimension]
            keys.add(key)
            adds[dim_attr(dimension, key, "revenue")] += ln["revenue"]
            adds[dim_attr(dimension, key, "cost")] += ln["cost"]
            adds[dim_attr(dimension, key, "units")] += ln["quantity"]
        for key in keys:  # orders by key = sales that contain it
            adds[dim_attr(dimension, key, "orders")] += 1
    for dimension in SALE_DIMENSIONS:
        key = customer.get(dimension) or UNSPECIFIED
        adds[dim_attr(dimension, key, "revenue")] += revenue
        adds[dim_attr(dimension, key, "cost")] += cost
        adds[dim_attr(dimension, key, "units")] += units
        adds[dim_attr(dimension, key, "orders")] += 1
    return dict(adds)


def product_day_adds(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What one sale adds to each of its products' day rollups (it is one order for each)."""
    adds: dict[str, dict[str, Any]] = {}
    for ln in lines:
        day = adds.setdefault(ln["sku"], {"units": 0, "orders": 1, "revenue": Decimal(0), "cost": Decimal(0)})
        day["units"] += ln["quantity"]
        day["revenue"] += ln["revenue"]
        day["cost"] += ln["cost"]
    return adds


def rollup_actions(tenant_id: str, day: str, day_adds: dict[str, Any], product_adds: dict[str, dict[str, Any]],
                   lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The writes that add sales to their day's rollup and their products' day rollups."""
    named = {ln["sku"]: ln for ln in lines}
    actions = [db.counters_add(db.rollup_pk(tenant_id), db.day_rollup_sk(day), day_adds, {"day": day})]
    for sku, adds in product_adds.items():
        line = named[sku]
        actions.append(db.counters_add(
            db.rollup_pk(tenant_id), db.product_day_sk(day, sku), adds,
            {"day": day, "sku": sku, "name": line["name"], "category": line["category"],
             "subcategory": line["subcategory"]},
        ))
    return actions


def _check(request: SaleIn, products: dict[str, dict[str, Any]], needed: dict[str, int]) -> None:
    missing = [sku for sku in needed if sku not in products or "deleted_at" in products[sku]]
    if missing:
        raise Invalid(
            "These products are not in this shop: " + ", ".join(missing) + ".",
            [{"field": "lines", "sku": sku, "message": "unknown SKU"} for sku in missing],
            code="unknown_sku",
        )
    short = [
        {"sku": sku, "requested": qty, "on_hand": db.as_int(products[sku].get("on_hand"))}
        for sku, qty in needed.items()
        if db.as_int(products[sku].get("on_hand")) < qty
    ]
    if short:
        names = ", ".join(f"{s['sku']} ({s['on_hand']} left, {s['requested']} wanted)" for s in short)
        raise InsufficientStock(f"Not enough stock for: {names}. Nothing was sold.", short)


def record(identity: Identity, request: SaleIn) -> Sale:
    now = clock.now()
    sold_at = (request.sold_at or now).astimezone(UTC).replace(microsecond=0)
    if sold_at > now + FUTURE_SLACK:
        raise Invalid(
            "sold_at is in the future; a sale can only be recorded once it has happened.",
            [{"field": "sold_at", "message": "is in the future"}],
        )
    needed: dict[str, int] = defaultdict(int)
    for line in request.lines:  # the same SKU on two lines is one stock change
        needed[line.sku] += line.quantity
    customer = request.customer.model_dump(exclude_none=True) if request.customer else {}

    for attempt in range(MAX_ATTEMPTS):
        now = clock.now()
        products, shop = db.get_products_and_shop(identity.tenant_id, list(needed))
        if shop is None:
            raise NotFound("This account's shop no longer exists.")
        _check(request, products, needed)
        lines = _price_lines(request, products)
        day = sold_at.astimezone(shop_zone(shop)).date().isoformat()
        sale_id = clock.new_id(sold_at)
        at = clock.iso(sold_at)
        invoice_no = db.as_int(shop.get("invoice_seq")) + 1
        # The invoice number is the shop's counter + 1, if nobody took it meanwhile.
        actions = [db.next_invoice_number(identity.tenant_id, invoice_no)]
        for sku, qty in needed.items():
            product = products[sku]
            on_hand_after = db.as_int(product.get("on_hand")) - qty
            level_sets, level_removes = stock_level_fields(
                identity.tenant_id, sku, on_hand_after, db.as_int(product.get("min_stock"))
            )
            actions.append(
                db.product_change(
                    identity.tenant_id,
                    sku,
                    db.as_int(product["version"]),
                    {
                        "on_hand": on_hand_after,
                        "updated_at": clock.iso(now),
                        "last_sold_at": max(at, product.get("last_sold_at") or ""),
                        **level_sets,
                    },
                    removes=level_removes,
                )
            )
            actions.append(
                db.ledger_entry(
                    identity.tenant_id,
                    sku,
                    db.as_int(product["version"]),
                    {
                        "movement_id": clock.new_id(now),
                        "sku": sku,
                        "kind": "sale",
                        "change": -qty,
                        "on_hand_after": on_hand_after,
                        "at": clock.iso(now),
                        "ref": sale_id,
                        "user_id": identity.user_id,
                    },
                )
            )
        totals = rollup_adds(lines, customer)
        sale = {
            "sale_id": sale_id,
            "invoice_no": invoice_no,
            "sold_at": at,
            "day": day,
            "lines": lines,
            "total": totals["revenue"],
            "cost": totals["cost"],
            "profit": totals["revenue"] - totals["cost"],
            "units": totals["units"],
            "customer": customer or None,
            "user_id": identity.user_id,
            "created_at": clock.iso(now),
        }
        actions.append(db.sale_put(identity.tenant_id, sale))
        actions += rollup_actions(identity.tenant_id, day, totals, product_day_adds(lines), lines)
        try:
            db.transact(actions)
        except db.ConditionFailed:
            # A product or the invoice counter moved on since we read them: read again, decide again.
            time.sleep(random.uniform(0, 0.005 * min(attempt + 1, 10)))  # noqa: S311 - jitter, not crypto
            continue
        count("Sale")
        count("SaleLines", len(lines))
        return to_sale(sale)
    raise ServiceUnavailable("The shop is very busy right now and the sale could not be recorded; please retry.")


def to_sale(item: dict[str, Any]) -> Sale:
    return Sale(
        sale_id=item["sale_id"],
        invoice_no=db.as_int(item.get("invoice_no")),
        sold_at=item["sold_at"],
        total=Decimal(item["total"]),
        cost=Decimal(item["cost"]),
        profit=Decimal(item["profit"]),
        units=db.as_int(item["units"]),
        lines=[
            SaleLine(
                sku=ln["sku"],
                name=ln["name"],
                quantity=db.as_int(ln["quantity"]),
                unit_price=Decimal(ln["unit_price"]),
                revenue=Decimal(ln["revenue"]),
                cost=Decimal(ln["cost"]),
                profit=Decimal(ln["profit"]),
            )
            for ln in item["lines"]
        ],
        customer=item.get("customer") or None,
    )


def get(identity: Identity, sale_id: str) -> tuple[Sale, dict[str, Any]]:
    if not sale_id.isalnum() or len(sale_id) != 26:
        raise NotFound(f"No sale {sale_id!r} in this shop.")
    item = db.get_sale(identity.tenant_id, sale_id.upper())
    if item is None:
        raise NotFound(f"No sale {sale_id!r} in this shop.")
    return to_sale(item), item


def ulid_bound(moment: datetime, high: bool) -> str:
    stamp = clock.new_id(moment)[:10]
    return stamp + ("Z" * 16 if high else "0" * 16)


def list_sales(identity: Identity, query: SaleQuery, before_id: str | None) -> tuple[SalePage, str | None]:
    zone = shop_zone(db.get_shop(identity.tenant_id))
    first_day = query.from_ or date(2000, 1, 1)
    last_day = query.to or clock.now().astimezone(zone).date()
    if last_day < first_day:
        raise Invalid("'to' is before 'from'.", [{"field": "to", "message": "must not be before from"}])
    start = datetime.combine(first_day, datetime.min.time(), zone)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone) - timedelta(milliseconds=1)
    items, last = db.query_sales(
        identity.tenant_id,
        first_id=ulid_bound(start, False),
        last_id=ulid_bound(end, True),
        limit=query.limit,
        before_id=before_id,
    )
    return SalePage(items=[to_sale(i) for i in items], next_cursor=None), last

"""Selling: all lines of a sale or none, counted exactly once in the reports.

A sale is two transactions. The first is the sale itself, all or nothing: per product the new
on hand through the movement primitive (guarded by the version read), the sale with the next
invoice number of its till, a marker saying its rollups are still to be written, and, with an
Idempotency-Key, a claim on that key. The second writes the rollups the reports read and
deletes the marker, so it can succeed only once; if it never runs (a crash, an outage), the
schedule finds the marker and runs it. Nothing a sale writes is shared with a sale at another
till, except the stock of a product both sell.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import clock, db, idempotency, retry
from chalicelib.auth import Identity
from chalicelib.errors import AppError, InsufficientStock, Invalid, NotFound, ServiceUnavailable
from chalicelib.models import Sale, SaleIn, SaleLine, SalePage, SaleQuery
from chalicelib.observability import count, logger

FUTURE_SLACK = timedelta(minutes=5)
UNCATEGORISED = "Uncategorised"
UNSPECIFIED = "Unspecified"
IMPORT_TILL = "import"  # imported history is counted apart from every live till
SETTLE_AFTER = timedelta(minutes=1)  # a marker older than this lost its second transaction

# Breakdowns the reports offer: from each line's product, or from the sale's customer.
LINE_DIMENSIONS = ("category", "subcategory")
SALE_DIMENSIONS = ("region", "state")


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


def _tally() -> dict[str, Any]:
    return {"revenue": Decimal(0), "cost": Decimal(0), "units": 0, "orders": 0}


class DayRollup:
    """What some sales of one day add to the reports: totals, per product, per breakdown key."""

    def __init__(self) -> None:
        self.totals: dict[str, Any] = {**_tally(), "lines": 0}
        self.products: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.breakdowns: dict[tuple[str, str], dict[str, Any]] = defaultdict(_tally)

    def add(self, lines: list[dict[str, Any]], customer: dict[str, Any]) -> None:
        revenue = sum((Decimal(ln["revenue"]) for ln in lines), Decimal(0))
        cost = sum((Decimal(ln["cost"]) for ln in lines), Decimal(0))
        units = sum(ln["quantity"] for ln in lines)
        _count(self.totals, revenue, cost, units)
        self.totals["lines"] += len(lines)
        seen: set[tuple[str, str]] = set()
        for ln in lines:
            adds, _ = self.products.setdefault(
                ln["sku"],
                (_tally(), {"name": ln["name"], "category": ln["category"], "subcategory": ln["subcategory"]}),
            )
            _count(adds, Decimal(ln["revenue"]), Decimal(ln["cost"]), ln["quantity"], orders=ln["sku"] not in seen)
            seen.add(ln["sku"])
            for dimension in LINE_DIMENSIONS:
                key = (dimension, ln[dimension])
                _count(self.breakdowns[key], Decimal(ln["revenue"]), Decimal(ln["cost"]), ln["quantity"],
                       orders=key not in seen)
                seen.add(key)
        for dimension in SALE_DIMENSIONS:  # orders by key = sales that contain it
            _count(self.breakdowns[(dimension, customer.get(dimension) or UNSPECIFIED)], revenue, cost, units)

    @staticmethod
    def items_of(lines: list[dict[str, Any]], customer: dict[str, Any]) -> set[Any]:
        """The rollup items (besides the day's totals) that these sales' lines add to."""
        items: set[Any] = {ln["sku"] for ln in lines}
        items |= {(dimension, ln[dimension]) for ln in lines for dimension in LINE_DIMENSIONS}
        return items | {(dimension, customer.get(dimension) or UNSPECIFIED) for dimension in SALE_DIMENSIONS}

    def writes(self, tenant_id: str, day: str, till: str) -> list[dict[str, Any]]:
        return db.rollup_writes(tenant_id, day, till, self.totals, self.products, dict(self.breakdowns))

def _count(tally: dict[str, Any], revenue: Decimal, cost: Decimal, units: Any, orders: bool = True) -> None:
    tally["revenue"] += revenue
    tally["cost"] += cost
    tally["units"] += units
    tally["orders"] += 1 if orders else 0


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


def record(identity: Identity, request: SaleIn, key: str | None = None) -> Sale:
    """Record a sale; with an Idempotency-Key, a repeat returns the sale the key recorded."""
    tenant_id = identity.tenant_id
    now = clock.now()
    sold_at = (request.sold_at or now).astimezone(UTC).replace(microsecond=0)
    if sold_at > now + FUTURE_SLACK:
        raise Invalid(
            "sold_at is in the future; a sale can only be recorded once it has happened.",
            [{"field": "sold_at", "message": "is in the future"}],
        )
    till = request.till or db.DEFAULT_TILL
    needed: dict[str, int] = defaultdict(int)
    for line in request.lines:  # the same SKU on two lines is one stock change
        needed[line.sku] += line.quantity
    customer = request.customer.model_dump(exclude_none=True) if request.customer else {}
    claim = idempotency.Claim(tenant_id, "sale", key, request) if key else None

    def earlier() -> Sale | None:
        """The sale this key already recorded, if it did (its rollups finished if need be)."""
        outcome = claim.outcome() if claim else None
        item = db.get_sale(tenant_id, outcome["sale_id"]) if outcome else None
        if item is None:
            return None
        apply_rollups(tenant_id, item)
        return to_sale(item)

    def attempt() -> Sale:
        products, shop, last_invoice = db.get_products_shop_till(tenant_id, list(needed), till)
        if shop is None:
            raise NotFound("This account's shop no longer exists.")
        try:
            _check(request, products, needed)
        except AppError:
            # Not possible now, but perhaps this very request was recorded before (its reply lost).
            if (found := earlier()) is not None:
                return found
            raise
        now = clock.now()
        lines = _price_lines(request, products)
        sale_id = clock.new_id(sold_at)
        at = clock.iso(sold_at)
        actions = [claim.put({"sale_id": sale_id})] if claim else []
        actions.append(db.next_invoice_number(tenant_id, till, last_invoice + 1))
        moves, _ = db.stock_movements(
            tenant_id,
            [
                db.Move(
                    products[sku],
                    -qty,
                    {"movement_id": clock.new_id(now), "kind": "sale", "ref": sale_id, "user_id": identity.user_id},
                    sets={"last_sold_at": max(at, products[sku].get("last_sold_at") or "")},
                )
                for sku, qty in needed.items()
            ],
            at=clock.iso(now),
            till=till,
        )
        actions += moves
        revenue = sum((ln["revenue"] for ln in lines), Decimal(0))
        cost = sum((ln["cost"] for ln in lines), Decimal(0))
        sale = {
            "sale_id": sale_id,
            "invoice_no": last_invoice + 1,
            "till": till,
            "sold_at": at,
            "day": sold_at.astimezone(shop_zone(shop)).date().isoformat(),
            "lines": lines,
            "total": revenue,
            "cost": cost,
            "profit": revenue - cost,
            "units": sum(ln["quantity"] for ln in lines),
            "customer": customer or None,
            "user_id": identity.user_id,
            "created_at": clock.iso(now),
        }
        actions.append(db.sale_put(tenant_id, sale))
        actions.append(db.pending_rollup(tenant_id, sale_id, clock.iso(now)))
        try:
            db.transact(actions)
        except db.ConditionFailed as failed:
            if claim and failed.reasons[:1] == ["ConditionalCheckFailed"] and (found := earlier()) is not None:
                return found  # the key was claimed: this request was recorded already
            raise  # a product or the till's counter moved on: read again, decide again
        count("Sale")
        count("SaleLines", len(lines))
        _rollups_now_or_later(tenant_id, sale)
        return to_sale(sale)

    return retry.until_written(
        attempt, "The shop is very busy right now and the sale could not be recorded; please retry."
    )


def apply_rollups(tenant_id: str, sale: dict[str, Any]) -> None:
    """The sale's second transaction: its rollups, once (a no-op if they are written already)."""
    rollup = DayRollup()
    rollup.add(sale["lines"], sale.get("customer") or {})
    actions = [db.settle_pending(tenant_id, sale["sale_id"]), *rollup.writes(tenant_id, sale["day"],
                                                                             sale.get("till") or db.DEFAULT_TILL)]

    def attempt() -> None:
        try:
            db.transact(actions)
        except db.ConditionFailed as failed:
            if failed.reasons[:1] == ["ConditionalCheckFailed"]:
                return  # the marker is gone: these rollups were written before
            raise

    retry.until_written(attempt, "The shop's figures are busy; the sale is recorded and will be counted shortly.")


def _rollups_now_or_later(tenant_id: str, sale: dict[str, Any]) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        apply_rollups(tenant_id, sale)
        db.mark_shop_active(tenant_id, sale["day"])  # the nightly forecast run looks for these
    except (ServiceUnavailable, BotoCoreError, ClientError) as exc:
        # The sale stands (its reply must say so); the schedule writes its rollups later.
        logger.warning("sale rollups left to the schedule", extra={"error": type(exc).__name__})


def settle_pending_rollups() -> int:
    """Write the rollups of every sale whose second transaction never ran (the schedule's job)."""
    settled = 0
    for marker in db.query_pending(before=clock.iso(clock.now() - SETTLE_AFTER)):
        sale = db.get_sale(marker["tenant_id"], marker["sale_id"])
        if sale is not None:
            apply_rollups(marker["tenant_id"], sale)
            settled += 1
    if settled:
        logger.warning("finished the rollups of interrupted sales", extra={"sales": settled})
    return settled


def to_sale(item: dict[str, Any]) -> Sale:
    return Sale(
        sale_id=item["sale_id"],
        invoice_no=db.as_int(item.get("invoice_no")),
        till=item.get("till") or db.DEFAULT_TILL,
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

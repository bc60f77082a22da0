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

from chalicelib import clock, db, idempotency, pricing, retry, usage
from chalicelib.auth import Identity
from chalicelib.errors import AppError, InsufficientStock, Invalid, NotFound, ServiceUnavailable
from chalicelib.models import Return, ReturnLine, Sale, SaleIn, SaleLine, SalePage, SaleQuery, qty_out
from chalicelib.observability import count, logger
from chalicelib.services import customers
from chalicelib.services.products import check_units

FUTURE_SLACK = timedelta(minutes=5)
UNCATEGORISED = "Uncategorised"
UNSPECIFIED = "Unspecified"
IMPORT_TILL = "import"  # imported history is counted apart from every live till
SETTLE_AFTER = timedelta(minutes=1)  # a marker older than this lost its second transaction

# Breakdowns the reports offer: from each line's product, or from the sale's customer.
LINE_DIMENSIONS = ("category", "subcategory")
# A sale's location rides with its customer's fields here (a sale without one was at Main).
SALE_DIMENSIONS = ("region", "state", "location")
# Breakdowns by who bought: written only for sales whose customer gives that value (an anonymous
# sale writes none of them); the report counts what is left of the day's totals as unspecified.
CUSTOMER_DIMENSIONS = ("customer", "segment", "country", "city")


def rest_key(dimension: str) -> str:
    """The row the reports give what no breakdown item of `dimension` covers (see sale_keys)."""
    return db.MAIN_LOCATION if dimension == "location" else UNSPECIFIED


def rollup_customer(sale: dict[str, Any]) -> dict[str, Any]:
    """The sale-wide fields its rollups break down by: its customer's, and its location."""
    return {**(sale.get("customer") or {}), "location": sale.get("location_id") or db.MAIN_LOCATION}


def sale_keys(customer: dict[str, Any]) -> list[tuple[str, str]]:
    """The (dimension, key) breakdown items a sale by this customer (and at its location) adds to.
    A sale without a region or state, or at the main location, writes no item for it (two write
    units each in the rollup transaction): the reports count what the day's totals have beyond the
    items as Unspecified, or as Main (older sales wrote those items; the rest is still right)."""
    keys = []
    for dimension in SALE_DIMENSIONS:
        value = customer.get(dimension)
        if value and str(value) != rest_key(dimension):
            keys.append((dimension, str(value)))
    for dimension in CUSTOMER_DIMENSIONS:
        value = customer.get("customer_id" if dimension == "customer" else dimension)
        if value:
            keys.append((dimension, value))
    return keys


def shop_zone(shop: dict[str, Any] | None) -> ZoneInfo:
    return ZoneInfo((shop or {}).get("timezone") or "UTC")


def tax_rate(product: dict[str, Any], shop: dict[str, Any]) -> Decimal:
    """The product's own rate, else the shop's default."""
    rate = product.get("tax_rate")
    return Decimal(rate if rate is not None else shop.get("default_tax_rate") or 0)


def _price_lines(request: SaleIn, products: dict[str, dict[str, Any]], shop: dict[str, Any]) -> list[dict[str, Any]]:
    include_tax = bool(shop.get("prices_include_tax"))
    lines, too_large = [], []
    for i, line in enumerate(request.lines):
        product = products[line.sku]
        unit_price = line.unit_price if line.unit_price is not None else Decimal(product["price"])
        rate = tax_rate(product, shop)
        try:
            price = pricing.price_line(line.quantity, unit_price, rate, include_tax, line.discount, line.discount_pct)
        except pricing.DiscountTooLarge as exc:
            too_large.append({"field": f"lines.{i}.discount", "sku": line.sku, "message": str(exc)})
            continue
        cost = Decimal(product.get("unit_cost", 0)) * line.quantity
        lines.append(
            {
                "sku": line.sku,
                "name": product["name"],
                "category": product.get("category") or UNCATEGORISED,
                "subcategory": product.get("subcategory") or UNCATEGORISED,
                "unit": product.get("unit") or "each",
                "quantity": line.quantity,
                "unit_price": unit_price,
                "gross": price.gross,
                "discount": price.discount,
                "tax_rate": rate,
                "tax": price.tax,
                "revenue": price.revenue,
                "cost": cost,
                "profit": price.revenue - cost,
            }
        )
    if too_large:
        raise Invalid("A discount is larger than its line; nothing was sold.", too_large, code="discount_too_large")
    return lines


def _tally() -> dict[str, Any]:
    return {"revenue": Decimal(0), "cost": Decimal(0), "units": 0, "orders": 0}


class DayRollup:
    """What some sales of one day add to the reports: totals, per product, per breakdown key."""

    def __init__(self) -> None:
        self.totals: dict[str, Any] = {**_tally(), "lines": 0}
        self.products: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.breakdowns: dict[tuple[str, str], dict[str, Any]] = defaultdict(_tally)

    def add(self, lines: list[dict[str, Any]], customer: dict[str, Any], payment_method: str | None = None) -> None:
        revenue = sum((Decimal(ln["revenue"]) for ln in lines), Decimal(0))
        cost = sum((Decimal(ln["cost"]) for ln in lines), Decimal(0))
        units = sum(ln["quantity"] for ln in lines)
        _count(self.totals, revenue, cost, units)
        self.totals["lines"] += len(lines)
        # Tax by rate and takings by payment method ride on the day's totals item: a few more
        # attributes of an item written anyway, rather than items of their own.
        for ln in lines:
            tax = Decimal(ln.get("tax") or 0)
            _add(self.totals, {"tax": tax, "discount": Decimal(ln.get("discount") or 0),
                               taxable_key(ln.get("tax_rate")): Decimal(ln["revenue"]),
                               tax_key(ln.get("tax_rate")): tax})  # fmt: skip
        if payment_method:
            paid = sum((Decimal(ln["revenue"]) + Decimal(ln.get("tax") or 0) for ln in lines), Decimal(0))
            _add(self.totals, {paid_key(payment_method): paid})
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
        for key in sale_keys(customer):  # orders by key = sales that contain it
            _count(self.breakdowns[key], revenue, cost, units)

    @staticmethod
    def items_of(lines: list[dict[str, Any]], customer: dict[str, Any]) -> set[Any]:
        """The rollup items (besides the day's totals) that these sales' lines add to."""
        items: set[Any] = {ln["sku"] for ln in lines}
        items |= {(dimension, ln[dimension]) for ln in lines for dimension in LINE_DIMENSIONS}
        return items | set(sale_keys(customer))

    def writes(self, tenant_id: str, day: str, till: str) -> list[dict[str, Any]]:
        return db.rollup_writes(tenant_id, day, till, self.totals, self.products, dict(self.breakdowns))

    def subtract_return(
        self, sale: dict[str, Any], returned: list[dict[str, Any]], refund_method: str | None
    ) -> None:
        """A return counts on its own day: revenue, cost, units and tax come off (orders do not),
        what was refunded is counted, by product and reason too, and leaves the drawer (none for
        imported history, whose sales were in no drawer either)."""
        customer = rollup_customer(sale)
        refund = sum((r["refund"] for r in returned), Decimal(0))
        _add(self.totals, {"returns": refund, **({paid_key(refund_method): -refund} if refund_method else {})})
        for r in returned:
            revenue, cost, units, tax = -r["revenue"], -r["cost"], -r["quantity"], -r["tax"]
            _count(self.totals, revenue, cost, units, orders=False)
            _add(self.totals, {"tax": tax, taxable_key(r["tax_rate"]): revenue, tax_key(r["tax_rate"]): tax})
            adds, _ = self.products.setdefault(
                r["sku"],
                (_tally(), {"name": r["name"], "category": r["category"], "subcategory": r["subcategory"]}),
            )
            _count(adds, revenue, cost, units, orders=False)
            _add(adds, {"returned": r["quantity"], "refunded": r["refund"],
                        reason_key(r.get("reason")): r["quantity"]})  # fmt: skip
            for dimension in LINE_DIMENSIONS:
                _count(self.breakdowns[(dimension, r[dimension])], revenue, cost, units, orders=False)
            for key in sale_keys(customer):
                _count(self.breakdowns[key], revenue, cost, units, orders=False)


# Names of the counters on a day's totals (and a product's day) that are keyed by a value.
TAXABLE, TAX, PAID, REASON = "taxable@", "tax@", "paid@", "reason@"
NO_REASON = "unspecified"


def _rate_text(rate: Any) -> str:
    value = Decimal(rate or 0)
    return str(value.normalize()) if value else "0"


def taxable_key(rate: Any) -> str:
    return TAXABLE + _rate_text(rate)


def tax_key(rate: Any) -> str:
    return TAX + _rate_text(rate)


def paid_key(method: str) -> str:
    return PAID + method


def reason_key(reason: str | None) -> str:
    return REASON + (reason or NO_REASON).lower()


def _add(tally: dict[str, Any], adds: dict[str, Decimal]) -> None:
    for name, value in adds.items():
        tally[name] = tally.get(name, Decimal(0)) + value


def _count(tally: dict[str, Any], revenue: Decimal, cost: Decimal, units: Any, orders: bool = True) -> None:
    tally["revenue"] += revenue
    tally["cost"] += cost
    tally["units"] += units
    tally["orders"] += 1 if orders else 0


def _check(
    request: SaleIn, products: dict[str, dict[str, Any]], needed: dict[str, Decimal], location: str = db.MAIN_LOCATION
) -> None:
    missing = [sku for sku in needed if sku not in products or "deleted_at" in products[sku]]
    if missing:
        raise Invalid(
            "These products are not in this shop: " + ", ".join(missing) + ".",
            [{"field": "lines", "sku": sku, "message": "unknown SKU"} for sku in missing],
            code="unknown_sku",
        )
    check_units([(products[ln.sku], ln.quantity, f"lines.{i}.quantity") for i, ln in enumerate(request.lines)])
    here = {sku: db.stock_map(products[sku]).get(location, {}).get("on_hand", Decimal(0)) for sku in needed}
    short = [
        {"sku": sku, "requested": qty_out(qty), "on_hand": qty_out(here[sku]),
         **({"location_id": location} if location != db.MAIN_LOCATION else {})}
        for sku, qty in needed.items()
        if here[sku] < qty
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
    needed: dict[str, Decimal] = defaultdict(Decimal)
    for line in request.lines:  # the same SKU on two lines is one stock change
        needed[line.sku] += line.quantity
    customer = customers.identify(request.customer.model_dump(exclude_none=True) if request.customer else {})
    claim = idempotency.Claim(tenant_id, "sale", key, request) if key else None
    from chalicelib.services import locations

    location = locations.require(tenant_id, request.location_id)

    def earlier() -> Sale | None:
        """The sale this key already recorded, if it did (its rollups finished if need be)."""
        outcome = claim.outcome() if claim else None
        item = db.get_sale(tenant_id, outcome["sale_id"], consistent=True) if outcome else None
        if item is None:
            return None
        apply_rollups(tenant_id, item)
        return to_sale(item)

    def attempt() -> Sale:
        products, shop, last_invoice = db.get_products_shop_till(tenant_id, list(needed), till)
        if shop is None:
            raise NotFound("This account's shop no longer exists.")
        try:
            _check(request, products, needed, location)
        except AppError:
            # Not possible now, but perhaps this very request was recorded before (its reply lost).
            if (found := earlier()) is not None:
                return found
            raise
        now = clock.now()
        lines = _price_lines(request, products, shop)
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
                    location=location,
                )
                for sku, qty in needed.items()
            ],
            at=clock.iso(now),
            till=till,
        )
        actions += moves
        revenue = sum((ln["revenue"] for ln in lines), Decimal(0))
        cost = sum((ln["cost"] for ln in lines), Decimal(0))
        tax = sum((ln["tax"] for ln in lines), Decimal(0))
        sale = {
            "sale_id": sale_id,
            "invoice_no": last_invoice + 1,
            "till": till,
            "location_id": location,
            "sold_at": at,
            "day": sold_at.astimezone(shop_zone(shop)).date().isoformat(),
            "lines": lines,
            "subtotal": sum((ln["gross"] for ln in lines), Decimal(0)),
            "discount_total": sum((ln["discount"] for ln in lines), Decimal(0)),
            "tax_total": tax,
            "total": revenue + tax,
            "revenue": revenue,
            "cost": cost,
            "profit": revenue - cost,
            "units": sum(ln["quantity"] for ln in lines),
            "payment_method": request.payment_method,
            "prices_include_tax": bool(shop.get("prices_include_tax")),
            "customer": customer or None,
            "user_id": identity.user_id,
            "created_at": clock.iso(now),
            "pairs_nightly": True,  # counted in bought-together by the nightly run
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
        usage.count(tenant_id, "sales")  # here, once: a repeat of its key returns above
        _rollups_now_or_later(tenant_id, sale)
        return to_sale(sale)

    return retry.until_written(
        attempt, "The shop is very busy right now and the sale could not be recorded; please retry."
    )


def apply_rollups(tenant_id: str, sale: dict[str, Any]) -> None:
    """The sale's second transaction: its rollups and its customer's totals, once (a no-op if they
    are written already). The customer's first and last purchase move before it: min and max can
    be taken again without harm, so a retry of this function after a crash counts nothing twice."""
    rollup = DayRollup()
    rollup.add(sale["lines"], rollup_customer(sale), sale.get("payment_method") or "other")
    actions = [db.settle_pending(tenant_id, sale["sale_id"]), *rollup.writes(tenant_id, sale["day"],
                                                                             sale.get("till") or db.DEFAULT_TILL)]
    actions += customers.sale_actions(tenant_id, sale)
    # Bought-together counts are not here: the nightly run counts the day's sales (services/related.py).

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
    """A stored sale as the API shows it (sales from before tax was kept: revenue was the total)."""
    revenue = Decimal(item.get("revenue", item["total"]))
    return Sale(
        sale_id=item["sale_id"],
        invoice_no=db.as_int(item.get("invoice_no")),
        till=item.get("till") or db.DEFAULT_TILL,
        location_id=item.get("location_id") or db.MAIN_LOCATION,
        sold_at=item["sold_at"],
        subtotal=Decimal(item.get("subtotal", revenue)),
        discount_total=Decimal(item.get("discount_total", 0)),
        tax_total=Decimal(item.get("tax_total", 0)),
        total=Decimal(item["total"]),
        revenue=revenue,
        cost=Decimal(item["cost"]),
        profit=Decimal(item["profit"]),
        units=db.as_qty(item["units"]),
        payment_method=item.get("payment_method") or "other",
        prices_include_tax=bool(item.get("prices_include_tax")),
        lines=[
            SaleLine(
                sku=ln["sku"],
                name=ln["name"],
                quantity=db.as_qty(ln["quantity"]),
                unit=ln.get("unit") or "each",
                unit_price=Decimal(ln["unit_price"]),
                gross=Decimal(ln.get("gross", ln["revenue"])),
                discount=Decimal(ln.get("discount", 0)),
                tax_rate=Decimal(ln.get("tax_rate", 0)),
                tax=Decimal(ln.get("tax", 0)),
                revenue=Decimal(ln["revenue"]),
                cost=Decimal(ln["cost"]),
                profit=Decimal(ln["profit"]),
                returned=db.as_qty(ln.get("returned")),
            )
            for ln in item["lines"]
        ],
        customer=item.get("customer") or None,
        returns=[
            Return(
                return_id=r["return_id"],
                sale_id=item["sale_id"],
                returned_at=r["returned_at"],
                refund_total=Decimal(r["refund_total"]),
                refund_method=r.get("refund_method") or "other",
                lines=[
                    ReturnLine(sku=x["sku"], quantity=db.as_qty(x["quantity"]), refund=Decimal(x["refund"]),
                               restocked=bool(x["restocked"]), reason=x.get("reason"))  # fmt: skip
                    for x in r["lines"]
                ],
            )
            for r in item.get("returns") or []
        ],
        refunded_total=Decimal(item.get("refunded_total", 0)),
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

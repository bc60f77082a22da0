"""Reports, from the rollups the sales wrote: never by reading the sales themselves.

A report over N days reads the N day rollups (and, by product, the product-days in range),
whatever the number of sales. Stock figures (valuation, dead stock, low-stock count) read the
catalogue once. Sums are exact decimals; rounding to cents happens only on the way out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from chalicelib import clock, db
from chalicelib.auth import Identity
from chalicelib.errors import Invalid
from chalicelib.models import (
    AbcQuery,
    AbcReport,
    AbcRow,
    DeadStockReport,
    DeadStockRow,
    Figures,
    RangeQuery,
    ReturnsReport,
    ReturnsRow,
    ReturnsTotals,
    SalesReport,
    SalesReportQuery,
    SalesRow,
    Summary,
    Taking,
    TaxReport,
    TaxRow,
    ValuationReport,
    ValuationRow,
)
from chalicelib.services import sales
from chalicelib.services.sales import UNCATEGORISED, shop_zone

MAX_DAYS = 3660  # ten years of day rollups in one report
DEFAULT_DAYS = 30
ZERO = Decimal(0)


def today(tenant_id: str) -> date:
    return clock.now().astimezone(shop_zone(db.get_shop(tenant_id))).date()


def date_range(tenant_id: str, query: RangeQuery) -> tuple[date, date]:
    last = query.to or today(tenant_id)
    first = query.from_ or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid("'from' is after 'to'.", [{"field": "from", "message": "must not be after to"}])
    if (last - first).days >= MAX_DAYS:
        raise Invalid(
            f"A report can cover at most {MAX_DAYS} days; choose a shorter range.",
            [{"field": "from", "message": "range too long"}],
        )
    return first, last


class Tally:
    """Revenue, cost, units and orders added up exactly."""

    __slots__ = ("revenue", "cost", "units", "orders", "name")

    def __init__(self) -> None:
        self.revenue, self.cost, self.units, self.orders = ZERO, ZERO, ZERO, 0
        self.name: str | None = None

    def add(self, revenue: Any, cost: Any, units: Any, orders: Any) -> None:
        self.revenue += Decimal(revenue or 0)
        self.cost += Decimal(cost or 0)
        self.units += db.as_qty(units)
        self.orders += db.as_int(orders)

    def figures(self) -> dict[str, Any]:
        return {"revenue": self.revenue, "profit": self.revenue - self.cost, "units": self.units, "orders": self.orders}


def _time_key(day: date, by: str) -> str:
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return day.strftime("%Y-%m")
    return day.isoformat()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def sales_report(identity: Identity, query: SalesReportQuery) -> SalesReport:
    first, last = date_range(identity.tenant_id, query)
    by, low, high = query.by, first.isoformat(), last.isoformat()
    rows: dict[str, Tally] = {}
    totals = Tally()
    for item in db.day_totals(identity.tenant_id, low, high):
        totals.add(item.get("revenue"), item.get("cost"), item.get("units"), item.get("orders"))
        if by in ("day", "week", "month"):
            rows.setdefault(_time_key(date.fromisoformat(item["day"]), by), Tally()).add(
                item.get("revenue"), item.get("cost"), item.get("units"), item.get("orders")
            )
    if by in ("day", "week", "month"):
        for day in _days(first, last):  # every period appears, sales or not: charts need the gaps
            rows.setdefault(_time_key(day, by), Tally())
        ordered = sorted(rows.items())
    else:
        if by == "product":
            items = db.product_days(identity.tenant_id, low, high)
        else:
            items = db.breakdown_days(identity.tenant_id, by, low, high)
        for item in items:
            tally = rows.setdefault(item["sku"] if by == "product" else item["key"], Tally())
            tally.name = item.get("name")
            tally.add(item.get("revenue"), item.get("cost"), item.get("units"), item.get("orders"))
        if by in sales.CUSTOMER_DIMENSIONS or by in sales.SALE_DIMENSIONS:
            _rest_unspecified(rows, totals, sales.rest_key(by))
        if by == "customer":
            names = db.get_customers(identity.tenant_id, [k for k in rows if k != sales.UNSPECIFIED])
            for key, tally in rows.items():
                tally.name = (names.get(key) or {}).get("name")
        ordered = sorted(rows.items(), key=lambda kv: (-kv[1].revenue, kv[0]))
    return SalesReport(
        from_=first,
        to=last,
        by=by,
        rows=[SalesRow(key=key, name=t.name, **t.figures()) for key, t in ordered],
        totals=Figures(**totals.figures()),
    )


def summary(identity: Identity, day: date | None, location_id: str | None = None) -> Summary:
    """The dashboard's figures: the day's sales from its rollups, stock figures as kept by every
    movement (the low-stock index and the stock value items), never a read of the catalogue."""
    shop = db.get_shop(identity.tenant_id) or {}
    day = day or clock.now().astimezone(shop_zone(shop)).date()
    if location_id is not None:
        return _location_summary(identity, day, location_id)
    tally = Tally()
    tax, refunds = ZERO, ZERO
    takings: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in db.day_totals(identity.tenant_id, day.isoformat(), day.isoformat()):
        tally.add(item.get("revenue"), item.get("cost"), item.get("units"), item.get("orders"))
        tax += Decimal(item.get("tax") or 0)
        refunds += Decimal(item.get("returns") or 0)
        for name, value in item.items():
            if name.startswith(sales.PAID):
                takings[name[len(sales.PAID):]] += Decimal(value)
    if shop.get("stock_value_kept"):
        value_cost, value_retail = db.stock_value(identity.tenant_id)
        low = db.count_low_stock(identity.tenant_id)
    else:  # a shop from before stock value was kept: read the catalogue once
        products = list(db.iter_products(identity.tenant_id))
        stock = valuation(identity, products)
        value_cost, value_retail = stock.totals.value_at_cost, stock.totals.value_at_retail
        low = sum(1 for p in products if _is_low(p))
    figures = tally.figures()
    return Summary(
        day=day,
        revenue=figures["revenue"],
        profit=figures["profit"],
        orders=figures["orders"],
        units=figures["units"],
        low_stock_count=low,
        stock_value_cost=value_cost,
        stock_value_retail=value_retail,
        tax=tax,
        returns=refunds,
        takings=[Taking(method=m, amount=a) for m, a in sorted(takings.items(), key=lambda kv: (-kv[1], kv[0]))],
    )


def _location_summary(identity: Identity, day: date, location_id: str) -> Summary:
    """The dashboard at one location: its sales that day (the rollups by location), its stock
    value (its counters) and its low products (the low-stock index, then those products)."""
    from chalicelib.services import locations

    tenant_id = identity.tenant_id
    location = locations.require(tenant_id, location_id)
    rows: dict[str, Tally] = {}
    for item in db.breakdown_days(tenant_id, "location", day.isoformat(), day.isoformat()):
        rows.setdefault(item["key"], Tally()).add(item.get("revenue"), item.get("cost"), item.get("units"),
                                                  item.get("orders"))
    if location == db.MAIN_LOCATION:  # Main's sales write no location item: the day's rest is Main's
        totals = Tally()
        for item in db.day_totals(tenant_id, day.isoformat(), day.isoformat()):
            totals.add(item.get("revenue"), item.get("cost"), item.get("units"), item.get("orders"))
        _rest_unspecified(rows, totals, db.MAIN_LOCATION)
    tally = rows.get(location) or Tally()
    held = locations.units_at(tenant_id).get(location, {})
    low, after = 0, None
    while True:
        skus, after = db.low_stock_page(tenant_id, limit=200, after_sku=after)
        low += sum(1 for p in db.get_products(tenant_id, skus).values()
                   if location in db.low_locations(db.stock_map(p)))  # fmt: skip
        if after is None:
            break
    figures = tally.figures()
    return Summary(
        day=day, revenue=figures["revenue"], profit=figures["profit"], orders=figures["orders"],
        units=figures["units"], low_stock_count=low, stock_value_cost=held.get("value_cost", ZERO),
        stock_value_retail=held.get("value_retail", ZERO),
    )  # fmt: skip


def _is_low(product: dict[str, Any]) -> bool:
    return bool(db.low_locations(db.stock_map(product)))


def valuation(identity: Identity, products: list[dict[str, Any]] | None = None) -> ValuationReport:
    """Stock on hand at cost and at retail, by category."""
    by_category: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    for product in products if products is not None else db.iter_products(identity.tenant_id):
        on_hand = max(db.as_qty(product.get("on_hand")), ZERO)
        row = by_category[product.get("category") or UNCATEGORISED]
        row[0] += 1
        row[1] += on_hand
        row[2] += on_hand * Decimal(product.get("unit_cost", 0))
        row[3] += on_hand * Decimal(product.get("price", 0))
    rows = [
        ValuationRow(key=key, products=int(v[0]), units=v[1], value_at_cost=v[2], value_at_retail=v[3])
        for key, v in sorted(by_category.items(), key=lambda kv: (-kv[1][2], kv[0]))
    ]
    totals = ValuationRow(
        key="all",
        products=sum(r.products for r in rows),
        units=sum(r.units for r in rows),
        value_at_cost=sum((r.value_at_cost for r in rows), ZERO),
        value_at_retail=sum((r.value_at_retail for r in rows), ZERO),
    )
    return ValuationReport(rows=rows, totals=totals)


def abc(identity: Identity, query: AbcQuery) -> AbcReport:
    """Products ranked by revenue (or profit): A up to 80 % of the total, B to 95 %, C the rest."""
    first, last = date_range(identity.tenant_id, query)
    tallies: dict[str, Tally] = {}
    for item in db.product_days(identity.tenant_id, first.isoformat(), last.isoformat()):
        tally = tallies.setdefault(item["sku"], Tally())
        tally.name = item.get("name")
        tally.add(item.get("revenue"), item.get("cost"), item.get("units"), item.get("orders"))

    def measure(t: Tally) -> Decimal:
        return t.revenue if query.metric == "revenue" else t.revenue - t.cost

    ranked = sorted(tallies.items(), key=lambda kv: (-measure(kv[1]), kv[0]))
    total = sum((max(measure(t), ZERO) for _, t in ranked), ZERO)
    rows, before = [], ZERO
    for sku, tally in ranked:
        value = max(measure(tally), ZERO)
        share = value / total if total else ZERO
        # A product's class is set by the share of the products ranked above it, so the top seller
        # is always A however large its own share.
        cls = "A" if before < Decimal("0.8") else "B" if before < Decimal("0.95") else "C"
        if value == 0:
            cls = "C"
        rows.append(
            AbcRow(
                sku=sku,
                name=tally.name or sku,
                revenue=tally.revenue,
                profit=tally.revenue - tally.cost,
                share=round(float(share), 4),
                cls=cls,
            )
        )
        before += share
    return AbcReport(from_=first, to=last, metric=query.metric, rows=rows)


def dead_stock(identity: Identity, days: int, limit: int = 50, start: int = 0) -> tuple[DeadStockReport, str | None]:
    """Products in stock that have not sold for `days` days (or ever): cash tied up at cost, most
    first, one page of `limit` rows from `start`, with the count and total of all of them."""
    cutoff = clock.iso(clock.now() - timedelta(days=days))
    rows = []
    for product in db.iter_products(identity.tenant_id):
        on_hand = db.as_qty(product.get("on_hand"))
        last_sold = product.get("last_sold_at")
        if on_hand <= 0 or (last_sold and last_sold >= cutoff):
            continue
        rows.append(
            DeadStockRow(
                sku=product["sku"],
                name=product["name"],
                on_hand=on_hand,
                last_sold_at=last_sold,
                value_at_cost=on_hand * Decimal(product.get("unit_cost", 0)),
            )
        )
    rows.sort(key=lambda r: (-r.value_at_cost, r.sku))
    end = start + limit
    report = DeadStockReport(
        days=days,
        rows=rows[start:end],
        total_value_at_cost=sum((r.value_at_cost for r in rows), ZERO),
        count=len(rows),
    )
    return report, (str(end) if end < len(rows) else None)


def tax_report(identity: Identity, query: RangeQuery) -> TaxReport:
    """Tax collected by rate, with the revenue it was charged on, net of returns: what a shop
    hands its accountant. Sales from before tax was kept count as untaxed."""
    first, last = date_range(identity.tenant_id, query)
    taxable: dict[str, Decimal] = defaultdict(lambda: ZERO)
    taxed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in db.day_totals(identity.tenant_id, first.isoformat(), last.isoformat()):
        split = ZERO
        for name, value in item.items():
            if name.startswith(sales.TAXABLE):
                taxable[name[len(sales.TAXABLE):]] += Decimal(value)
                split += Decimal(value)
            elif name.startswith(sales.TAX):
                taxed[name[len(sales.TAX):]] += Decimal(value)
        if rest := Decimal(item.get("revenue") or 0) - split:
            taxable["0"] += rest
    rows = [
        TaxRow(rate=float(rate), taxable=taxable[rate], tax=taxed[rate])
        for rate in sorted(set(taxable) | set(taxed), key=Decimal)
        if taxable[rate] or taxed[rate]
    ]
    totals = TaxRow(rate=0, taxable=sum((r.taxable for r in rows), ZERO), tax=sum((r.tax for r in rows), ZERO))
    return TaxReport(from_=first, to=last, rows=rows, totals=totals)


def returns_report(identity: Identity, query: RangeQuery) -> ReturnsReport:
    """Per product: units sold and returned in the period, the return rate, what was refunded and
    why, most returned first. From the product-day rollups, like every sales report."""
    first, last = date_range(identity.tenant_id, query)
    rows: dict[str, dict[str, Any]] = {}
    for item in db.product_days(identity.tenant_id, first.isoformat(), last.isoformat()):
        row = rows.setdefault(item["sku"], {"name": item.get("name") or item["sku"], "net": ZERO, "returned": ZERO,
                                            "refunded": ZERO, "reasons": defaultdict(lambda: ZERO)})  # fmt: skip
        row["net"] += db.as_qty(item.get("units"))
        row["returned"] += db.as_qty(item.get("returned"))
        row["refunded"] += Decimal(item.get("refunded") or 0)
        for name, value in item.items():
            if name.startswith(sales.REASON):
                row["reasons"][name[len(sales.REASON):]] += Decimal(value)

    def rate(returned: Decimal, sold: Decimal) -> float:
        return round(float(returned / sold), 4) if sold else 0.0

    out = []
    for sku, row in rows.items():
        if not row["returned"]:
            continue
        sold = row["net"] + row["returned"]  # units count net of returns: add them back for "sold"
        out.append(ReturnsRow(sku=sku, name=row["name"], sold=sold, returned=row["returned"],
                              rate=rate(row["returned"], sold), refunded=row["refunded"],
                              reasons={k: v for k, v in sorted(row["reasons"].items()) if v}))  # fmt: skip
    out.sort(key=lambda r: (-r.returned, -r.refunded, r.sku))
    sold = sum((row["net"] + row["returned"] for row in rows.values()), ZERO)
    returned = sum((r.returned for r in out), ZERO)
    totals = ReturnsTotals(sold=sold, returned=returned, rate=rate(returned, sold),
                           refunded=sum((r.refunded for r in out), ZERO))  # fmt: skip
    return ReturnsReport(from_=first, to=last, rows=out, totals=totals)


def _rest_unspecified(rows: dict[str, Tally], totals: Tally, key: str = sales.UNSPECIFIED) -> None:
    """Breakdowns by who bought (or where, away from Main) are written only for sales that say so:
    what the rows do not cover of the period's totals is one row, `key`, so the rows add up to the
    totals."""
    rest = Tally()
    rest.add(totals.revenue, totals.cost, totals.units, totals.orders)
    for tally in rows.values():
        rest.add(-tally.revenue, -tally.cost, -tally.units, -tally.orders)
    if rest.revenue or rest.cost or rest.units or rest.orders:
        rows.setdefault(key, Tally()).add(rest.revenue, rest.cost, rest.units, rest.orders)

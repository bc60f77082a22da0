from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import (
    AbcQuery,
    AbcReport,
    DeadStockQuery,
    DeadStockReport,
    RangeQuery,
    ReturnsReport,
    SalesReport,
    SalesReportQuery,
    Summary,
    SummaryQuery,
    TaxReport,
    ValuationReport,
)
from chalicelib.services import reports

bp = Blueprint(__name__)


@route(
    bp,
    "/reports/summary",
    "GET",
    summary="A day at a glance: sales, profit, low stock, stock value",
    response=Summary,
    query=SummaryQuery,
)
def summary(identity: Identity, query: SummaryQuery) -> Summary:
    return reports.summary(identity, query.day, query.location_id)


@route(
    bp,
    "/reports/sales",
    "GET",
    summary="Sales and profit by period, category, region, state or product",
    response=SalesReport,
    query=SalesReportQuery,
)
def sales(identity: Identity, query: SalesReportQuery) -> SalesReport:
    return reports.sales_report(identity, query)


@route(
    bp,
    "/reports/abc",
    "GET",
    summary="ABC classes of products by revenue (or ?metric=profit)",
    response=AbcReport,
    query=AbcQuery,
)
def abc(identity: Identity, query: AbcQuery) -> AbcReport:
    return reports.abc(identity, query)


@route(
    bp,
    "/reports/dead-stock",
    "GET",
    summary="Stock that has not sold for N days, at cost",
    response=DeadStockReport,
    query=DeadStockQuery,
    cursor="seq",
)
def dead_stock(identity: Identity, query: DeadStockQuery, position: str | None) -> tuple[DeadStockReport, str | None]:
    return reports.dead_stock(identity, query.days, query.limit, int(position or 0))


@route(
    bp,
    "/reports/valuation",
    "GET",
    summary="Stock on hand at cost and at retail, by category",
    response=ValuationReport,
)
def valuation(identity: Identity) -> ValuationReport:
    return reports.valuation(identity)


@route(
    bp,
    "/reports/tax",
    "GET",
    summary="Tax collected by rate, with the revenue it was charged on (net of returns)",
    response=TaxReport,
    query=RangeQuery,
)
def tax(identity: Identity, query: RangeQuery) -> TaxReport:
    return reports.tax_report(identity, query)


@route(
    bp,
    "/reports/returns",
    "GET",
    summary="Returns by product: sold, returned, rate, refunded and the reasons given",
    response=ReturnsReport,
    query=RangeQuery,
)
def returns(identity: Identity, query: RangeQuery) -> ReturnsReport:
    return reports.returns_report(identity, query)

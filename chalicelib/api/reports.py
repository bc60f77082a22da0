from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import read_query, route
from chalicelib.models import (
    AbcQuery,
    AbcReport,
    DeadStockQuery,
    DeadStockReport,
    SalesReport,
    SalesReportQuery,
    Summary,
    SummaryQuery,
    ValuationReport,
)
from chalicelib.services import reports

bp = Blueprint(__name__)
RANGE = {"from": "string", "to": "string"}


@route(
    bp,
    "/reports/summary",
    "GET",
    summary="A day at a glance: sales, profit, low stock, stock value",
    response=Summary,
    query={"date": "string"},
)
def summary(identity: Identity) -> Summary:
    return reports.summary(identity, read_query(SummaryQuery).day)


@route(
    bp,
    "/reports/sales",
    "GET",
    summary="Sales and profit by period, category, region, state or product",
    response=SalesReport,
    query={**RANGE, "by": "string"},
)
def sales(identity: Identity) -> SalesReport:
    return reports.sales_report(identity, read_query(SalesReportQuery))


@route(
    bp,
    "/reports/abc",
    "GET",
    summary="ABC classes of products by revenue (or ?metric=profit)",
    response=AbcReport,
    query={**RANGE, "metric": "string"},
)
def abc(identity: Identity) -> AbcReport:
    return reports.abc(identity, read_query(AbcQuery))


@route(
    bp,
    "/reports/dead-stock",
    "GET",
    summary="Stock that has not sold for N days, at cost",
    response=DeadStockReport,
    query={"days": "integer"},
)
def dead_stock(identity: Identity) -> DeadStockReport:
    return reports.dead_stock(identity, read_query(DeadStockQuery).days)


@route(
    bp,
    "/reports/valuation",
    "GET",
    summary="Stock on hand at cost and at retail, by category",
    response=ValuationReport,
)
def valuation(identity: Identity) -> ValuationReport:
    return reports.valuation(identity)

"""Customers: records kept as sales happen, their history, the customers report."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import (
    CustomerDetail,
    CustomerPage,
    CustomerQuery,
    CustomersReport,
    RangeQuery,
    RelatedPage,
    RelatedQuery,
    Scorecard,
)
from chalicelib.services import customers

bp = Blueprint(__name__)


@route(bp, "/customers", "GET", summary="The shop's customers: search, segment, RFM group, sorted",
       response=CustomerPage, query=CustomerQuery, cursor="seq")  # fmt: skip
def list_customers(identity: Identity, query: CustomerQuery, position: str | None) -> tuple[CustomerPage, int | None]:
    return customers.list_customers(identity, query, int(position or 0))


@route(bp, "/customers/{customer_id}", "GET", summary="A customer: totals, RFM, recent sales, top products",
       response=CustomerDetail)  # fmt: skip
def get_customer(identity: Identity, customer_id: str) -> CustomerDetail:
    return customers.get(identity, customer_id)


@route(bp, "/customers/{customer_id}", "DELETE", summary="Forget a customer (name, email, city); sales stay",
       status=204)  # fmt: skip
def forget_customer(identity: Identity, customer_id: str) -> None:
    customers.forget(identity, customer_id)


@route(bp, "/reports/customers", "GET", summary="Customers in a period: new, returning, repeat rate, segments",
       response=CustomersReport, query=RangeQuery)  # fmt: skip
def customers_report(identity: Identity, query: RangeQuery) -> CustomersReport:
    return customers.report(identity, query)


@route(bp, "/suppliers/{supplier_id}/scorecard", "GET", summary="A supplier's reject rate, on-time rate, lead times",
       response=Scorecard)  # fmt: skip
def supplier_scorecard(identity: Identity, supplier_id: str) -> Scorecard:
    from chalicelib.services import scorecard

    return scorecard.scorecard(identity, supplier_id)


@route(bp, "/products/{sku}/related", "GET", summary="Products most often bought in the same sale",
       response=RelatedPage, query=RelatedQuery)  # fmt: skip
def related_products(identity: Identity, sku: str, query: RelatedQuery) -> RelatedPage:
    from chalicelib.services import related

    return RelatedPage(**related.related(identity, sku, query.limit))

from __future__ import annotations

from datetime import datetime

from chalice import Blueprint, Response

from chalicelib import db, invoice
from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import Return, ReturnIn, Sale, SaleIn, SalePage, SaleQuery
from chalicelib.services import returns, sales

bp = Blueprint(__name__)


@route(
    bp,
    "/sales",
    "POST",
    summary="Record a sale (all lines or none)",
    body=SaleIn,
    response=Sale,
    status=201,
    idempotent=True,
    staff=True,
    replay=False,  # the sale's transaction claims the key; a repeat reads the sale it recorded
)
def create_sale(identity: Identity, body: SaleIn, idempotency_key: str | None) -> Sale:
    return sales.record(identity, body, key=idempotency_key)


@route(
    bp,
    "/sales",
    "GET",
    summary="Sales in a date range, newest first",
    response=SalePage,
    query=SaleQuery,
    cursor="ulid",
    staff=True,
)
def list_sales(identity: Identity, query: SaleQuery, position: str | None) -> tuple[SalePage, str | None]:
    return sales.list_sales(identity, query, position)


@route(bp, "/sales/{sale_id}", "GET", summary="One sale", response=Sale, staff=True)
def get_sale(identity: Identity, sale_id: str) -> Sale:
    return sales.get(identity, sale_id)[0]


@route(
    bp,
    "/sales/{sale_id}/returns",
    "POST",
    summary="Return some of a sale: refund, and restock or write off",
    body=ReturnIn,
    response=Return,
    status=201,
    idempotent=True,
    staff=True,
)
def create_return(identity: Identity, sale_id: str, body: ReturnIn, idempotency_key: str | None) -> Return:
    return returns.record(identity, sale_id, body, key=idempotency_key)


@route(
    bp, "/sales/{sale_id}/invoice", "GET", summary="A printable HTML invoice for a sale", produces="text/html",
    staff=True,
)
def sale_invoice(identity: Identity, sale_id: str) -> Response:
    sale, _ = sales.get(identity, sale_id)
    shop = db.get_shop(identity.tenant_id) or {}
    local = datetime.fromisoformat(sale.sold_at.replace("Z", "+00:00")).astimezone(sales.shop_zone(shop))
    from chalicelib.services import feedback

    link = feedback.invoice_url(identity, sale_id)
    body = invoice.render(shop, sale, local, sales.shop_zone(shop), feedback_url=link)
    return Response(body=body, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})

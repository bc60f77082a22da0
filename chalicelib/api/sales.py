from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint, Response

from chalicelib import db, idempotency, invoice
from chalicelib.auth import Identity
from chalicelib.http import decode_cursor, encode_cursor, header, lambda_context, read_body, read_query, route
from chalicelib.models import Sale, SaleIn, SalePage, SaleQuery
from chalicelib.services import sales

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
)
def create_sale(identity: Identity) -> Any:
    request = read_body(SaleIn)
    reply = idempotency.once(
        header("idempotency-key"),
        identity.tenant_id,
        "sale",
        request.model_dump(mode="json"),
        lambda: sales.record(identity, request).model_dump(mode="json"),
        lambda_context(),
    )
    return Sale.model_validate(reply)


@route(
    bp,
    "/sales",
    "GET",
    summary="Sales in a date range, newest first",
    response=SalePage,
    query={"from": "string", "to": "string", "limit": "integer", "cursor": "string"},
)
def list_sales(identity: Identity) -> SalePage:
    query = read_query(SaleQuery)
    before = decode_cursor(query.cursor, "ulid")
    page, last = sales.list_sales(identity, query, before)
    page.next_cursor = encode_cursor(last)
    return page


@route(bp, "/sales/{sale_id}", "GET", summary="One sale", response=Sale)
def get_sale(identity: Identity, sale_id: str) -> Sale:
    return sales.get(identity, sale_id)[0]


@route(bp, "/sales/{sale_id}/invoice", "GET", summary="A printable HTML invoice for a sale", produces="text/html")
def sale_invoice(identity: Identity, sale_id: str) -> Response:
    sale, _ = sales.get(identity, sale_id)
    shop = db.get_shop(identity.tenant_id) or {}
    local = datetime.fromisoformat(sale.sold_at.replace("Z", "+00:00")).astimezone(sales.shop_zone(shop))
    return Response(
        body=invoice.render(shop, sale, local), status_code=200, headers={"Content-Type": "text/html; charset=utf-8"}
    )

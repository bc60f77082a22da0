from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import idempotency
from chalicelib.auth import Identity
from chalicelib.http import decode_cursor, encode_cursor, header, lambda_context, read_body, read_query, route
from chalicelib.models import (
    ListQuery,
    MovementPage,
    Product,
    ProductCreate,
    ProductPage,
    ProductPatch,
    ProductQuery,
    StockMovementIn,
    StockMovementOut,
)
from chalicelib.services import products, stock

bp = Blueprint(__name__)

LIST_QUERY = {"limit": "integer", "cursor": "string"}


@route(bp, "/products", "POST", summary="Add a product", body=ProductCreate, response=Product, status=201)
def create_product(identity: Identity) -> Product:
    return products.create(identity, read_body(ProductCreate))


@route(
    bp,
    "/products",
    "GET",
    summary="List and search products",
    response=ProductPage,
    query={"q": "string", "category": "string", "low_stock": "boolean", **LIST_QUERY},
)
def list_products(identity: Identity) -> ProductPage:
    query = read_query(ProductQuery)
    after = decode_cursor(query.cursor, "sku")
    page, last = products.list_products(identity, query, after)
    page.next_cursor = encode_cursor(last)
    return page


@route(bp, "/products/{sku}", "GET", summary="One product", response=Product)
def get_product(identity: Identity, sku: str) -> Product:
    return products.get(identity, sku)


@route(bp, "/products/{sku}", "PATCH", summary="Change a product's fields", body=ProductPatch, response=Product)
def patch_product(identity: Identity, sku: str) -> Product:
    return products.update(identity, sku, read_body(ProductPatch))


@route(bp, "/products/{sku}", "DELETE", summary="Delete a product (its history stays)", status=204)
def delete_product(identity: Identity, sku: str) -> None:
    products.delete(identity, sku)


@route(
    bp,
    "/products/{sku}/stock",
    "POST",
    summary="Receive, adjust or count stock",
    body=StockMovementIn,
    response=StockMovementOut,
    status=201,
    idempotent=True,
)
def post_stock(identity: Identity, sku: str) -> Any:
    request = read_body(StockMovementIn)
    sku = products.normal_sku(sku)
    reply = idempotency.once(
        header("idempotency-key"),
        identity.tenant_id,
        f"stock:{sku}",
        request.model_dump(mode="json"),
        lambda: stock.record(identity, sku, request).model_dump(mode="json"),
        lambda_context(),
    )
    return StockMovementOut.model_validate(reply)


@route(
    bp,
    "/products/{sku}/movements",
    "GET",
    summary="A product's stock ledger, newest first",
    response=MovementPage,
    query=LIST_QUERY,
)
def list_movements(identity: Identity, sku: str) -> MovementPage:
    query = read_query(ListQuery)
    before = decode_cursor(query.cursor, "seq")
    page, last = stock.list_movements(identity, sku, query.limit, int(before) if before else None)
    page.next_cursor = encode_cursor(last)
    return page

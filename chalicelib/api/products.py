from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
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


@route(bp, "/products", "POST", summary="Add a product", body=ProductCreate, response=Product, status=201)
def create_product(identity: Identity, body: ProductCreate) -> Product:
    return products.create(identity, body)


@route(
    bp, "/products", "GET", summary="List and search products", response=ProductPage, query=ProductQuery,
    cursor="product", staff=True,
)
def list_products(identity: Identity, query: ProductQuery, position: str | None) -> tuple[ProductPage, str | None]:
    return products.list_products(identity, query, position)


@route(bp, "/products/{sku}", "GET", summary="One product", response=Product, staff=True)
def get_product(identity: Identity, sku: str) -> Product:
    return products.get(identity, sku)


@route(bp, "/products/{sku}", "PATCH", summary="Change a product's fields", body=ProductPatch, response=Product)
def patch_product(identity: Identity, sku: str, body: ProductPatch) -> Product:
    return products.update(identity, sku, body)


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
    # Staff receive, adjust and count, but a unit cost (it moves the average cost) is the owner's to give.
    staff=lambda body: body.unit_cost is None,
)
def post_stock(identity: Identity, sku: str, body: StockMovementIn, idempotency_key: str | None) -> StockMovementOut:
    return stock.record(identity, products.normal_sku(sku), body, key=idempotency_key)


@route(
    bp,
    "/products/{sku}/movements",
    "GET",
    summary="A product's stock ledger, newest first",
    response=MovementPage,
    query=ListQuery,
    cursor="seq",
    staff=True,
)
def list_movements(
    identity: Identity, sku: str, query: ListQuery, position: str | None
) -> tuple[MovementPage, int | None]:
    return stock.list_movements(identity, sku, query.limit, int(position) if position else None)

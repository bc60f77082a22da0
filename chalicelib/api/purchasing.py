from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import idempotency
from chalicelib.auth import Identity
from chalicelib.http import decode_cursor, encode_cursor, header, lambda_context, read_body, read_query, route
from chalicelib.models import (
    ListQuery,
    PurchaseOrder,
    PurchaseOrderIn,
    PurchaseOrderPage,
    PurchaseOrderQuery,
    PurchaseStatusIn,
    ReceiptIn,
    Supplier,
    SupplierIn,
    SupplierPage,
    SupplierPatch,
)
from chalicelib.services import purchasing

bp = Blueprint(__name__)

LIST_QUERY = {"limit": "integer", "cursor": "string"}


@route(bp, "/suppliers", "POST", summary="Add a supplier", body=SupplierIn, response=Supplier, status=201)
def create_supplier(identity: Identity) -> Supplier:
    return purchasing.create_supplier(identity, read_body(SupplierIn))


@route(bp, "/suppliers", "GET", summary="List suppliers", response=SupplierPage, query=LIST_QUERY)
def list_suppliers(identity: Identity) -> SupplierPage:
    query = read_query(ListQuery)
    page, last = purchasing.list_suppliers(identity, query.limit, decode_cursor(query.cursor, "ulid"))
    page.next_cursor = encode_cursor(last)
    return page


@route(bp, "/suppliers/{supplier_id}", "GET", summary="One supplier", response=Supplier)
def get_supplier(identity: Identity, supplier_id: str) -> Supplier:
    return purchasing.get_supplier(identity, supplier_id)


@route(bp, "/suppliers/{supplier_id}", "PATCH", summary="Change a supplier", body=SupplierPatch, response=Supplier)
def patch_supplier(identity: Identity, supplier_id: str) -> Supplier:
    return purchasing.update_supplier(identity, supplier_id, read_body(SupplierPatch))


@route(
    bp,
    "/purchase-orders",
    "POST",
    summary="Draft a purchase order",
    body=PurchaseOrderIn,
    response=PurchaseOrder,
    status=201,
)
def create_order(identity: Identity) -> PurchaseOrder:
    return purchasing.create_order(identity, read_body(PurchaseOrderIn))


@route(
    bp,
    "/purchase-orders",
    "GET",
    summary="Purchase orders, newest first",
    response=PurchaseOrderPage,
    query={"status": "string", **LIST_QUERY},
)
def list_orders(identity: Identity) -> PurchaseOrderPage:
    query = read_query(PurchaseOrderQuery)
    page, last = purchasing.list_orders(identity, query, decode_cursor(query.cursor, "ulid"))
    page.next_cursor = encode_cursor(last)
    return page


@route(bp, "/purchase-orders/{po_id}", "GET", summary="One purchase order", response=PurchaseOrder)
def get_order(identity: Identity, po_id: str) -> PurchaseOrder:
    return purchasing.get_order(identity, po_id)


@route(
    bp,
    "/purchase-orders/{po_id}/status",
    "POST",
    summary="Mark ordered, shipped or cancelled",
    body=PurchaseStatusIn,
    response=PurchaseOrder,
)
def change_status(identity: Identity, po_id: str) -> PurchaseOrder:
    return purchasing.change_status(identity, po_id, read_body(PurchaseStatusIn))


@route(
    bp,
    "/purchase-orders/{po_id}/receipts",
    "POST",
    summary="Receive goods (accepted and rejected)",
    body=ReceiptIn,
    response=PurchaseOrder,
    status=201,
    idempotent=True,
)
def receive(identity: Identity, po_id: str) -> Any:
    request = read_body(ReceiptIn)
    reply = idempotency.once(
        header("idempotency-key"),
        identity.tenant_id,
        f"receipt:{po_id}",
        request.model_dump(mode="json"),
        lambda: purchasing.receive(identity, po_id, request).model_dump(mode="json"),
        lambda_context(),
    )
    return PurchaseOrder.model_validate(reply)

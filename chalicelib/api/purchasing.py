from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
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
# Staff receive deliveries, so they read orders, but not what the shop pays: no costs, no totals.
STAFF_HIDES = frozenset({"total"})


@route(bp, "/suppliers", "POST", summary="Add a supplier", body=SupplierIn, response=Supplier, status=201)
def create_supplier(identity: Identity, body: SupplierIn) -> Supplier:
    return purchasing.create_supplier(identity, body)


@route(bp, "/suppliers", "GET", summary="List suppliers", response=SupplierPage, query=ListQuery, cursor="ulid")
def list_suppliers(identity: Identity, query: ListQuery, position: str | None) -> tuple[SupplierPage, str | None]:
    return purchasing.list_suppliers(identity, query.limit, position)


@route(bp, "/suppliers/{supplier_id}", "GET", summary="One supplier", response=Supplier)
def get_supplier(identity: Identity, supplier_id: str) -> Supplier:
    return purchasing.get_supplier(identity, supplier_id)


@route(bp, "/suppliers/{supplier_id}", "PATCH", summary="Change a supplier", body=SupplierPatch, response=Supplier)
def patch_supplier(identity: Identity, supplier_id: str, body: SupplierPatch) -> Supplier:
    return purchasing.update_supplier(identity, supplier_id, body)


@route(
    bp,
    "/purchase-orders",
    "POST",
    summary="Draft a purchase order",
    body=PurchaseOrderIn,
    response=PurchaseOrder,
    status=201,
)
def create_order(identity: Identity, body: PurchaseOrderIn) -> PurchaseOrder:
    return purchasing.create_order(identity, body)


@route(
    bp,
    "/purchase-orders",
    "GET",
    summary="Purchase orders, newest first",
    response=PurchaseOrderPage,
    query=PurchaseOrderQuery,
    cursor="ulid",
    staff=True,
    staff_hides=STAFF_HIDES,
)
def list_orders(
    identity: Identity, query: PurchaseOrderQuery, position: str | None
) -> tuple[PurchaseOrderPage, str | None]:
    return purchasing.list_orders(identity, query, position)


@route(
    bp, "/purchase-orders/{po_id}", "GET", summary="One purchase order", response=PurchaseOrder, staff=True,
    staff_hides=STAFF_HIDES,
)
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
def change_status(identity: Identity, po_id: str, body: PurchaseStatusIn) -> PurchaseOrder:
    return purchasing.change_status(identity, po_id, body)


@route(
    bp,
    "/purchase-orders/{po_id}/receipts",
    "POST",
    summary="Receive goods (accepted and rejected)",
    body=ReceiptIn,
    response=PurchaseOrder,
    status=201,
    idempotent=True,
    staff=True,
    staff_hides=STAFF_HIDES,
)
def receive(identity: Identity, po_id: str, body: ReceiptIn, idempotency_key: str | None) -> PurchaseOrder:
    return purchasing.receive(identity, po_id, body, key=idempotency_key)

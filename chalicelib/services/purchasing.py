"""Suppliers and purchase orders: draft -> ordered -> shipped -> (partially_)received, or cancelled.

A product's `on_order` counts what open orders (ordered, shipped, partly received) still owe:
ordering adds each line's outstanding quantity, receiving (accepted or rejected) and
cancelling take it off. Receipts put accepted stock on hand through the ledger (`po_receipt`)
at the line's cost, moving the product's average cost, all in one transaction with the order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib import clock, db, idempotency, retry
from chalicelib.auth import Identity
from chalicelib.errors import AppError, Conflict, Invalid, NotFound
from chalicelib.models import (
    PurchaseLine,
    PurchaseOrder,
    PurchaseOrderIn,
    PurchaseOrderPage,
    PurchaseOrderQuery,
    PurchaseStatusIn,
    Receipt,
    ReceiptIn,
    ReceiptLine,
    Supplier,
    SupplierIn,
    SupplierPage,
    SupplierPatch,
    qty_out,
)
from chalicelib.observability import count, logger
from chalicelib.services.products import check_units
from chalicelib.services.stock import average_cost

BUSY = "The purchase order is being changed by someone else; please try again."
OPEN = ("ordered", "shipped", "partially_received")
# Where each status may go next by POST /status (receipts move orders to (partially_)received).
NEXT = {
    "draft": {"ordered", "cancelled"},
    "ordered": {"shipped", "cancelled"},
    "shipped": {"cancelled"},
    "partially_received": {"cancelled"},  # the rest will never come: close the order
    "received": set(),
    "cancelled": set(),
}


# --- suppliers ----------------------------------------------------------------------------


def to_supplier(item: dict[str, Any]) -> Supplier:
    lead = item.get("lead_time_days")
    return Supplier(
        supplier_id=item["supplier_id"],
        name=item["name"],
        email=item.get("email"),
        phone=item.get("phone"),
        lead_time_days=int(lead) if lead is not None else None,
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def create_supplier(identity: Identity, request: SupplierIn) -> Supplier:
    now = clock.now_iso()
    item = {
        "supplier_id": clock.new_id(),
        **request.model_dump(exclude_none=True),
        "created_at": now,
        "updated_at": now,
    }
    db.put_supplier(identity.tenant_id, item)
    return to_supplier(item)


def _supplier(tenant_id: str, supplier_id: str) -> dict[str, Any]:
    item = db.get_supplier(tenant_id, supplier_id) if supplier_id.isalnum() else None
    if item is None:
        raise NotFound(f"No supplier {supplier_id!r} in this shop.")
    return item


def get_supplier(identity: Identity, supplier_id: str) -> Supplier:
    return to_supplier(_supplier(identity.tenant_id, supplier_id))


def list_suppliers(identity: Identity, limit: int, after: str | None) -> tuple[SupplierPage, str | None]:
    items, last = db.query_suppliers(identity.tenant_id, limit, after)
    return SupplierPage(items=[to_supplier(i) for i in items], next_cursor=None), last


def update_supplier(identity: Identity, supplier_id: str, patch: SupplierPatch) -> Supplier:
    _supplier(identity.tenant_id, supplier_id)
    changes = patch.model_dump(include=patch.model_fields_set)
    sets = {k: v for k, v in changes.items() if v is not None}
    sets["updated_at"] = clock.now_iso()
    try:
        item = db.update_supplier(identity.tenant_id, supplier_id, sets, [k for k, v in changes.items() if v is None])
    except db.ConditionFailed:
        raise NotFound(f"No supplier {supplier_id!r} in this shop.") from None
    return to_supplier(item)


# --- purchase orders -------------------------------------------------------------------


def to_order(item: dict[str, Any]) -> PurchaseOrder:
    lines = []
    for ln in item["lines"]:
        quantity, received, rejected = (db.as_qty(ln.get(k)) for k in ("quantity", "received", "rejected"))
        lines.append(
            PurchaseLine(
                sku=ln["sku"],
                name=ln["name"],
                quantity=quantity,
                unit_cost=Decimal(ln["unit_cost"]),
                received=received,
                rejected=rejected,
                outstanding=quantity - received - rejected,
            )
        )
    receipts = [
        Receipt(
            receipt_id=r["receipt_id"],
            at=r["at"],
            note=r.get("note"),
            lines=[
                ReceiptLine(
                    sku=x["sku"],
                    quantity=db.as_qty(x["quantity"]),
                    rejected=db.as_qty(x.get("rejected")),
                    reason=x.get("reason"),
                )
                for x in r["lines"]
            ],
        )
        for r in item.get("receipts", [])
    ]
    return PurchaseOrder(
        po_id=item["po_id"],
        supplier_id=item["supplier_id"],
        supplier_name=item.get("supplier_name", ""),
        status=item["status"],
        lines=lines,
        note=item.get("note"),
        receipts=receipts,
        total=sum((ln.unit_cost * ln.quantity for ln in lines), Decimal(0)),
        supplier_emailed_at=item.get("supplier_emailed_at"),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def create_order(identity: Identity, request: PurchaseOrderIn) -> PurchaseOrder:
    supplier = _supplier(identity.tenant_id, request.supplier_id)
    products, _ = db.get_products_and_shop(identity.tenant_id, [ln.sku for ln in request.lines])
    missing = [ln.sku for ln in request.lines if ln.sku not in products or "deleted_at" in products[ln.sku]]
    if missing:
        raise Invalid(
            "These products are not in this shop: " + ", ".join(missing) + ".",
            [{"field": "lines", "sku": sku, "message": "unknown SKU"} for sku in missing],
            code="unknown_sku",
        )
    check_units([(products[ln.sku], ln.quantity, f"lines.{i}.quantity") for i, ln in enumerate(request.lines)])
    now = clock.now_iso()
    item = {
        "po_id": clock.new_id(),
        "supplier_id": supplier["supplier_id"],
        "supplier_name": supplier["name"],
        "status": "draft",
        "note": request.note,
        "version": 1,
        "receipts": [],
        "lines": [
            {
                "sku": ln.sku,
                "name": products[ln.sku]["name"],
                "unit": products[ln.sku].get("unit") or "each",
                "quantity": ln.quantity,
                "unit_cost": ln.unit_cost,
                "received": 0,
                "rejected": 0,
            }
            for ln in request.lines
        ],
        "created_at": now,
        "updated_at": now,
    }
    db.put_purchase_order(identity.tenant_id, item)
    count("PurchaseOrderCreated")
    return to_order(item)


def _order(tenant_id: str, po_id: str) -> dict[str, Any]:
    item = db.get_purchase_order(tenant_id, po_id) if po_id.isalnum() else None
    if item is None:
        raise NotFound(f"No purchase order {po_id!r} in this shop.")
    return item


def get_order(identity: Identity, po_id: str) -> PurchaseOrder:
    return to_order(_order(identity.tenant_id, po_id))


def list_orders(
    identity: Identity, query: PurchaseOrderQuery, after: str | None
) -> tuple[PurchaseOrderPage, str | None]:
    items, last = db.query_purchase_orders(identity.tenant_id, query.limit, after, query.status)
    return PurchaseOrderPage(items=[to_order(i) for i in items], next_cursor=None), last


def _outstanding(line: dict[str, Any]) -> Decimal:
    return db.as_qty(line["quantity"]) - db.as_qty(line.get("received")) - db.as_qty(line.get("rejected"))


def change_status(identity: Identity, po_id: str, request: PurchaseStatusIn) -> PurchaseOrder:
    """Move an order on. Asking for the status it already has is a repeat (a retry whose reply was
    lost): it changes nothing and answers the order. Placing an order (draft -> ordered) emails it
    to the supplier when they have an address: the duty is written with the transition, so only
    the one request that made the transition has it, and a retry only finishes a send that failed."""

    read: dict[str, Any] = {}  # the supplier as read for the transition, for its email

    def attempt() -> tuple[PurchaseOrder, dict[str, Any]]:
        item = _order(identity.tenant_id, po_id)
        current, wanted = item["status"], request.status
        if wanted == current and current != "draft":
            return to_order(item), item
        if wanted not in NEXT[current]:
            raise Conflict(
                f"A purchase order that is {current.replace('_', ' ')} cannot become {wanted}.",
                code="invalid_transition",
            )
        now = clock.now_iso()
        changes: dict[str, Any] = {"status": wanted, "updated_at": now}
        if current == "draft" and wanted == "ordered":
            read["supplier"] = supplier = db.get_supplier(identity.tenant_id, item["supplier_id"]) or {}
            if supplier.get("email"):
                changes["supplier_email_due"] = "pending"
        actions = [
            db.purchase_order_change(
                identity.tenant_id, item["po_id"], db.as_int(item["version"]),
                {**changes, "status_history": [*item.get("status_history", []), {"status": wanted, "at": now}],
                 **_promise(identity.tenant_id, item, wanted, now)},
            )  # fmt: skip
        ]
        # Stock on order follows the order: counted from "ordered" until received or cancelled.
        sign = (
            1 if current == "draft" and wanted == "ordered" else -1 if current in OPEN and wanted == "cancelled" else 0
        )
        if sign:
            actions += [
                db.product_add(identity.tenant_id, ln["sku"], {"on_order": sign * _outstanding(ln)})
                for ln in item["lines"]
                if _outstanding(ln)
            ]
        db.transact(actions)  # ConditionFailed: it changed meanwhile; read again, decide again
        item.update(changes)
        return to_order(item), item

    order, item = retry.until_written(attempt, BUSY)
    if item.get("supplier_email_due") in ("pending", "sending"):
        sent_at = email_supplier(identity.tenant_id, item, read.get("supplier"))
        if sent_at:
            order.supplier_emailed_at = sent_at
    return order


# A send claimed this long ago and not finished died with its function: another may take it over.
SEND_STALE_SECONDS = 300


def email_supplier(tenant_id: str, item: dict[str, Any], supplier: dict[str, Any] | None = None) -> str | None:
    """Email a placed order to its supplier, if this caller wins the duty (see change_status);
    returns when it was sent. A failure is logged and leaves the duty pending for a retry: the
    order is placed either way."""
    from datetime import timedelta

    from chalicelib import mail, order_email

    now = clock.now()
    stale = clock.iso(now - timedelta(seconds=SEND_STALE_SECONDS))
    if not db.claim_order_email(tenant_id, item["po_id"], clock.iso(now), stale):
        return None
    if supplier is None:  # a retry finishing an earlier send: the supplier as it is now
        supplier = db.get_supplier(tenant_id, item["supplier_id"]) or {}
    if not supplier.get("email"):  # the address was removed meanwhile: nothing to send
        db.order_emailed(tenant_id, item["po_id"], {}, sent=True)
        return None
    shop = db.get_shop(tenant_id) or {}
    name = supplier.get("name") or item.get("supplier_name", "")
    try:
        message_id = mail.send_for_shop(
            tenant_id, "purchase_order", item["po_id"], to=[supplier["email"]],
            subject=order_email.subject(shop.get("shop_name", ""), item),
            text=order_email.text(shop, item, name), html=order_email.html(shop, item, name),
            reply_to=[shop["owner_email"]] if shop.get("owner_email") else None,
        )
    except Exception as exc:  # SES refused or did not answer: a retry of the status call sends it
        # The error's type only: SES's messages can name the supplier's address.
        logger.warning("purchase order not emailed", extra={"po_id": item["po_id"], "error": type(exc).__name__})
        db.order_emailed(tenant_id, item["po_id"], {}, sent=False)
        return None
    at = clock.now_iso()
    db.order_emailed(tenant_id, item["po_id"], {"supplier_emailed_at": at, "supplier_message_id": message_id},
                     sent=True)
    count("PurchaseOrderEmailed")
    return at


def receive(identity: Identity, po_id: str, request: ReceiptIn, key: str | None = None) -> PurchaseOrder:
    """Goods in against an order; with an Idempotency-Key, a repeat changes nothing more."""
    claim = idempotency.Claim(identity.tenant_id, f"receipt#{po_id}", key, request) if key else None

    def earlier() -> PurchaseOrder | None:
        outcome = claim.outcome() if claim else None
        return to_order(_order(identity.tenant_id, outcome["po_id"])) if outcome else None

    def attempt() -> PurchaseOrder:
        try:
            return decide_and_write()
        except AppError:
            if (found := earlier()) is not None:  # this receipt was recorded before (its reply lost)
                return found
            raise

    def decide_and_write() -> PurchaseOrder:
        item = _order(identity.tenant_id, po_id)
        if item["status"] not in OPEN:
            raise Conflict(
                f"Goods can only be received against an order that was placed; this one is "
                f"{item['status'].replace('_', ' ')}.",
                code="invalid_state",
            )
        by_sku = {ln["sku"]: ln for ln in item["lines"]}
        unknown = [ln.sku for ln in request.lines if ln.sku not in by_sku]
        if unknown:
            raise Invalid(
                "These products are not on this purchase order: " + ", ".join(unknown) + ".",
                [{"field": "lines", "sku": s, "message": "not on this order"} for s in unknown],
            )
        check_units([({"sku": ln.sku, "unit": by_sku[ln.sku].get("unit")}, qty, f"lines.{i}.{field}")
                     for i, ln in enumerate(request.lines) for field, qty in (("quantity", ln.quantity),
                                                                               ("rejected", ln.rejected))])  # fmt: skip
        over = [
            {"sku": ln.sku, "receiving": qty_out(ln.quantity + ln.rejected),
             "outstanding": qty_out(_outstanding(by_sku[ln.sku]))}  # fmt: skip
            for ln in request.lines
            if ln.quantity + ln.rejected > _outstanding(by_sku[ln.sku])
        ]
        if over:
            raise Conflict(
                "More than is outstanding: "
                + ", ".join(f"{o['sku']} ({o['receiving']} received, {o['outstanding']} outstanding)" for o in over)
                + ".",
                over,
                code="over_receipt",
            )
        accepted = [ln for ln in request.lines if ln.quantity]
        from chalicelib.services import locations

        location = locations.require(identity.tenant_id, request.location_id)
        products, _ = db.get_products_and_shop(identity.tenant_id, [ln.sku for ln in accepted])
        gone = [ln.sku for ln in accepted if ln.sku not in products or "deleted_at" in products[ln.sku]]
        if gone:
            raise Conflict(
                "These products were deleted and cannot take stock: " + ", ".join(gone) + ".", code="product_deleted"
            )
        now = clock.now()
        at, receipt_id = clock.iso(now), clock.new_id(now)
        lines = [dict(ln) for ln in item["lines"]]
        for line in lines:
            got = next((r for r in request.lines if r.sku == line["sku"]), None)
            if got:
                line["received"] = db.as_qty(line.get("received")) + got.quantity
                line["rejected"] = db.as_qty(line.get("rejected")) + got.rejected
        done = all(_outstanding(ln) == 0 for ln in lines)
        receipt = {
            "receipt_id": receipt_id,
            "at": at,
            "note": request.note,
            "location_id": location,
            "lines": [ln.model_dump(exclude_none=True) for ln in request.lines],
        }
        changes = {
            "lines": lines,
            "receipts": [*item.get("receipts", []), receipt],
            "status": "received" if done else "partially_received",
            "updated_at": at,
        }
        actions = [db.purchase_order_change(identity.tenant_id, item["po_id"], db.as_int(item["version"]), changes)]
        moves = []
        for got in request.lines:
            line = by_sku[got.sku]
            if not got.quantity:
                actions.append(db.product_add(identity.tenant_id, got.sku, {"on_order": -got.rejected}))
                continue
            product = products[got.sku]
            on_hand = db.as_qty(product.get("on_hand"))
            cost = average_cost(on_hand, Decimal(product.get("unit_cost", 0)), got.quantity, Decimal(line["unit_cost"]))
            moves.append(db.Move(
                product,
                got.quantity,
                {"movement_id": clock.new_id(now), "kind": "po_receipt", "ref": item["po_id"],
                 "unit_cost": Decimal(line["unit_cost"]), "note": request.note, "user_id": identity.user_id},
                sets={"unit_cost": cost},
                adds={"on_order": -(got.quantity + got.rejected)},
                location=location,
            ))
        actions += db.stock_movements(identity.tenant_id, moves, at=at)[0] if moves else []
        if claim:
            actions.insert(0, claim.put({"po_id": item["po_id"], "receipt_id": receipt_id}))
        try:
            db.transact(actions)
        except db.ConditionFailed as failed:
            if claim and failed.reasons[:1] == ["ConditionalCheckFailed"] and (found := earlier()) is not None:
                return found
            raise  # the order or a product changed meanwhile: read again, decide again
        count("PurchaseReceipt")
        item.update(changes)
        return to_order(item)

    return retry.until_written(attempt, BUSY)


def _promise(tenant_id: str, item: dict[str, Any], wanted: str, now: str) -> dict[str, Any]:
    """When an order is placed: when, and the lead time its supplier promised then (the supplier's
    scorecard compares the receipts with it)."""
    if wanted != "ordered":
        return {}
    lead = (db.get_supplier(tenant_id, item["supplier_id"]) or {}).get("lead_time_days")
    return {"ordered_at": now, **({"promised_days": lead} if lead is not None else {})}

"""Transfers between locations, in two steps.

Sent: the stock leaves the sender at once, through the movement primitive (ledger `transfer_out`
at the sender, guarded by each product's version, so two transfers racing for the last units
cannot both pass), and its value moves to the shop's in-transit counter, valued at the cost and
price it left with. Received (in part or in full): it arrives at the receiver through the
primitive (ledger `transfer_in`) and leaves the in-transit counter. While in transit it is on
neither shelf but still in the shop's stock value.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from chalicelib import clock, db, idempotency, retry
from chalicelib.auth import Identity
from chalicelib.errors import AppError, Conflict, InsufficientStock, Invalid, NotFound
from chalicelib.models import Transfer, TransferIn, TransferLine, TransferPage, TransferReceiveIn, qty_out
from chalicelib.observability import count
from chalicelib.services import locations
from chalicelib.services.products import check_units

BUSY = "The stock of these products is changing fast right now; please try again."


def _find(tenant_id: str, transfer_id: str) -> dict[str, Any] | None:
    """A transfer by the id in a path (an id this API never gives out is simply not found)."""
    return db.get_transfer(tenant_id, transfer_id) if transfer_id.isalnum() and len(transfer_id) <= 40 else None


def to_transfer(item: dict[str, Any]) -> Transfer:
    return Transfer(
        transfer_id=item["transfer_id"],
        status=item["status"],
        from_location_id=item["from_location_id"],
        to_location_id=item["to_location_id"],
        lines=[TransferLine(sku=ln["sku"], quantity=db.as_qty(ln["quantity"]), received=db.as_qty(ln.get("received")),
                            in_transit=db.as_qty(ln["quantity"]) - db.as_qty(ln.get("received")))
               for ln in item["lines"]],  # fmt: skip
        note=item.get("note"),
        sent_at=item["sent_at"],
        received_at=item.get("received_at"),
    )


def _live_products(tenant_id: str, skus: list[str], deleted_status: int = 422) -> dict[str, dict[str, Any]]:
    products = db.get_products(tenant_id, skus)
    missing = [sku for sku in skus if sku not in products or "deleted_at" in products[sku]]
    if missing:
        message = "These products are not in this shop: " + ", ".join(missing) + "."
        details = [{"field": "lines", "sku": sku, "message": "unknown SKU"} for sku in missing]
        if deleted_status == 409:
            raise Conflict(message, details, code="product_deleted")
        raise Invalid(message, details, code="unknown_sku")
    return products


def _with_claim(
    identity: Identity, operation: str, key: str | None, request: Any, attempt: Callable[[Any], Transfer]
) -> Transfer:
    """Run a read-decide-write attempt; with an Idempotency-Key a repeat returns the first outcome."""
    claim = idempotency.Claim(identity.tenant_id, operation, key, request) if key else None

    def earlier() -> Transfer | None:
        outcome = claim.outcome() if claim else None
        found = db.get_transfer(identity.tenant_id, outcome["transfer_id"]) if outcome else None
        return to_transfer(found) if found else None

    def once() -> Transfer:
        try:
            return attempt(claim)
        except db.ConditionFailed as failed:
            if claim and failed.reasons[:1] == ["ConditionalCheckFailed"] and (found := earlier()) is not None:
                return found
            raise
        except AppError:
            if (found := earlier()) is not None:  # this very request was recorded, its reply lost
                return found
            raise

    return retry.until_written(once, BUSY)


def send(identity: Identity, request: TransferIn, key: str | None = None) -> Transfer:
    tenant_id = identity.tenant_id
    source = locations.require(tenant_id, request.from_location_id)
    target = locations.require(tenant_id, request.to_location_id)

    def attempt(claim: idempotency.Claim | None) -> Transfer:
        products = _live_products(tenant_id, [ln.sku for ln in request.lines])
        check_units([(products[ln.sku], ln.quantity, f"lines.{i}.quantity") for i, ln in enumerate(request.lines)])
        short = []
        for ln in request.lines:
            held = db.stock_map(products[ln.sku]).get(source, {}).get("on_hand", Decimal(0))
            if held < ln.quantity:
                short.append({"sku": ln.sku, "location_id": source, "requested": qty_out(ln.quantity),
                              "on_hand": qty_out(held)})  # fmt: skip
        if short:
            raise InsufficientStock(
                "Not enough stock at the sending location for: "
                + ", ".join(f"{s['sku']} ({s['on_hand']} there, {s['requested']} wanted)" for s in short)
                + ". Nothing was sent.",
                short,
            )
        now = clock.now()
        at, transfer_id = clock.iso(now), clock.new_id(now)
        moves = [
            db.Move(products[ln.sku], -ln.quantity,
                    {"movement_id": clock.new_id(now), "kind": "transfer_out", "ref": transfer_id,
                     "user_id": identity.user_id, "note": f"to {target}"},
                    location=source)
            for ln in request.lines
        ]  # fmt: skip
        actions, _ = db.stock_movements(tenant_id, moves, at=at)
        lines: list[dict[str, Decimal | str]] = [{"sku": ln.sku, "quantity": ln.quantity, "received": Decimal(0),
                  "unit_cost": Decimal(products[ln.sku].get("unit_cost") or 0),
                  "price": Decimal(products[ln.sku].get("price") or 0)} for ln in request.lines]  # fmt: skip
        item = {"transfer_id": transfer_id, "status": "sent", "from_location_id": source, "to_location_id": target,
                "lines": lines, "note": request.note, "sent_at": at, "user_id": identity.user_id, "version": 1}
        actions.append(db.put_transfer(tenant_id, item))
        qty = {ln.sku: ln.quantity for ln in request.lines}
        actions.append(db.transit_value_add(tenant_id, {
            "value_cost": sum((qty[s] * db.as_qty(products[s].get("unit_cost")) for s in qty), Decimal(0)),
            "value_retail": sum((qty[s] * db.as_qty(products[s].get("price")) for s in qty), Decimal(0)),
            "units": sum(qty.values(), Decimal(0)),
        }))  # fmt: skip
        if target != db.MAIN_LOCATION:  # the receiver may not be deleted while this is on its way
            actions.append(db.location_open_check(tenant_id, target))
        if claim:
            actions.insert(0, claim.put({"transfer_id": transfer_id}))
        db.transact(actions)  # ConditionFailed: a product moved meanwhile; read again, decide again
        count("TransferSent")
        return to_transfer(item)

    return _with_claim(identity, "transfer", key, request, attempt)


def receive(identity: Identity, transfer_id: str, request: TransferReceiveIn, key: str | None = None) -> Transfer:
    tenant_id = identity.tenant_id

    def attempt(claim: idempotency.Claim | None) -> Transfer:
        item = _find(tenant_id, transfer_id)
        if item is None:
            raise NotFound(f"No transfer {transfer_id!r} in this shop.")
        lines = [dict(ln) for ln in item["lines"]]
        outstanding = {ln["sku"]: db.as_qty(ln["quantity"]) - db.as_qty(ln.get("received")) for ln in lines}
        if not any(outstanding.values()):
            raise Conflict("This transfer has been received in full already.", code="already_received")
        wanted = ({ln.sku: ln.quantity for ln in request.lines} if request.lines
                  else {sku: qty for sku, qty in outstanding.items() if qty})  # fmt: skip
        unknown = [sku for sku in wanted if sku not in outstanding]
        if unknown:
            raise Invalid(
                "These products are not on this transfer: " + ", ".join(unknown) + ".",
                [{"field": "lines", "sku": sku, "message": "not on the transfer"} for sku in unknown],
            )
        over = [{"sku": sku, "receiving": qty_out(qty), "in_transit": qty_out(outstanding[sku])}
                for sku, qty in wanted.items() if qty > outstanding[sku]]  # fmt: skip
        if over:
            raise Conflict("More than is in transit: " + ", ".join(
                f"{o['sku']} ({o['receiving']} received, {o['in_transit']} in transit)" for o in over) + ".",
                over, code="over_receipt")  # fmt: skip
        products = _live_products(tenant_id, list(wanted), deleted_status=409)
        check_units([(products[sku], qty, "lines.quantity") for sku, qty in wanted.items()])
        now = clock.now()
        at = clock.iso(now)
        target = item["to_location_id"]
        moves = [
            db.Move(products[sku], qty,
                    {"movement_id": clock.new_id(now), "kind": "transfer_in", "ref": transfer_id,
                     "user_id": identity.user_id, "note": f"from {item['from_location_id']}"},
                    location=target)
            for sku, qty in wanted.items()
        ]  # fmt: skip
        actions, _ = db.stock_movements(tenant_id, moves, at=at)
        for ln in lines:
            if ln["sku"] in wanted:
                ln["received"] = db.as_qty(ln.get("received")) + wanted[ln["sku"]]
        done = all(db.as_qty(ln["received"]) == db.as_qty(ln["quantity"]) for ln in lines)
        by_sku = {ln["sku"]: ln for ln in lines}
        receipts = [*(item.get("receipts") or []), {"at": at, "user_id": identity.user_id,
                                                    "lines": [{"sku": s, "quantity": q} for s, q in wanted.items()]}]
        changes = {"lines": lines, "status": "received" if done else "partially_received", "receipts": receipts,
                   **({"received_at": at} if done else {})}  # fmt: skip
        actions.append(db.transfer_change(tenant_id, transfer_id, db.as_int(item["version"]), changes))
        actions.append(db.transit_value_add(tenant_id, {
            "value_cost": -sum((q * db.as_qty(by_sku[s]["unit_cost"]) for s, q in wanted.items()), Decimal(0)),
            "value_retail": -sum((q * db.as_qty(by_sku[s]["price"]) for s, q in wanted.items()), Decimal(0)),
            "units": -sum(wanted.values(), Decimal(0)),
        }))  # fmt: skip
        if claim:
            actions.insert(0, claim.put({"transfer_id": transfer_id}))
        db.transact(actions)
        count("TransferReceived")
        return to_transfer({**item, **changes})

    return _with_claim(identity, f"transfer#{transfer_id}", key, request, attempt)


def get(identity: Identity, transfer_id: str) -> Transfer:
    item = _find(identity.tenant_id, transfer_id)
    if item is None:
        raise NotFound(f"No transfer {transfer_id!r} in this shop.")
    return to_transfer(item)


def list_transfers(identity: Identity, status: str, limit: int, after: str | None) -> tuple[TransferPage, str | None]:
    items, last = db.query_transfers(identity.tenant_id, limit, after, open_only=status == "open")
    return TransferPage(items=[to_transfer(i) for i in items], next_cursor=None), last

"""Stock on hand changes only through movements, each one a ledger entry.

A movement reads the product, works out the new on-hand, and writes both through the movement
primitive (db.stock_movement), guarded by the product's version. If another movement got there
first, it reads again and re-decides (so two losses of 1 on the last item cannot both succeed).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib import clock, db, idempotency, retry
from chalicelib.auth import Identity
from chalicelib.errors import AppError, InsufficientStock
from chalicelib.models import Movement, MovementPage, StockMovementIn, StockMovementOut, qty_out
from chalicelib.observability import count
from chalicelib.services.products import check_units, get_live

COST_PLACES = Decimal("0.0001")


def average_cost(on_hand: Decimal, unit_cost: Decimal, received: Decimal, received_cost: Decimal) -> Decimal:
    """Moving average cost after receiving stock. Negative or zero stock carries no cost weight."""
    held = max(on_hand, Decimal(0))
    total = held + received
    return ((held * unit_cost + received * received_cost) / total).quantize(COST_PLACES)


def _plan(item: dict[str, Any], request: StockMovementIn, location: str = db.MAIN_LOCATION) -> tuple[
    Decimal, dict[str, Any]
]:
    """The change this movement makes to on-hand at the location, and any other product fields
    it updates (the average cost is the product's, over its stock at every location)."""
    check_units([(item, request.quantity, "quantity")])
    total = db.as_qty(item.get("on_hand"))
    on_hand = db.stock_map(item).get(location, {}).get("on_hand", Decimal(0))
    extra: dict[str, Any] = {}
    if request.type == "receive":
        change = request.quantity
        if request.unit_cost is not None:
            extra["unit_cost"] = average_cost(total, Decimal(item.get("unit_cost", 0)), change, request.unit_cost)
    elif request.type == "adjust":
        change = request.quantity
    else:  # count: what was counted becomes on hand; the difference is the movement
        change = request.quantity - on_hand
    if on_hand + change < 0:
        raise InsufficientStock(
            f"Only {on_hand} of {item['sku']} in stock here; removing {-change} would go below zero.",
            [{"sku": item["sku"], "requested": qty_out(-change), "on_hand": qty_out(on_hand),
              **({"location_id": location} if location != db.MAIN_LOCATION else {})}],
        )
    return change, extra


def record(identity: Identity, sku: str, request: StockMovementIn, key: str | None = None) -> StockMovementOut:
    """Receive, adjust or count; with an Idempotency-Key, a repeat returns the first movement."""
    claim = idempotency.Claim(identity.tenant_id, f"stock#{sku}", key, request) if key else None
    from chalicelib.services import locations

    location = locations.require(identity.tenant_id, request.location_id)

    def earlier() -> StockMovementOut | None:
        outcome = claim.outcome() if claim else None
        return StockMovementOut.model_validate(outcome) if outcome else None

    def attempt() -> StockMovementOut:
        try:
            item = get_live(identity.tenant_id, sku)
            change, extra = _plan(item, request, location)
        except AppError:
            if (found := earlier()) is not None:  # this request was recorded before (its reply lost)
                return found
            raise
        now = clock.now()
        movement_id = clock.new_id(now)
        movement = {"movement_id": movement_id, "kind": request.type, "note": request.note,
                    "unit_cost": request.unit_cost, "user_id": identity.user_id}
        actions, (on_hand_after,) = db.stock_movements(
            identity.tenant_id, [db.Move(item, change, movement, sets=extra, location=location)], at=clock.iso(now)
        )
        held = db.stock_map(item).get(location, {}).get("on_hand", Decimal(0)) + change
        reply = StockMovementOut(
            movement_id=movement_id, sku=item["sku"], type=request.type, change=change, on_hand=on_hand_after,
            location_id=location, location_on_hand=held,
        )
        if claim:
            actions.insert(0, claim.put(reply.model_dump(mode="python")))
        try:
            db.transact(actions)
        except db.ConditionFailed as failed:
            if claim and failed.reasons[:1] == ["ConditionalCheckFailed"] and (found := earlier()) is not None:
                return found
            raise  # someone changed the product between our read and write: re-read, re-decide
        count("StockMovement")
        return reply

    return retry.until_written(attempt, "This product's stock is changing very fast right now; please try again.")


def to_movement(entry: dict[str, Any]) -> Movement:
    return Movement(
        movement_id=entry["movement_id"],
        type=entry["kind"],
        change=db.as_qty(entry["change"]),
        on_hand_after=db.as_qty(entry["on_hand_after"]),
        at=entry["at"],
        ref=entry.get("ref"),
        note=entry.get("note"),
        location_id=entry.get("location_id") or db.MAIN_LOCATION,
    )


def list_movements(identity: Identity, sku: str, limit: int, before_seq: int | None) -> tuple[MovementPage, int | None]:
    item = get_live(identity.tenant_id, sku)
    entries, last = db.query_movements(identity.tenant_id, item["sku"], limit=limit, before_seq=before_seq)
    return MovementPage(items=[to_movement(e) for e in entries], next_cursor=None), last


def reconcile(tenant_id: str, sku: str) -> tuple[Decimal, Decimal]:
    """(on hand, sum of the ledger) for one product: they must always be equal."""
    item = db.get_product(tenant_id, sku)
    on_hand = db.as_qty(item.get("on_hand")) if item else Decimal(0)
    return on_hand, sum((db.as_qty(e["change"]) for e in db.iter_movements(tenant_id, sku)), Decimal(0))

"""Stock on hand changes only through movements, each one a ledger entry.

A movement reads the product, works out the new on-hand, and writes both in one transaction
guarded by the product's version. If another movement got there first, it reads again and
re-decides (so two losses of 1 on the last item cannot both succeed).
"""

from __future__ import annotations

import random
import time
from decimal import Decimal
from typing import Any

from chalicelib import clock, db
from chalicelib.auth import Identity
from chalicelib.errors import InsufficientStock, ServiceUnavailable
from chalicelib.models import Movement, MovementPage, StockMovementIn, StockMovementOut
from chalicelib.observability import count
from chalicelib.services.products import get_live, stock_level_fields

MAX_ATTEMPTS = 60
COST_PLACES = Decimal("0.0001")


def average_cost(on_hand: int, unit_cost: Decimal, received: int, received_cost: Decimal) -> Decimal:
    """Moving average cost after receiving stock. Negative or zero stock carries no cost weight."""
    held = max(on_hand, 0)
    total = held + received
    return ((held * unit_cost + received * received_cost) / total).quantize(COST_PLACES)


def _plan(item: dict[str, Any], request: StockMovementIn) -> tuple[int, dict[str, Any]]:
    """The change this movement makes to on-hand, and any other product fields it updates."""
    on_hand = db.as_int(item.get("on_hand"))
    extra: dict[str, Any] = {}
    if request.type == "receive":
        change = request.quantity
        if request.unit_cost is not None:
            extra["unit_cost"] = average_cost(on_hand, Decimal(item.get("unit_cost", 0)), change, request.unit_cost)
    elif request.type == "adjust":
        change = request.quantity
    else:  # count: what was counted becomes on hand; the difference is the movement
        change = request.quantity - on_hand
    if on_hand + change < 0:
        raise InsufficientStock(
            f"Only {on_hand} of {item['sku']} in stock; removing {-change} would go below zero.",
            [{"sku": item["sku"], "requested": -change, "on_hand": on_hand}],
        )
    return change, extra


def record(identity: Identity, sku: str, request: StockMovementIn) -> StockMovementOut:
    for attempt in range(MAX_ATTEMPTS):
        item = get_live(identity.tenant_id, sku)
        change, extra = _plan(item, request)
        on_hand_after = db.as_int(item.get("on_hand")) + change
        now = clock.now()
        movement_id = clock.new_id(now)
        movement = {
            "movement_id": movement_id,
            "sku": item["sku"],
            "kind": request.type,
            "change": change,
            "on_hand_after": on_hand_after,
            "at": clock.iso(now),
            "note": request.note,
            "unit_cost": request.unit_cost,
            "user_id": identity.user_id,
        }
        level_sets, level_removes = stock_level_fields(
            identity.tenant_id, item["sku"], on_hand_after, db.as_int(item.get("min_stock"))
        )
        changes = {"on_hand": on_hand_after, "updated_at": clock.iso(now), **extra, **level_sets}
        try:
            db.write_movement(
                identity.tenant_id, item["sku"], db.as_int(item["version"]), changes, movement, level_removes
            )
        except db.ConditionFailed:
            # Someone changed the product between our read and write: back off a little, re-read.
            time.sleep(random.uniform(0, 0.004 * min(attempt + 1, 10)))  # noqa: S311 - jitter, not crypto
            continue
        count("StockMovement")
        return StockMovementOut(
            movement_id=movement_id, sku=item["sku"], type=request.type, change=change, on_hand=on_hand_after
        )
    raise ServiceUnavailable("This product's stock is changing very fast right now; please try again.")


def to_movement(entry: dict[str, Any]) -> Movement:
    return Movement(
        movement_id=entry["movement_id"],
        type=entry["kind"],
        change=db.as_int(entry["change"]),
        on_hand_after=db.as_int(entry["on_hand_after"]),
        at=entry["at"],
        ref=entry.get("ref"),
        note=entry.get("note"),
    )


def list_movements(identity: Identity, sku: str, limit: int, before_seq: int | None) -> tuple[MovementPage, int | None]:
    item = get_live(identity.tenant_id, sku)
    entries, last = db.query_movements(identity.tenant_id, item["sku"], limit=limit, before_seq=before_seq)
    return MovementPage(items=[to_movement(e) for e in entries], next_cursor=None), last


def reconcile(tenant_id: str, sku: str) -> tuple[int, int]:
    """(on hand, sum of the ledger) for one product: they must always be equal."""
    item = db.get_product(tenant_id, sku)
    on_hand = db.as_int(item.get("on_hand")) if item else 0
    return on_hand, sum(db.as_int(e["change"]) for e in db.iter_movements(tenant_id, sku))

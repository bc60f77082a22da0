"""A supplier's scorecard, from its purchase orders: what came, what was rejected, how late.

Read from the orders themselves (their status history, the lead time promised when each was
placed, and their receipts); one Query of the shop's orders filtered to the supplier, so the
cost grows with the shop's purchase orders, which are few next to its sales.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from chalicelib import db
from chalicelib.auth import Identity
from chalicelib.models import Scorecard
from chalicelib.services.purchasing import _supplier


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _avg(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def scorecard(identity: Identity, supplier_id: str) -> Scorecard:
    supplier = _supplier(identity.tenant_id, supplier_id)
    placed, full, received, rejected = 0, 0, Decimal(0), Decimal(0)
    promised: list[float] = []
    actual: list[float] = []
    on_time: list[bool] = []
    for order in db.supplier_orders(identity.tenant_id, supplier["supplier_id"]):
        ordered_at = order.get("ordered_at")
        receipts = order.get("receipts") or []
        if not ordered_at and not receipts:
            continue  # a draft never placed
        placed += 1
        full += order.get("status") == "received"
        for line in order.get("lines") or []:
            received += db.as_qty(line.get("received"))
            rejected += db.as_qty(line.get("rejected"))
        start = ordered_at or order.get("created_at")
        promise = order.get("promised_days")
        if promise is not None:
            promised.append(float(promise))
        if receipts and start:
            days = (_at(min(r["at"] for r in receipts)) - _at(start)).total_seconds() / 86400
            actual.append(days)
            if promise is not None:
                on_time.append(days <= float(promise) + 0.5)  # within the promised day, not to the hour
    total = received + rejected
    return Scorecard(
        supplier_id=supplier["supplier_id"],
        orders=placed,
        orders_received=full,
        units_received=received,
        units_rejected=rejected,
        reject_rate=round(float(rejected / total), 4) if total else 0.0,
        on_time_rate=round(sum(on_time) / len(on_time), 4) if on_time else None,
        lead_time_days_promised=_avg(promised),
        lead_time_days_actual=_avg(actual),
    )



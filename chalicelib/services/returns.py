"""Returns: a customer brings back some of what a sale sold.

One transaction per return: the sale records what is now returned of each line (only if no other
return was added since it was read, so two returns of the last unit cannot both pass), restocked
units go back on hand through the movement primitive (type `return`), written-off ones do not,
and the return's day counts it in the reports: revenue, cost, units and tax come off that day,
what was refunded is counted by product and reason and leaves the drawer it was paid from.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from chalicelib import clock, db, idempotency, pricing, retry
from chalicelib.auth import Identity
from chalicelib.errors import AppError, Conflict, Invalid, NotFound
from chalicelib.models import Return, ReturnIn, qty_out
from chalicelib.observability import count
from chalicelib.services import customers, sales
from chalicelib.services.products import check_units

MAX_RETURN_LINES = 15  # what one transaction holds: 2 stock actions and up to 4 rollups per line


def returnable(lines: list[dict[str, Any]]) -> dict[str, Decimal]:
    left: dict[str, Decimal] = defaultdict(Decimal)
    for ln in lines:
        left[ln["sku"]] += db.as_qty(ln["quantity"]) - db.as_qty(ln.get("returned"))
    return left


def _allocate(sale: dict[str, Any], request: ReturnIn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the sale's lines with this return added, what comes back per sale line). A SKU on two
    lines of the sale is returned from the first line that still has some; each line's refund,
    revenue, tax and cost are its share by quantity, so partial returns add up to the line."""
    lines = [dict(ln) for ln in sale["lines"]]
    on_sale = {ln["sku"] for ln in lines}
    unknown = [r.sku for r in request.lines if r.sku not in on_sale]
    if unknown:
        raise Invalid(
            "These products are not on this sale: " + ", ".join(unknown) + ".",
            [{"field": "lines", "sku": sku, "message": "not on this sale"} for sku in unknown],
            code="unknown_sku",
        )
    units = {ln["sku"]: {"sku": ln["sku"], "unit": ln.get("unit")} for ln in lines}
    check_units([(units[r.sku], r.quantity, f"lines.{i}.quantity") for i, r in enumerate(request.lines)])
    wanted: dict[str, Decimal] = defaultdict(Decimal)
    for r in request.lines:
        wanted[r.sku] += r.quantity
    left = returnable(lines)
    over = [{"sku": sku, "requested": qty_out(qty), "returnable": qty_out(left[sku])}
            for sku, qty in wanted.items() if qty > left[sku]]  # fmt: skip
    if over:
        names = ", ".join(f"{o['sku']} ({o['returnable']} left to return, {o['requested']} asked)" for o in over)
        raise Conflict(f"That is more than was sold, net of earlier returns: {names}. Nothing was returned.",
                       code="over_return", details=over)  # fmt: skip
    back = []
    for r in request.lines:
        todo = r.quantity
        for ln in lines:
            if ln["sku"] != r.sku or todo == 0:
                continue
            sold, before = db.as_qty(ln["quantity"]), db.as_qty(ln.get("returned"))
            now = min(todo, sold - before)
            if now <= 0:
                continue
            todo -= now
            ln["returned"] = before + now
            revenue, tax = Decimal(ln["revenue"]), Decimal(ln.get("tax") or 0)
            back.append({
                "sku": ln["sku"], "name": ln["name"], "category": ln.get("category") or sales.UNCATEGORISED,
                "subcategory": ln.get("subcategory") or sales.UNCATEGORISED, "quantity": now,
                "tax_rate": Decimal(ln.get("tax_rate") or 0),
                "refund": pricing.share(revenue + tax, before, now, sold),
                "revenue": pricing.share(revenue, before, now, sold),
                "tax": pricing.share(tax, before, now, sold),
                "cost": pricing.share(Decimal(ln["cost"]), before, now, sold),
                "restock": r.restock, "reason": r.reason,
            })  # fmt: skip
    return lines, back


def record(identity: Identity, sale_id: str, request: ReturnIn, key: str | None = None) -> Return:
    """Record a return against a sale; with an Idempotency-Key a repeat returns the first reply."""
    tenant_id = identity.tenant_id
    if len(request.lines) > MAX_RETURN_LINES:
        raise Invalid(f"Return at most {MAX_RETURN_LINES} lines at a time; make a second return for the rest.",
                      [{"field": "lines", "message": f"at most {MAX_RETURN_LINES}"}])  # fmt: skip
    _, found = sales.get(identity, sale_id)
    sale_id = found["sale_id"]
    claim = idempotency.Claim(tenant_id, "return", key, request) if key else None
    from chalicelib.services import locations

    # Restocked units go back where the sale was, unless the return names another location.
    try:
        location = locations.require(tenant_id, request.location_id or found.get("location_id"))
    except NotFound:
        if request.location_id:
            raise
        location = db.MAIN_LOCATION  # the sale's location was deleted since: back to the first

    def earlier() -> Return | None:
        outcome = claim.outcome() if claim else None
        if not outcome:
            return None
        sale = db.get_sale(tenant_id, sale_id, consistent=True) or {}
        done = next((r for r in sales.to_sale(sale).returns if r.return_id == outcome["return_id"]), None)
        return done

    def attempt() -> Return:
        sale = db.get_sale(tenant_id, sale_id, consistent=True)
        if sale is None:
            raise NotFound(f"No sale {sale_id!r} in this shop.")
        try:
            lines, back = _allocate(sale, request)
        except AppError:
            if (done := earlier()) is not None:  # this very request was recorded, its reply lost
                return done
            raise
        now = clock.now()
        at = clock.iso(now)
        return_id = clock.new_id(now)
        refund_method = request.refund_method or sale.get("payment_method") or "other"
        record = {
            "return_id": return_id,
            "returned_at": at,
            "refund_total": sum((b["refund"] for b in back), Decimal(0)),
            "refund_method": refund_method,
            "user_id": identity.user_id,
            "location_id": location,
            "lines": [{"sku": b["sku"], "quantity": b["quantity"], "refund": b["refund"], "restocked": b["restock"],
                       **({"reason": b["reason"]} if b["reason"] else {})} for b in back],  # fmt: skip
        }
        actions = [claim.put({"return_id": return_id})] if claim else []
        actions.append(db.sale_returned(tenant_id, sale_id, db.as_int(sale.get("returns_version")), lines, record))
        restock: dict[str, Decimal] = defaultdict(Decimal)
        for b in back:
            if b["restock"]:
                restock[b["sku"]] += b["quantity"]
        if restock:
            products = db.get_products(tenant_id, list(restock))
            gone = [sku for sku in restock if sku not in products or "deleted_at" in products[sku]]
            if gone:
                raise Conflict(
                    "These products were deleted, so they cannot go back on the shelf: " + ", ".join(gone)
                    + ". Return them without restocking (written off).",
                    code="product_deleted", details=[{"sku": sku} for sku in gone],
                )  # fmt: skip
            moves, _ = db.stock_movements(
                tenant_id,
                [db.Move(products[sku], qty, {"movement_id": clock.new_id(now), "kind": "return", "ref": return_id,
                                              "user_id": identity.user_id}, location=location)  # fmt: skip
                 for sku, qty in restock.items()],
                at=at,
            )
            actions += moves
        rollup = sales.DayRollup()
        rollup.subtract_return(sale, back, refund_method)
        day = now.astimezone(sales.shop_zone(db.get_shop(tenant_id))).date().isoformat()
        actions += rollup.writes(tenant_id, day, db.DEFAULT_TILL)
        actions += customers.return_actions(tenant_id, sale, back)
        try:
            db.transact(actions)
        except db.ConditionFailed as failed:
            if claim and failed.reasons[:1] == ["ConditionalCheckFailed"] and (done := earlier()) is not None:
                return done
            raise  # another return or a stock movement came first: read again, decide again
        count("Return")
        return next(r for r in sales.to_sale({**sale, "lines": lines, "returns": [*(sale.get("returns") or []),
                                                                                   record]}).returns
                    if r.return_id == return_id)  # fmt: skip

    return retry.until_written(attempt, "The sale is being changed right now; please retry the return.")

"""Returns in an imported sales file. A till's export lists a refund as a line with a negative
quantity (Online Retail's cancellations, invoice numbers starting with 'C'); such lines are
recorded as the counter records a return, on the day they happened: revenue, cost and units come
off that day, what was refunded is counted by product (the returns report), and the customer's
totals lose it.

- Matched: a return whose products were all bought, enough of each left to return, in one of the
  customer's earlier imported sales (the newest such) is recorded against that sale, as a return
  at the counter would be (the sale lists it; returning more than was sold stays impossible).
- Otherwise (no customer, the sale is older than the file, a return of several sales at once) it
  is recorded as a return without an original sale: the day's figures still come off.

History changes no stock, as imported sales do not: an imported return puts nothing back on hand
(so each line shows as not restocked), and the ledger still adds up to on hand. Each return (or
part of 15 lines, what one transaction holds) has an id derived from its order id and a marker
written in its transaction, so a chunk run again never records it twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from chalicelib import clock, db, pricing, retry
from chalicelib.observability import logger
from chalicelib.services import customers, returns, sales

PART_LINES = returns.MAX_RETURN_LINES  # a return's lines per transaction
CANDIDATES = 50  # of the customer's most recent sales, those looked at for the original


def split(orders: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Take the negative lines out of the orders: {order id: its returned lines, as positive
    quantities and amounts}. An order left with no line is no sale."""
    found: dict[str, list[dict[str, Any]]] = {}
    for oid in list(orders):
        back = [ln for ln in orders[oid] if ln["quantity"] < 0]
        if not back:
            continue
        found[oid] = [{**ln, "quantity": -ln["quantity"], "revenue": -ln["revenue"], "profit": -ln["profit"]}
                      for ln in back]
        orders[oid] = [ln for ln in orders[oid] if ln["quantity"] > 0]
        if not orders[oid]:
            del orders[oid]
    return found


def _at(lines: list[dict[str, Any]], zone: Any) -> str:
    first = lines[0]
    return first.get("at") or clock.iso(datetime.combine(first["day"], time(12), zone))


def _return_id(oid: str, at: str, part: int) -> str:
    from ulid import ULID

    millis = int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000)
    digest = hashlib.sha256(f"return\x00{oid}\x00{part}".encode()).digest()[:10]
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + digest))


class Plan:
    """The returns of a chunk: the parts still to record, and those recorded before (by this
    import's same chunk, which count as its own, or by anything else: already imported)."""

    def __init__(self, tenant_id: str, found: dict[str, list[dict[str, Any]]], zone: Any,
                 source: tuple[Any, Any]) -> None:
        self.tenant_id, self.zone, self.source = tenant_id, zone, source
        parts = []
        for oid, lines in found.items():
            at = _at(lines, zone)
            for k, start in enumerate(range(0, len(lines), PART_LINES)):
                parts.append((_return_id(oid, at, k), oid, at, lines[start:start + PART_LINES]))
        recorded = db.imported_returns(tenant_id, [p[0] for p in parts])
        ours = {rid for rid, item in recorded.items()
                if source[0] and item.get("import_id") == source[0]
                and db.as_int(item.get("import_chunk")) == source[1]}
        self.todo = [p for p in parts if p[0] not in recorded]
        self.mine = len({p[1] for p in parts if p[0] in ours})
        self.already = len({p[1] for p in parts if p[0] in recorded and p[0] not in ours})
        self.orders = len({p[1] for p in self.todo})
        self.lines = sum(len(p[3]) for p in self.todo) + sum(len(p[3]) for p in parts if p[0] in ours)

    def write(self) -> dict[str, int]:
        tally = {"matched": 0, "unmatched": 0}
        for rid, oid, at, lines in self.todo:
            outcome = _record(self.tenant_id, rid, oid, at, lines, self.source)
            if outcome:
                tally[outcome] += 1
        return tally


def _original(tenant_id: str, customer_id: str | None, at: str, wanted: dict[str, Decimal]) -> dict[str, Any] | None:
    """The customer's newest imported sale before `at` with enough of every product left to return."""
    if not customer_id:
        return None
    for ref in db.query_customer_sales(tenant_id, customer_id, CANDIDATES):
        if ref["sold_at"] > at:
            continue
        bought: dict[str, Decimal] = defaultdict(Decimal)
        for ln in ref.get("lines") or []:
            bought[ln["sku"]] += db.as_qty(ln["quantity"])
        if any(bought[sku] < qty for sku, qty in wanted.items()):
            continue
        sale = db.get_sale(tenant_id, ref["sale_id"], consistent=True)
        if sale is None or sale.get("source") != "import":
            continue
        left = returns.returnable(sale["lines"])
        if all(left[sku] >= qty for sku, qty in wanted.items()):
            return sale
    return None


def _line(
    ln: dict[str, Any], quantity: Decimal, revenue: Decimal, cost: Decimal, named: dict[str, Any]
) -> dict[str, Any]:
    """What comes back, in the counter's words (no tax in imported history)."""
    return {"sku": ln["sku"], "name": named.get("name") or ln["name"],
            "category": named.get("category") or ln.get("category") or sales.UNCATEGORISED,
            "subcategory": named.get("subcategory") or ln.get("subcategory") or sales.UNCATEGORISED,
            "quantity": quantity, "tax_rate": Decimal(0), "refund": revenue, "revenue": revenue, "tax": Decimal(0),
            "cost": cost, "restock": False, "reason": None}


def _against(sale: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the sale's lines with this return added, what comes back per sale line): a file line is
    taken from the sale's first lines of its product that have some left; its amounts (what the
    till refunded) are shared out by quantity, to the cent."""
    sold = [dict(ln) for ln in sale["lines"]]
    back = []
    for ln in lines:
        todo, done = ln["quantity"], Decimal(0)
        for original in sold:
            if original["sku"] != ln["sku"] or todo == 0:
                continue
            before = db.as_qty(original.get("returned"))
            now = min(todo, db.as_qty(original["quantity"]) - before)
            if now <= 0:
                continue
            original["returned"] = before + now
            revenue = pricing.share(ln["revenue"], done, now, ln["quantity"])
            cost = pricing.share(ln["revenue"] - ln["profit"], done, now, ln["quantity"])
            back.append(_line(ln, now, revenue, cost, original))
            todo -= now
            done += now
    return sold, back


def _record(tenant_id: str, return_id: str, oid: str, at: str, lines: list[dict[str, Any]],
            source: tuple[Any, Any]) -> str | None:
    """Record one return (part); 'matched', 'unmatched', or None if it was recorded meanwhile."""
    customer = lines[0].get("customer") or {}
    wanted: dict[str, Decimal] = defaultdict(Decimal)
    for ln in lines:
        wanted[ln["sku"]] += ln["quantity"]
    day: date = lines[0]["day"]

    def attempt() -> str | None:
        sale = _original(tenant_id, customer.get("customer_id"), at, wanted)
        marker = {"return_id": return_id, "external_id": oid, "returned_at": at, "import_id": source[0],
                  "import_chunk": source[1]}
        if sale is not None:
            sold, back = _against(sale, lines)
            record = {"return_id": return_id, "returned_at": at, "refund_method": "other", "source": "import",
                      "external_id": oid, "refund_total": sum((b["refund"] for b in back), Decimal(0)),
                      "lines": [{"sku": b["sku"], "quantity": b["quantity"], "refund": b["refund"],
                                 "restocked": False} for b in back]}
            actions = [db.imported_return_put(tenant_id, {**marker, "sale_id": sale["sale_id"]}),
                       db.sale_returned(tenant_id, sale["sale_id"], db.as_int(sale.get("returns_version")), sold,
                                        record),
                       *customers.return_actions(tenant_id, sale, back)]
        else:
            sale = {"customer": customer or None}
            back = [_line(ln, ln["quantity"], ln["revenue"], ln["revenue"] - ln["profit"], {}) for ln in lines]
            refund = sum((b["refund"] for b in back), Decimal(0))
            actions = [db.imported_return_put(tenant_id, {
                **marker, "customer": customer or None, "refund_total": refund,
                "lines": [{k: b[k] for k in ("sku", "name", "quantity", "refund", "cost")} for b in back]})]
            cid = customer.get("customer_id")
            if cid and db.get_customer(tenant_id, cid) is not None:  # a customer the shop knows: off their totals
                actions.append(db.customer_add(tenant_id, cid, {
                    "revenue": -refund, "cost": -sum((b["cost"] for b in back), Decimal(0)), "returns": refund}))
        rollup = sales.DayRollup()
        rollup.subtract_return(sale, back, None)  # history: no drawer to take the refund from
        actions += rollup.writes(tenant_id, day.isoformat(), sales.IMPORT_TILL)
        try:
            db.transact(actions)
        except db.ConditionFailed as failed:
            if failed.reasons[:1] == ["ConditionalCheckFailed"]:
                logger.warning("an imported return was recorded meanwhile", extra={"tenant_id": tenant_id})
                return None
            raise  # the sale had another return meanwhile, or a rollup was busy: look again
        return "matched" if "sale_id" in sale else "unmatched"

    return retry.until_written(attempt, "The shop was too busy to finish the import; run it again to add the rest.")

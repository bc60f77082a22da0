"""Customers: who bought, kept as sales and returns happen, never by reading all the sales.

A sale that names its customer (`id`, else `email`) is linked to a customer record of the shop,
created on first sight. The sale's second transaction (the rollups, exactly once) adds to the
customer's orders, revenue and cost and puts a small reference to the sale in the customer's
history; a return takes its revenue and cost off in the return's own transaction. First and last
purchase move by min and max before that transaction (harmless to repeat). RFM scores are
recomputed for each shop by the nightly schedule from the customer records alone.

Customers' emails are personal data: they are stored on the customer and the sale, shown to the
shop's own users, and never logged.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from chalicelib import clock, db
from chalicelib.auth import Identity
from chalicelib.errors import NotFound
from chalicelib.models import (
    CustomerDetail,
    CustomerOut,
    CustomerPage,
    CustomerQuery,
    CustomerSale,
    Rfm,
    TopProduct,
)
from chalicelib.observability import logger

PROFILE = ("name", "email", "segment", "country", "city", "state", "region")
FORGETTABLE = ("name", "email", "city")  # what DELETE /customers/{id} removes (the person, not the sales)
HISTORY = 50  # sales shown on a customer's page
TOP_FROM = 200  # top products come from this many most recent sales
ZERO = Decimal(0)


def email_id(email: str) -> str:
    """A customer known only by email gets an id that does not show it (it goes in URLs)."""
    return "em-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def identify(customer: dict[str, Any]) -> dict[str, Any]:
    """A sale's customer as stored: with `customer_id` when it names one (by id, else email)."""
    customer = dict(customer)
    given = customer.pop("id", None)
    if customer.get("email"):
        customer["email"] = customer["email"].strip().lower()
    if given or customer.get("email"):
        customer["customer_id"] = given or email_id(customer["email"])
    return customer


def _revenue(sale: dict[str, Any]) -> Decimal:
    return Decimal(sale.get("revenue", sale.get("total", 0)))


def sale_ref(sale: dict[str, Any]) -> dict[str, Any]:
    """What a customer's history keeps of a sale: enough for the page and top products."""
    return {
        "sale_id": sale["sale_id"],
        "sold_at": sale["sold_at"],
        "revenue": _revenue(sale),
        "cost": Decimal(sale["cost"]),
        "units": sale["units"],
        "lines": [{"sku": ln["sku"], "name": ln["name"], "quantity": ln["quantity"], "revenue": ln["revenue"]}
                  for ln in sale["lines"]],  # fmt: skip
    }


def seen(tenant_id: str, sale: dict[str, Any]) -> None:
    """Before a sale's customer totals are written: the customer exists, and its first and last
    purchase take this sale in (idempotent)."""
    customer = sale.get("customer") or {}
    if customer.get("customer_id"):
        profile = {k: customer[k] for k in PROFILE if customer.get(k)}
        db.customer_seen(tenant_id, customer["customer_id"], sale["sold_at"], profile)


def sale_actions(tenant_id: str, sale: dict[str, Any]) -> list[dict[str, Any]]:
    """The customer's part of a sale's second transaction (nothing for an anonymous sale)."""
    cid = (sale.get("customer") or {}).get("customer_id")
    if not cid:
        return []
    seen(tenant_id, sale)
    adds = {"orders": 1, "revenue": _revenue(sale), "cost": Decimal(sale["cost"])}
    return [db.customer_add(tenant_id, cid, adds), db.customer_sale_put(tenant_id, cid, sale_ref(sale))]


def import_actions(tenant_id: str, sales: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The customers' part of an import chunk's transaction: one update per customer, a
    reference per sale (the chunk's sale Puts make it count once)."""
    adds: dict[str, dict[str, Any]] = defaultdict(lambda: {"orders": 0, "revenue": ZERO, "cost": ZERO})
    actions = []
    for sale in sales:
        cid = (sale.get("customer") or {}).get("customer_id")
        if cid:
            tally = adds[cid]
            tally["orders"] += 1
            tally["revenue"] += _revenue(sale)
            tally["cost"] += Decimal(sale["cost"])
            actions.append(db.customer_sale_put(tenant_id, cid, sale_ref(sale)))
    return [db.customer_add(tenant_id, cid, tally) for cid, tally in adds.items()] + actions


def return_actions(tenant_id: str, sale: dict[str, Any], back: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A return takes its revenue and cost off the customer (orders stay) and off the sale's
    reference in their history; what was refunded is counted."""
    cid = (sale.get("customer") or {}).get("customer_id")
    if not cid:
        return []
    revenue = sum((b["revenue"] for b in back), ZERO)
    cost = sum((b["cost"] for b in back), ZERO)
    refund = sum((b["refund"] for b in back), ZERO)
    units = sum((b["quantity"] for b in back), ZERO)
    return [
        db.customer_add(tenant_id, cid, {"revenue": -revenue, "cost": -cost, "returns": refund}),
        db.customer_sale_add(tenant_id, cid, sale["sale_id"], {"revenue": -revenue, "cost": -cost, "units": -units}),
    ]


# --- reading ------------------------------------------------------------------------------


def _days_since(at: str | None, now: datetime) -> int | None:
    if not at:
        return None
    return max((now - datetime.fromisoformat(at.replace("Z", "+00:00"))).days, 0)


def to_customer(item: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    revenue, cost = Decimal(item.get("revenue") or 0), Decimal(item.get("cost") or 0)
    rfm = item.get("rfm")
    return {
        "customer_id": item["customer_id"],
        **{k: item.get(k) for k in ("name", "email", "segment", "country", "city")},
        "orders": db.as_int(item.get("orders")),
        "revenue": revenue,
        "profit": revenue - cost,
        "returns": Decimal(item.get("returns") or 0),
        "first_purchase": item.get("first_purchase"),
        "last_purchase": item.get("last_purchase"),
        "days_since_last": _days_since(item.get("last_purchase"), now or clock.now()),
        "rfm": Rfm(**{**rfm, **{k: int(rfm[k]) for k in ("recency", "frequency", "monetary")}}) if rfm else None,
    }


SORTS = {
    "revenue": lambda c: (-c["revenue"], c["customer_id"]),
    "profit": lambda c: (-c["profit"], c["customer_id"]),
    "orders": lambda c: (-c["orders"], -c["revenue"], c["customer_id"]),
    "last_purchase": lambda c: ("" if c["last_purchase"] is None else _invert(c["last_purchase"]), c["customer_id"]),
}


def _invert(text: str) -> str:
    """Sorts newest first under an ascending sort."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def list_customers(identity: Identity, query: CustomerQuery, offset: int) -> tuple[CustomerPage, int | None]:
    """One page of the shop's customers, filtered and sorted. Reads the shop's customer records
    (one Query of its own partition): a small shop's few thousand customers are a few dozen
    read units; sorting by any figure needs them all anyway."""
    now = clock.now()
    needle = (query.q or "").strip().lower()
    rows = []
    for item in db.iter_customers(identity.tenant_id):
        if query.segment and (item.get("segment") or "") != query.segment:
            continue
        if query.group and (item.get("rfm") or {}).get("group") != query.group:
            continue
        if needle and not any(needle in str(item.get(k) or "").lower() for k in ("name", "email", "customer_id",
                                                                                  "city")):  # fmt: skip
            continue
        rows.append(to_customer(item, now))
    rows.sort(key=SORTS[query.sort])
    page = rows[offset: offset + query.limit]
    more = offset + query.limit < len(rows)
    return (
        CustomerPage(items=[CustomerOut(**r) for r in page], total=len(rows), next_cursor=None),
        offset + query.limit if more else None,
    )


def _found(identity: Identity, customer_id: str) -> dict[str, Any]:
    import re

    item = db.get_customer(identity.tenant_id, customer_id) if re.fullmatch(r"[A-Za-z0-9_.-]{1,40}",
                                                                              customer_id) else None  # fmt: skip
    if item is None or item.get("type") != "customer":
        raise NotFound(f"No customer {customer_id!r} in this shop.")
    return item


def get(identity: Identity, customer_id: str) -> CustomerDetail:
    """A customer with their recent sales (newest first) and what they buy most."""
    item = _found(identity, customer_id)
    refs = db.query_customer_sales(identity.tenant_id, item["customer_id"], TOP_FROM)
    top: dict[str, dict[str, Any]] = {}
    for ref in refs:
        for ln in ref.get("lines") or []:
            row = top.setdefault(ln["sku"], {"sku": ln["sku"], "name": ln["name"], "units": ZERO, "revenue": ZERO,
                                             "orders": 0})  # fmt: skip
            row["units"] += db.as_qty(ln["quantity"])
            row["revenue"] += Decimal(ln["revenue"])
            row["orders"] += 1
    ranked = sorted(top.values(), key=lambda r: (-r["orders"], -r["revenue"], r["sku"]))[:10]
    sales = [
        CustomerSale(sale_id=r["sale_id"], sold_at=r["sold_at"], revenue=Decimal(r["revenue"]),
                     profit=Decimal(r["revenue"]) - Decimal(r["cost"]), units=db.as_qty(r["units"]),
                     lines=len(r.get("lines") or []))  # fmt: skip
        for r in refs[:HISTORY]
    ]
    return CustomerDetail(**to_customer(item), sales=sales, top_products=[TopProduct(**r) for r in ranked])


def forget(identity: Identity, customer_id: str) -> None:
    """Forget the person (name, email, city) on the record and on every sale they made; the
    sales and the totals stay, so the shop's figures do not change."""
    item = _found(identity, customer_id)
    cid = item["customer_id"]
    for ref in _all_refs(identity.tenant_id, cid):
        sale = db.get_sale(identity.tenant_id, ref["sale_id"], consistent=True)
        if sale and sale.get("customer"):
            kept = {k: v for k, v in sale["customer"].items() if k not in FORGETTABLE}
            db.set_sale_customer(identity.tenant_id, ref["sale_id"], kept)
    db.set_customer(identity.tenant_id, cid, {"forgotten_at": clock.now_iso()}, list(FORGETTABLE))
    logger.info("a customer was forgotten", extra={"tenant_id": identity.tenant_id})


def _all_refs(tenant_id: str, customer_id: str) -> list[dict[str, Any]]:
    return list(db.iter_customer_sales(tenant_id, customer_id))


# --- RFM, by the nightly schedule -----------------------------------------------------------


def quintiles(values: Sequence[Decimal | int], higher_is_better: bool = True) -> list[int]:
    """Scores 1-5 by quintile of rank within the list; equal values get the same score."""
    n = len(values)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: values[i])
    first_rank: dict[Any, int] = {}
    for rank, i in enumerate(order):
        first_rank.setdefault(values[i], rank)
    scores = []
    for v in values:
        score = 1 + (5 * first_rank[v]) // n
        scores.append(score if higher_is_better else 6 - score)
    return scores


def group(r: int, f: int, m: int, orders: int) -> str:
    """A plain-words group from the scores (the usual RFM segments, simplified)."""
    if r >= 4 and f >= 4:
        return "champions"
    if r >= 4 and orders <= 1:
        return "new"
    if r >= 3 and f >= 3:
        return "loyal"
    if r >= 3:
        return "promising"
    if f >= 3 or m >= 4:
        return "at_risk"
    if r == 2:
        return "hibernating"
    return "lost"


def rfm_for(items: list[dict[str, Any]], today: date) -> dict[str, dict[str, Any]]:
    """Each customer's RFM from the shop's customer records (those who bought at all)."""
    buyers = [c for c in items if c.get("last_purchase")]
    recency = [(today - datetime.fromisoformat(c["last_purchase"].replace("Z", "+00:00")).date()).days
               for c in buyers]  # fmt: skip
    frequency = [db.as_int(c.get("orders")) for c in buyers]
    monetary = [Decimal(c.get("revenue") or 0) for c in buyers]
    rs, fs, ms = quintiles(recency, higher_is_better=False), quintiles(frequency), quintiles(monetary)
    return {
        c["customer_id"]: {"recency": r, "frequency": f, "monetary": m, "score": f"{r}{f}{m}",
                           "group": group(r, f, m, frequency[i])}  # fmt: skip
        for i, (c, r, f, m) in enumerate(zip(buyers, rs, fs, ms, strict=True))
    }


def recompute_rfm(tenant_id: str) -> dict[str, int]:
    """One shop: read its customers once, write back only the scores that changed."""
    items = list(db.iter_customers(tenant_id))
    scores = rfm_for(items, clock.now().astimezone(UTC).date())
    changed = 0
    for item in items:
        new = scores.get(item["customer_id"])
        old = item.get("rfm")
        if new and (not old or {k: (int(v) if isinstance(v, Decimal) else v) for k, v in old.items()} != new):
            db.set_customer(tenant_id, item["customer_id"], {"rfm": new})
            changed += 1
    return {"customers": len(items), "changed": changed}


NIGHTLY_AFTER = (2, 30)  # UTC: quiet hours for most shops
# Runs after this do not try to claim the night (a refused claim still costs a write unit, every
# 15 minutes); a night whose runs all failed is caught up the next night.
NIGHTLY_UNTIL = (4, 30)


def nightly() -> dict[str, Any]:
    """RFM once a night, from the stock check's schedule (no function of its own): the first run
    after 02:30 UTC claims the day and scores every shop; later runs that day do nothing."""
    now = clock.now().astimezone(UTC)
    in_window = NIGHTLY_AFTER <= (now.hour, now.minute) < NIGHTLY_UNTIL
    if not in_window or not db.claim_nightly("rfm", now.date().isoformat()):
        return {}
    return {"rfm": recompute_all()}


def recompute_all() -> dict[str, int]:
    """The nightly job: every shop that has customers, each on its own (one failing shop does
    not stop the rest)."""
    totals = {"shops": 0, "customers": 0, "changed": 0, "failures": 0}
    for tenant_id in db.shops_with_customers():
        try:
            done = recompute_rfm(tenant_id)
        except Exception:  # retried next night
            logger.exception("RFM failed for a shop", extra={"tenant_id": tenant_id})
            totals["failures"] += 1
            continue
        totals["shops"] += 1
        totals["customers"] += done["customers"]
        totals["changed"] += done["changed"]
    logger.info("RFM recomputed", extra=totals)
    return totals


# --- the customers report -------------------------------------------------------------------


def report(identity: Identity, query: Any) -> Any:
    """Customers who bought in a period, from the per-customer day rollups (never the sales):
    how many, how many bought for the first time, repeat rate, revenue per customer, segments."""
    from chalicelib.models import CustomersReport, SegmentRow, TopCustomer
    from chalicelib.services.reports import date_range

    first, last = date_range(identity.tenant_id, query)
    tenant_id = identity.tenant_id
    bought: dict[str, dict[str, Any]] = defaultdict(lambda: {"revenue": ZERO, "cost": ZERO, "orders": 0})
    for item in db.breakdown_days(tenant_id, "customer", first.isoformat(), last.isoformat()):
        row = bought[item["key"]]
        row["revenue"] += Decimal(item.get("revenue") or 0)
        row["cost"] += Decimal(item.get("cost") or 0)
        row["orders"] += db.as_int(item.get("orders"))
    records = db.get_customers(tenant_id, list(bought))
    zone_first = first.isoformat()
    new = sum(1 for cid in bought if (records.get(cid) or {}).get("first_purchase", "")[:10] >= zone_first)
    buyers = [cid for cid, row in bought.items() if row["orders"] > 0]
    revenue = sum((row["revenue"] for row in bought.values()), ZERO)
    segments: dict[str, dict[str, Any]] = defaultdict(lambda: {"customers": 0, "revenue": ZERO, "cost": ZERO})
    groups: dict[str, int] = defaultdict(int)
    for cid, row in bought.items():
        record = records.get(cid) or {}
        seg = segments[record.get("segment") or "Unspecified"]
        seg["customers"] += 1
        seg["revenue"] += row["revenue"]
        seg["cost"] += row["cost"]
        groups[(record.get("rfm") or {}).get("group") or "unscored"] += 1
    top = sorted(bought.items(), key=lambda kv: (-kv[1]["revenue"], kv[0]))[:10]
    return CustomersReport(
        from_=first,
        to=last,
        customers=len(bought),
        new=new,
        returning=len(bought) - new,
        repeat_rate=round(sum(1 for cid in buyers if bought[cid]["orders"] >= 2) / len(bought), 4) if bought else 0.0,
        revenue_per_customer=(revenue / len(bought)).quantize(Decimal("0.01")) if bought else ZERO,
        segments=[SegmentRow(segment=k, customers=v["customers"], revenue=v["revenue"], profit=v["revenue"] - v["cost"])
                  for k, v in sorted(segments.items(), key=lambda kv: (-kv[1]["revenue"], kv[0]))],  # fmt: skip
        groups=dict(sorted(groups.items())),
        top=[TopCustomer(customer_id=cid, name=(records.get(cid) or {}).get("name"), revenue=row["revenue"],
                         orders=row["orders"]) for cid, row in top],  # fmt: skip
    )

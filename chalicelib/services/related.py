"""Bought together: for each product, the products most often in the same sale.

Counted incrementally by each live sale's rollup transaction (so exactly once): the sale's
distinct products each get `orders + 1` and `with<other> + 1` per other product in the sale,
and the till's count of sales goes up by one. A sale of n products writes n + 1 small updates,
whatever the catalogue's size; a product's item grows with the number of distinct products ever
sold with it (a few thousand at most for a small shop, well inside DynamoDB's 400 KB).
Imported history is not counted (a shop's file of past sales says what sold, not always what
sold together in one basket). Reading one product's list is a GetItem, a BatchGetItem of its
partners and a Query of the per-till totals.
"""

from __future__ import annotations

from typing import Any

from chalicelib import db
from chalicelib.auth import Identity
from chalicelib.observability import logger

MAX_PRODUCTS = 30  # a sale's lines at most: every sale is counted


def sale_actions(tenant_id: str, sale: dict[str, Any]) -> list[dict[str, Any]]:
    skus = list(dict.fromkeys(ln["sku"] for ln in sale["lines"]))
    if sale.get("till") == "import" or len(skus) > MAX_PRODUCTS:
        return []
    return db.related_adds(tenant_id, skus, sale.get("till") or db.DEFAULT_TILL)


def write_apart(actions: list[dict[str, Any]]) -> None:
    """A very wide sale's pair counts, after its rollups (best effort: a crash in between loses
    this one sale's pairs, never counts them twice)."""
    try:
        for start in range(0, len(actions), 100):
            db.transact(actions[start:start + 100])
    except Exception as exc:  # the sale and its rollups stand; only its pair counts are missed
        logger.warning("bought-together counts of a wide sale were not written", extra={"error": type(exc).__name__})


def related(identity: Identity, sku: str, limit: int) -> dict[str, Any]:
    from chalicelib.services import products

    product = products.get_live(identity.tenant_id, sku)
    item = db.related_items(identity.tenant_id, [product["sku"]]).get(product["sku"]) or {}
    together = {name[len(db.RELATED_WITH):]: db.as_int(v) for name, v in item.items()
                if name.startswith(db.RELATED_WITH) and db.as_int(v) > 0}  # fmt: skip
    top = sorted(together.items(), key=lambda kv: (-kv[1], kv[0]))[: limit * 2]  # some may be deleted
    if not top:
        return {"items": []}
    others = db.related_items(identity.tenant_id, [s for s, _ in top])
    live = db.get_products(identity.tenant_id, [s for s, _ in top])
    total = db.related_total(identity.tenant_id)
    mine = db.as_int(item.get("orders"))
    rows = []
    for other, both in top:
        if other not in live or "deleted_at" in live[other]:
            continue
        theirs = db.as_int((others.get(other) or {}).get("orders"))
        rows.append({
            "sku": other, "name": live[other]["name"], "together": both,
            "confidence": round(both / mine, 4) if mine else 0.0,  # of sales with this product, share with both
            "lift": round(both * total / (mine * theirs), 4) if mine and theirs else 0.0,
        })  # fmt: skip
    return {"items": rows[:limit]}

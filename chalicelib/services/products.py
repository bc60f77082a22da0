"""The catalogue: products a shop sells, their prices and minimum stock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib import clock, db, retry
from chalicelib.auth import Identity
from chalicelib.errors import Conflict, Invalid, NotFound
from chalicelib.models import (
    LocationStock,
    Product,
    ProductCreate,
    ProductPage,
    ProductPatch,
    ProductQuery,
    Rating,
    check_sku,
)
from chalicelib.observability import count
from chalicelib.services import locations

SEARCH_PAGE = 200  # index entries read per Query: small items, so one read unit covers dozens
BUSY = "The product is being changed by someone else right now; please try again."


def to_product(item: dict[str, Any], location: str | None = None) -> Product:
    """A product as the API shows it; with a location, on_hand, min_stock and low_stock are
    that location's (`stock` always lists every location)."""
    levels = db.stock_map(item)
    low = db.low_locations(levels)
    stock = [LocationStock(location_id=loc, on_hand=lv["on_hand"], min_stock=lv["min_stock"], low_stock=loc in low)
             for loc, lv in sorted(levels.items(), key=lambda kv: (kv[0] != db.MAIN_LOCATION, kv[0]))]  # fmt: skip
    on_hand = db.as_qty(item.get("on_hand"))
    min_stock = sum((lv["min_stock"] for lv in levels.values()), Decimal(0))
    is_low = bool(low)
    if location is not None:
        here = levels.get(location, {"on_hand": Decimal(0), "min_stock": Decimal(0)})
        on_hand, min_stock, is_low = here["on_hand"], here["min_stock"], location in low
    lead = item.get("lead_time_days")
    return Product(
        sku=item["sku"],
        name=item["name"],
        category=item.get("category", ""),
        subcategory=item.get("subcategory", ""),
        price=Decimal(item["price"]),
        unit_cost=Decimal(item.get("unit_cost", 0)),
        on_hand=on_hand,
        min_stock=min_stock,
        reorder_qty=db.as_qty(item.get("reorder_qty")),
        lead_time_days=int(lead) if lead is not None else None,
        unit=item.get("unit") or "each",
        tax_rate=Decimal(item["tax_rate"]) if item.get("tax_rate") is not None else None,
        barcode=item.get("barcode"),
        supplier_id=item.get("supplier_id"),
        low_stock=is_low,
        on_order=db.as_qty(item.get("on_order")),
        last_sold_at=item.get("last_sold_at"),
        rating=rating_of(item),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        pack_size=db.as_int(item.get("pack_size")) or 1,
        stock=stock,
    )


def fits_unit(unit: str | None, qty: Any) -> bool:
    """The rule: a product sold `each` (the default) takes whole quantities only; by measure
    (kg, g, l, ml, m), up to 3 decimals (the models check those)."""
    return (unit or "each") != "each" or Decimal(qty) == Decimal(qty).to_integral_value()


def check_units(quantities: list[tuple[dict[str, Any], Decimal, str]]) -> None:
    """A product sold `each` takes whole quantities only; (product, quantity, field) for each."""
    wrong = [
        {"field": field, "sku": product.get("sku"),
         "message": f"{field}: {product.get('sku')} is sold in whole units, not {qty}"}  # fmt: skip
        for product, qty, field in quantities
        if not fits_unit(product.get("unit"), qty)
    ]
    if wrong:
        raise Invalid(
            "Whole units only: " + "; ".join(str(w["message"]) for w in wrong) + ".",
            wrong,
            code="fractional_quantity",
        )


def normal_sku(sku: str) -> str:
    """The SKU from a path, normalised as on create; a SKU that could never exist is not found."""
    try:
        return check_sku(sku)
    except ValueError:
        raise NotFound(f"No product with SKU {sku!r}.") from None


def get_live(tenant_id: str, sku: str) -> dict[str, Any]:
    item = db.get_product(tenant_id, normal_sku(sku))
    if item is None or "deleted_at" in item:
        raise NotFound(f"No product with SKU {sku!r} in this shop.")
    return item


def create(identity: Identity, request: ProductCreate) -> Product:
    return add(identity.tenant_id, request)


def new_item(tenant_id: str, request: ProductCreate, **extra: Any) -> dict[str, Any]:
    """A new product as stored: nothing on hand (stock arrives through movements). With a
    minimum it is already low, so it joins the low-stock index, but quietly (`new`): it did not
    fall to its minimum. Its first movement arms the alert, so stock that arrives and leaves it
    still low is news."""
    now = clock.now_iso()
    item = request.model_dump()
    item.update(on_hand=0, version=1, created_at=now, updated_at=now, **extra)
    # Born in the stock-per-location shape: everything (nothing yet) at the first location.
    item["stock"] = {db.MAIN_LOCATION: {"on_hand": Decimal(0), "min_stock": request.min_stock}}
    low, _ = db.low_stock_fields(tenant_id, request.sku, 0, request.min_stock)
    if low:
        item.update(low, alert_state=db.ALERT_QUIET_NEW)
    return item


def add(tenant_id: str, request: ProductCreate) -> Product:
    """Add a product to the catalogue."""
    whole = {"sku": request.sku, "unit": request.unit}
    check_units([(whole, getattr(request, field), field) for field in ("min_stock", "reorder_qty")])
    item = new_item(tenant_id, request)
    try:
        db.put_new_product(tenant_id, item)
    except db.ConditionFailed as failed:
        if failed.old and "deleted_at" in failed.old:
            raise Conflict(
                f"SKU {request.sku!r} belonged to a product that was deleted; its history is kept, "
                "so choose another SKU.",
                code="sku_deleted",
            ) from None
        raise Conflict(f"A product with SKU {request.sku!r} already exists.", code="sku_exists") from None
    count("ProductCreated")
    return to_product(item)


def get(identity: Identity, sku: str) -> Product:
    return to_product(get_live(identity.tenant_id, sku))


def list_products(identity: Identity, query: ProductQuery, after: str | None) -> tuple[ProductPage, str | None]:
    """One page of the catalogue. A search reads the search index and a low-stock list the
    low-stock index, so both take the same time in a shop of 100 products or of 100,000."""
    location = locations.require(identity.tenant_id, query.location_id) if query.location_id else None
    words = sorted(db.search_words(query.q), key=len, reverse=True) if query.q else []
    if query.q and not words:
        return ProductPage(items=[], next_cursor=None), None
    if words:
        found, last = _search(identity.tenant_id, words, query.limit, after)
    elif query.low_stock:
        skus, last = db.low_stock_page(identity.tenant_id, limit=query.limit, after_sku=after)
        found = list(db.get_products(identity.tenant_id, skus).values())
    else:
        found, last = db.query_products(
            identity.tenant_id, limit=query.limit, after_sku=after, category=query.category,
            low_stock=query.low_stock,
        )  # fmt: skip
        if location is None:
            return ProductPage(items=[to_product(i) for i in found], next_cursor=None), last
    items = sorted(
        (p for p in found if "deleted_at" not in p and _wanted(p, query, location)),
        key=lambda p: str(p["sku"]),
    )
    return ProductPage(items=[to_product(i, location) for i in items], next_cursor=None), last


def _wanted(product: dict[str, Any], query: ProductQuery, location: str | None = None) -> bool:
    if query.category and product.get("category") != query.category:
        return False
    if query.low_stock is not None:
        low = db.low_locations(db.stock_map(product))
        return (location in low if location else bool(low)) == query.low_stock
    return True


def _search(tenant_id: str, words: list[str], limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Products each of whose query words starts one of their words, through the search index
    by the longest query word; (products, the place to go on from or None)."""
    found: dict[str, dict[str, Any]] = {}
    while True:
        entries, page_end = db.search_index(tenant_id, words[0], words[1:], limit=SEARCH_PAGE, after=after)
        while entries:
            # Read only as many products as the page still needs (entries left by a rename or a
            # deletion find nothing, so a few more may be read next).
            batch: list[tuple[str, str]] = []
            skus: set[str] = set()
            for sku, place in entries:  # in order, up to as many products as the page still needs
                if sku not in skus and len(skus) == limit - len(found):
                    break
                skus.add(sku)
                batch.append((sku, place))
            entries = entries[len(batch):]
            current = db.get_products(tenant_id, list(skus))
            for sku, place in batch:
                if sku in current and _matches(current[sku], words):
                    found[sku] = current[sku]
                    if len(found) == limit:
                        return list(found.values()), place
        after = page_end
        if after is None:
            return list(found.values()), None


def _matches(product: dict[str, Any], words: list[str]) -> bool:
    """Whether each query word starts one of the product's words as they are now."""
    own = db.search_keys(db.search_words(product["sku"], product.get("name"), product.get("barcode")))
    return all(any(key.startswith(w[: db.SEARCH_WORD_MAX]) for key in own) for w in words)


def update(identity: Identity, sku: str, patch: ProductPatch) -> Product:
    changes = patch.model_dump(include=patch.model_fields_set - {"stock"})
    # Minimums per location; a bare `min_stock` (as before locations) is the first location's.
    minimums = {m.location_id: m.min_stock for m in patch.stock or []}
    if "min_stock" in changes:
        minimums.setdefault(db.MAIN_LOCATION, changes.pop("min_stock") or Decimal(0))
    for location_id in minimums:
        locations.require(identity.tenant_id, location_id)

    def attempt() -> Product:
        item = get_live(identity.tenant_id, sku)
        sets = {k: v for k, v in changes.items() if v is not None}
        removes = [k for k, v in changes.items() if v is None]
        merged = {**item, **changes}
        check_units([(merged, db.as_qty(merged.get(f)), f) for f in ("reorder_qty", "on_hand")]
                    + [(merged, m, f"stock.{loc}.min_stock") for loc, m in minimums.items()])  # fmt: skip
        sets["updated_at"] = clock.now_iso()
        if minimums:  # a new minimum can make the product low, or no longer low, at a location
            before = db.stock_map(item)
            after = {loc: dict(lv) for loc, lv in before.items()}
            for loc, minimum in minimums.items():
                after.setdefault(loc, {"on_hand": Decimal(0), "min_stock": Decimal(0)})["min_stock"] = minimum
            level_sets, level_removes = db.stock_level_fields(identity.tenant_id, item["sku"], before, after)
            sets.update(level_sets, stock=after, min_stock=sum((lv["min_stock"] for lv in after.values()), Decimal(0)))
            removes += level_removes
        db.edit_product(identity.tenant_id, item, sets, removes)  # ConditionFailed: edited meanwhile
        merged.update(sets)
        for key in removes:
            merged.pop(key, None)
        return to_product(merged)

    return retry.until_written(attempt, BUSY)


def delete(identity: Identity, sku: str) -> None:

    def attempt() -> None:
        item = get_live(identity.tenant_id, sku)
        now = clock.now_iso()
        # Kept, marked deleted: its movements and sales stay in the history and reports.
        db.edit_product(
            identity.tenant_id, item, {"deleted_at": now, "updated_at": now}, [*db.LOW_STOCK_KEYS, *db.ALERT_FIELDS]
        )
        count("ProductDeleted")

    retry.until_written(attempt, BUSY)


def rating_of(item: dict[str, Any]) -> Rating | None:
    """A product's average stars from the sum and count its feedback keeps on it."""
    count = db.as_int(item.get("rating_count"))
    if not count:
        return None
    return Rating(average=round(float(Decimal(item.get("rating_sum") or 0) / count), 2), count=count)

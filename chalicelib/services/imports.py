"""CSV imports of products and of historical sales, and CSV exports.

Imports check every row first and report each problem with its row number and column; rows
with problems are left out, the others applied. Both are safe to run twice: products are
compared with what is there (unchanged rows change nothing), and each imported order's sale id
is derived from its order id, so an order already imported is recognised and skipped.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from chalicelib import clock, csvfiles, db, retry, usage
from chalicelib.auth import Identity
from chalicelib.errors import AppError, Invalid, PayloadTooLarge, validation_details
from chalicelib.models import (
    ProductCreate,
    ProductImportResult,
    ProductPatch,
    RowError,
    SalesImportResult,
    StockMovementIn,
    clean_text,
)
from chalicelib.observability import count, logger
from chalicelib.services import customers, importreturns, products, sales, stock
from chalicelib.settings import get_settings

MONEY_FIELDS = {"price", "unit_cost"}
WHOLE_FIELDS = {"lead_time_days"}
QUANTITY_FIELDS = {"min_stock", "reorder_qty", "on_hand"}  # whole for `each`, else up to 3 decimals
TEXT_FIELDS = {"sku", "name", "category", "subcategory", "barcode", "supplier_id", "unit"}
ALIASES = {
    "sub_category": "subcategory",
    "cost": "unit_cost",
    "stock": "on_hand",
    "quantity": "on_hand",
    "minimum": "min_stock",
    "product_name": "name",
    "product_id": "sku",
}


def _check_size(raw: bytes | None) -> bytes:
    limit = get_settings().max_import_bytes
    if raw and len(raw) > limit:
        raise PayloadTooLarge(
            f"The file is {len(raw) / 1e6:.1f} MB; one upload can take at most {limit / 1e6:.1f} MB. "
            "Split it into smaller files (keep the header row in each) and import them one after another."
        )
    return raw or b""


def _field(column: str) -> str:
    key = column.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


# --- products ---------------------------------------------------------------------------


def import_products(identity: Identity, raw: bytes | None, dry_run: bool) -> ProductImportResult:
    header, rows = csvfiles.rows(_check_size(raw))
    decimal_comma = csvfiles.file_separator(raw) == ";"
    columns = {h: _field(h) for h in header if _field(h) in MONEY_FIELDS | WHOLE_FIELDS | QUANTITY_FIELDS | TEXT_FIELDS}
    if "sku" not in columns.values():
        raise Invalid(
            "The file needs a 'sku' column (and 'name' and 'price' for new products)." + _columns_seen(header),
            [{"field": "sku", "message": "column missing"}],
        )
    column_of = {field: h for h, field in columns.items()}
    errors: list[RowError] = []
    wanted: list[tuple[int, dict[str, Any]]] = []
    first_row: dict[str, int] = {}
    for row, cells in rows:
        data, bad = _product_cells(row, cells, columns, decimal_comma)
        errors += bad
        sku = data.get("sku")
        if bad or not sku:
            if not bad:
                errors.append(RowError(row=row, column=column_of["sku"], message="sku is required"))
            continue
        try:
            data["sku"] = products.check_sku(sku)
        except ValueError as exc:
            errors.append(RowError(row=row, column=column_of["sku"], message=str(exc)))
            continue
        if data["sku"] in first_row:
            errors.append(
                RowError(
                    row=row, column=column_of["sku"], message=f"SKU {sku} is already on row {first_row[data['sku']]}"
                )
            )
            continue
        first_row[data["sku"]] = row
        wanted.append((row, data))

    existing = db.get_products(identity.tenant_id, [d["sku"] for _, d in wanted])
    tally = {"created": 0, "updated": 0, "unchanged": 0, "counted": 0, "changed": 0}

    def apply(row: int, data: dict[str, Any]) -> tuple[list[str], list[RowError]]:
        """One row: create or update the product, count its stock; (what happened, the row's problems)."""
        on_hand = data.pop("on_hand", None)
        if on_hand is not None and on_hand < 0:
            return [], [RowError(row=row, column=column_of["on_hand"], message="on hand cannot be negative")]
        old = existing.get(data["sku"])
        unit = data.get("unit") or (old or {}).get("unit") or "each"
        fractions = [RowError(row=row, column=column_of[f], message=f"{data['sku']} is sold in whole units (each), "
                              f"not {value}; give its unit (kg, g, l, ml or m) if it is sold by measure")
                     for f, value in (("on_hand", on_hand), *((f, data.get(f)) for f in ("min_stock", "reorder_qty")))
                     if value is not None and not products.fits_unit(unit, value)]
        if fractions:
            return [], fractions
        if old is not None:  # a file's on hand and minimum are the first location's (Main)
            main = db.stock_map(old).get(db.MAIN_LOCATION, {})
            old = {**old, "on_hand": main.get("on_hand", 0), "min_stock": main.get("min_stock", 0),
                   "unit": old.get("unit") or "each"}  # as exported: a product from before units is `each`
        try:
            if old is not None and "deleted_at" in old:
                raise Invalid(f"SKU {data['sku']} belonged to a deleted product; use another SKU.")
            if old is None:
                request = ProductCreate.model_validate(data)
                if not dry_run:
                    products.add(identity.tenant_id, request)
                outcome = "created"
            else:
                changes = {k: v for k, v in data.items() if k != "sku" and _differs(old.get(k), v)}
                outcome = "updated" if changes else "unchanged"
                if changes:
                    patch = ProductPatch.model_validate(changes)
                    if not dry_run:
                        products.update(identity, data["sku"], patch)
            current = db.as_qty(old.get("on_hand")) if old else 0
            if on_hand is None or on_hand == current:
                return [outcome], []
            if not dry_run:
                stock.record(identity, data["sku"], StockMovementIn(type="count", quantity=on_hand,
                                                                    note="Counted by CSV import"))
            return [outcome, "counted"], []
        except ValidationError as exc:
            return [], [RowError(row=row, column=column_of.get(d["field"].split(".")[0], d["field"]),
                                 message=d["message"]) for d in validation_details(exc)]
        except AppError as exc:
            return [], [RowError(row=row, column=column_of["sku"], message=exc.message)]

    # Rows name different products, so they can go side by side.
    with ThreadPoolExecutor(max_workers=max(get_settings().import_workers, 1)) as pool:
        for outcomes, problems in pool.map(usage.carried(lambda item: apply(*item)), wanted):
            errors += problems
            for outcome in outcomes:
                tally[outcome] += 1
            tally["changed"] += bool(set(outcomes) & {"created", "updated", "counted"})
    created, updated, unchanged, counted = (tally[k] for k in ("created", "updated", "unchanged", "counted"))
    if not dry_run:
        count("ProductsImported", created + updated)
    errors.sort(key=lambda e: e.row)
    return ProductImportResult(
        dry_run=dry_run,
        created=created,
        updated=updated,
        unchanged=unchanged,
        stock_counted=counted,
        products_changed=tally["changed"],
        errors=errors,
    )


def _columns_seen(header: list[str]) -> str:
    """What the file's first line was read as, so a person sees why a column was not found."""
    shown = ", ".join(repr(h) for h in header[:8]) + (", ..." if len(header) > 8 else "")
    return f" Its first line was read as {len(header)} column{'s' if len(header) != 1 else ''}: {shown}."


def _product_cells(
    row: int, cells: dict[str, str], columns: dict[str, str], decimal_comma: bool = False
) -> tuple[dict[str, Any], list[RowError]]:
    data: dict[str, Any] = {}
    bad = []
    for column, field in columns.items():
        text = cells.get(column, "")
        if text == "":
            continue
        try:
            data[field] = (
                csvfiles.money(text, decimal_comma)
                if field in MONEY_FIELDS
                else csvfiles.whole(text, decimal_comma)
                if field in WHOLE_FIELDS
                else csvfiles.quantity(text, decimal_comma)
                if field in QUANTITY_FIELDS
                else text.lower() if field == "unit"
                else text
            )
        except ValueError as exc:
            bad.append(RowError(row=row, column=column, message=str(exc)))
    return data, bad


def _differs(old: Any, new: Any) -> bool:
    if isinstance(new, Decimal) or isinstance(old, Decimal):
        try:
            return Decimal(old if old is not None else "NaN") != Decimal(new)
        except (ArithmeticError, ValueError):
            return True
    return (old or None) != (new or None) if isinstance(new, str) else old != new


# --- historical sales (the Superstore layout) -------------------------------------------

SALES_REQUIRED = ["Order ID", "Order Date", "Product ID", "Product Name", "Sales", "Quantity", "Profit"]
MAX_ACTIONS = 100  # DynamoDB's limit on one TransactWriteItems
CUSTOMER = {
    "Customer ID": "id",
    "Customer Email": "email",
    "Customer Name": "name",
    "Segment": "segment",
    "Country": "country",
    "City": "city",
    "State": "state",
    "Region": "region",
}


def import_sales(identity: Identity, raw: bytes | None, dry_run: bool) -> SalesImportResult:
    header, rows = csvfiles.rows(_check_size(raw))
    decimal_comma = csvfiles.file_separator(raw) == ";"
    return sales_rows(identity.tenant_id, header, rows, decimal_comma, dry_run=dry_run)


def sales_layout(header: list[str]) -> str | None:
    """'own' (Shelfwise's export), 'superstore', or None (the file needs a column mapping)."""
    if set(OWN_EXPORT.values()) <= set(header):
        return "own"
    if set(SALES_REQUIRED) <= set(header):
        return "superstore"
    return None


def sales_rows(
    tenant_id: str,
    header: list[str],
    rows: Iterator[tuple[int, dict[str, str]]],
    decimal_comma: bool,
    *,
    dry_run: bool = False,
    import_id: str | None = None,
    chunk_at: int | None = None,
    mapped: Any = None,
) -> SalesImportResult:
    """Import these rows of a sales file, in Shelfwise's, the Superstore's or (`mapped`, a
    layouts.SalesMapping) a file's own layout. With `import_id` (a background import, possibly
    resumed) orders this import recorded before from this chunk (`chunk_at`, its place in the
    file) count as its sales; an order it recorded from an earlier chunk is an order whose lines
    are not together in the file, and its later lines are refused."""
    zone = sales.shop_zone(db.get_shop(tenant_id))
    own = not mapped and sales_layout(header) == "own"
    if own:  # Shelfwise's own export: read in Superstore words, exact times and prices kept
        header, rows = SALES_REQUIRED + list(CUSTOMER), _from_own_export(rows, zone)
    elif mapped:  # a file of its own layout, read in Superstore words
        header, rows = SALES_REQUIRED + list(CUSTOMER), mapped.rows(rows, decimal_comma, zone)
    missing = [c for c in SALES_REQUIRED if c not in header]
    if missing:
        raise Invalid(
            "The file lacks these columns: "
            + ", ".join(missing)
            + ". It needs at least: "
            + ", ".join(SALES_REQUIRED)
            + ".",
            [{"field": c, "message": "column missing"} for c in missing],
        )
    errors: list[RowError] = []
    orders: dict[str, list[dict[str, Any]]] = defaultdict(list)
    broken: dict[str, int] = {}
    for row, cells in rows:
        line, bad = _sale_line(row, cells, decimal_comma)
        order_id = cells.get("Order ID", "")
        if bad:
            errors += bad
            broken.setdefault(order_id, row)
            continue
        orders[order_id].append(line)
    for order_id, lines in list(orders.items()):
        days = {ln["day"] for ln in lines}
        if len(days) > 1:
            errors.append(
                RowError(
                    row=lines[0]["row"], column="Order Date", message=f"order {order_id} has lines on different dates"
                )
            )
            broken.setdefault(order_id, lines[0]["row"])
        elif len(lines) > MAX_ORDER_LINES:
            errors.append(RowError(row=lines[0]["row"], column="Order ID",
                                   message=f"order {order_id} has {len(lines)} lines; at most {MAX_ORDER_LINES}"))
            broken.setdefault(order_id, lines[0]["row"])
        if order_id in broken:  # all of an order or none of it
            errors += [
                RowError(
                    row=ln["row"],
                    column="Order ID",
                    message=f"not imported: row {broken[order_id]} of order {order_id} has a problem",
                )
                for ln in lines
            ]
            del orders[order_id]
    if own:  # errors name the file's own columns
        named = {**OWN_EXPORT, **OWN_EXTRA, EXACT_PRICE: "unit_price"}
        errors = [e.model_copy(update={"column": named.get(e.column, e.column)}) for e in errors]
    elif mapped:
        errors = [e.model_copy(update={"column": mapped.column_of(e.column)}) for e in errors]

    returned = importreturns.split(orders)  # negative lines: returns, recorded as the counter does
    sale_ids = {oid: _sale_id(oid, lines[0]["day"], zone, lines[0].get("at")) for oid, lines in orders.items()}
    found = db.sale_imports(tenant_id, list(sale_ids.values()))
    todo = {oid: lines for oid, lines in orders.items() if sale_ids[oid] not in found}
    # Recorded by this very import before it stopped: its own sales (a large one perhaps with parts to finish).
    ours = [oid for oid in orders if import_id and found.get(sale_ids[oid], {}).get("import_id") == import_id]
    mine = [oid for oid in ours if db.as_int(found[sale_ids[oid]].get("import_chunk")) == chunk_at]
    for oid in ours:
        if oid not in mine:  # lines of an order recorded from an earlier part of the file
            errors += [RowError(row=ln["row"], column=mapped.column_of("Order ID") if mapped else "Order ID",
                                message=f"not imported: order {oid} was imported from earlier rows; an order's "
                                        "rows must be next to each other") for ln in orders.pop(oid)]
    errors.sort(key=lambda e: e.row)
    unfinished = [sid for sid, item in found.items() if item.get("parts")]
    known = db.get_products(tenant_id, [ln["sku"] for lines in [*todo.values(), *returned.values()] for ln in lines])
    columns = ("quantity", "sale_id") if own else (mapped.column_of("Quantity"), mapped.column_of("Order ID")) \
        if mapped else ("Quantity", "Order ID")
    refused: dict[str, list[RowError]] = defaultdict(list)
    for part in (todo, returned):
        for oid, problems in _fractions_of_whole_units(part, known, *columns).items():
            refused[oid] += problems
    for oid, problems in refused.items():  # all of an order (its sale and its return) or none of it
        errors += problems
        todo.pop(oid, None), orders.pop(oid, None), returned.pop(oid, None)
    _costs_from_products(todo, known)
    _costs_from_products(returned, known)
    new_products = _new_products({**todo, **{"\x00return " + oid: v for oid, v in returned.items()}}, known)
    back = importreturns.Plan(tenant_id, returned, zone, (import_id, chunk_at))
    result = SalesImportResult(
        dry_run=dry_run,
        sales=len(todo) + len(mine),
        returns=back.orders + back.mine,
        lines=sum(len(v) for v in todo.values()) + sum(len(orders[oid]) for oid in mine) + back.lines,
        already_imported=len(orders) - len(todo) - len(mine) + back.already,
        products_created=len(new_products),
        errors=sorted(errors, key=lambda e: e.row),
    )
    if dry_run:
        return result
    for sale_id in unfinished:
        _finish_parts(tenant_id, sale_id)
    if not todo and not back.todo:
        return result
    latest: dict[str, str] = {}
    by_day: dict[date, list[str]] = defaultdict(list)
    large: list[str] = []
    for oid, lines in todo.items():
        if _actions_alone(lines) > MAX_ACTIONS:
            large.append(oid)
        else:
            by_day[lines[0]["day"]].append(oid)
        at = lines[0].get("at") or clock.iso(_noon(lines[0]["day"], zone))
        for ln in lines:
            latest[ln["sku"]] = max(latest.get(ln["sku"], ""), at)
    # A new product is created in the same transaction as the first day it sold, so a product
    # never exists without its sales nor a sale line without its product (except for a large
    # order's products, created just before it).
    creates = {p.sku: products.new_item(tenant_id, p, last_sold_at=latest.get(p.sku)) for p in new_products}
    db.index_products(tenant_id, list(creates.values()))
    _customers_seen(tenant_id, todo, zone)
    for oid in large:
        _write_large_order(tenant_id, oid, todo[oid], sale_ids[oid], zone, creates, (import_id, chunk_at))
    transactions = _pack(
        chunk
        for day in sorted(by_day)
        for chunk in _chunks(tenant_id, day, by_day[day], todo, sale_ids, zone, creates, (import_id, chunk_at))
    )
    with ThreadPoolExecutor(max_workers=max(get_settings().import_workers, 1)) as pool:
        list(pool.map(usage.carried(lambda t: _write_chunk(tenant_id, t)), transactions))
        stale = [
            (sku, at) for sku, at in latest.items() if sku in known and (known[sku].get("last_sold_at") or "") < at
        ]
        list(pool.map(usage.carried(lambda s: db.touch_last_sold(tenant_id, *s)), stale))
    _put_products(tenant_id, list(creates.values()))  # those only returned in the file: the report names them
    if back.todo:
        logger.info("returns imported", extra=back.write())
    if (todo or back.todo) and not dry_run:  # forecasts made before this import are out of date (the nightly run)
        db.update_shop(tenant_id, {"sales_imported_at": clock.now_iso()})
        db.mark_shop_active(tenant_id, clock.now().date().isoformat())
    count("SalesImported", len(todo))
    logger.info("sales imported", extra={"sales": len(todo), "lines": result.lines})
    return result


def _fractions_of_whole_units(
    todo: dict[str, list[dict[str, Any]]], known: dict[str, dict[str, Any]], column: str, order_column: str
) -> dict[str, list[RowError]]:
    """{order: its row errors} for orders with a fraction of a product sold `each` (a product the
    shop does not have yet is created `each`, so it too takes whole units only): all of an order
    or none of it."""
    refused: dict[str, list[RowError]] = {}
    for oid, lines in todo.items():
        bad = []
        for ln in lines:
            qty, product = ln["quantity"], known.get(ln["sku"])
            if product and (product.get("unit") or "each") != "each":
                ln["unit"] = product["unit"]  # the sale line says what its quantity counts, as a live one does
            if products.fits_unit((product or {}).get("unit"), qty):
                continue
            if product is None:
                message = (f"{qty} of {ln['sku']}: a new product is sold in whole units; add {ln['sku']} first "
                           "with its unit (kg, g, l, ml or m), e.g. by a products CSV with a unit column, "
                           "then import this file again")
            else:
                message = (f"{qty} of {ln['sku']}: it is sold in whole units (each); set its unit (kg, g, l, ml "
                           "or m) if it is sold by measure, or correct the quantity")
            bad.append(RowError(row=ln["row"], column=column, message=message))
        if bad:
            rows = {e.row for e in bad}
            refused[oid] = bad + [
                RowError(row=ln["row"], column=order_column,
                         message=f"not imported: row {bad[0].row} of order {oid} has a problem")
                for ln in lines if ln["row"] not in rows
            ]
    return refused


def _costs_from_products(todo: dict[str, list[dict[str, Any]]], known: dict[str, dict[str, Any]]) -> None:
    """A file without costs: each line costs what its product costs now (nothing for a new one)."""
    for lines in todo.values():
        for ln in lines:
            if ln.pop("cost_unknown", False) and ln["sku"] in known:
                unit_cost = Decimal(known[ln["sku"]].get("unit_cost") or 0)
                ln["profit"] = ln["revenue"] - unit_cost * ln["quantity"]


def _actions_alone(lines: list[dict[str, Any]]) -> int:
    """How many actions one transaction recording this order alone would take (at most)."""
    items = sales.DayRollup.items_of(_rollup_lines(lines), lines[0]["customer"])
    return 2 + len(items) + len({ln["sku"] for ln in lines})


def _sale_item(
    oid: str, lines: list[dict[str, Any]], sale_id: str, day: date, sold_at: str, source: tuple[Any, Any]
) -> dict[str, Any]:
    rollup_lines = _rollup_lines(lines)
    revenue = sum((ln["revenue"] for ln in rollup_lines), Decimal(0))
    cost = sum((ln["cost"] for ln in rollup_lines), Decimal(0))
    return {
        "sale_id": sale_id,
        "invoice_no": 0,
        "till": sales.IMPORT_TILL,
        "sold_at": sold_at,
        "day": day.isoformat(),
        "lines": rollup_lines,
        "total": revenue,
        "cost": cost,
        "profit": revenue - cost,
        "units": sum(ln["quantity"] for ln in rollup_lines),
        "customer": lines[0]["customer"] or None,
        "source": "import",
        "external_id": oid,
        "import_id": source[0],  # a background import, and where in the file (see sales_rows)
        "import_chunk": source[1],
        "created_at": clock.now_iso(),
    }


# --- an order too large for one transaction ------------------------------------------------
#
# A transaction holds at most 100 actions; an order of hundreds of lines adds to hundreds of
# rollup items. So, as a live sale does in two steps, it goes in as: the sale, with a marker per
# part of its rollup writes (one transaction: the sale exists with all its lines or not at all);
# then each part with the deletion of its marker (so a part counts once, whenever it runs). A
# run that stops between parts leaves markers: the next run of the import (or of the same file)
# sees the sale recorded with `parts` and writes the parts whose markers are left.

MAX_ORDER_LINES = 1000  # a sale item stays well under DynamoDB's 400 KB
PART_ACTIONS = MAX_ACTIONS - 1  # each part's writes and the deletion of its marker


def _parts(sale: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The sale's rollup writes cut into parts: the same parts from the same sale, every time."""
    rollup = sales.DayRollup()
    rollup.add(sale["lines"], sale.get("customer") or {})
    writes = rollup.writes(sale["tenant_id"], sale["day"], sales.IMPORT_TILL)
    return [writes[i:i + PART_ACTIONS] for i in range(0, len(writes), PART_ACTIONS)]


def _put_products(tenant_id: str, new: list[dict[str, Any]]) -> None:
    for start in range(0, len(new), MAX_ACTIONS):
        batch = new[start:start + MAX_ACTIONS]
        try:
            db.transact([db.new_product(tenant_id, item) for item in batch])
        except db.ConditionFailed:
            for item in batch:  # someone added one meanwhile: keep theirs, add the others
                try:
                    db.transact([db.new_product(tenant_id, item)])
                except db.ConditionFailed:
                    pass


def _write_large_order(
    tenant_id: str, oid: str, lines: list[dict[str, Any]], sale_id: str, zone: Any,
    creates: dict[str, dict[str, Any]], source: tuple[Any, Any],
) -> None:
    day = lines[0]["day"]
    _put_products(tenant_id, [creates.pop(sku) for sku in dict.fromkeys(ln["sku"] for ln in lines) if sku in creates])
    sale = _sale_item(oid, lines, sale_id, day, lines[0].get("at") or clock.iso(_noon(day, zone)), source)
    parts = _parts({**sale, "tenant_id": tenant_id})
    if len(parts) > MAX_ACTIONS - 1:
        raise Invalid(f"Order {oid} touches too many products to record.")
    try:
        db.transact([db.sale_put(tenant_id, {**sale, "parts": len(parts)}),
                     *(db.sale_part_marker(tenant_id, sale_id, k) for k in range(len(parts)))])
    except db.ConditionFailed:
        logger.warning("a large order was recorded meanwhile", extra={"tenant_id": tenant_id})
    _finish_parts(tenant_id, sale_id, parts)


def _finish_parts(tenant_id: str, sale_id: str, parts: list[list[dict[str, Any]]] | None = None) -> None:
    left = db.sale_parts_left(tenant_id, sale_id)
    if not left:
        return
    if parts is None:
        sale = db.get_sale(tenant_id, sale_id)
        if sale is None:
            return
        parts = _parts({**sale, "tenant_id": tenant_id})
    for k in left:
        try:
            db.transact([*parts[k], db.sale_part_done(tenant_id, sale_id, k)])
        except db.ConditionFailed as failed:
            if failed.reasons[-1:] == ["ConditionalCheckFailed"]:
                continue  # another run wrote this part
            raise


# Shelfwise's own sales export (SALES_EXPORT), read as the Superstore columns it matches.
OWN_EXPORT = {
    "Order ID": "sale_id",
    "Order Date": "sold_at",
    "Product ID": "sku",
    "Product Name": "name",
    "Sales": "revenue",
    "Quantity": "quantity",
    "Profit": "profit",
}
OWN_EXTRA = {"Category": "category", "Sub-Category": "subcategory", "Customer Name": "customer_name",
             **{column: field for column, field in CUSTOMER.items() if field not in ("name", "id", "email")},
             "Customer ID": "customer_id"}
EXACT_AT, EXACT_PRICE = "\x00at", "\x00unit_price"  # cells no file can have: the exact time and price
COST_UNKNOWN = "\x00cost_unknown"  # the file gives no cost: take the product's


def _from_own_export(rows: Iterator[tuple[int, dict[str, str]]], zone: Any) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a Shelfwise sales export as Superstore cells. An order is its first import's order
    id if it had one, else its sale id; its day is the shop's day of its exact time, which is
    kept, as is each line's unit price."""
    for row, cells in rows:
        out = {column: cells.get(field, "") for column, field in {**OWN_EXPORT, **OWN_EXTRA}.items()}
        out["Order ID"] = cells.get("external_id") or cells.get("sale_id", "")
        try:
            at = datetime.fromisoformat(cells.get("sold_at", "").replace("Z", "+00:00"))
            if at.tzinfo is None:
                raise ValueError("no time zone")
            out["Order Date"] = at.astimezone(zone).date().isoformat()
            out[EXACT_AT] = clock.iso(at)
        except (ValueError, OverflowError):
            pass  # the Order Date check says what is wrong with it
        out[EXACT_PRICE] = cells.get("unit_price", "")
        yield row, out


def _sale_line(row: int, cells: dict[str, str], decimal_comma: bool = False) -> tuple[dict[str, Any], list[RowError]]:
    bad: list[RowError] = []
    line: dict[str, Any] = {"row": row}

    def money(text: str) -> Decimal:
        return csvfiles.money(text, decimal_comma)

    def quantity(text: str) -> Decimal:
        return csvfiles.quantity(text, decimal_comma)

    def take(column: str, parse: Any, key: str) -> None:
        try:
            line[key] = parse(cells.get(column, ""))
        except ValueError as exc:
            bad.append(RowError(row=row, column=column, message=str(exc)))

    def text(limit: int, required: bool = True) -> Any:
        def parse(value: str) -> str:
            if required and not value:
                raise ValueError("is empty")
            if len(value) > limit:
                raise ValueError(f"is longer than {limit} characters")
            return value

        return parse

    take("Order ID", text(64), "order_id")
    take("Order Date", csvfiles.day, "day")
    take("Product ID", products.check_sku, "sku")
    take("Product Name", lambda v: text(200)(clean_text(v)), "name")
    take("Category", lambda v: text(100, required=False)(clean_text(v)), "category")
    take("Sub-Category", lambda v: text(100, required=False)(clean_text(v)), "subcategory")
    take("Sales", money, "revenue")
    take("Quantity", quantity, "quantity")
    take("Profit", money, "profit")
    if cells.get("Discount"):
        take("Discount", money, "discount")
    if cells.get(EXACT_PRICE):
        take(EXACT_PRICE, money, "unit_price")
    if cells.get(EXACT_AT):
        line["at"] = cells[EXACT_AT]
    # A negative quantity is a return, recorded as a negative line of imported history (its
    # amount negative too); otherwise an amount cannot be negative.
    if "quantity" in line and line["quantity"] == 0:
        bad.append(RowError(row=row, column="Quantity", message="cannot be 0"))
    if "revenue" in line and line["revenue"] < 0 and line.get("quantity", 0) > 0:
        bad.append(RowError(row=row, column="Sales", message="cannot be negative"))
    if "revenue" in line and line["revenue"] > 0 and line.get("quantity", 0) < 0:
        bad.append(RowError(row=row, column="Sales", message="must be negative or 0 for a return (negative quantity)"))
    if cells.get(COST_UNKNOWN):
        line["cost_unknown"] = True
    if "day" in line and line["day"] > clock.now().date() + timedelta(days=1):
        bad.append(RowError(row=row, column="Order Date", message="is in the future"))
    line["customer"] = {}
    for column, key in CUSTOMER.items():  # checked as a sale's customer is: no invisible characters
        if cells.get(column):
            try:
                line["customer"][key] = clean_text(cells[column])[:100]
            except ValueError as exc:
                bad.append(RowError(row=row, column=column, message=str(exc)))
    bad += _check_customer(row, line["customer"])
    line["customer"] = customers.identify(line["customer"])
    return line, bad


def _check_customer(row: int, customer: dict[str, Any]) -> list[RowError]:
    """A customer's id and email as a sale's are checked (they key the customer's record)."""
    from pydantic import TypeAdapter, ValidationError

    from chalicelib.models import CustomerId, Email

    bad = []
    for field, kind, column in (("id", CustomerId, "Customer ID"), ("email", Email, "Customer Email")):
        if customer.get(field):
            try:
                TypeAdapter(kind).validate_python(customer[field])
            except ValidationError:
                bad.append(RowError(row=row, column=column, message=f"is not a valid customer {field}"))
                del customer[field]
    return bad


def _noon(day: date, zone: Any) -> datetime:
    return datetime.combine(day, time(12), zone)


def _sale_id(order_id: str, day: date, zone: Any, at: str | None = None) -> str:
    """The same order always gets the same id: its time (noon, shop time, when the file gives only
    a date) and a hash of its order id."""
    from ulid import ULID

    when = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else _noon(day, zone)
    millis = int(when.timestamp() * 1000)
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + hashlib.sha256(order_id.encode()).digest()[:10]))


def _new_products(todo: dict[str, list[dict[str, Any]]], known: dict[str, dict[str, Any]]) -> list[ProductCreate]:
    """Products the file names that the shop does not have, priced from their first line."""
    made: dict[str, ProductCreate] = {}
    for lines in todo.values():
        for ln in lines:
            if ln["sku"] in known or ln["sku"] in made:
                continue
            discount = ln.get("discount") or Decimal(0)
            list_price = ln["revenue"] / ln["quantity"] / (1 - discount) if discount < 1 else ln["revenue"]
            made[ln["sku"]] = ProductCreate.model_validate(
                {
                    "sku": ln["sku"],
                    "name": ln["name"],
                    "category": ln.get("category") or "",
                    "subcategory": ln.get("subcategory") or "",
                    "price": list_price.quantize(Decimal("0.01")),
                    "unit_cost": max((ln["revenue"] - ln["profit"]) / ln["quantity"], Decimal(0)).quantize(
                        Decimal("0.0001")
                    ),
                }
            )
    return list(made.values())


def _chunks(
    tenant_id: str,
    day: date,
    order_ids: list[str],
    todo: dict[str, list[dict[str, Any]]],
    sale_ids: dict[str, str],
    zone: Any,
    creates: dict[str, dict[str, Any]],
    source: tuple[Any, Any] = (None, None),
) -> Iterator[tuple[date, list[dict[str, Any]]]]:
    """(day, actions) recording these orders of one day with their rollups and the new products
    they bring, in as few transactions as fit (at most 100 actions each)."""
    chunk: list[str] = []
    items: set[Any] = set()  # the rollup items the chunk adds to, besides the day's totals
    for oid in order_ids:
        theirs = sales.DayRollup.items_of(_rollup_lines(todo[oid]), todo[oid][0]["customer"])
        both = items | theirs
        # a Put per sale and its customer reference, the day's totals, the other rollup items, a
        # customer record per customer, a Put per new product
        size = (2 * (len(chunk) + 1) + 1 + len(both) + sum(1 for item in both if item in creates)
                + sum(1 for item in both if isinstance(item, tuple) and item[0] == "customer"))
        if chunk and size > MAX_ACTIONS:
            yield day, _actions(tenant_id, day, chunk, todo, sale_ids, zone, creates, source)
            chunk, both = [], theirs
        chunk.append(oid)
        items = both
    if chunk:
        yield day, _actions(tenant_id, day, chunk, todo, sale_ids, zone, creates, source)


def _customers_seen(tenant_id: str, todo: dict[str, list[dict[str, Any]]], zone: Any) -> None:
    """Before the sales: each customer of the file exists, with its first and last purchase moved
    to take in the file's (min and max: harmless if the import runs again)."""
    spans: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for lines in todo.values():
        customer = lines[0]["customer"]
        if not customer.get("customer_id"):
            continue
        at = lines[0].get("at") or clock.iso(_noon(lines[0]["day"], zone))
        first, last, profile = spans.get(customer["customer_id"], (at, at, customer))
        spans[customer["customer_id"]] = (min(first, at), max(last, at), customer if at >= last else profile)

    # A history's customers come back chunk after chunk: read them in batches (100 a request) and
    # write only those whose first and last purchase this file moves (both only ever widen, so a
    # stale read costs at most a write that was not needed).
    stored = db.get_customers(tenant_id, list(spans))
    spans = {cid: span for cid, span in spans.items()
             if not (cid in stored and (stored[cid].get("first_purchase") or "~") <= span[0]
                     and (stored[cid].get("last_purchase") or "") >= span[1])}

    def seen(span: tuple[str, tuple[str, str, dict[str, Any]]]) -> None:
        cid, (first, last, customer) = span
        profile = {k: customer[k] for k in customers.PROFILE if customer.get(k)}
        db.customer_seen(tenant_id, cid, last, profile)
        if first != last:
            db.customer_seen(tenant_id, cid, first, profile)

    with ThreadPoolExecutor(max_workers=max(get_settings().import_workers, 1)) as pool:
        list(pool.map(usage.carried(seen), spans.items()))


def _pack(chunks: Iterator[tuple[date, list[dict[str, Any]]]]) -> list[list[dict[str, Any]]]:
    """Several days per transaction (fewer requests), but never two chunks that write the same
    item (two parts of one day update that day's rollup; two days may update one customer),
    which one transaction may not do twice."""
    transactions: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    touched: set[str] = set()
    for _day, actions in chunks:
        keys = {_item_key(a) for a in actions}
        if current and (len(current) + len(actions) > MAX_ACTIONS or keys & touched):
            transactions.append(current)
            current, touched = [], set()
        current += actions
        touched |= keys
    if current:
        transactions.append(current)
    return transactions


def _item_key(action: dict[str, Any]) -> str:
    (kind, body), = action.items()
    key = body["Item"] if kind == "Put" else body["Key"]
    return f"{body['TableName']}|{key['PK']['S']}|{key['SK']['S']}"


def _rollup_lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "sku": ln["sku"],
            "name": ln["name"],
            "category": ln.get("category") or sales.UNCATEGORISED,
            "subcategory": ln.get("subcategory") or sales.UNCATEGORISED,
            "quantity": ln["quantity"],
            **({"unit": ln["unit"]} if ln.get("unit") else {}),
            "unit_price": ln.get("unit_price", (ln["revenue"] / ln["quantity"]).quantize(Decimal("0.0001"))),
            "revenue": ln["revenue"],
            "cost": ln["revenue"] - ln["profit"],
            "profit": ln["profit"],
        }
        for ln in rows
    ]


def _actions(
    tenant_id: str,
    day: date,
    order_ids: list[str],
    todo: dict[str, list[dict[str, Any]]],
    sale_ids: dict[str, str],
    zone: Any,
    creates: dict[str, dict[str, Any]],
    source: tuple[Any, Any] = (None, None),
) -> list[dict[str, Any]]:
    """The sales of these orders and, in the same transaction, what they add to the rollups:
    counted exactly once, since the sales' Puts fail if they were recorded before."""
    actions = []
    recorded = []
    rollup = sales.DayRollup()
    noon = clock.iso(_noon(day, zone))
    for oid in order_ids:
        sale = _sale_item(oid, todo[oid], sale_ids[oid], day, todo[oid][0].get("at") or noon, source)
        rollup.add(sale["lines"], todo[oid][0]["customer"])
        recorded.append(sale)
    actions += [db.sale_put(tenant_id, sale) for sale in recorded]
    actions += customers.import_actions(tenant_id, recorded)
    actions += [db.new_product(tenant_id, creates.pop(sku)) for sku in rollup.products if sku in creates]
    return actions + rollup.writes(tenant_id, day.isoformat(), sales.IMPORT_TILL)


def _write_chunk(tenant_id: str, actions: list[dict[str, Any]]) -> None:
    pending = list(actions)

    def attempt() -> None:
        try:
            db.transact(pending)
        except db.ConditionFailed as failed:
            refused = [i for i, reason in enumerate(failed.reasons) if reason == "ConditionalCheckFailed"]
            if refused and all(db.is_product_put(pending[i]) for i in refused):
                # Someone added these products meanwhile: keep theirs, record the sales.
                pending[:] = [a for i, a in enumerate(pending) if i not in refused]
                raise
            if refused:
                # These orders were recorded meanwhile (the same file imported twice at once).
                logger.warning("part of an import was already recorded; skipped", extra={"tenant_id": tenant_id})
                return
            raise  # a sale touched the same day meanwhile: try again

    retry.until_written(attempt, "The shop was too busy to finish the import; run it again to add the rest.")


# --- exports ------------------------------------------------------------------------------

PRODUCT_EXPORT = [
    "sku",
    "name",
    "category",
    "subcategory",
    "price",
    "unit_cost",
    "on_hand",
    "min_stock",
    "reorder_qty",
    "lead_time_days",
    "barcode",
    "supplier_id",
    "on_order",
    "last_sold_at",
    "created_at",
    "updated_at",
    "unit",
]
SALES_EXPORT = [
    "sale_id",
    "invoice_no",
    "sold_at",
    "sku",
    "name",
    "category",
    "subcategory",
    "quantity",
    "unit_price",
    "revenue",
    "cost",
    "profit",
    "customer_name",
    "segment",
    "region",
    "state",
    "city",
    "country",
    "customer_id",
    "external_id",
    "unit",
]


def export_products(identity: Identity) -> str:
    return csvfiles.write(PRODUCT_EXPORT, ({**p, "unit": p.get("unit") or "each"}
                                           for p in db.iter_products(identity.tenant_id)))


def export_sales(identity: Identity, first: date, last: date) -> str:
    """One row per sale line, oldest first, between two dates (the shop's days)."""
    zone = sales.shop_zone(db.get_shop(identity.tenant_id))
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone) - timedelta(milliseconds=1)
    sales_lines: list[list[dict[str, Any]]] = []  # per sale, its lines in their order
    before: str | None = None
    while True:
        page, before = db.query_sales(
            identity.tenant_id,
            first_id=sales.ulid_bound(start, False),
            last_id=sales.ulid_bound(end, True),
            limit=500,
            before_id=before,
        )
        for sale in page:
            customer = sale.get("customer") or {}
            sales_lines.append(
                [
                    {
                        **line,
                        "unit": line.get("unit") or "each",
                        "sale_id": sale["sale_id"],
                        "invoice_no": sale.get("invoice_no") or "",
                        "sold_at": sale["sold_at"],
                        "external_id": sale.get("external_id"),
                        "customer_name": customer.get("name"),
                        **{k: customer.get(k) for k in ("segment", "region", "state", "city", "country",
                                                        "customer_id")},
                    }
                    for line in sale["lines"]
                ]
            )
        if not before:
            break
    # Pages come newest first; a spreadsheet reads better oldest first. Each sale keeps its lines' order.
    return csvfiles.write(SALES_EXPORT, (line for lines in reversed(sales_lines) for line in lines))

"""Files of any layout: which fields an import knows, a mapping suggested from a file's column
names, and a POS export's rows read as the Superstore columns the sales import understands.

A mapping is {field: the file's column}. For sales the file needs a product (`sku`), a
`quantity`, a moment (`sold_at`) and either `line_total` or `unit_price`; an `order_id` groups
lines into one sale (without it every row is a sale of its own). Without `unit_cost` or
`line_cost` a line costs what its product costs in the shop.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from chalicelib import clock, csvfiles

SALES_FIELDS = ("order_id", "sold_at", "sku", "name", "quantity", "unit_price", "line_total", "unit_cost",
                "line_cost", "category", "subcategory", "customer_name", "customer_id", "segment", "region", "state",
                "city", "country")
SALES_NEEDED = ("sku", "quantity", "sold_at")
PRODUCT_FIELDS = ("sku", "name", "category", "subcategory", "price", "unit_cost", "on_hand", "min_stock",
                  "reorder_qty", "lead_time_days", "barcode", "supplier_id", "unit")
FIELDS = {"sales": SALES_FIELDS, "products": PRODUCT_FIELDS}

# Column names tills and spreadsheets use for each field (Square, Shopify, Lightspeed, Excel...),
# compared without case or punctuation; the first field a column matches takes it.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_id": ("order id", "order", "order number", "order no", "receipt", "receipt number", "receipt no",
                 "transaction id", "transaction", "invoice", "invoice no", "invoice number", "sale id", "ticket"),
    "sold_at": ("sold at", "date", "order date", "sale date", "transaction date", "created at", "paid at",
                "datetime", "date time", "time", "timestamp", "day"),
    "sku": ("sku", "product id", "item id", "item sku", "variant sku", "lineitem sku", "product code", "item code",
            "code", "article", "article number", "plu"),
    "name": ("name", "product name", "item name", "item", "product", "lineitem name", "description", "title",
             "product title"),
    "quantity": ("quantity", "qty", "lineitem quantity", "units", "units sold", "count", "quantity sold"),
    "unit_price": ("unit price", "price", "item price", "lineitem price", "sale price", "selling price",
                   "price each", "retail price"),
    "line_total": ("line total", "total", "net sales", "gross sales", "sales", "amount", "line amount", "subtotal",
                   "net total", "total price", "revenue"),
    "unit_cost": ("unit cost", "cost", "cost price", "item cost", "default unit cost", "supply price"),
    "line_cost": ("line cost", "total cost", "cost of goods", "cogs"),
    "category": ("category", "product type", "type", "department", "product category"),
    "subcategory": ("subcategory", "sub category", "sub-category"),
    "customer_name": ("customer name", "customer", "billing name", "client"),
    "customer_id": ("customer id", "customer number"),
    "segment": ("segment",),
    "region": ("region",),
    "state": ("state", "province", "billing province"),
    "city": ("city", "billing city"),
    "country": ("country", "billing country"),
    "price": ("price", "unit price", "retail price", "selling price", "sale price"),
    "on_hand": ("on hand", "stock", "quantity", "qty", "in stock", "inventory", "current quantity"),
    "min_stock": ("min stock", "minimum", "reorder point", "stock alert"),
    "reorder_qty": ("reorder qty", "reorder quantity", "order quantity"),
    "lead_time_days": ("lead time days", "lead time"),
    "barcode": ("barcode", "upc", "ean", "gtin"),
    "supplier_id": ("supplier id", "supplier", "vendor"),
    "unit": ("unit", "unit of measure", "uom", "sold by", "measure"),
}


def _plain_name(column: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", column.lower()).split())


def suggest(kind: str, header: list[str]) -> dict[str, str]:
    """{field: column} for the columns whose names say what they hold."""
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    plain = {column: _plain_name(column) for column in header}
    for field in FIELDS[kind]:
        names = {_plain_name(field), *(_plain_name(n) for n in SYNONYMS.get(field, ()))}
        for column in header:
            if column not in taken and plain[column] in names:
                mapping[field] = column
                taken.add(column)
                break
    return mapping


def problems(kind: str, columns: dict[str, str], header: list[str] | None = None) -> list[dict[str, str]]:
    """What is wrong with a mapping (unknown fields, missing needs, columns not in the file)."""
    found = [{"field": f"columns.{f}", "message": f"unknown field; use one of: {', '.join(FIELDS[kind])}"}
             for f in columns if f not in FIELDS[kind]]
    needed = SALES_NEEDED if kind == "sales" else ("sku",)
    found += [{"field": f"columns.{f}", "message": "this field must be mapped"} for f in needed if f not in columns]
    if kind == "sales" and not ({"line_total", "unit_price"} & set(columns)):
        found.append({"field": "columns.line_total", "message": "map line_total or unit_price"})
    if header is not None:
        found += [{"field": f"columns.{f}", "message": f"the file has no column {c!r}"}
                  for f, c in columns.items() if c not in header]
    return found


class SalesMapping:
    """A POS export's rows as the Superstore cells the sales import reads. Cells that do not
    read are passed on as they are, so the import's checks report them (under the file's own
    column names: `column_of`)."""

    def __init__(self, columns: dict[str, str], day_first: bool = False):
        self.columns = columns
        self.day_first = day_first
        cost = columns.get("unit_cost") or columns.get("line_cost")
        self._back = {
            "Order ID": columns.get("order_id", "Order ID"),
            "Order Date": columns["sold_at"],
            "Product ID": columns["sku"],
            "Product Name": columns.get("name", columns["sku"]),
            "Quantity": columns["quantity"],
            "Sales": columns.get("line_total") or columns["unit_price"],
            "Profit": cost or columns.get("line_total") or columns["unit_price"],
            "Category": columns.get("category", "Category"),
            "Sub-Category": columns.get("subcategory", "Sub-Category"),
            "Customer Name": columns.get("customer_name") or columns.get("customer_id") or "Customer Name",
            **{k.title(): columns.get(k, k.title()) for k in ("segment", "region", "state", "city", "country")},
        }

    def column_of(self, superstore_column: str) -> str:
        return self._back.get(superstore_column, superstore_column)

    def order_key(self, cells: dict[str, str], row: int) -> str:
        column = self.columns.get("order_id")
        return cells.get(column, "") if column else f"row {row}"

    def rows(
        self, rows: Iterator[tuple[int, dict[str, str]]], decimal_comma: bool, zone: Any
    ) -> Iterator[tuple[int, dict[str, str]]]:
        from chalicelib.services.imports import COST_UNKNOWN, EXACT_AT

        c = self.columns

        def cell(cells: dict[str, str], field: str) -> str:
            return cells.get(c[field], "") if field in c else ""

        def write(number: Decimal) -> str:
            text = format(number, "f")
            return text.replace(".", ",") if decimal_comma else text

        for row, cells in rows:
            out: dict[str, str] = {}
            if "order_id" in c:
                out["Order ID"] = cell(cells, "order_id")
            else:  # each row a sale of its own, named by what it holds (the same again on a re-run)
                content = "\x1f".join(cells.get(h, "") for h in sorted(cells))
                out["Order ID"] = "row-" + hashlib.sha256(content.encode()).hexdigest()[:20]
            when = cell(cells, "sold_at")
            try:
                day, at = csvfiles.moment(when, self.day_first)
                out["Order Date"] = day.isoformat()
                if at is not None:
                    out[EXACT_AT] = clock.iso(at.replace(tzinfo=zone) if at.tzinfo is None else at)
            except ValueError:
                out["Order Date"] = when  # the import's date check reports it
            out["Product ID"] = cell(cells, "sku")
            out["Product Name"] = cell(cells, "name") or cell(cells, "sku")
            out["Quantity"] = cell(cells, "quantity")
            sales = cell(cells, "line_total")
            quantity: Decimal | None = None
            try:
                quantity = csvfiles.quantity(out["Quantity"], decimal_comma)
            except ValueError:
                pass
            if "line_total" not in c:
                sales = cell(cells, "unit_price")
                try:
                    if quantity is not None:
                        sales = write(csvfiles.money(sales, decimal_comma) * quantity)
                except ValueError:
                    pass  # the raw price goes on: the import says it is not an amount
            out["Sales"] = sales
            cost = cell(cells, "unit_cost") or cell(cells, "line_cost")
            out["Profit"] = sales
            if "unit_cost" in c or "line_cost" in c:
                try:
                    amount = csvfiles.money(cost, decimal_comma) if cost else Decimal(0)
                    line_cost = amount * quantity if "unit_cost" in c and quantity is not None else amount
                    out["Profit"] = write(csvfiles.money(sales, decimal_comma) - line_cost)
                except ValueError:
                    out["Profit"] = cost or sales
            else:
                out[COST_UNKNOWN] = "1"
            out["Category"] = cell(cells, "category")
            out["Sub-Category"] = cell(cells, "subcategory")
            out["Customer Name"] = cell(cells, "customer_name") or cell(cells, "customer_id")
            for field in ("segment", "region", "state", "city", "country"):
                out[field.title()] = cell(cells, field)
            yield row, out

"""A purchase order as the supplier receives it: HTML and plain text, from the shop, by email."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

CENT = Decimal("0.01")


def address_lines(address: Any) -> list[str]:
    """The shop's address as lines, however shop settings keep it (text, lines, or fields); none if unset."""
    if not address:
        return []
    if isinstance(address, str):
        return [line.strip() for line in address.splitlines() if line.strip()]
    if isinstance(address, dict):
        return [str(v).strip() for v in address.values() if v and str(v).strip()]
    if isinstance(address, list):
        return [str(v).strip() for v in address if v and str(v).strip()]
    return [str(address)]


def _money(amount: Decimal, currency: str) -> str:
    return f"{Decimal(amount).quantize(CENT):,} {currency}"


def _quantity(value: Any) -> str:
    number = Decimal(str(value))
    return f"{number.normalize():f}" if number != number.to_integral_value() else str(int(number))


def lines_of(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**ln, "line_total": Decimal(str(ln["quantity"])) * Decimal(str(ln["unit_cost"]))} for ln in order["lines"]
    ]


def subject(shop_name: str, order: dict[str, Any]) -> str:
    return f"Purchase order {order['po_id']} from {shop_name}"


def text(shop: dict[str, Any], order: dict[str, Any], supplier_name: str) -> str:
    currency = shop.get("currency", "USD")
    rows = lines_of(order)
    out = [f"Purchase order {order['po_id']}", "", f"From: {shop.get('shop_name', '')}",
           *(f"      {line}" for line in address_lines(shop.get("address"))), f"To: {supplier_name}", ""]
    out += ["Please supply:", ""]
    for ln in rows:
        out.append(f"- {ln['sku']}  {ln['name']}: {_quantity(ln['quantity'])} x {_money(ln['unit_cost'], currency)}"
                   f" = {_money(ln['line_total'], currency)}")
    out += ["", f"Total: {_money(sum((ln['line_total'] for ln in rows), Decimal(0)), currency)}"]
    if order.get("note"):
        out += ["", f"Note: {order['note']}"]
    out += ["", "Please quote the order number on your delivery note and invoice. Reply to this email with "
                "any question."]
    return "\n".join(out)


def html(shop: dict[str, Any], order: dict[str, Any], supplier_name: str) -> str:
    currency = shop.get("currency", "USD")
    rows = lines_of(order)
    cell = "padding:8px 4px;border-bottom:1px solid #ddd"
    body = "".join(
        f"<tr><td style='{cell}'>{escape(ln['sku'])}</td><td style='{cell}'>{escape(ln['name'])}</td>"
        f"<td style='{cell};text-align:right'>{_quantity(ln['quantity'])}</td>"
        f"<td style='{cell};text-align:right'>{_money(ln['unit_cost'], currency)}</td>"
        f"<td style='{cell};text-align:right'>{_money(ln['line_total'], currency)}</td></tr>"
        for ln in rows
    )
    total = _money(sum((ln["line_total"] for ln in rows), Decimal(0)), currency)
    address = "<br>".join(escape(line) for line in address_lines(shop.get("address")))
    note = f"<p style='margin:12px 0'>Note: {escape(order['note'])}</p>" if order.get("note") else ""
    head = "text-align:left;padding:4px"
    return f"""<!doctype html><html><body style="margin:0;padding:16px;font-family:system-ui,-apple-system,
Segoe UI,Roboto,sans-serif;color:#111;max-width:640px">
<h1 style="font-size:20px;margin:0 0 8px">Purchase order {escape(order['po_id'])}</h1>
<p style="margin:0 0 12px"><strong>{escape(shop.get('shop_name', ''))}</strong>{'<br>' + address if address else ''}</p>
<p style="margin:0 0 12px">To: {escape(supplier_name)}. Please supply:</p>
<table style="width:100%;border-collapse:collapse;font-size:15px">
<tr><th style="{head}">SKU</th><th style="{head}">Product</th><th style="{head};text-align:right">Quantity</th>
<th style="{head};text-align:right">Unit cost</th><th style="{head};text-align:right">Total</th></tr>{body}
<tr><td colspan="4" style="padding:8px 4px;text-align:right"><strong>Total</strong></td>
<td style="padding:8px 4px;text-align:right"><strong>{total}</strong></td></tr></table>{note}
<p style="color:#555;font-size:13px">Please quote the order number on your delivery note and invoice. Reply to
this email with any question.</p></body></html>"""

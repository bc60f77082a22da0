"""The stock digest: one email per shop per run, HTML and plain text, made for a phone: products
at or below their minimum, and products newly expected to run out before a delivery could arrive."""

from __future__ import annotations

from html import escape
from typing import Any


def subject(shop_name: str, due: list[dict[str, Any]], risks: list[dict[str, Any]] | None = None) -> str:
    if not due:
        return forecast_subject(shop_name, risks or [])
    noun = "product is" if len(due) == 1 else "products are"
    out = f"Low stock at {shop_name}: {len(due)} {noun} at or below minimum"
    if risks:
        out += f", {len(risks)} will run out before a delivery could arrive"
    return out


def text(shop_name: str, due: list[dict[str, Any]], on_order: list[dict[str, Any]], link: str,
         risks: list[dict[str, Any]] | None = None, risk_link: str = "") -> str:
    if not due:
        return forecast_text(shop_name, risks or [], risk_link or link)
    body = _low_text(shop_name, due, on_order, link)
    if not risks:
        return body
    return body + "\n\n" + forecast_text(shop_name, risks, risk_link or link, also=True)


def _low_text(shop_name: str, due: list[dict[str, Any]], on_order: list[dict[str, Any]], link: str) -> str:
    lines = [f"{shop_name}: these products have fallen to their minimum stock.", ""]
    for p in due:
        lines.append(
            f"- {p['name']} ({p['sku']})" + (f" at {p['location']}" if p.get("location") else "")
            + f": {p['on_hand']} on hand, minimum {p['min_stock']}. "
            f"Suggested reorder: {p['suggested']}"
            + (f" from {p['supplier']}" if p.get("supplier") else "")
            + (f" ({p['on_order']} already on order)" if p.get("on_order") else "")
            + "."
            + ("".join(f" Suggested transfer: {qty} from {where} first." for where, qty in p["transfer"])
               if p.get("transfer") else
               "".join(f" {qty} spare at {where}: a transfer could cover it." for where, qty in p.get("spare") or []))
        )
    if on_order:
        lines += ["", "Also low, but covered by open purchase orders:"]
        lines += [f"- {p['name']} ({p['sku']})" + (f" at {p['location']}" if p.get("location") else "")
                  + f": {p['on_hand']} on hand, {p['on_order']} on order." for p in on_order]
    lines += [
        "",
        f"See everything that is low: {link}",
        "",
        "You get one email when a product falls to its minimum; it is not repeated until the product "
        "has been restocked above its minimum and falls again.",
    ]
    return "\n".join(lines)


def html(shop_name: str, due: list[dict[str, Any]], on_order: list[dict[str, Any]], link: str,
         risks: list[dict[str, Any]] | None = None, risk_link: str = "") -> str:
    if not due:
        return forecast_html(shop_name, risks or [], risk_link or link)
    body = _low_html(shop_name, due, on_order, link)
    if not risks:
        return body
    return body.replace("</body></html>", _risk_section(risks, risk_link or link) + "</body></html>")


def _low_html(shop_name: str, due: list[dict[str, Any]], on_order: list[dict[str, Any]], link: str) -> str:
    cell = "padding:8px 4px;border-bottom:1px solid #ddd"
    rows = "".join(
        f"<tr><td style='{cell}'><strong>{escape(p['name'])}</strong><br>"
        f"<span style='color:#555;font-size:13px'>{escape(p['sku'])}"
        + (f" · {escape(p['supplier'])}" if p.get("supplier") else "")
        + (f" · at <strong>{escape(p['location'])}</strong>" if p.get("location") else "")
        + ("".join(f" · <strong>move {qty} from {escape(where)}</strong> first" for where, qty in p["transfer"])
           if p.get("transfer")
           else "".join(f" · {qty} spare at {escape(where)}" for where, qty in p.get("spare") or []))
        + "</span></td>"
        f"<td style='{cell};text-align:right'>{p['on_hand']} / {p['min_stock']}</td>"
        f"<td style='{cell};text-align:right'><strong>{p['suggested']}</strong></td></tr>"
        for p in due
    )
    held = ""
    if on_order:
        items = "".join(
            f"<li>{escape(p['name'])} ({escape(p['sku'])})"
            + (f" at {escape(p['location'])}" if p.get("location") else "")
            + f": {p['on_hand']} on hand, {p['on_order']} on order</li>"
            for p in on_order
        )
        held = f"<p style='margin:16px 0 4px'>Also low, but covered by open purchase orders:</p><ul>{items}</ul>"
    return f"""<!doctype html><html><body style="margin:0;padding:16px;font-family:system-ui,-apple-system,
Segoe UI,Roboto,sans-serif;color:#111;max-width:600px">
<h1 style="font-size:20px;margin:0 0 8px">{escape(shop_name)}: low stock</h1>
<p style="margin:0 0 12px">These products have fallen to their minimum stock.</p>
<table style="width:100%;border-collapse:collapse;font-size:15px">
<tr><th style="text-align:left;padding:4px">Product</th><th style="text-align:right;padding:4px">On hand / min</th>
<th style="text-align:right;padding:4px">Reorder</th></tr>{rows}</table>{held}
<p style="margin:20px 0"><a href="{escape(link)}" style="display:inline-block;background:#0b6bcb;color:#fff;
padding:12px 18px;border-radius:8px;text-decoration:none;font-weight:600">See low stock</a></p>
<p style="color:#555;font-size:13px">One email when a product falls to its minimum; not repeated until it has
been restocked above its minimum and falls again.</p></body></html>"""


# --- products expected to run out before a delivery could arrive (the nightly forecast) ---


def _will_run_out(p: dict[str, Any]) -> str:
    return (f"{p['name']} ({p['sku']}): {p['on_hand']} on hand"
            + (f", {p['on_order']} on order" if p.get("on_order") else "")
            + f"; expected to run out on {p['runs_out_on']}, a delivery takes {p['lead_time_days']} days. "
            + f"Suggested order: {p['suggested']}" + (f" from {p['supplier']}" if p.get("supplier") else "") + ".")


def forecast_subject(shop_name: str, lines: list[dict[str, Any]]) -> str:
    noun = "product" if len(lines) == 1 else "products"
    return f"Order now at {shop_name}: {len(lines)} {noun} will run out before a delivery could arrive"


def forecast_text(shop_name: str, lines: list[dict[str, Any]], link: str, also: bool = False) -> str:
    what = "at the rate they sell, these will run out before a delivery ordered today could arrive"
    head = f"Also, {what}:" if also else f"{shop_name}: {what}."
    out = [head, ""]
    out += [f"- {_will_run_out(p)}" for p in lines]
    out += ["", f"Reorder suggestions: {link}", "",
            "You get one email per product; it is not repeated until the product has been restocked."]
    return "\n".join(out)


def _risk_section(lines: list[dict[str, Any]], link: str) -> str:
    items = "".join(f"<li style='margin:6px 0'>{escape(_will_run_out(p))}</li>" for p in lines)
    return (f"<h2 style='font-size:17px;margin:20px 0 8px'>Will run out before a delivery could arrive</h2>"
            f"<ul style='padding-left:18px'>{items}</ul><p><a href='{escape(link)}'>Reorder suggestions</a> · "
            "one email per product; not repeated until it has been restocked.</p>")


def forecast_html(shop_name: str, lines: list[dict[str, Any]], link: str) -> str:
    items = "".join(f"<li style='margin:6px 0'>{escape(_will_run_out(p))}</li>" for p in lines)
    return f"""<!doctype html><html><body style="margin:0;padding:16px;font-family:system-ui,-apple-system,
Segoe UI,Roboto,sans-serif;color:#111;max-width:600px">
<h1 style="font-size:20px;margin:0 0 8px">{escape(shop_name)}: will run out</h1>
<p style="margin:0 0 12px">At the rate they sell, these will run out before a delivery ordered today could arrive.</p>
<ul style="padding-left:18px">{items}</ul>
<p style="margin:20px 0"><a href="{escape(link)}" style="display:inline-block;background:#0b6bcb;color:#fff;
padding:12px 18px;border-radius:8px;text-decoration:none;font-weight:600">Reorder</a></p>
<p style="color:#555;font-size:13px">One email per product; not repeated until it has been restocked.</p>
</body></html>"""

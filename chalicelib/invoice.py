"""A sale's printable invoice: one self-contained HTML page that reads well on a phone and on paper."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from chalicelib.models import Sale

CENT = Decimal("0.01")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Invoice {number} · {shop}</title>
<style>
  :root {{ color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
  body {{ margin: 0 auto; max-width: 720px; padding: 16px; color: #111; background: #fff; line-height: 1.4; }}
  header {{ display: flex; flex-wrap: wrap; justify-content: space-between; gap: 8px; align-items: baseline;
           border-bottom: 2px solid #111; padding-bottom: 8px; margin-bottom: 16px; }}
  h1 {{ font-size: 1.4rem; margin: 0; }}
  .meta {{ text-align: right; font-size: .95rem; }}
  .meta strong {{ font-size: 1.1rem; }}
  table {{ width: 100%; border-collapse: collapse; font-size: .95rem; }}
  th, td {{ padding: 8px 4px; border-bottom: 1px solid #ddd; vertical-align: top; }}
  th {{ text-align: left; font-weight: 600; }}
  .num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}
  .sku {{ color: #555; font-size: .85rem; display: block; }}
  tfoot td {{ border-bottom: none; font-weight: 600; }}
  tfoot .grand td {{ font-size: 1.15rem; border-top: 2px solid #111; }}
  .customer {{ margin: 0 0 16px; }}
  footer {{ margin-top: 24px; color: #555; font-size: .85rem; }}
  .print {{ margin-top: 16px; padding: 12px 20px; font-size: 1rem; border-radius: 8px; border: 1px solid #111;
           background: #111; color: #fff; }}
  @media (max-width: 480px) {{ .unit {{ display: none; }} }}
  @media print {{ .print {{ display: none; }} body {{ padding: 0; }} }}
</style>
</head>
<body>
<header>
  <h1>{shop}</h1>
  <div class="meta"><strong>Invoice {number}</strong><br>{date}</div>
</header>
{customer}
<table>
  <thead>
    <tr><th>Item</th><th class="num">Qty</th><th class="num unit">Unit price</th><th class="num">Amount</th></tr>
  </thead>
  <tbody>
{rows}
  </tbody>
  <tfoot>
    <tr class="grand"><td colspan="2">Total</td><td class="unit"></td><td class="num">{total}</td></tr>
  </tfoot>
</table>
<footer>Sale {sale_id} · {units} item{plural}</footer>
<button class="print" onclick="window.print()">Print</button>
</body>
</html>
"""


def money(value: Decimal) -> str:
    return f"{value.quantize(CENT):,}"


def render(shop: dict[str, Any], sale: Sale, local_time: datetime) -> str:
    rows = "\n".join(
        f'    <tr><td>{escape(line.name)}<span class="sku">{escape(line.sku)}</span></td>'
        f'<td class="num">{line.quantity}</td><td class="num unit">{money(line.unit_price)}</td>'
        f'<td class="num">{money(line.revenue)}</td></tr>'
        for line in sale.lines
    )
    customer = ""
    if sale.customer:
        parts = [sale.customer.get(k) for k in ("name", "city", "state", "country")]
        text = ", ".join(escape(p) for p in parts if p)
        if text:
            customer = f'<p class="customer">Customer: {text}</p>'
    return PAGE.format(
        shop=escape(shop.get("shop_name", "")),
        number=sale.invoice_no,
        date=local_time.strftime("%d %b %Y, %H:%M"),
        customer=customer,
        rows=rows,
        total=money(sale.total),
        sale_id=escape(sale.sale_id),
        units=sale.units,
        plural="" if sale.units == 1 else "s",
    )

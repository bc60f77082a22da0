"""A sale's printable invoice: one self-contained HTML page that reads well on a phone and on paper."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from chalicelib.models import Return, Sale, SaleLine

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
  .shop-line {{ margin: 2px 0 0; font-size: .9rem; color: #333; }}
  .note {{ color: #555; font-size: .85rem; }}
  .credit {{ margin-top: 24px; border-top: 1px dashed #111; padding-top: 8px; }}
  .credit h2 {{ font-size: 1.1rem; margin: 0 0 4px; }}
  .feedback {{ display: flex; gap: 12px; align-items: center; margin-top: 20px; font-size: .9rem; }}
  .feedback svg {{ width: 112px; height: 112px; flex: none; }}
  .feedback a {{ word-break: break-all; }}
  @media print {{
    .print {{ display: none; }}
    body {{ padding: 0; max-width: none; font-size: 11pt; }}
    tr {{ break-inside: avoid; }}
    .credit {{ break-before: auto; }}
    @page {{ margin: 14mm; }}
  }}
</style>
</head>
<body>
<header>
  <div><h1>{shop}</h1>{shop_lines}</div>
  <div class="meta"><strong>Invoice {number}</strong><br>{date}</div>
</header>
{customer}
<table>
  <thead>
    <tr><th>Item</th><th class="num">Qty</th><th class="num unit">Unit price</th><th class="num">Discount</th>
    <th class="num unit">Tax</th><th class="num">Amount</th></tr>
  </thead>
  <tbody>
{rows}
  </tbody>
  <tfoot>
    <tr><td colspan="5">Subtotal</td><td class="num">{subtotal}</td></tr>
    <tr><td colspan="5">Discounts</td><td class="num">{discounts}</td></tr>
{tax_rows}
    <tr class="grand"><td colspan="5">Total ({currency})</td><td class="num">{total}</td></tr>
    <tr><td colspan="5">Paid by {payment}</td><td class="num">{total}</td></tr>
  </tfoot>
</table>
<p class="note">{tax_note}</p>
{credit_notes}
{feedback}
<footer>Sale {sale_id} · {units} item{plural}</footer>
<button class="print" onclick="window.print()">Print</button>
</body>
</html>
"""


def money(value: Decimal) -> str:
    return f"{value.quantize(CENT):,}"


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"


def quantity(line: SaleLine) -> str:
    unit = "" if line.unit == "each" else f" {line.unit}"
    return f"{line.quantity.normalize():f}{unit}"


def render(shop: dict[str, Any], sale: Sale, local_time: datetime, zone: Any = None,
           feedback_url: str | None = None) -> str:
    """The invoice: the shop as it names itself, each line with quantity, unit, price, discount and
    tax rate, tax by rate, what was paid and how; returns follow as credit notes."""
    rows = "\n".join(
        f'    <tr><td>{escape(line.name)}<span class="sku">{escape(line.sku)}</span></td>'
        f'<td class="num">{escape(quantity(line))}</td><td class="num unit">{money(line.unit_price)}</td>'
        f'<td class="num">{money(line.discount) if line.discount else ""}</td>'
        f'<td class="num unit">{percent(line.tax_rate)}</td>'
        f'<td class="num">{money(line.gross - line.discount)}</td></tr>'
        for line in sale.lines
    )
    by_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in sale.lines:
        by_rate[line.tax_rate][0] += line.revenue
        by_rate[line.tax_rate][1] += line.tax
    tax_rows = "\n".join(
        f'    <tr><td colspan="5">Tax {percent(rate)} on {money(base)}</td><td class="num">{money(tax)}</td></tr>'
        for rate, (base, tax) in sorted(by_rate.items())
        if rate or tax
    )
    customer = ""
    if sale.customer:
        parts = [sale.customer.get(k) for k in ("name", "city", "state", "country")]
        text = ", ".join(escape(p) for p in parts if p)
        if text:
            customer = f'<p class="customer">Customer: {text}</p>'
    shop_lines = "".join(
        f'<p class="shop-line">{label}{escape(str(shop[key]))}</p>'
        for key, label in (("address", ""), ("tax_id", "Tax id: "))
        if shop.get(key)
    )
    return PAGE.format(
        shop=escape(shop.get("shop_name", "")),
        shop_lines=shop_lines,
        number=sale.invoice_no,
        date=local_time.strftime("%d %b %Y, %H:%M"),
        customer=customer,
        rows=rows,
        subtotal=money(sale.subtotal),
        discounts=money(-sale.discount_total) if sale.discount_total else money(Decimal(0)),
        tax_rows=tax_rows,
        currency=escape(shop.get("currency") or "USD"),
        total=money(sale.total),
        payment=escape(sale.payment_method),
        tax_note="Prices include tax." if sale.prices_include_tax else "Tax is added to the prices shown.",
        credit_notes="\n".join(_credit_note(sale, r, shop, zone) for r in sale.returns),
        feedback=_feedback(feedback_url) if feedback_url else "",
        sale_id=escape(sale.sale_id),
        units=f"{sale.units.normalize():f}",
        plural="" if sale.units == 1 else "s",
    )


def _credit_note(sale: Sale, ret: Return, shop: dict[str, Any], zone: Any) -> str:
    when = datetime.fromisoformat(ret.returned_at.replace("Z", "+00:00"))
    if zone is not None:
        when = when.astimezone(zone)
    names = {line.sku: line.name for line in sale.lines}
    rows = "\n".join(
        f'    <tr><td>{escape(names.get(x.sku, x.sku))}<span class="sku">{escape(x.sku)}'
        f'{" · " + escape(x.reason) if x.reason else ""}</span></td>'
        f'<td class="num">{x.quantity.normalize():f}</td>'
        f'<td class="num">{"restocked" if x.restocked else "written off"}</td>'
        f'<td class="num">-{money(x.refund)}</td></tr>'
        for x in ret.lines
    )
    return (
        f'<section class="credit"><h2>Credit note {escape(ret.return_id)}</h2>'
        f'<p>{when.strftime("%d %b %Y, %H:%M")} · against invoice {sale.invoice_no} · refunded by '
        f'{escape(ret.refund_method)}</p><table><tbody>\n{rows}\n</tbody><tfoot><tr class="grand">'
        f'<td colspan="3">Refund ({escape(shop.get("currency") or "USD")})</td>'
        f'<td class="num">-{money(ret.refund_total)}</td></tr></tfoot></table></section>'
    )


def _feedback(url: str) -> str:
    """The buyer's feedback link as a QR code, drawn here (segno, imported only for invoices; no
    network call) as inline SVG, with the link in words for those who cannot scan."""
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    return (f'<section class="feedback">{svg}<p>How was it? Rate what you bought:<br>'
            f'<a href="{escape(url)}">{escape(url)}</a></p></section>')

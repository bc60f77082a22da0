// One sale and a link to its printable invoice.

import { get, seg } from "../api.js";
import { h } from "../dom.js";
import { dateTime, money, number } from "../format.js";
import { kv, linkButton } from "../ui.js";

export default async function render({ root, params, signal }) {
  const sale = await get(`/sales/${seg(params.id)}`, {}, { signal });
  const customer = sale.customer || {};
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/sales", "aria-label": "Back to sales" }, "‹"),
      h("h1", { tabindex: "-1" }, sale.invoice_no ? `Sale · invoice ${sale.invoice_no}` : "Sale")),
    h("p", { class: "muted", style: "margin-top:-8px" }, dateTime(sale.sold_at)),
    h("div", { class: "actions" }, linkButton("Printable invoice", `#/sales/${encodeURIComponent(sale.sale_id)}/invoice`, "primary")),
    h("section", { class: "card" }, h("h2", null, "Lines"),
      h("div", { class: "table-wrap" }, h("table", null,
        h("thead", null, h("tr", null, h("th", null, "Product"), h("th", { class: "n" }, "Qty"), h("th", { class: "n" }, "Price"), h("th", { class: "n" }, "Total"))),
        h("tbody", null, sale.lines.map((l) => h("tr", null,
          h("td", null, h("a", { href: `#/products/${encodeURIComponent(l.sku)}` }, l.name || l.sku)),
          h("td", { class: "n" }, number(l.quantity)),
          h("td", { class: "n" }, money(l.unit_price)),
          h("td", { class: "n" }, money(l.revenue))))),
        h("tfoot", null, h("tr", null, h("td", { colspan: "3" }, "Total"), h("td", { class: "n" }, money(sale.total))))))),
    h("section", { class: "card" }, kv([
      sale.profit !== undefined ? ["Profit", money(sale.profit)] : null,
      sale.cost !== undefined ? ["Cost", money(sale.cost)] : null,
      ["Items", number(sale.units)],
      ...Object.entries(customer).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v]),
    ])));
}

// One customer: totals, RFM group, "last bought N days ago", recent sales, top products.

import { del, get } from "../api.js";
import { h } from "../dom.js";
import { count, dateTime, money, number } from "../format.js";
import { button, errorBlock, kv } from "../ui.js";
import { groupLabel } from "./customers.js";

export default async function render({ root, params, signal }) {
  const c = await get(`/customers/${encodeURIComponent(params.id)}`, undefined, { signal });
  const days = c.days_since_last;
  const last = days === null || days === undefined ? "never" : days === 0 ? "today" : `${count(days, "day")} ago`;
  const error = h("div");
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/customers", "aria-label": "Back to customers" }, "‹"),
      h("h1", { tabindex: "-1" }, c.name || c.customer_id)),
    h("p", { class: "muted", style: "margin-top:-8px" }, [c.customer_id, c.segment, c.city, c.country].filter(Boolean).join(" · ")),
    h("section", { class: "figures", "aria-label": "Totals" },
      h("div", { class: "figure" }, h("span", { class: "label" }, "Revenue"), h("span", { class: "value" }, money(c.revenue))),
      h("div", { class: "figure" }, h("span", { class: "label" }, "Profit"), h("span", { class: "value" }, money(c.profit)))),
    h("section", { class: "card" }, kv([
      ["Last bought", h("span", { "data-last-bought": "" }, last)],
      ["Orders", number(c.orders)],
      ["Group", c.rfm ? `${groupLabel(c.rfm.group)} (RFM ${c.rfm.score})` : "not scored yet (nightly)"],
      ["First purchase", c.first_purchase ? dateTime(c.first_purchase) : "–"],
      ["Refunded", money(c.returns || 0)],
      ["Email", c.email || "–"],
    ])),
    h("section", { class: "card", "aria-labelledby": "top-title" }, h("h2", { id: "top-title" }, "Buys most"),
      h("ul", { class: "list" }, c.top_products.map((p) => h("li", null, h("a", { class: "row chev", href: `#/products/${encodeURIComponent(p.sku)}` },
        h("div", { class: "main" }, h("div", { class: "title" }, p.name), h("div", { class: "sub" }, `${count(p.orders, "order")} · ${number(p.units)} units`)),
        h("div", { class: "num" }, money(p.revenue))))))),
    h("section", { class: "card", "aria-labelledby": "sales-title" }, h("h2", { id: "sales-title" }, "Sales"),
      h("ul", { class: "list" }, c.sales.map((s) => h("li", null, h("a", { class: "row chev", href: `#/sales/${s.sale_id}` },
        h("div", { class: "main" }, h("div", { class: "title" }, dateTime(s.sold_at)), h("div", { class: "sub" }, count(s.lines, "line"))),
        h("div", { class: "num" }, money(s.revenue))))))),
    error,
    button("Forget this customer", { kind: "block danger", onclick: async () => {
      if (!window.confirm("Forget this person's name, email and city? Their sales stay in the figures.")) return;
      try { await del(`/customers/${encodeURIComponent(c.customer_id)}`); window.location.reload(); } catch (err) { error.replaceChildren(errorBlock(err)); }
    } }));
}

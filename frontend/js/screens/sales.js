// Sales history for a date range, newest first.

import { get } from "../api.js";
import { replaceQuery } from "../app.js";
import { h } from "../dom.js";
import { addDays, count, dateTime, dayISO, money } from "../format.js";
import { busy, emptyState, field, linkButton, pagedList, showErrors } from "../ui.js";

export default async function render({ root, query, signal }) {
  const today = dayISO();
  const range = { from: query.from || addDays(today, -6), to: query.to || today };
  const list = pagedList({
    label: "Sales",
    loadPage: (cursor) => get("/sales", { ...range, limit: 50, cursor }, { signal }),
    renderItem: (s) => h("li", null, h("a", { class: "row chev", href: `#/sales/${encodeURIComponent(s.sale_id)}`, "data-sale": s.sale_id },
      h("div", { class: "main" },
        h("div", { class: "title" }, s.lines.map((l) => `${l.quantity} × ${l.name || l.sku}`).join(", ")),
        h("div", { class: "sub" }, `${dateTime(s.sold_at)}${s.invoice_no ? ` · invoice ${s.invoice_no}` : ""}`)),
      h("div", { class: "end" }, h("b", null, money(s.total)), h("div", { class: "sub" }, count(s.units, "item"))))),
    empty: () => emptyState({ title: "No sales in these dates", actions: [linkButton("Sell", "#/sell", "primary")] }),
  });
  const submit = h("button", { class: "btn", type: "submit", style: "grid-column:1/-1" }, "Show");
  const form = h("form", { class: "grid2", novalidate: true },
    field({ label: "From", name: "from", kind: "date", value: range.from, required: true }),
    field({ label: "To", name: "to", kind: "date", value: range.to, required: true }),
    submit);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (form.from.value > form.to.value) {
      showErrors(form, { message: "The start date must be on or before the end date.", details: [{ field: "to", message: "must not be before the start" }] });
      return;
    }
    range.from = form.from.value;
    range.to = form.to.value;
    replaceQuery(range);
    busy(submit, "Loading…", () => list.reload());
  });
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Sales"),
      linkButton("Export", "#/export", "small")),
    form, list.element);
  await list.ready;
}

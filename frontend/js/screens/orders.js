// Purchase orders, newest first, filtered by status.

import { get } from "../api.js";
import { replaceQuery } from "../app.js";
import { h } from "../dom.js";
import { STATUS_LABELS, count, date, money } from "../format.js";
import { emptyState, field, linkButton, pagedList } from "../ui.js";

export function statusBadge(status) {
  const kind = { draft: "", ordered: "warn", shipped: "warn", partially_received: "warn", received: "ok", cancelled: "" }[status];
  return h("span", { class: `badge ${kind || ""}`, "data-status": status }, STATUS_LABELS[status] || status);
}

export default async function render({ root, query, signal }) {
  let status = STATUS_LABELS[query.status] ? query.status : "";
  const filter = field({ label: "Status", name: "status", kind: "select", value: status, optional: false,
    options: [["", "All orders"], ...Object.entries(STATUS_LABELS)] });
  const list = pagedList({
    label: "Purchase orders",
    loadPage: (cursor) => get("/purchase-orders", { status, limit: 50, cursor }, { signal }),
    renderItem: (po) => h("li", null, h("a", { class: "row chev", href: `#/orders/${encodeURIComponent(po.po_id)}`, "data-po": po.po_id },
      h("div", { class: "main" },
        h("div", { class: "title" }, po.supplier_name, " ", statusBadge(po.status)),
        h("div", { class: "sub" }, `${date(po.created_at)} · ${count(po.lines.length, "line")}`)),
      po.total !== undefined ? h("div", { class: "end" }, money(po.total)) : null)),
    empty: () => status
      ? h("p", { class: "muted", style: "padding:12px 0" }, "No orders with this status.")
      : emptyState({
        title: "No purchase orders yet",
        text: "Order stock from your suppliers here, then receive it when it arrives.",
        actions: [linkButton("New order", "#/orders/new", "primary"), linkButton("Suppliers", "#/suppliers")],
      }),
  });
  filter.querySelector("select").addEventListener("change", (e) => {
    status = e.target.value;
    replaceQuery({ status });
    list.reload();
  });
  root.append(
    h("header", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Orders"),
      linkButton("New", "#/orders/new", "primary small")),
    h("div", { class: "actions" }, linkButton("Suppliers", "#/suppliers"), linkButton("Running low", "#/products?low=1")),
    filter, list.element);
  await list.ready;
}

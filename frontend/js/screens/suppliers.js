// Suppliers: list and add.

import { get } from "../api.js";
import { h } from "../dom.js";
import { count } from "../format.js";
import { emptyState, linkButton, pagedList } from "../ui.js";

export default async function render({ root, signal }) {
  const list = pagedList({
    label: "Suppliers",
    loadPage: (cursor) => get("/suppliers", { limit: 50, cursor }, { signal }),
    renderItem: (s) => h("li", null, h("a", { class: "row chev", href: `#/suppliers/${encodeURIComponent(s.supplier_id)}` },
      h("div", { class: "main" },
        h("div", { class: "title" }, s.name),
        h("div", { class: "sub" }, [s.email, s.phone, s.lead_time_days != null ? `${count(s.lead_time_days, "day")} lead time` : null].filter(Boolean).join(" · ") || "No contact details")))),
    empty: () => emptyState({
      title: "No suppliers yet",
      text: "Add the companies you buy stock from, to send them purchase orders.",
      actions: [linkButton("Add a supplier", "#/suppliers/new", "primary")],
    }),
  });
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/orders", "aria-label": "Back to orders" }, "‹"),
      h("h1", { tabindex: "-1" }, "Suppliers"),
      linkButton("Add", "#/suppliers/new", "primary small")),
    list.element);
  await list.ready;
}

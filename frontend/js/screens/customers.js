// Customers: top customers, RFM groups, search. Everything shown as text (never as HTML).

import { get } from "../api.js";
import { debounce, fill, h } from "../dom.js";
import { ago, count, money } from "../format.js";
import { emptyState, pagedList } from "../ui.js";

const GROUPS = ["champions", "loyal", "promising", "new", "at_risk", "hibernating", "lost"];
export const groupLabel = (g) => (g ? g.replace("_", " ") : "not scored yet");

export default async function render({ root, query, signal }) {
  const state = { q: query.q || "", group: query.group || "", sort: query.sort || "revenue" };
  const listBox = h("div");
  const search = h("input", { type: "search", placeholder: "Search name, email, city", value: state.q,
    "aria-label": "Search customers" });
  const group = h("select", { "aria-label": "Group" },
    h("option", { value: "" }, "All groups"),
    GROUPS.map((g) => h("option", { value: g, selected: g === state.group }, groupLabel(g))));
  const sort = h("select", { "aria-label": "Sort by" },
    [["revenue", "Top revenue"], ["orders", "Most orders"], ["last_purchase", "Bought recently"], ["profit", "Top profit"]]
      .map(([v, label]) => h("option", { value: v, selected: v === state.sort }, label)));

  function load() {
    const list = pagedList({
      label: "Customers",
      loadPage: (cursor) => get("/customers", { limit: 50, cursor, q: state.q || undefined, group: state.group || undefined,
        sort: state.sort }, { signal }),
      renderItem: (c) => h("li", null, h("a", { class: "row chev", href: `#/customers/${encodeURIComponent(c.customer_id)}` },
        h("div", { class: "main" },
          h("div", { class: "title" }, c.name || c.customer_id),
          h("div", { class: "sub" }, [count(c.orders, "order"), c.last_purchase ? `last ${ago(c.last_purchase)}` : null,
            c.rfm ? groupLabel(c.rfm.group) : null, c.segment].filter(Boolean).join(" · "))),
        h("div", { class: "num" }, money(c.revenue)))),
      empty: () => emptyState({ title: "No customers yet",
        text: "Sales that name a customer (an id or an email) build their record here; a Superstore import fills it." }),
    });
    fill(listBox, list.element);
    return list.ready;
  }
  const reload = () => { state.q = search.value.trim(); state.group = group.value; state.sort = sort.value; load(); };
  search.addEventListener("input", debounce(reload, 300));
  group.addEventListener("change", reload);
  sort.addEventListener("change", reload);
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Customers")),
    h("div", { class: "filters" }, search, group, sort),
    listBox);
  await load();
}

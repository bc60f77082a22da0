// Usage: what the shop used in a month (requests, sales, emails, database reads and writes,
// storage) as the API metered it, and what that costs at AWS list prices; a month picker.

import { get } from "../api.js";
import { h } from "../dom.js";
import { month as monthName, number } from "../format.js";
import { errorBlock, field } from "../ui.js";

const thisMonth = () => new Date().toISOString().slice(0, 7);

function row(title, value, sub) {
  return h("li", null, h("div", { class: "row" },
    h("div", { class: "main" }, h("div", { class: "title" }, title), sub ? h("div", { class: "sub" }, sub) : null),
    h("div", { class: "amount" }, value)));
}

function dollars(value) {
  // A shop-month costs cents: show a cent's fractions rather than $0.00.
  return new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", minimumFractionDigits: 2,
    maximumFractionDigits: value < 1 ? 4 : 2 }).format(value);
}

export default async function render({ root, signal }) {
  const figures = h("section", { class: "card", "aria-live": "polite", "data-usage": "" });
  const picker = field({ label: "Month", name: "month", kind: "month", value: thisMonth(), optional: false,
    attrs: { max: thisMonth() } });

  async function show(month) {
    try {
      const u = await get("/usage", { month }, { signal });
      figures.replaceChildren(
        h("h2", null, monthName(u.month)),
        h("p", { class: "big", "data-usage-cost": u.estimated_cost_usd }, dollars(u.estimated_cost_usd),
          h("span", { class: "muted" }, " estimated, at AWS list prices")),
        h("ul", { class: "list" },
          row("Requests", number(u.requests), `Plan ${u.limit.plan}: up to ${u.limit.per_second} a second, bursts of ${u.limit.burst}`),
          row("Sales", number(u.sales)),
          row("Emails", number(u.emails)),
          row("Database reads", number(u.read_units), "read units"),
          row("Database writes", number(u.write_units), "write units"),
          row("Storage", `${number(u.storage_mb)} MB`, "estimated from the records written")));
    } catch (err) {
      if (err.code === "aborted") return;
      figures.replaceChildren(errorBlock(err, () => show(month)));
    }
  }

  picker.querySelector("input, select").addEventListener("change", (event) => {
    if (event.target.value) show(event.target.value);
  });
  root.append(
    h("header", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Usage")),
    h("section", { class: "card" }, picker),
    figures);
  await show(thisMonth());
}

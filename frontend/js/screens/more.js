// More: everything that is not used all day, the account, this device's settings, log out.

import { logout, me, outboxUrl } from "../api.js";
import { fill, h } from "../dom.js";
import { currency, guessCurrency, setCurrency } from "../format.js";
import { button, field, toast } from "../ui.js";

const CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "NZD", "INR", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "ZAR", "BRL", "MXN", "SGD", "HKD", "NGN", "KES", "AED"];

function link(href, title, sub) {
  return h("li", null, h("a", { class: "row chev", href },
    h("div", { class: "main" }, h("div", { class: "title" }, title), sub ? h("div", { class: "sub" }, sub) : null)));
}

export default async function render({ root }) {
  const account = h("section", { class: "card", style: "min-height:96px", "aria-label": "Account" },
    h("span", { class: "skel", style: "width:50%" }, "…"));
  me().then((m) => fill(account,
    h("h2", null, m.shop_name),
    h("p", { class: "muted", "data-account": m.email }, `${m.email} · ${m.role}`)))
    .catch((err) => fill(account, h("p", { class: "error" }, err.message)));

  const names = new Intl.DisplayNames(undefined, { type: "currency" });
  const chosen = localStorage.getItem("shelfwise.currency") || "";
  const currencyField = field({
    label: "Currency shown", name: "currency", kind: "select", value: chosen, optional: false,
    hint: "On this device only. Amounts are not converted.",
    options: [["", `Automatic (${guessCurrency()})`], ...CURRENCIES.map((c) => [c, `${c} · ${names.of(c)}`])],
  });
  currencyField.querySelector("select").addEventListener("change", (e) => {
    setCurrency(e.target.value);
    toast(`Amounts now shown in ${currency()}.`);
  });

  root.append(
    h("header", { class: "page-head" }, h("h1", { tabindex: "-1" }, "More")),
    account,
    h("section", { class: "card" }, h("ul", { class: "list" },
      link("#/sales", "Sales", "History and invoices"),
      link("#/reports", "Reports", "ABC analysis, dead stock, stock valuation, sales by…"),
      link("#/suppliers", "Suppliers"),
      link("#/alerts", "Low-stock alerts", "Who gets the emails, and what was sent"),
      link("#/import", "Import CSV", "Products or past sales from a spreadsheet"),
      link("#/import/large", "Import a large file", "A till's history of any size, in the background"),
      link("#/export", "Export CSV", "Products and sales"),
      outboxUrl ? link("#/outbox", "Outbox (local only)", "Emails this local stack has sent") : null)),
    h("section", { class: "card" }, h("h2", null, "This device"), currencyField),
    button("Log out", { kind: "block danger", onclick: () => logout() }));
}

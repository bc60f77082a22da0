// More: everything that is not used all day, the account, this device's settings, log out.

import { logout, me, outboxUrl } from "../api.js";
import { fill, h } from "../dom.js";
import { isOwner } from "../role.js";
import { button } from "../ui.js";

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

  root.append(
    h("header", { class: "page-head" }, h("h1", { tabindex: "-1" }, "More")),
    account,
    h("section", { class: "card" }, h("ul", { class: "list" },
      link("#/sales", "Sales", "History, invoices and returns"),
      link("#/locations", "Locations", "Shop, stock room, stall: stock at each, this phone's location"),
      link("#/transfers", "Transfers", "Send stock between locations, receive it"),
      // The owner's pages; staff are not offered them (the API refuses them anyway).
      ...(isOwner() ? [
        link("#/settings", "Shop settings", "Name, address and tax id for invoices; currency, time zone, tax"),
        link("#/reports", "Reports", "ABC analysis, dead stock, stock valuation, sales by…"),
        link("#/suppliers", "Suppliers"),
        link("#/customers", "Customers", "Top customers, groups, search"),
        link("#/reorder", "Reorder", "What will run out, and what to order this week"),
        link("#/staff", "Staff", "Who can sign in to this shop: invite, remove"),
        link("#/alerts", "Low-stock alerts", "Who gets the emails, and what was sent"),
        link("#/import", "Import CSV", "Products or past sales from a spreadsheet"),
        link("#/import/large", "Import a large file", "A till's history of any size, in the background"),
        link("#/export", "Export CSV", "Products and sales"),
        link("#/usage", "Usage", "What the shop used this month, and what it costs"),
      ] : []),
      outboxUrl && isOwner() ? link("#/outbox", "Outbox (local only)", "Emails this local stack has sent") : null)),
    button("Log out", { kind: "block danger", onclick: () => logout() }));
}

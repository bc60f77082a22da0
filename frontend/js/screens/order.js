// One purchase order: its lines (ordered, received, rejected, outstanding), its receipts, and the
// next steps its status allows (mark ordered / shipped, receive, cancel).

import { get, post, seg } from "../api.js";
import { fill, h } from "../dom.js";
import { dateTime, money, number } from "../format.js";
import { busy, button, errorBlock, linkButton, toast } from "../ui.js";
import { statusBadge } from "./orders.js";

const NEXT = {
  draft: [["ordered", "Mark as ordered", "primary"], ["cancelled", "Cancel order", "danger"]],
  ordered: [["shipped", "Mark as shipped", ""], ["cancelled", "Cancel order", "danger"]],
  shipped: [["cancelled", "Cancel order", "danger"]],
  partially_received: [],
  received: [],
  cancelled: [],
};
const RECEIVABLE = new Set(["ordered", "shipped", "partially_received"]);

export default async function render({ root, params, signal }) {
  const path = `/purchase-orders/${seg(params.id)}`;
  const body = h("div");
  root.append(body);

  function draw(po) {
    const actionError = h("div", { "aria-live": "polite" });
    const actions = h("div", { class: "actions" },
      RECEIVABLE.has(po.status) ? linkButton("Receive goods", `#/orders/${encodeURIComponent(po.po_id)}/receive`, "primary") : null,
      NEXT[po.status].map(([status, label, kind]) => {
        const b = button(label, { kind, attrs: { "data-set-status": status } });
        b.addEventListener("click", () => {
          if (status === "cancelled" && !window.confirm("Cancel this order? It cannot be received after that.")) return;
          busy(b, "Saving…", async () => {
            try {
              const updated = await post(`${path}/status`, { status });
              toast(`Order ${updated.status.replace("_", " ")}.`);
              draw(updated);
            } catch (err) {
              fill(actionError, errorBlock(err));
            }
          });
        });
        return b;
      }));
    fill(body,
      h("header", { class: "page-head" },
        h("a", { class: "back", href: "#/orders", "aria-label": "Back to orders" }, "‹"),
        h("h1", { tabindex: "-1" }, `Order to ${po.supplier_name}`)),
      h("p", { style: "margin-top:-8px" }, statusBadge(po.status), " ",
        h("span", { class: "muted" }, `created ${dateTime(po.created_at)}`)),
      actionError, actions,
      h("section", { class: "card" }, h("h2", null, "Lines"),
        h("ul", { class: "list" }, po.lines.map((l) => h("li", { "data-line": l.sku, style: "padding:8px 0" },
          h("div", { class: "title" }, h("a", { href: `#/products/${encodeURIComponent(l.sku)}` }, l.name)),
          h("div", { class: "sub muted" }, l.unit_cost !== undefined ? `${l.sku} · ${number(l.quantity)} × ${money(l.unit_cost)}` : `${l.sku} · ${number(l.quantity)} ordered`),
          h("div", { class: "line-figures num" },
            h("span", null, "Received ", h("b", null, number(l.received))),
            h("span", null, "Rejected ", h("b", null, number(l.rejected))),
            h("span", null, "To come ", h("b", { "data-outstanding": l.sku }, number(l.outstanding))))))),
        po.total !== undefined ? h("p", { class: "totals", style: "margin:8px 0 0" }, h("span", null, "Total"), h("span", { class: "num" }, money(po.total))) : null),
      po.note ? h("section", { class: "card" }, h("h2", null, "Note"), h("p", null, po.note)) : null,
      h("section", { class: "card" }, h("h2", null, "Deliveries"),
        po.receipts.length
          ? h("ul", { class: "list" }, po.receipts.map((r) => h("li", { style: "padding:8px 0" },
            h("div", { class: "title" }, dateTime(r.at)),
            r.note ? h("div", { class: "muted" }, r.note) : null,
            h("ul", { style: "margin:4px 0 0;padding-left:18px" }, r.lines.map((l) => h("li", null,
              `${l.sku}: ${number(l.quantity)} accepted`,
              l.rejected ? `, ${number(l.rejected)} rejected (${l.reason || "no reason given"})` : ""))))))
          : h("p", { class: "muted" }, "Nothing received yet.")),
      po.status !== "draft" ? null : h("p", { class: "muted" }, "Mark the order as ordered once you have sent it to the supplier."));
  }

  draw(await get(path, {}, { signal }));
}

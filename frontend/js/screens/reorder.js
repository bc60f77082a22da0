// Reorder: what will run out before a delivery could arrive, and what to order this week per
// supplier (from the nightly forecasts); one tap drafts a supplier's purchase order. A shop with
// several locations first sees spare stock to move between them (one tap sends the transfer).

import { get, newKey, post } from "../api.js";
import { fill, h } from "../dom.js";
import { date, number } from "../format.js";
import { busy, button, emptyState, errorBlock, toast } from "../ui.js";

export default async function render({ root, signal }) {
  const [suggestions, stockouts] = await Promise.all([
    get("/reorder-suggestions", {}, { signal }),
    get("/forecasts/stockouts", {}, { signal }),
  ]);
  root.append(...[
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Reorder")),
    willRunOut(stockouts.items),
    // Several locations: spare stock moves first (one card per pair of locations), then orders.
    ...(suggestions.transfers || []).map((move) => transferCard(move)),
    ...suggestions.suppliers.map((group) => supplierCard(group)),
    suggestions.without_supplier.length ? h("section", { class: "card", "aria-labelledby": "nosupplier" },
      h("h2", { id: "nosupplier" }, "No supplier set"),
      h("p", { class: "muted" }, "Give these products a supplier to order them here."),
      linesList(suggestions.without_supplier)) : null,
    !suggestions.suppliers.length && !suggestions.without_supplier.length && !(suggestions.transfers || []).length
      ? emptyState({
      title: "Nothing to order this week",
      text: "Forecasts are made every night from your sales; what will run short before the next delivery shows here.",
    }) : null,
  ].filter(Boolean));
}

function willRunOut(items) {
  return h("section", { class: "card", "aria-labelledby": "runout", "data-stockouts": String(items.length) },
    h("h2", { id: "runout" }, "Will run out"),
    items.length ? h("ul", { class: "list" }, items.map((s) => h("li", null,
      h("a", { class: "row chev", href: `#/products/${encodeURIComponent(s.sku)}`, "data-sku": s.sku },
        h("div", { class: "main" },
          h("div", { class: "title" }, s.name),
          h("div", { class: "sub" }, `${number(s.on_hand)} left${s.on_order ? `, ${number(s.on_order)} on order` : ""}`
            + ` · a delivery takes ${number(s.lead_time_days)} days`)),
        h("div", { class: "end" }, h("b", null, s.runs_out_on ? date(s.runs_out_on) : "–"),
          h("div", { class: "sub" }, "runs out")))))) :
      h("p", { class: "muted" }, "Nothing is expected to run out before a delivery could arrive."));
}

function linesList(lines) {
  return h("ul", { class: "list" }, lines.map((ln) => h("li", null,
    h("div", { class: "row", "data-sku": ln.sku },
      h("div", { class: "main" },
        h("div", { class: "title" }, ln.name),
        h("div", { class: "sub" }, ln.reason)),
      h("div", { class: "end" }, h("b", { "data-qty": String(ln.suggested_qty) }, number(ln.suggested_qty)),
        h("div", { class: "sub" }, "to order"))))));
}

function transferCard(move) {
  const result = h("div");
  let key = newKey(); // one transfer per tap: a retry of the same tap reuses it
  const send = button(`Send to ${move.to_name}`, {
    kind: "primary block",
    onclick: () => busy(send, "Sending…", async () => {
      try {
        const made = await post("/transfers", {
          from_location_id: move.from_location_id, to_location_id: move.to_location_id,
          lines: move.lines.map((ln) => ({ sku: ln.sku, quantity: ln.quantity })),
          note: "From reorder suggestions",
        }, { headers: { "Idempotency-Key": key } });
        key = newKey();
        toast(`Sent from ${move.from_name} to ${move.to_name}.`);
        fill(result, h("p", { "data-transfer": made.transfer_id }, `On its way: ${move.to_name} receives it in `,
          h("a", { href: "#/transfers" }, "Transfers"), "."));
        send.disabled = true;
      } catch (err) {
        fill(result, errorBlock(err));
      }
    }),
  });
  return h("section", { class: "card", "aria-label": `Move from ${move.from_name} to ${move.to_name}`,
    "data-move": `${move.from_location_id}>${move.to_location_id}` },
  h("h2", null, `Move from ${move.from_name} to ${move.to_name}`),
  h("p", { class: "muted" }, `Spare stock at ${move.from_name} covers this before anything is ordered.`),
  h("ul", { class: "list" }, move.lines.map((ln) => h("li", null,
    h("div", { class: "row", "data-sku": ln.sku },
      h("div", { class: "main" }, h("div", { class: "title" }, ln.name), h("div", { class: "sub" }, ln.reason)),
      h("div", { class: "end" }, h("b", { "data-qty": String(ln.quantity) }, number(ln.quantity)),
        h("div", { class: "sub" }, "to move")))))),
  send, result);
}

function supplierCard(group) {
  const result = h("div");
  let key = newKey(); // one draft per tap: a retry of the same tap reuses it
  const draft = button(`Draft order for ${group.name}`, {
    kind: "primary block",
    onclick: () => busy(draft, "Drafting…", async () => {
      try {
        const made = await post("/reorder-suggestions/orders", { supplier_id: group.supplier_id },
          { headers: { "Idempotency-Key": key } });
        key = newKey();
        const po = made.purchase_orders[0];
        toast(`Draft order for ${group.name} made.`);
        fill(result, h("p", null, "Draft order made: ",
          h("a", { href: `#/orders/${encodeURIComponent(po.po_id)}`, "data-po": po.po_id }, "review and send it")));
        draft.disabled = true;
      } catch (err) {
        fill(result, errorBlock(err));
      }
    }),
  });
  return h("section", { class: "card", "aria-label": `Order from ${group.name}`, "data-supplier": group.supplier_id },
    h("h2", null, group.name), linesList(group.lines), draft, result);
}

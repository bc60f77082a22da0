// Draft a purchase order: a supplier and lines (product, quantity, unit cost). From the
// dashboard's "Order" button it starts with the low-stock products and suggested quantities.

import { get, post } from "../api.js";
import { fill, h } from "../dom.js";
import { money, readNumber } from "../format.js";
import { productPicker } from "../picker.js";
import { suggestedReorder } from "../shop.js";
import { busy, checkNumbers, clearErrors, emptyState, field, linkButton, showErrors } from "../ui.js";

export default async function render({ root, query, signal }) {
  const [suppliers, low] = await Promise.all([
    get("/suppliers", { limit: 200 }, { signal }),
    query.low ? get("/products", { low_stock: true, limit: 40 }, { signal }) : { items: [] },
  ]);
  const header = h("header", { class: "page-head" },
    h("a", { class: "back", href: "#/orders", "aria-label": "Back to orders" }, "‹"),
    h("h1", { tabindex: "-1" }, "New purchase order"));
  if (!suppliers.items.length) {
    root.append(header, h("section", { class: "card" }, emptyState({
      title: "Add a supplier first",
      text: "A purchase order goes to one supplier.",
      actions: [linkButton("Add a supplier", `#/suppliers/new?next=${encodeURIComponent("/orders/new" + (query.low ? "?low=1" : ""))}`, "primary")],
    })));
    return;
  }

  const cost = (value) => Number(value) || 0;
  const read = (text, whole = false) => readNumber(text, { whole }).value;
  const lines = low.items.filter((p) => suggestedReorder(p) > 0).map((p) => ({ sku: p.sku, name: p.name, quantity: suggestedReorder(p) || 1, unit_cost: cost(p.unit_cost), supplier_id: p.supplier_id }));
  const bySupplier = new Set(lines.map((l) => l.supplier_id).filter(Boolean));
  const preferred = query.supplier || (bySupplier.size === 1 ? [...bySupplier][0] : "");

  const linesBox = h("div", { "data-lines": "" });
  const totalText = h("b", { class: "num" });
  const submit = h("button", { class: "btn primary block big", type: "submit" }, "Save draft order");
  const form = h("form", { novalidate: true },
    field({ label: "Supplier", name: "supplier_id", kind: "select", required: true, value: preferred,
      options: [["", "Choose a supplier"], ...suppliers.items.map((s) => [s.supplier_id, s.name])] }),
    h("section", { class: "card" }, h("h2", null, "Lines"), linesBox,
      productPicker({ label: "Add a product", onPick: (p) => addLine(p) }),
      h("p", { class: "totals" }, h("span", null, "Total"), totalText)),
    field({ label: "Note", name: "note", attrs: { maxlength: "500" } }),
    submit);

  function addLine(p) {
    sync();
    const existing = lines.find((l) => l.sku === p.sku);
    if (existing) existing.quantity = (read(existing.quantity, true) || 0) + 1;
    else lines.push({ sku: p.sku, name: p.name, quantity: Math.max(suggestedReorder(p), 1), unit_cost: cost(p.unit_cost) });
    draw();
  }

  /** Read what was typed back into `lines` before redrawing. */
  function sync() {
    lines.forEach((line, i) => {
      const q = form.querySelector(`[name="lines.${i}.quantity"]`);
      const c = form.querySelector(`[name="lines.${i}.unit_cost"]`);
      if (q) line.quantity = q.value;
      if (c) line.unit_cost = c.value;
    });
  }

  function draw() {
    fill(linesBox, lines.length ? lines.map((line, i) => h("div", { class: "cart-line", "data-line": line.sku },
      h("div", { class: "top" },
        h("div", { class: "main" }, h("div", { class: "title" }, line.name), h("div", { class: "sub muted" }, line.sku)),
        h("button", { class: "btn ghost small", type: "button", "aria-label": `Remove ${line.name}`,
          onclick: () => { sync(); lines.splice(i, 1); draw(); } }, "✕")),
      h("div", { class: "grid2" },
        field({ label: "Quantity", name: `lines.${i}.quantity`, kind: "int", value: line.quantity, required: true, attrs: { min: "1", oninput: total } }),
        field({ label: "Unit cost", name: `lines.${i}.unit_cost`, kind: "amount", value: line.unit_cost, required: true, attrs: { oninput: total } }))))
      : h("p", { class: "muted" }, "No lines yet: add products below."));
    total();
  }

  function total() {
    sync();
    const sum = lines.reduce((s, l) => s + (read(l.quantity, true) || 0) * (read(l.unit_cost) || 0), 0);
    totalText.textContent = money(sum);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    sync();
    if (!checkNumbers(form)) return;
    const problems = [];
    if (!form.supplier_id.value) problems.push({ field: "supplier_id", message: "choose a supplier" });
    if (!lines.length) problems.push({ field: "lines", message: "add at least one product" });
    if (problems.length) {
      showErrors(form, { message: problems.map((p) => p.message).join("; ") + ".", details: problems });
      return;
    }
    const body = {
      supplier_id: form.supplier_id.value,
      lines: lines.map((l) => ({ sku: l.sku, quantity: read(l.quantity, true), unit_cost: read(l.unit_cost) })),
      ...(form.note.value.trim() ? { note: form.note.value.trim() } : {}),
    };
    busy(submit, "Saving…", async () => {
      try {
        const po = await post("/purchase-orders", body);
        window.location.hash = `#/orders/${encodeURIComponent(po.po_id)}`;
      } catch (err) {
        showErrors(form, err);
      }
    });
  });

  draw();
  root.append(header, form);
}

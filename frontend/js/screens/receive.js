// Receive goods against a purchase order, in parts: per line the number accepted into stock and
// the number rejected on inspection, with the reason. One Idempotency-Key per attempt.

import { get, newKey, post, seg } from "../api.js";
import { h } from "../dom.js";
import { number, readNumber } from "../format.js";
import { busy, checkNumbers, clearErrors, field, showErrors, toast } from "../ui.js";
import { openScanner, productByCode, scanButton } from "../scanner.js";
import { atHere } from "../place.js";

export default async function render({ root, params, signal }) {
  const path = `/purchase-orders/${seg(params.id)}`;
  const po = await get(path, {}, { signal });
  const open = po.lines.filter((l) => l.outstanding > 0);
  let key = newKey();
  let lastSent = null;
  let sentIndex = []; // position in the request → position on the form

  const submit = h("button", { class: "btn primary block big", type: "submit" }, "Record delivery");
  const form = h("form", { novalidate: true },
    open.map((l, i) => h("section", { class: "card", "data-line": l.sku },
      h("h2", null, l.name),
      h("p", { class: "muted" }, `${l.sku} · ${number(l.outstanding)} still to come of ${number(l.quantity)}`),
      h("div", { class: "grid2" },
        field({ label: "Accepted", name: `l${i}.quantity`, kind: "int", value: l.outstanding, attrs: { min: "0", max: String(l.outstanding) } }),
        field({ label: "Rejected", name: `l${i}.rejected`, kind: "int", value: 0, attrs: { min: "0" } })),
      field({ label: "Reason for rejecting", name: `l${i}.reason`, hint: "Needed when some are rejected, e.g. damaged in transit",
        attrs: { maxlength: "500" } }))),
    field({ label: "Note", name: "note", hint: "e.g. delivery note number", attrs: { maxlength: "500" } }),
    submit);

  // Unpacking with the camera: the first scan of a line sets Accepted to 1, each further one adds 1.
  const scan = scanButton("Scan items as you unpack", () => {
    const counts = new Map();
    openScanner({
      title: "Scan each item", continuous: true, signal,
      onCode: async (code) => {
        let i = open.findIndex((l) => l.sku.toLowerCase() === code.toLowerCase());
        if (i < 0) {
          const product = await productByCode(code).catch(() => null);
          i = product ? open.findIndex((l) => l.sku === product.sku) : -1;
          if (product && i < 0) return { ok: false, message: `${product.name} is not on this order (or is all received).` };
        }
        if (i < 0) return { ok: false, message: `No product has the barcode “${code}”.` };
        const n = (counts.get(i) || 0) + 1;
        counts.set(i, n);
        form[`l${i}.quantity`].value = String(n);
        return { ok: true, message: `${open[i].name}: ${number(n)} of ${number(open[i].outstanding)}` };
      },
    });
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!checkNumbers(form)) return;
    const lines = [];
    sentIndex = [];
    const problems = [];
    open.forEach((l, i) => {
      const quantity = readNumber(form[`l${i}.quantity`].value, { whole: true }).value || 0;
      const rejected = readNumber(form[`l${i}.rejected`].value, { whole: true }).value || 0;
      const reason = form[`l${i}.reason`].value.trim();
      if (!quantity && !rejected) return;
      if (rejected && !reason) problems.push({ field: `l${i}.reason`, message: "say why items were rejected" });
      if (quantity + rejected > l.outstanding) {
        problems.push({ field: `l${i}.quantity`, message: `only ${l.outstanding} still to come` });
      }
      lines.push({ sku: l.sku, quantity, ...(rejected ? { rejected, reason } : {}) });
      sentIndex.push(i);
    });
    if (!lines.length) problems.push({ field: "note", message: "enter a quantity accepted or rejected on at least one line" });
    if (problems.length) {
      showErrors(form, { message: "Please correct the fields marked below.", details: problems });
      return;
    }
    const body = atHere({ lines, ...(form.note.value.trim() ? { note: form.note.value.trim() } : {}) });
    const payload = JSON.stringify(body);
    if (lastSent !== null && lastSent !== payload) key = newKey();
    lastSent = payload;
    busy(submit, "Saving…", async () => {
      try {
        const updated = await post(`${path}/receipts`, body, { headers: { "Idempotency-Key": key } });
        toast(updated.status === "received" ? "Order fully received." : "Delivery recorded; the rest is still to come.");
        window.location.hash = `#/orders/${encodeURIComponent(po.po_id)}`;
      } catch (err) {
        // "lines.2.reason" → the form's "l<i>.reason"; over-receipt details name the SKU.
        const details = (err.details || []).map((d) => {
          if (d.field) return d;
          const i = open.findIndex((l) => l.sku === d.sku);
          return i >= 0 ? { field: `l${i}.quantity`, message: `only ${d.outstanding} still to come` } : d;
        });
        showErrors(form, { ...err, status: err.status, message: err.message, details }, {
          mapField: (f) => {
            const m = /^lines\.(\d+)\.(\w+)/.exec(f);
            return m ? `l${sentIndex[Number(m[1])]}.${m[2]}` : f;
          },
        });
      }
    });
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: `#/orders/${encodeURIComponent(po.po_id)}`, "aria-label": "Back to the order" }, "‹"),
      h("h1", { tabindex: "-1" }, `Receive from ${po.supplier_name}`)),
    open.length ? h("div", { class: "actions" }, scan) : null,
    open.length ? form : h("p", { class: "muted" }, "Everything on this order has been received."));
}

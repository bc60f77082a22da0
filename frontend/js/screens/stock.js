// Receive, adjust or count stock of one product. One Idempotency-Key per attempt: a retry of
// the same entry (slow network, double tap) is recorded once.

import { get, newKey, post, seg } from "../api.js";
import { h } from "../dom.js";
import { money, number } from "../format.js";
import { isOwner } from "../role.js";
import { busy, checkNumbers, clearErrors, field, segmented, showErrors, toast, values } from "../ui.js";
import { openScanner, scanButton } from "../scanner.js";
import { atHere } from "../place.js";

const TYPES = [["receive", "Receive"], ["adjust", "Adjust"], ["count", "Count"]];
const COPY = {
  receive: { qty: "Quantity received", hint: "Added to what is on hand.", button: "Receive stock" },
  adjust: { qty: "Change", hint: "Use a negative number for damage or loss (e.g. -2), positive for stock found.", button: "Record adjustment" },
  count: { qty: "Quantity counted", hint: "What is on the shelf now; the difference is recorded.", button: "Record count" },
};

export default async function render({ root, params, query, signal }) {
  const path = `/products/${seg(params.sku)}`;
  const product = await get(path, {}, { signal });
  // Staff receive at the current cost: what stock costs is the owner's to say (the API agrees).
  const owner = isOwner();
  let type = COPY[query.type] ? query.type : "receive";
  let key = newKey();
  let lastSent = null;

  const qtyField = field({ label: COPY[type].qty, name: "quantity", kind: "int", required: true, hint: COPY[type].hint,
    attrs: { "data-autofocus": "" } });
  const costField = field({ label: "Unit cost", name: "unit_cost", kind: "amount", value: product.unit_cost,
    hint: "What you paid for each; updates the average cost." });
  const submit = h("button", { class: "btn primary block big", type: "submit" }, COPY[type].button);
  // Counting with the camera: each scan of this product adds one (a running count).
  const scanRow = h("div", { class: "field" }, scanButton("Scan to count with the camera", () => {
    let counted = 0;
    openScanner({
      title: `Scan each ${product.name}`, continuous: true, signal,
      onCode: (code) => {
        if (code !== product.barcode && code.toLowerCase() !== product.sku.toLowerCase()) {
          return { ok: false, message: `“${code}” is not ${product.name}: not counted.` };
        }
        counted += 1;
        form.quantity.value = String(counted);
        return { ok: true, message: `${product.name}: ${number(counted)}` };
      },
    });
  }));
  const form = h("form", { novalidate: true },
    segmented({ legend: "What happened", name: "type", options: TYPES, value: type, onchange: (e) => setType(e.target.value) }),
    qtyField, scanRow, costField,
    field({ label: "Note", name: "note", attrs: { maxlength: "500" }, hint: "e.g. delivery note number, reason" }),
    submit);

  function setType(next) {
    type = next;
    qtyField.querySelector("label").firstChild.textContent = COPY[type].qty;
    qtyField.querySelector(".hint").textContent = COPY[type].hint;
    costField.hidden = type !== "receive" || !owner;
    costField.querySelector("input").disabled = type !== "receive" || !owner;
    submit.textContent = COPY[type].button;
    clearErrors(form);
  }
  setType(type);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!checkNumbers(form)) return;
    const v = values(form);
    const body = atHere({ type: v.type, quantity: v.quantity, ...(v.unit_cost !== undefined ? { unit_cost: v.unit_cost } : {}), ...(v.note ? { note: v.note } : {}) });
    if (body.quantity === undefined) {
      showErrors(form, { message: "Enter a quantity.", details: [{ field: "quantity", message: "enter a quantity" }] });
      return;
    }
    const payload = JSON.stringify(body);
    if (lastSent !== null && lastSent !== payload) key = newKey(); // a different entry: a new attempt
    lastSent = payload;
    busy(submit, "Saving…", async () => {
      try {
        const reply = await post(`${path}/stock`, body, { headers: { "Idempotency-Key": key } });
        toast(`${product.name}: ${number(reply.on_hand)} on hand.`);
        window.location.hash = `#/products/${encodeURIComponent(product.sku)}`;
      } catch (err) {
        if (err.code === "insufficient_stock") {
          // Say it next to the quantity: it is the number that cannot be.
          const d = err.details[0] || {};
          showErrors(form, { ...err, message: err.message, details: [{ field: "quantity",
            message: `only ${number(d.on_hand ?? product.on_hand)} in stock: stock cannot go below zero` }] });
        } else {
          showErrors(form, err);
        }
      }
    });
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: `#/products/${encodeURIComponent(product.sku)}`, "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, product.name)),
    h("p", { class: "muted", style: "margin-top:-8px" },
      `${product.sku} · ${number(product.on_hand)} on hand` + (product.unit_cost !== undefined ? ` · cost ${money(product.unit_cost)}` : "")),
    form);
}

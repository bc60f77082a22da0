// Transfers: send stock from one location to another (it leaves at once), see what is in
// transit, and receive it at the other end, in full or in part.

import { get, newKey, post } from "../api.js";
import { fill, h } from "../dom.js";
import { dateTime, number, readNumber } from "../format.js";
import { here, locations } from "../place.js";
import { busy, clearErrors, emptyState, field, pagedList, showErrors, toast } from "../ui.js";

const STATUS = { sent: "In transit", partially_received: "Partly received", received: "Received" };

export default async function render({ root, signal }) {
  const places = await locations();
  const name = (id) => (places.find((l) => l.location_id === id) || { name: id }).name;
  const options = places.map((l) => [l.location_id, l.name]);
  const other = (places.find((l) => l.location_id !== here()) || places[0]).location_id;

  let key = newKey();
  const submit = h("button", { class: "btn primary block", type: "submit" }, "Send");
  const form = h("form", { novalidate: true, class: "card", "aria-label": "New transfer" },
    h("h2", null, "Send stock"),
    h("div", { class: "grid2" },
      field({ label: "From", name: "from_location_id", kind: "select", value: here(), options, optional: false }),
      field({ label: "To", name: "to_location_id", kind: "select", value: other, options, optional: false })),
    h("div", { class: "grid2" },
      field({ label: "SKU", name: "sku", optional: false, attrs: { autocapitalize: "off", spellcheck: "false" } }),
      field({ label: "Quantity", name: "quantity", kind: "amount", optional: false, attrs: { inputmode: "decimal" } })),
    submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const { value: quantity, error } = readNumber(form.quantity.value, { maxDecimals: 3 });
    if (quantity === undefined || error) {
      showErrors(form, { message: "Enter a quantity.", details: [{ field: "quantity", message: error || "enter a quantity" }] });
      return;
    }
    const body = { from_location_id: form.from_location_id.value, to_location_id: form.to_location_id.value,
      lines: [{ sku: form.sku.value.trim(), quantity }] };
    busy(submit, "Sending…", async () => {
      try {
        await post("/transfers", body, { headers: { "Idempotency-Key": key } });
        key = newKey();
        form.sku.value = "";
        form.quantity.value = "";
        toast(`Sent to ${name(body.to_location_id)}.`);
        await list.reload();
      } catch (err) {
        showErrors(form, { ...err, message: err.message, details: (err.details || []).map((d) =>
          (d.field || "").startsWith("lines") ? { ...d, field: /quantity/.test(d.field) ? "quantity" : "sku" } : d) });
      }
    });
  });

  function renderTransfer(t) {
    const open = t.status !== "received";
    const inputs = t.lines.map((l) => h("input", { type: "text", inputmode: "decimal", value: open ? String(l.in_transit) : "",
      "aria-label": `${l.sku} to receive`, style: "width:5em", disabled: !open || !l.in_transit }));
    const receive = open ? h("button", { class: "btn small primary", type: "button" }, "Receive") : null;
    const outcome = h("div");
    if (receive) {
      const receiveKey = newKey();
      receive.addEventListener("click", () => busy(receive, "Receiving…", async () => {
        const lines = t.lines.map((l, i) => ({ sku: l.sku, quantity: readNumber(inputs[i].value, { maxDecimals: 3 }).value || 0 }))
          .filter((l) => l.quantity > 0);
        try {
          await post(`/transfers/${encodeURIComponent(t.transfer_id)}/receive`, lines.length ? { lines } : {},
            { headers: { "Idempotency-Key": receiveKey } });
          toast(`Received at ${name(t.to_location_id)}.`);
          await list.reload();
        } catch (err) {
          fill(outcome, h("p", { class: "error" }, err.message));
        }
      }));
    }
    return h("li", null, h("div", { class: "row", "data-transfer": t.transfer_id, "data-status": t.status },
      h("div", { class: "main" },
        h("div", { class: "title" }, `${name(t.from_location_id)} → ${name(t.to_location_id)}`),
        h("div", { class: "sub" }, `${dateTime(t.sent_at)} · ${STATUS[t.status] || t.status}`),
        h("ul", { class: "plain" }, t.lines.map((l, i) => h("li", null,
          `${l.sku}: ${number(l.quantity)} sent, ${number(l.received)} received `, open && l.in_transit ? inputs[i] : null))),
        outcome),
      h("div", { class: "end" }, receive)));
  }

  const list = pagedList({
    label: "Transfers",
    loadPage: (cursor) => get("/transfers", { limit: 30, cursor }, { signal }),
    renderItem: renderTransfer,
    empty: () => emptyState({ title: "No transfers yet", text: "Stock sent between locations shows up here until it arrives." }),
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/locations", "aria-label": "Back to locations" }, "‹"),
      h("h1", { tabindex: "-1" }, "Transfers")),
    places.length < 2
      ? emptyState({ title: "One location only", text: "Add a second location (More › Locations) to move stock between them." })
      : form,
    list.element);
  await list.ready;
}

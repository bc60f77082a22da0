// Add or edit a supplier.

import { get, patch, post, seg } from "../api.js";
import { h } from "../dom.js";
import { busy, checkNumbers, clearErrors, field, linkButton, showErrors, toast, values } from "../ui.js";

export default async function render({ root, params, query, signal }) {
  const editing = Boolean(params.id);
  const s = editing ? await get(`/suppliers/${seg(params.id)}`, {}, { signal }) : {};
  const submit = h("button", { class: "btn primary block big", type: "submit" }, editing ? "Save changes" : "Add supplier");
  const form = h("form", { novalidate: true },
    field({ label: "Name", name: "name", required: true, value: s.name, attrs: { maxlength: "200", "data-autofocus": "" } }),
    field({ label: "Email", name: "email", kind: "email", value: s.email || "", hint: "Where purchase orders go",
      attrs: { autocapitalize: "off", spellcheck: "false" } }),
    field({ label: "Phone", name: "phone", kind: "tel", value: s.phone || "" }),
    field({ label: "Lead time (days)", name: "lead_time_days", kind: "int", value: s.lead_time_days ?? "",
      hint: "How long deliveries usually take", attrs: { min: "0", max: "365" } }),
    submit);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!checkNumbers(form)) return;
    const v = values(form);
    busy(submit, "Saving…", async () => {
      try {
        if (editing) {
          const changes = {};
          for (const [key, value] of Object.entries(v)) {
            if (String(value ?? "") !== String(s[key] ?? "")) changes[key] = value ?? null;
          }
          if (Object.keys(changes).length) await patch(`/suppliers/${seg(params.id)}`, changes);
          toast("Saved.");
          window.location.hash = "#/suppliers";
        } else {
          const body = Object.fromEntries(Object.entries(v).filter(([, value]) => value !== undefined));
          const created = await post("/suppliers", body);
          toast(`${created.name} added.`);
          // Back to where the supplier was needed (a new order), with it chosen.
          const next = query.next && query.next.startsWith("/") ? query.next : null;
          window.location.hash = next
            ? `#${next}${next.includes("?") ? "&" : "?"}supplier=${encodeURIComponent(created.supplier_id)}`
            : "#/suppliers";
        }
      } catch (err) {
        showErrors(form, err);
      }
    });
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/suppliers", "aria-label": "Back to suppliers" }, "‹"),
      h("h1", { tabindex: "-1" }, editing ? s.name : "Add a supplier")),
    form,
    editing ? h("div", { class: "actions", style: "margin-top:14px" },
      linkButton("New order to this supplier", `#/orders/new?supplier=${encodeURIComponent(s.supplier_id)}`)) : null);
}

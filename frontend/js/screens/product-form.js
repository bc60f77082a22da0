// Add or edit a product. Field names are the API's, so its error details land next to them.

import { get, patch, post, seg } from "../api.js";
import { h } from "../dom.js";
import { categories, forgetCategories } from "../shop.js";
import { busy, checkNumbers, clearErrors, field, showErrors, toast, values } from "../ui.js";
import { openScanner, scanButton } from "../scanner.js";

export default async function render({ root, params, query, signal }) {
  const editing = Boolean(params.sku);
  const [product, supplierPage, known] = await Promise.all([
    editing ? get(`/products/${seg(params.sku)}`, {}, { signal }) : null,
    get("/suppliers", { limit: 200 }, { signal }).catch(() => ({ items: [] })),
    categories().catch(() => ({ categories: [], subcategories: [] })),
  ]);
  const p = product || { barcode: query.barcode || "" };
  const back = editing ? `#/products/${encodeURIComponent(params.sku)}` : "#/products";

  const submit = h("button", { class: "btn primary block big", type: "submit" }, editing ? "Save changes" : "Add product");
  const form = h("form", { novalidate: true },
    editing ? null : field({ label: "SKU", name: "sku", required: true, value: query.sku || "",
      hint: "Your code for this product, unique in your shop (letters, digits, dashes).",
      attrs: { autocapitalize: "characters", autocomplete: "off", spellcheck: "false", maxlength: "64" } }),
    field({ label: "Name", name: "name", required: true, value: p.name, attrs: { maxlength: "200" } }),
    h("div", { class: "grid2" },
      field({ label: "Price", name: "price", kind: "amount", required: true, value: p.price ?? "" }),
      field({ label: "Unit cost", name: "unit_cost", kind: "amount", value: p.unit_cost ?? "", hint: "What you pay" })),
    h("div", { class: "grid2" },
      field({ label: "Category", name: "category", value: p.category, list: "category-list" }),
      field({ label: "Sub-category", name: "subcategory", value: p.subcategory, list: "subcategory-list" })),
    h("datalist", { id: "category-list" }, known.categories.map((c) => h("option", { value: c }))),
    h("datalist", { id: "subcategory-list" }, known.subcategories.map((c) => h("option", { value: c }))),
    field({ label: "Barcode", name: "barcode", value: p.barcode || "",
      hint: "Scan it here with a barcode scanner, or type it.",
      attrs: { autocomplete: "off", inputmode: "numeric", spellcheck: "false",
        onkeydown: (e) => { if (e.key === "Enter") e.preventDefault(); } } }),
    h("div", { class: "field" }, scanButton("Fill it in with the camera", () => openScanner({
      title: "Scan the product's barcode", signal,
      onCode: (code) => { form.barcode.value = code; return { ok: true }; },
    }))),
    h("div", { class: "grid2" },
      field({ label: "Minimum stock", name: "min_stock", kind: "int", value: p.min_stock ?? "",
        hint: "Alert at or below this", attrs: { min: "0" } }),
      field({ label: "Reorder quantity", name: "reorder_qty", kind: "int", value: p.reorder_qty ?? "", attrs: { min: "0" } })),
    h("div", { class: "grid2" },
      field({ label: "Lead time (days)", name: "lead_time_days", kind: "int", value: p.lead_time_days ?? "", attrs: { min: "0", max: "365" } }),
      field({ label: "Supplier", name: "supplier_id", kind: "select", value: p.supplier_id || "",
        options: [["", "None"], ...supplierPage.items.map((s) => [s.supplier_id, s.name])] })),
    submit);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!checkNumbers(form)) return;
    const v = values(form);
    busy(submit, editing ? "Saving…" : "Adding…", async () => {
      try {
        let saved;
        if (editing) {
          const changes = {};
          for (const [key, value] of Object.entries(v)) {
            const before = product[key] ?? undefined;
            const now = value ?? (["category", "subcategory"].includes(key) ? "" : undefined);
            if (now === undefined && (before === undefined || before === null || before === "")) continue;
            if (String(now ?? "") !== String(before ?? "")) changes[key] = now ?? null;
          }
          if (!Object.keys(changes).length) {
            window.location.hash = back;
            return;
          }
          saved = await patch(`/products/${seg(params.sku)}`, changes);
        } else {
          const body = Object.fromEntries(Object.entries(v).filter(([, value]) => value !== undefined));
          saved = await post("/products", body);
        }
        forgetCategories();
        toast(editing ? "Saved." : `${saved.name} added. Receive stock to start selling it.`);
        window.location.hash = `#/products/${encodeURIComponent(saved.sku)}`;
      } catch (err) {
        showErrors(form, err);
      }
    });
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: back, "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, editing ? `Edit ${product.name}` : "Add a product")),
    form);
  form.querySelector("input").dataset.autofocus = "";
}

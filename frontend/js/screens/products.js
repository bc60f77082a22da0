// Products: search by name, SKU or barcode; filter by category and low stock; add.

import { get } from "../api.js";
import { replaceQuery } from "../app.js";
import { debounce, h } from "../dom.js";
import { categories, productRow } from "../shop.js";
import { emptyState, field, linkButton, pagedList } from "../ui.js";
import { openScanner, scanButton } from "../scanner.js";
import { locations } from "../place.js";

export default async function render({ root, query, signal }) {
  const state = { q: query.q || "", category: query.category || "", low: query.low === "1", location: query.location || "" };
  const searchField = field({ label: "Search", name: "q", kind: "search", value: state.q, optional: false,
    attrs: { placeholder: "Name, SKU or barcode", autocomplete: "off", autocapitalize: "off", spellcheck: "false" } });
  const categorySelect = field({ label: "Category", name: "category", kind: "select", value: state.category, optional: false,
    options: [["", "All categories"], ...(state.category ? [[state.category, state.category]] : [])] });
  const lowBox = h("label", { class: "check" },
    h("input", { type: "checkbox", name: "low", checked: state.low }), "Low stock only");
  const form = h("form", { role: "search", onsubmit: (e) => e.preventDefault() },
    searchField, h("div", { class: "grid2", style: "align-items:end" }, categorySelect, h("div", { class: "field" }, lowBox)));
  lowBox.style.minHeight = "44px";

  const filtered = () => Boolean(state.q || state.category || state.low || state.location);
  const list = pagedList({
    label: "Products",
    loadPage: (cursor) => get("/products", {
      q: state.q, category: state.category, low_stock: state.low ? "true" : "", location_id: state.location, limit: 50, cursor,
    }, { signal }),
    renderItem: productRow,
    empty: () => filtered()
      ? h("div", { "data-empty": "no-match" }, h("p", { class: "muted", style: "padding:12px 0" }, "No product matches these filters."),
        /^\d{6,14}$/.test(state.q) ? linkButton(`Add a product with the barcode ${state.q}`, `#/products/new?barcode=${encodeURIComponent(state.q)}`, "primary") : null)
      : emptyState({
        title: "No products yet",
        text: "Add your first product, or import your catalogue from a spreadsheet.",
        actions: [linkButton("Add a product", "#/products/new", "primary"), linkButton("Import a CSV", "#/import")],
      }),
  });

  const refresh = () => {
    replaceQuery({ q: state.q, category: state.category, low: state.low ? "1" : "", location: state.location });
    return list.reload();
  };
  const typed = debounce(refresh, 250);
  form.q.addEventListener("input", () => { state.q = form.q.value.trim(); typed(); });
  form.category.addEventListener("change", () => { state.category = form.category.value; refresh(); });
  form.low.addEventListener("change", () => { state.low = form.low.checked; refresh(); });

  root.append(
    h("header", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Products"),
      linkButton("Add", "#/products/new", "primary small")),
    form, h("div", { class: "actions", style: "margin-top:0" }, scanButton("Scan a barcode to find its product", () => openScanner({
      title: "Scan a product", signal,
      onCode: (code) => {
        form.q.value = code;
        state.q = code;
        refresh();
        return { ok: true };
      },
    }))), list.element);

  // With more than one location: on hand, minimum and low stock at one of them.
  locations().then((places) => {
    if (places.length < 2) return;
    const select = field({ label: "Location", name: "location", kind: "select", value: state.location, optional: false,
      options: [["", "All locations"], ...places.map((l) => [l.location_id, l.name])] });
    form.append(select);
    form.location.addEventListener("change", () => { state.location = form.location.value; refresh(); });
  }).catch(() => {});
  categories().then(({ categories: names }) => {
    const select = form.category;
    for (const name of names) {
      if (name !== state.category) select.append(h("option", { value: name }, name));
    }
  }).catch(() => {});
  await list.ready;
}

// A product finder: type or scan, pick from the matches. Used where a screen adds products to
// a list (purchase orders). Enter with an exact barcode/SKU match picks it at once.

import { get } from "./api.js";
import { debounce, fill, h, nextId } from "./dom.js";
import { money, number } from "./format.js";

export function productPicker({ label = "Add a product", onPick }) {
  const id = nextId("pick");
  const input = h("input", { type: "search", id, autocomplete: "off", autocapitalize: "off", spellcheck: "false",
    placeholder: "Name, SKU or barcode", "aria-describedby": `${id}-msg` });
  const message = h("p", { class: "hint", id: `${id}-msg`, role: "status" });
  const results = h("ul", { class: "list", "aria-label": "Matching products" });
  let controller = null;

  const search = async (q) => {
    controller?.abort();
    controller = new AbortController();
    return get("/products", { q, limit: 20 }, { signal: controller.signal });
  };
  const pick = (p) => {
    onPick(p);
    input.value = "";
    fill(results);
    message.textContent = `Added ${p.name}.`;
    input.focus();
  };
  const show = (items) => fill(results, items.slice(0, 8).map((p) => h("li", null,
    h("button", { class: "row", type: "button", "data-add": p.sku, onclick: () => pick(p) },
      h("div", { class: "main" }, h("div", { class: "title" }, p.name),
        h("div", { class: "sub" }, `${p.sku} · ${number(p.on_hand)} in stock`)),
      h("div", { class: "end" }, money(p.unit_cost), h("div", { class: "sub" }, "cost"))))));

  const typed = debounce(async () => {
    const q = input.value.trim();
    if (!q) return fill(results);
    try {
      const page = await search(q);
      if (input.value.trim() !== q) return;
      message.textContent = page.items.length ? "" : `No product matches “${q}”.`;
      show(page.items);
    } catch (err) {
      if (err.code !== "aborted") message.textContent = err.message;
    }
  }, 250);
  input.addEventListener("input", typed);
  input.addEventListener("keydown", async (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    typed.cancel();
    const q = input.value.trim();
    if (!q) return;
    try {
      const page = await search(q);
      const exact = page.items.find((p) => p.barcode === q || p.sku.toLowerCase() === q.toLowerCase());
      if (exact || page.items.length === 1) pick(exact || page.items[0]);
      else {
        show(page.items);
        message.textContent = page.items.length ? "Pick one below." : `No product matches “${q}”.`;
      }
    } catch (err) {
      if (err.code !== "aborted") message.textContent = err.message;
    }
  });

  return h("div", { class: "field" }, h("label", { for: id }, label), input, message, results);
}

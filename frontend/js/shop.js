// Small pieces of shop logic shared by screens: reorder suggestions, product rows, categories.

import { get } from "./api.js";
import { h } from "./dom.js";
import { money, number } from "./format.js";

/** How many to order: the product's reorder quantity (or enough to get well above its minimum),
 *  less what is already on order. */
export function suggestedReorder(p) {
  const base = p.reorder_qty > 0 ? p.reorder_qty : Math.max(p.min_stock * 2 - p.on_hand, 1);
  const need = Math.max(base, p.min_stock - p.on_hand + 1) - (p.on_order || 0);
  return Math.max(need, 0);
}

export function stockBadge(p) {
  if (p.on_hand <= 0) return h("span", { class: "badge danger" }, "Out of stock");
  if (p.low_stock) return h("span", { class: "badge low" }, "Low");
  return null;
}

/** A product as a list row linking to its page. */
export function productRow(p) {
  return h("li", null, h("a", { class: "row chev", href: `#/products/${encodeURIComponent(p.sku)}`, "data-sku": p.sku },
    h("div", { class: "main" },
      h("div", { class: "title" }, p.name, " ", stockBadge(p)),
      h("div", { class: "sub" }, [p.sku, p.category, p.barcode].filter(Boolean).join(" · "))),
    h("div", { class: "end" },
      h("div", null, money(p.price)),
      h("div", { class: "sub" }, `${number(p.on_hand)} in stock`))));
}

let categoriesCache = null;
/** Categories and sub-categories in use: every category (from the valuation report, which covers
 *  all products) and the sub-categories of the first 200 products. */
export function categories({ fresh = false } = {}) {
  if (!categoriesCache || fresh) {
    categoriesCache = Promise.all([
      get("/products", { limit: 200 }),
      get("/reports/valuation").catch(() => ({ rows: [] })),
    ]).then(([page, valuation]) => {
      const cats = new Set(valuation.rows.map((r) => r.key).filter((k) => k && k !== "Uncategorised"));
      const subs = new Set();
      for (const p of page.items) {
        if (p.category) cats.add(p.category);
        if (p.subcategory) subs.add(p.subcategory);
      }
      const sort = (set) => [...set].sort((a, b) => a.localeCompare(b));
      return { categories: sort(cats), subcategories: sort(subs), products: page.items };
    }).catch((err) => {
      categoriesCache = null;
      throw err;
    });
  }
  return categoriesCache;
}

export function forgetCategories() {
  categoriesCache = null;
}

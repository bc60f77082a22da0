// CSV export: products, and sales for a date range. Fetched with the sign-in token, then saved.

import { request } from "../api.js";
import { fill, h } from "../dom.js";
import { addDays, dayISO } from "../format.js";
import { busy, errorBlock, field, toast } from "../ui.js";

async function download(path, query, filename, status) {
  fill(status);
  try {
    const reply = await request("GET", path, { query, raw: true, timeout: 120000 });
    const blob = await reply.blob();
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: filename, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    toast(`${filename} downloaded.`);
    fill(status, h("p", { class: "muted", role: "status", "data-downloaded": filename }, `${filename} saved (${Math.ceil(blob.size / 1024)} KB).`));
  } catch (err) {
    fill(status, errorBlock(err));
  }
}

export default async function render({ root }) {
  const today = dayISO();
  const productStatus = h("div", { "aria-live": "polite" });
  const productButton = h("button", { class: "btn primary block", type: "button" }, "Download products.csv");
  productButton.addEventListener("click", () => busy(productButton, "Preparing…",
    () => download("/exports/products.csv", {}, `products-${today}.csv`, productStatus)));

  const salesStatus = h("div", { "aria-live": "polite" });
  const salesButton = h("button", { class: "btn primary block", type: "submit" }, "Download sales.csv");
  const salesForm = h("form", { novalidate: true },
    h("div", { class: "grid2" },
      field({ label: "From", name: "from", kind: "date", value: addDays(today, -29), required: true }),
      field({ label: "To", name: "to", kind: "date", value: today, required: true })),
    salesButton);
  salesForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const { from, to } = { from: salesForm.from.value, to: salesForm.to.value };
    if (!from || !to || from > to) {
      fill(salesStatus, errorBlock({ message: "Choose a start date on or before the end date." }));
      return;
    }
    busy(salesButton, "Preparing…", () => download("/exports/sales.csv", { from, to }, `sales-${from}-to-${to}.csv`, salesStatus));
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Export CSV")),
    h("section", { class: "card" }, h("h2", null, "Products"),
      h("p", { class: "muted" }, "Every product with its stock, prices and settings."), productButton, productStatus),
    h("section", { class: "card" }, h("h2", null, "Sales"),
      h("p", { class: "muted" }, "One row per sale line."), salesForm, salesStatus));
}

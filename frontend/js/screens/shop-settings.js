// Shop settings: the shop's name, address and tax id (they head every invoice), its currency and
// time zone (the same on every phone), and how it taxes: prices with tax in or tax on top.

import { get, me, patch } from "../api.js";
import { h } from "../dom.js";
import { readNumber, setShopCurrency } from "../format.js";
import { busy, checkbox, clearErrors, field, showErrors, toast } from "../ui.js";

const CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "NZD", "INR", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "ZAR",
  "BRL", "MXN", "SGD", "HKD", "NGN", "KES", "AED"];

function zones(current) {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([current, "UTC", ...all])].map((z) => [z, z]);
}

export default async function render({ root, signal }) {
  const s = await get("/settings/shop", {}, { signal });
  const names = new Intl.DisplayNames(undefined, { type: "currency" });
  const currencies = [...new Set([s.currency, ...CURRENCIES])].map((c) => [c, `${c} · ${names.of(c)}`]);
  const submit = h("button", { class: "btn primary block", type: "submit" }, "Save");
  const form = h("form", { novalidate: true, "data-shop-settings": "" },
    field({ label: "Shop name", name: "shop_name", value: s.shop_name, required: true }),
    field({ label: "Address", name: "address", kind: "textarea", value: s.address, hint: "Printed on invoices and purchase orders.",
      attrs: { rows: "2" } }),
    field({ label: "Tax id", name: "tax_id", value: s.tax_id, hint: "VAT or sales-tax number, printed on invoices." }),
    h("div", { class: "grid2" },
      field({ label: "Currency", name: "currency", kind: "select", value: s.currency, options: currencies, optional: false }),
      field({ label: "Time zone", name: "timezone", kind: "select", value: s.timezone, options: zones(s.timezone), optional: false,
        hint: "When your day starts and ends in reports." })),
    field({ label: "Default tax rate (%)", name: "default_tax_rate", kind: "amount", value: +(s.default_tax_rate * 100).toFixed(4),
      optional: false, hint: "For products without a rate of their own; 0 if you do not charge tax." }),
    checkbox({ label: "My prices include tax", name: "prices_include_tax", checked: s.prices_include_tax,
      hint: "On: the price on the shelf is what the customer pays. Off: tax is added at the till." }),
    submit);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const rate = readNumber(form.default_tax_rate.value, { maxDecimals: 2 });
    if (rate.error || rate.value === undefined || rate.value < 0 || rate.value > 100) {
      showErrors(form, { status: 422, message: "Check the tax rate.", details: [
        { field: "default_tax_rate", message: rate.error || "Enter a percentage from 0 to 100." }] });
      return;
    }
    const body = {
      shop_name: form.shop_name.value.trim(),
      address: form.address.value.trim() || null,
      tax_id: form.tax_id.value.trim() || null,
      currency: form.currency.value,
      timezone: form.timezone.value,
      default_tax_rate: Number((rate.value / 100).toFixed(4)),
      prices_include_tax: form.prices_include_tax.checked,
    };
    busy(submit, "Saving…", async () => {
      try {
        const saved = await patch("/settings/shop", body);
        setShopCurrency(saved.currency);
        await me({ fresh: true });
        toast("Shop settings saved.");
      } catch (err) {
        showErrors(form, err);
      }
    });
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Shop settings")),
    h("section", { class: "card" }, form));
}

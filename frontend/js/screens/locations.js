// Locations: the shop's places that hold stock, which one this phone works at, the stock and
// its value at each and in transit; add a location, delete an empty one.

import { del, get, post } from "../api.js";
import { fill, h } from "../dom.js";
import { money, number } from "../format.js";
import { here, locations, setHere } from "../place.js";
import { busy, clearErrors, errorBlock, field, linkButton, showErrors, toast } from "../ui.js";

export default async function render({ root, signal }) {
  const list = h("ul", { class: "list", "aria-label": "Locations" });
  const values = h("section", { class: "card", "aria-label": "Stock by location" });

  async function load() {
    const items = await locations({ fresh: true });
    const held = await get("/reports/stock-by-location", {}, { signal }).catch(() => null);
    const byId = Object.fromEntries((held ? held.locations : []).map((l) => [l.location_id, l]));
    fill(list, items.map((loc) => {
      const mine = loc.location_id === here();
      const stock = byId[loc.location_id];
      const use = h("button", { class: `btn small${mine ? " primary" : ""}`, type: "button", "aria-pressed": String(mine),
        onclick: () => { setHere(loc.location_id); toast(`This phone now works at ${loc.name}.`); load(); } },
      mine ? "This phone" : "Use here");
      const remove = loc.location_id === "main" ? null : h("button", { class: "btn small danger", type: "button",
        onclick: () => busy(remove, "Deleting…", async () => {
          try {
            await del(`/locations/${encodeURIComponent(loc.location_id)}`);
            if (mine) setHere("main");
            toast(`${loc.name} deleted.`);
            await load();
          } catch (err) {
            toast(err.message);
          }
        }) }, "Delete");
      return h("li", null, h("div", { class: "row", "data-location": loc.location_id },
        h("div", { class: "main" }, h("div", { class: "title" }, loc.name),
          h("div", { class: "sub" }, stock ? `${number(stock.units)} units · ${money(stock.value_cost)} at cost` : "")),
        h("div", { class: "end" }, use, remove)));
    }));
    if (held) {
      fill(values, h("h2", null, "Stock value"),
        h("p", { "data-in-transit": held.in_transit.units },
          `${number(held.in_transit.units)} units in transit (${money(held.in_transit.value_cost)} at cost). `,
          `Total ${money(held.total_cost)} at cost, ${money(held.total_retail)} at retail.`),
        linkButton("Transfers", "#/transfers"));
    } else {
      fill(values);
    }
  }

  const submit = h("button", { class: "btn primary", type: "submit" }, "Add");
  const form = h("form", { novalidate: true, class: "card" },
    field({ label: "New location", name: "name", optional: false, attrs: { placeholder: "Stock room, market stall…", maxlength: "200" } }),
    submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    busy(submit, "Adding…", async () => {
      try {
        const made = await post("/locations", { name: form.name.value.trim() });
        form.reset();
        toast(`${made.name} added.`);
        await load();
      } catch (err) {
        showErrors(form, err);
      }
    });
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back to more" }, "‹"),
      h("h1", { tabindex: "-1" }, "Locations")),
    h("p", { class: "muted" }, "Sales, returns and stock counts on this phone happen at the location marked “This phone”."),
    h("section", { class: "card" }, list), values, form);
  try {
    await load();
  } catch (err) {
    fill(list, errorBlock(err, load));
  }
}

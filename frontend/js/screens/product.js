// A product: its figures, stock actions, stock history chart and movements.

import { del, get, seg } from "../api.js";
import { timeChart } from "../charts.js";
import { fill, h } from "../dom.js";
import { MOVEMENT_LABELS, ago, date, dateTime, money, number, parseDay } from "../format.js";
import { forgetCategories, stockBadge, suggestedReorder } from "../shop.js";
import { isOwner } from "../role.js";
import { busy, button, errorBlock, kv, linkButton, pagedList, toast } from "../ui.js";

export default async function render({ root, params, signal }) {
  const sku = params.sku;
  const path = `/products/${seg(sku)}`;
  const [product, first] = await Promise.all([
    get(path, {}, { signal }),
    get(`${path}/movements`, { limit: 200 }, { signal }).catch((err) => ({ error: err })),
  ]);
  const hashSku = encodeURIComponent(sku);
  const owner = isOwner();
  // Staff get no cost (the API leaves it out): no margin either.
  const margin = product.price > 0 && product.unit_cost !== undefined ? (product.price - product.unit_cost) / product.price : null;

  const deleteError = h("div");
  const deleteButton = button("Delete product", {
    kind: "danger block",
    onclick: () => {
      if (!window.confirm(`Delete ${product.name}? It leaves the product list; its sales stay in the reports.`)) return;
      busy(deleteButton, "Deleting…", async () => {
        try {
          await del(path);
          forgetCategories();
          toast(`${product.name} deleted.`);
          window.location.hash = "#/products";
        } catch (err) {
          fill(deleteError, errorBlock(err));
        }
      });
    },
  });

  const chartBox = h("div", { style: "min-height:250px" });
  const forecastBox = h("div", { style: "min-height:250px" }, h("p", { class: "muted" }, "Forecasting…"));
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/products", "aria-label": "Back to products" }, "‹"),
      h("h1", { tabindex: "-1" }, product.name),
      owner ? linkButton("Edit", `#/products/${hashSku}/edit`, "small") : null),
    h("p", { class: "muted", style: "margin-top:-8px" }, [product.sku, product.category, product.subcategory].filter(Boolean).join(" · ")),
    h("section", { class: "figures", "aria-label": "Stock" },
      h("div", { class: `figure${product.low_stock ? " alert" : ""}` },
        h("span", { class: "label" }, "On hand"),
        h("span", { class: "value", "data-on-hand": "" }, number(product.on_hand)), stockBadge(product)),
      h("div", { class: "figure" }, h("span", { class: "label" }, "Price"),
        h("span", { class: "value" }, money(product.price)),
        h("span", { class: "label" }, margin === null ? "" : `Margin ${Math.round(margin * 100)}%`))),
    h("div", { class: "actions" },
      linkButton("Receive", `#/products/${hashSku}/stock?type=receive`, "primary"),
      linkButton("Adjust", `#/products/${hashSku}/stock?type=adjust`),
      linkButton("Count", `#/products/${hashSku}/stock?type=count`)),
    h("section", { class: "card" }, kv([
      product.unit_cost !== undefined ? ["Unit cost", money(product.unit_cost)] : null,
      ["Minimum stock", number(product.min_stock)],
      ["Reorder quantity", number(product.reorder_qty)],
      product.low_stock ? ["Suggested reorder", number(suggestedReorder(product))] : null,
      ["On order", number(product.on_order || 0)],
      ["Lead time", product.lead_time_days === null || product.lead_time_days === undefined ? "–" : `${number(product.lead_time_days)} day${product.lead_time_days === 1 ? "" : "s"}`],
      ["Barcode", product.barcode || "–"],
      ["Last sold", product.last_sold_at ? ago(product.last_sold_at) : "never"],
      ["Rating", product.rating ? `${"★".repeat(Math.round(product.rating.average))} ${product.rating.average} (${product.rating.count})` : "no ratings yet"],
    ])),
    h("section", { class: "card", "aria-labelledby": "forecast-title" },
      h("h2", { id: "forecast-title" }, "Demand ahead"), forecastBox),
    h("section", { class: "card", "aria-labelledby": "history-title" },
      h("h2", { id: "history-title" }, "Stock over time"), chartBox),
    h("section", { class: "card", "aria-labelledby": "moves-title" },
      h("h2", { id: "moves-title" }, "Movements"), movementsList(path, first, signal)),
    deleteError, owner ? deleteButton : null);

  get(`${path}/forecast`, { days: 28 }, { signal })
    .then((f) => fill(forecastBox, forecastView(product, f)))
    .catch((err) => { if (err.code !== "aborted") fill(forecastBox, errorBlock(err)); });

  if (first.error) {
    fill(chartBox, errorBlock(first.error));
  } else if (!first.items.length) {
    fill(chartBox, h("p", { class: "muted" }, "No stock movements yet. Receive stock to start its history."));
  } else {
    const moves = [...first.items].reverse();
    const points = moves.map((m) => ({ x: new Date(m.at), key: m.at, values: [m.on_hand_after] }));
    points.push({ x: new Date(), key: "now", values: [product.on_hand] });
    // A short history reads better by the hour than as the same date repeated.
    const span = points[points.length - 1].x - points[0].x;
    const axisFormat = new Intl.DateTimeFormat(undefined, span < 2 * 86400000
      ? { hour: "numeric", minute: "2-digit" } : { day: "numeric", month: "short" });
    fill(chartBox, timeChart({
      label: `Stock on hand of ${product.name} over time`,
      height: 180,
      points,
      series: [{ label: "On hand", step: true }],
      integer: true,
      xFormat: (d, axis) => (axis ? axisFormat.format(d) : dateTime(d)),
      yFormat: (v) => number(Math.round(v)),
      summary: `${number(product.on_hand)} on hand now`,
    }));
  }
}

function movementsList(path, first, signal) {
  let usedFirst = false;
  const list = pagedList({
    label: "Stock movements",
    loadPage: (cursor) => {
      if (!usedFirst && !first.error) {
        usedFirst = true;
        return Promise.resolve(first);
      }
      return get(`${path}/movements`, { limit: 50, cursor }, { signal });
    },
    renderItem: (m) => h("li", null, h("div", { class: "row", "data-movement": m.type },
      h("div", { class: "main" },
        h("div", { class: "title" }, MOVEMENT_LABELS[m.type] || m.type),
        h("div", { class: "sub" }, dateTime(m.at), m.note ? ` · ${m.note}` : "", refLink(m))),
      h("div", { class: "end" },
        h("b", null, m.change > 0 ? `+${number(m.change)}` : number(m.change)),
        h("div", { class: "sub" }, `${number(m.on_hand_after)} after`)))),
    empty: () => h("p", { class: "muted" }, "No movements yet."),
  });
  return list.element;
}

function refLink(m) {
  if (!m.ref) return null;
  if (m.type === "sale") return [" · ", h("a", { href: `#/sales/${encodeURIComponent(m.ref)}` }, "view sale")];
  if (m.type === "po_receipt") return [" · ", h("a", { href: `#/orders/${encodeURIComponent(m.ref)}` }, "view order")];
  return null;
}

/** The history and the next 4 weeks (expected, and a shaded likely range: 8 days in 10 fall in it),
 *  with the pattern and method in words, days of cover and the run-out date. */
function forecastView(product, f) {
  const points = [];
  for (const d of f.history) points.push({ x: parseDay(d.date), key: d.date, values: [d.units, null, null, null] });
  f.daily.forEach((d, i) => {
    const band = f.band[i];
    points.push({ x: parseDay(d.date), key: d.date, values: [null, d.mean, band ? band.p10 ?? null : null, band ? band.p90 : null] });
  });
  const fmt = (v) => (v === null || v === undefined ? "–" : number(Math.round(v * 10) / 10));
  const axisFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  const lead = f.lead_time_demand;
  const words = f.runs_out_on
    ? `At this rate it runs out on ${date(f.runs_out_on)}.`
    : "Enough stock (with what is on order) for the next four weeks.";
  return h("div", { "data-forecast": f.pattern, "data-runs-out": f.runs_out_on || "" },
    h("p", null, `${capital(f.pattern_words)} (${f.pattern}); forecast from the ${f.method_words}. ${words}`),
    points.length ? timeChart({
      label: `Units of ${product.name} sold per day, and expected over the next 4 weeks`,
      height: 180,
      points,
      series: [{ label: "Sold", color: "--chart-2" }, { label: "Expected", color: "--accent" },
        { label: "Likely low (p10)", color: "--accent", edge: true },
        { label: "Likely high (p90)", color: "--accent", edge: true }],
      bands: [{ upper: 3, lower: 2 }],
      xFormat: (d, axis) => axisFormat.format(d),
      yFormat: fmt,
      summary: `About ${fmt(f.daily.reduce((s, d) => s + d.mean, 0) / f.daily.length * 7)} a week expected`,
    }) : null,
    kv([
      ["Days of cover", f.days_of_cover === null ? "–" : number(f.days_of_cover)],
      ["Runs out on", f.runs_out_on ? date(f.runs_out_on) : "not within 4 weeks"],
      [`Demand over ${number(f.lead_time_days)} days' lead time`,
        `about ${fmt(lead.mean)} (9 times in 10 at most ${fmt(lead.p90)})`],
    ]));
}

function capital(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

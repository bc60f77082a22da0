// Reports: ABC classes (by revenue or profit), dead stock, stock valuation, and sales by any
// dimension the API offers.

import { get } from "../api.js";
import { replaceQuery } from "../app.js";
import { fill, h } from "../dom.js";
import { addDays, ago, count, date, dayISO, money, number, percent, periodLabel, readNumber } from "../format.js";
import { busy, errorBlock, field, loadingNote, segmented, skeletonRows } from "../ui.js";

const TABS = [["abc", "ABC"], ["dead", "Dead stock"], ["valuation", "Valuation"], ["sales", "Sales by…"], ["tax", "Tax"],
  ["returns", "Returns"]];
const BY = [["product", "Product"], ["category", "Category"], ["subcategory", "Sub-category"], ["region", "Region"],
  ["state", "State"], ["day", "Day"], ["week", "Week"], ["month", "Month"]];

const PAGE_ROWS = 50;

/** Rows as a phone-friendly list, 50 at a time. Each item: {key, title, sub, end, endSub, badge}. */
function list(items, label) {
  const ul = h("ul", { class: "list", "aria-label": label });
  const more = h("button", { class: "btn block", type: "button", style: "margin-top:8px" });
  let shown = 0;
  const show = () => {
    ul.append(...items.slice(shown, shown + PAGE_ROWS).map((it) => h("li", { "data-key": it.key },
      h(it.href ? "a" : "div", { class: `row${it.href ? " chev" : ""}`, href: it.href || null },
        it.badge || null,
        h("div", { class: "main" }, h("div", { class: "title" }, it.title), it.sub ? h("div", { class: "sub" }, it.sub) : null),
        h("div", { class: "end" }, h("b", null, it.end), it.endSub ? h("div", { class: "sub" }, it.endSub) : null)))));
    shown = Math.min(items.length, shown + PAGE_ROWS);
    more.textContent = `Show more (${number(items.length - shown)} not shown)`;
    more.hidden = shown >= items.length;
  };
  more.addEventListener("click", show);
  show();
  return h("div", null, ul, more);
}

const productHref = (sku) => `#/products/${encodeURIComponent(sku)}`;


export default async function render({ root, query, signal }) {
  let tab = TABS.some(([t]) => t === query.tab) ? query.tab : "abc";
  const today = dayISO();
  const body = h("div", { style: "min-height:320px" });
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Reports")),
    segmented({ legend: "Report", name: "tab", options: TABS, value: tab, hideLegend: true,
      onchange: (e) => { tab = e.target.value; replaceQuery({ tab }); show(); } }),
    h("div", { style: "height:12px" }),
    body);

  function rangeForm(onSubmit, extra = []) {
    const submit = h("button", { class: "btn", type: "submit", style: "grid-column:1/-1" }, "Show");
    const form = h("form", { class: "grid2", novalidate: true },
      field({ label: "From", name: "from", kind: "date", value: query.from || addDays(today, -89), required: true, attrs: { max: today } }),
      field({ label: "To", name: "to", kind: "date", value: query.to || today, required: true, attrs: { max: today } }),
      extra, submit);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(submit, "Loading…", onSubmit);
    });
    return form;
  }

  async function load(out, work) {
    fill(out, loadingNote(), skeletonRows(4));
    try {
      await work();
    } catch (err) {
      if (err.code !== "aborted") fill(out, errorBlock(err, () => load(out, work)));
    }
  }

  async function abc() {
    const out = h("div");
    const metricField = field({ label: "Rank by", name: "metric", kind: "select", value: "revenue",
      options: [["revenue", "Revenue"], ["profit", "Profit"]], optional: false });
    metricField.style.gridColumn = "1/-1";
    const form = rangeForm(() => run(), [metricField]);
    const run = () => load(out, async () => {
      const r = await get("/reports/abc", { from: form.from.value, to: form.to.value, metric: form.metric.value }, { signal });
      if (!r.rows.length) return fill(out, h("p", { class: "muted" }, "No sales in this period."));
      const counts = { A: 0, B: 0, C: 0 };
      for (const row of r.rows) counts[row.class] += 1;
      fill(out,
        h("p", { class: "notice" }, `${count(counts.A, "product")} (class A) ${counts.A === 1 ? "makes" : "make"} 80% of ${r.metric}; `
          + `${number(counts.B)} more (B) the next 15%; ${number(counts.C)} (C) the last 5%.`),
        list(r.rows.map((row) => ({
          key: row.sku, href: productHref(row.sku), title: row.name || row.sku,
          badge: h("span", { class: `badge ${row.class}`, "aria-label": `class ${row.class}` }, row.class),
          sub: `${row.sku} · profit ${money(row.profit)}`,
          end: money(row.revenue), endSub: `${percent(row.share)} of ${r.metric}`,
        })), "Products by class"));
    });
    fill(body, h("section", { class: "card" },
      h("h2", null, "ABC analysis"),
      h("p", { class: "muted" }, "Which products earn most: A earn the first 80%, B the next 15%, C the rest."),
      form, out));
    await run();
  }

  async function dead() {
    const out = h("div");
    const submit = h("button", { class: "btn", type: "submit" }, "Show");
    const form = h("form", { novalidate: true, style: "display:flex;gap:8px;align-items:end" },
      h("div", { style: "flex:1" }, field({ label: "Not sold for (days)", name: "days", kind: "int", value: query.days || 90, optional: false, attrs: { min: "1", max: "3650" } })),
      h("div", { class: "field" }, submit));
    const run = () => load(out, async () => {
      const days = readNumber(form.days.value, { whole: true });
      if (days.error) return fill(out, errorBlock({ message: days.error }));
      const r = await get("/reports/dead-stock", { days: days.value ?? 90 }, { signal });
      if (!r.rows.length) return fill(out, h("p", { class: "muted" }, `Everything in stock has sold in the last ${count(r.days, "day")}.`));
      fill(out,
        h("p", { class: "notice warn" }, `${money(r.total_value_at_cost)} of cash is tied up in ${count(r.count, "product")} that ${r.count === 1 ? "has" : "have"} not sold for ${count(r.days, "day")}.`),
        r.count > r.rows.length ? h("p", { class: "muted" }, `The ${r.rows.length} tying up the most cash:`) : null,
        list(r.rows.map((row) => ({
          key: row.sku, href: productHref(row.sku), title: row.name || row.sku,
          sub: `${number(row.on_hand)} on hand · last sold ${row.last_sold_at ? ago(row.last_sold_at) : "never"}`,
          end: money(row.value_at_cost), endSub: "at cost",
        })), "Dead stock"));
    });
    form.addEventListener("submit", (e) => { e.preventDefault(); busy(submit, "Loading…", run); });
    fill(body, h("section", { class: "card" },
      h("h2", null, "Dead stock"),
      h("p", { class: "muted" }, "Stock on hand that has not sold for a while, and the cash it ties up."),
      form, out));
    await run();
  }

  async function valuation() {
    const out = h("div");
    fill(body, h("section", { class: "card" },
      h("h2", null, "Stock valuation"),
      h("p", { class: "muted" }, "What is on the shelves now, at cost and at retail, by category."), out));
    await load(out, async () => {
      const r = await get("/reports/valuation", {}, { signal });
      if (!r.rows.length) return fill(out, h("p", { class: "muted" }, "No stock on hand."));
      const t = r.totals;
      // A list, not a four-column table: at 390 px a table cuts its last column off.
      fill(out,
        h("dl", { class: "kv", style: "margin-bottom:10px" },
          h("dt", null, "At cost"), h("dd", { "data-total-cost": "" }, h("b", null, money(t.value_at_cost))),
          h("dt", null, "At retail"), h("dd", { "data-total-retail": "" }, money(t.value_at_retail)),
          h("dt", null, "On hand"), h("dd", null, count(t.units, "unit"))),
        list(r.rows.map((row) => ({
          key: row.key, title: row.key || "No category",
          sub: `${count(row.products, "product")} · ${count(row.units, "unit")}`,
          end: money(row.value_at_cost), endSub: `${money(row.value_at_retail)} at retail`,
        })), "Valuation by category"));
    });
  }

  async function salesBy() {
    const out = h("div");
    const byField = field({ label: "Group by", name: "by", kind: "select", value: query.by || "product", options: BY, optional: false });
    byField.style.gridColumn = "1/-1";
    const form = rangeForm(() => run(), [byField]);
    const run = () => load(out, async () => {
      const by = form.by.value;
      const r = await get("/reports/sales", { from: form.from.value, to: form.to.value, by }, { signal });
      if (!r.rows.length) return fill(out, h("p", { class: "muted" }, "No sales in this period."));
      const timeKeys = ["day", "week", "month"].includes(by);
      const rows = timeKeys ? r.rows : [...r.rows].sort((a, b) => b.revenue - a.revenue);
      const label = (row) => (timeKeys ? periodLabel(row.key, by) : by === "product" ? row.name || row.key : row.key || "Not recorded");
      const t = r.totals;
      fill(out,
        h("p", { class: "muted" }, `${date(r.from)} – ${date(r.to)}`),
        h("p", { class: "num", "data-sales-totals": "" }, h("b", null, money(t.revenue)), ` revenue · ${money(t.profit)} profit · `
          + `${count(t.units, "unit")} · ${count(t.orders, "order")}`),
        list(rows.map((row) => ({
          key: row.key, href: by === "product" ? productHref(row.key) : null, title: label(row),
          sub: (by === "product" && row.name ? `${row.key} · ` : "")
            + `Profit ${money(row.profit)} · ${count(row.units, "unit")} · ${count(row.orders, "order")}`,
          end: money(row.revenue),
        })), "Sales"));
    });
    fill(body, h("section", { class: "card" }, h("h2", null, "Sales by…"), form, out));
    await run();
  }

  // Tax collected by rate, with the revenue it was charged on: what a shop hands its accountant.
  async function tax() {
    const out = h("div");
    const form = rangeForm(() => run());
    const run = () => load(out, async () => {
      const r = await get("/reports/tax", { from: form.from.value, to: form.to.value }, { signal });
      if (!r.rows.length) return fill(out, h("p", { class: "muted" }, "No sales in this period."));
      fill(out,
        h("p", { class: "num", "data-tax-total": "" }, h("b", null, money(r.totals.tax)), ` tax on ${money(r.totals.taxable)} of sales`),
        list(r.rows.map((row) => ({
          key: String(row.rate), title: `${percent(row.rate)} rate`, sub: `on ${money(row.taxable)} of sales (before tax)`,
          end: money(row.tax),
        })), "Tax by rate"));
    });
    fill(body, h("section", { class: "card" }, h("h2", null, "Tax collected"),
      h("p", { class: "muted" }, "By rate, net of returns, on the day each sale or return happened."), form, out));
    await run();
  }

  // Returns by product: how many came back of how many sold, what was refunded, and why.
  async function returnsReport() {
    const out = h("div");
    const form = rangeForm(() => run());
    const run = () => load(out, async () => {
      const r = await get("/reports/returns", { from: form.from.value, to: form.to.value }, { signal });
      if (!r.rows.length) return fill(out, h("p", { class: "muted" }, "No returns in this period."));
      const t = r.totals;
      fill(out,
        h("p", { class: "num", "data-returns-total": "" }, h("b", null, money(t.refunded)),
          ` refunded · ${count(t.returned, "unit")} back of ${count(t.sold, "unit")} sold (${percent(t.rate)})`),
        list(r.rows.map((row) => ({
          key: row.sku, href: productHref(row.sku), title: row.name || row.sku,
          sub: `${number(row.returned)} of ${number(row.sold)} sold (${percent(row.rate)}) · `
            + Object.entries(row.reasons).map(([why, n]) => `${why} ${number(n)}`).join(", "),
          end: money(row.refunded), endSub: "refunded",
        })), "Returns by product"));
    });
    fill(body, h("section", { class: "card" }, h("h2", null, "Returns"),
      h("p", { class: "muted" }, "Most returned first, with the reasons given."), form, out));
    await run();
  }

  function show() {
    return { abc, dead, valuation, sales: salesBy, tax, returns: returnsReport }[tab]();
  }
  await show();
}

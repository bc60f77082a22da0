// Dashboard: today's figures, sales and profit over time (7 days, 30 days, 12 months, custom),
// breakdowns by category / sub-category / region, and what is low with how much to reorder.

import { demoUrl, get, me } from "../api.js";
import { replaceQuery } from "../app.js";
import { askCard } from "../ask.js";
import { timeChart } from "../charts.js";
import { fill, h } from "../dom.js";
import {
  addDays, count, date, dayISO, dayShort, daysBetween, money, moneyShort, month, number, parseDay, periodLabel,
} from "../format.js";
import { suggestedReorder } from "../shop.js";
import { busy, emptyState, errorBlock, field, linkButton, loadingNote, segmented, skeletonRows } from "../ui.js";
import { locations } from "../place.js";

const RANGES = [["7d", "7 days"], ["30d", "30 days"], ["12m", "12 months"], ["custom", "Custom"]];
const BREAKDOWNS = [["category", "Category"], ["subcategory", "Sub-category"], ["region", "Region"]];

/** A range choice → {from, to, by}. */
export function rangeOf(choice, custom = {}) {
  const today = dayISO();
  if (choice === "30d") return { from: addDays(today, -29), to: today, by: "day" };
  if (choice === "12m") {
    const start = parseDay(today);
    start.setDate(1);
    start.setMonth(start.getMonth() - 11);
    return { from: dayISO(start), to: today, by: "month" };
  }
  if (choice === "custom" && custom.from && custom.to) {
    const days = daysBetween(custom.from, custom.to);
    return { from: custom.from, to: custom.to, by: days <= 62 ? "day" : days <= 26 * 7 ? "week" : "month" };
  }
  return { from: addDays(today, -6), to: today, by: "day" };
}

/** Every period of the range, in order, so days without sales show as zero (no gaps). */
export function periods({ from, to, by }) {
  const out = [];
  if (by === "day") {
    for (let d = from; d <= to; d = addDays(d, 1)) out.push({ key: d, x: parseDay(d) });
  } else if (by === "month") {
    const cursor = parseDay(from);
    cursor.setDate(1);
    while (dayISO(cursor) <= to) {
      out.push({ key: dayISO(cursor).slice(0, 7), x: new Date(cursor) });
      cursor.setMonth(cursor.getMonth() + 1);
    }
  } else if (by === "week") {
    const cursor = parseDay(from);
    cursor.setDate(cursor.getDate() - ((cursor.getDay() + 6) % 7)); // its Monday
    while (dayISO(cursor) <= to) {
      out.push({ key: isoWeek(cursor), x: new Date(cursor) });
      cursor.setDate(cursor.getDate() + 7);
    }
  }
  return out;
}

function isoWeek(d) {
  const t = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  t.setDate(t.getDate() + 3 - ((t.getDay() + 6) % 7)); // Thursday of the week
  const jan4 = new Date(t.getFullYear(), 0, 4);
  const week = 1 + Math.round(((t - jan4) / 86400000 - 3 + ((jan4.getDay() + 6) % 7)) / 7);
  return `${t.getFullYear()}-W${String(week).padStart(2, "0")}`;
}

function figure(label, name, href) {
  const value = h("span", { class: "value", "data-figure": name }, h("span", { class: "skel", style: "width:60%" }, "…"));
  return h(href ? "a" : "div", { class: "figure", href: href || null }, h("span", { class: "label" }, label), value);
}

export default async function render({ root, query, signal }) {
  const today = dayISO();
  const shopLine = h("p", { class: "muted", style: "min-height:1.45em;margin:-8px 0 12px" }, date(today));
  me().then((m) => { shopLine.textContent = `${m.shop_name} · ${date(today)}`; }).catch(() => {});

  const demoLine = h("p", { class: "muted", role: "status", "data-demo-progress": "", hidden: true, style: "margin:-6px 0 12px" });
  const welcome = h("div");
  const figures = h("section", { class: "figures", "aria-label": "Today" },
    figure("Revenue today", "revenue"),
    figure("Profit today", "profit"),
    figure("Orders today", "orders", "#/sales"),
    figure("Low stock", "low_stock_count", "#/products?low=1"));
  const summaryError = h("div");
  const stockValue = h("p", { class: "muted", style: "min-height:1.45em;margin:-6px 0 14px" });

  // --- sales over time ---
  let choice = RANGES.some(([v]) => v === query.range) ? query.range : "7d";
  let custom = { from: query.from || addDays(today, -13), to: query.to || today };
  const chartBody = h("div", { style: "min-height:290px" });
  const customForm = h("form", { class: "grid2", style: "margin-top:10px", hidden: choice !== "custom", novalidate: true },
    field({ label: "From", name: "from", kind: "date", value: custom.from, required: true, attrs: { max: today } }),
    field({ label: "To", name: "to", kind: "date", value: custom.to, required: true, attrs: { max: today } }),
    h("button", { class: "btn", type: "submit", style: "grid-column:1/-1" }, "Show this range"));
  const picker = segmented({
    legend: "Period", name: "range", options: RANGES, value: choice, hideLegend: true,
    onchange: (e) => {
      choice = e.target.value;
      customForm.hidden = choice !== "custom";
      if (choice !== "custom") refreshRange();
    },
  });
  customForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const from = customForm.from.value;
    const to = customForm.to.value;
    if (!from || !to || from > to) {
      fill(chartBody, errorBlock({ message: "Choose a start date on or before the end date." }));
      return;
    }
    custom = { from, to };
    busy(customForm.querySelector("button"), "Loading…", refreshRange);
  });
  const salesCard = h("section", { class: "card", "aria-labelledby": "sales-title" },
    h("div", { class: "card-head" }, h("h2", { id: "sales-title" }, "Sales and profit")),
    picker, customForm, chartBody);

  // --- breakdowns ---
  let breakdown = "category";
  const breakdownBody = h("div", { style: "min-height:180px" });
  const breakdownCard = h("section", { class: "card", "aria-labelledby": "breakdown-title" },
    h("div", { class: "card-head" }, h("h2", { id: "breakdown-title" }, "Where sales come from")),
    segmented({
      legend: "Break down by", name: "breakdown", options: BREAKDOWNS, value: breakdown, hideLegend: true,
      onchange: (e) => { breakdown = e.target.value; loadBreakdown(); },
    }),
    h("p", { class: "muted", "data-range-note": "", style: "margin:8px 0 4px" }),
    breakdownBody);

  // --- low stock ---
  const lowBody = h("div", { style: "min-height:120px" });
  // Today's takings by payment method, net of refunds: what to count in the drawer tonight.
  const drawer = h("section", { class: "card", "aria-label": "Takings by payment method", "data-takings": "", hidden: true });
  const lowCard = h("section", { class: "card", "aria-labelledby": "low-title" },
    h("div", { class: "card-head" }, h("h2", { id: "low-title" }, "Running low"),
      linkButton("Order", "#/orders/new?low=1", "small")),
    lowBody);

  // With more than one location: today's figures and what is low at one of them.
  let place = query.location || "";
  const placeBox = h("div");
  locations().then((places) => {
    if (places.length < 2) return;
    const select = field({ label: "Location", name: "location", kind: "select", value: place, optional: false,
      options: [["", "All locations"], ...places.map((l) => [l.location_id, l.name])] });
    select.querySelector("select").addEventListener("change", (e) => {
      place = e.target.value;
      replaceQuery({ ...query, location: place });
      loadSummary();
      loadLow();
    });
    fill(placeBox, select);
  }).catch(() => {});

  root.append(
    h("header", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Today")), placeBox,
    shopLine, demoLine, welcome, figures, summaryError, drawer, stockValue, askCard({ signal }), salesCard, breakdownCard,
    lowCard);

  const current = () => rangeOf(choice, custom);

  async function loadSummary() {
    try {
      const s = await get("/reports/summary", { location_id: place }, { signal });
      const set = (name, text) => { figures.querySelector(`[data-figure=${name}]`).textContent = text; };
      set("revenue", money(s.revenue));
      set("profit", money(s.profit));
      set("orders", number(s.orders));
      set("low_stock_count", number(s.low_stock_count));
      figures.children[3].classList.toggle("alert", s.low_stock_count > 0);
      const takings = s.takings || [];
      drawer.hidden = !takings.length && !Number(s.returns);
      fill(drawer, h("h2", null, "Takings today"),
        h("ul", { class: "list" }, takings.map((t) => h("li", null, h("div", { class: "row", "data-taking": t.method },
          h("div", { class: "main" }, h("div", { class: "title" }, t.method[0].toUpperCase() + t.method.slice(1))),
          h("div", { class: "end" }, h("b", { class: "num" }, money(t.amount))))))),
        h("p", { class: "muted" }, [Number(s.tax) ? `Tax collected ${money(s.tax)}` : "",
          Number(s.returns) ? `Refunds ${money(s.returns)}` : ""].filter(Boolean).join(" · ")));
      if (s.stock_value_cost !== undefined) {
        stockValue.textContent = `Stock on hand: ${money(s.stock_value_cost)} at cost, ${money(s.stock_value_retail)} at retail`;
      }
    } catch (err) {
      if (err.code === "aborted") return;
      for (const el of figures.querySelectorAll("[data-figure]")) el.textContent = "–";
      fill(summaryError, errorBlock({ message: `Today's figures could not be loaded. ${err.message}` }, loadSummary));
    }
  }

  async function loadChart() {
    const range = current();
    fill(chartBody, loadingNote("Loading the sales chart…"), h("span", { class: "skel", style: "height:270px" }));
    try {
      const report = await get("/reports/sales", range, { signal });
      const byKey = new Map(report.rows.map((r) => [r.key, r]));
      const points = periods(range).map((p) => {
        const row = byKey.get(p.key) || {};
        return { ...p, values: [row.revenue || 0, row.profit || 0], orders: row.orders || 0 };
      });
      const t = report.totals || {};
      const xFormat = range.by === "month"
        ? (d, axis) => (axis ? new Intl.DateTimeFormat(undefined, { month: "short" }).format(d) : month(d))
        : range.by === "week"
          ? (d, axis) => (axis ? new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" }).format(d) : periodLabel(isoWeek(d), "week"))
          : (d, axis) => (axis ? new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" }).format(d) : dayShort(d));
      fill(chartBody,
        h("p", { class: "num", "data-totals": "", style: "margin:10px 0 4px" },
          h("b", null, money(t.revenue || 0)), " revenue · ", h("b", null, money(t.profit || 0)), " profit · ",
          `${count(t.orders || 0, "order")} · ${count(t.units || 0, "unit")}`),
        timeChart({
          label: `Revenue and profit by ${range.by}, ${date(range.from)} to ${date(range.to)}`,
          height: 200,
          points,
          series: [
            { label: "Revenue", color: "--accent" },
            { label: "Profit", color: "--chart-2", dash: [6, 4] },
          ],
          xFormat,
          yFormat: (v, axis) => (axis ? moneyShort(v) : money(v)),
          summary: `${date(range.from)} – ${date(range.to)}`,
        }));
    } catch (err) {
      if (err.code === "aborted") return;
      fill(chartBody, errorBlock({ message: `The sales chart could not be loaded. ${err.message}` }, loadChart));
    }
  }

  async function loadBreakdown() {
    const range = current();
    const by = breakdown;
    breakdownCard.querySelector("[data-range-note]").textContent = `${date(range.from)} – ${date(range.to)}`;
    fill(breakdownBody, loadingNote(), skeletonRows(3));
    try {
      const report = await get("/reports/sales", { from: range.from, to: range.to, by }, { signal });
      if (by !== breakdown) return;
      const rows = [...report.rows].sort((a, b) => b.revenue - a.revenue);
      if (!rows.length) {
        fill(breakdownBody, h("p", { class: "muted" }, "No sales in this period yet."));
        return;
      }
      const top = rows.slice(0, 8);
      const rest = rows.slice(8);
      if (rest.length) {
        top.push(rest.reduce((acc, r) => ({
          key: `${rest.length} more`, revenue: acc.revenue + r.revenue, profit: acc.profit + r.profit, units: acc.units + r.units,
        }), { revenue: 0, profit: 0, units: 0 }));
      }
      const max = Math.max(...top.map((r) => r.revenue), 0.01);
      fill(breakdownBody, h("ul", { class: "bars", "data-breakdown": by }, top.map((r) => h("li", null,
        h("div", { class: "top" }, h("span", null, r.key || "Not recorded"), h("b", { class: "num" }, money(r.revenue))),
        h("div", { class: "track", "aria-hidden": "true" },
          h("div", { class: "fill", style: `width:${Math.max(0, (r.revenue / max) * 100).toFixed(1)}%` })),
        h("div", { class: "sub" }, `Profit ${money(r.profit)} · ${count(r.units, "unit")}`)))));
    } catch (err) {
      if (err.code === "aborted") return;
      fill(breakdownBody, errorBlock({ message: `The breakdown could not be loaded. ${err.message}` }, loadBreakdown));
    }
  }

  async function loadLow() {
    fill(lowBody, loadingNote(), skeletonRows(2));
    try {
      const page = await get("/products", { low_stock: true, limit: 50, location_id: place }, { signal });
      if (!page.items.length) {
        fill(lowBody, h("p", { class: "muted" }, "Nothing is running low."));
        lowCard.querySelector(".btn").hidden = true;
        return;
      }
      fill(lowBody, h("ul", { class: "list", "data-low-stock": "" }, page.items.map((p) => h("li", null,
        h("a", { class: "row chev", href: `#/products/${encodeURIComponent(p.sku)}` },
          h("div", { class: "main" },
            h("div", { class: "title" }, p.name),
            h("div", { class: "sub" }, `${number(p.on_hand)} left · minimum ${number(p.min_stock)}`
              + (p.on_order ? ` · ${number(p.on_order)} on order` : ""))),
          suggestedReorder(p) > 0
            ? h("div", { class: "end" },
              h("div", { class: "sub" }, "Reorder"),
              h("b", { "data-suggested": p.sku }, number(suggestedReorder(p))))
            : h("div", { class: "end" }, h("div", { class: "sub", "data-suggested": p.sku }, "Covered by", h("br"), "open orders")))))));
    } catch (err) {
      if (err.code === "aborted") return;
      fill(lowBody, errorBlock({ message: `The low-stock list could not be loaded. ${err.message}` }, loadLow));
    }
  }

  async function checkNewShop() {
    try {
      const page = await get("/products", { limit: 1 }, { signal });
      if (page.items.length) return;
      fill(welcome, h("section", { class: "card", "data-empty": "new-shop" }, emptyState({
        title: "Welcome to Shelfwise",
        text: "Add the products you sell, then record your first sale. Got a spreadsheet? Import it as CSV.",
        actions: [linkButton("Add a product", "#/products/new", "primary"), linkButton("Import a CSV", "#/import")],
      })));
    } catch {
      // the other cards say what went wrong
    }
  }

  // The local stack loads the demo's four years of history in the background (demoUrl is only in
  // its config.js): say how far it got, and redraw the figures once it is all there.
  async function watchDemo() {
    if (!demoUrl) return;
    let shop;
    try { shop = (await me()).tenant_id; } catch { return; }
    let shown = false;
    while (!signal.aborted) {
      let status;
      try {
        const response = await fetch(new URL(demoUrl, window.location.href), { signal, cache: "no-store" });
        status = await response.json();
      } catch { return; }
      if (status.shop_id !== shop || status.state === "none") return;
      if (status.state === "done") {
        demoLine.hidden = true;
        if (shown) { loadSummary(); refreshRange(); }
        return;
      }
      shown = true;
      demoLine.hidden = false;
      demoLine.textContent = status.state === "failed"
        ? "The demo's history stopped loading; restart make run to resume it."
        : `Loading the demo's history: ${status.percent} %`;
      await new Promise((resolve) => { setTimeout(resolve, 3000); });
    }
  }

  function refreshRange() {
    const range = current();
    replaceQuery(choice === "custom" ? { range: choice, from: range.from, to: range.to } : { range: choice });
    return Promise.all([loadChart(), loadBreakdown()]);
  }

  watchDemo();
  await Promise.all([checkNewShop(), loadSummary(), loadChart(), loadBreakdown(), loadLow()]);
}

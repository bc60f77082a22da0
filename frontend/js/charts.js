// The one module that knows about the chart library: uPlot 1.6.32, vendored from the npm
// registry into lib/uplot/ (see lib/uplot/SOURCE.md). Loaded on first use, not with the shell.
//
// timeChart() draws lines over time with an explicit size, a touch-friendly readout (tap or drag
// across the plot; the values show above it, where a finger does not cover them) and the same
// data as a table for screen readers and for anyone who prefers numbers.

import { h } from "./dom.js";

export const UPLOT_VERSION = "1.6.32";
const BASE = new URL("../lib/uplot/", import.meta.url);
let loading = null;

export function loadChartLibrary() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(h("link", { rel: "stylesheet", href: new URL("uPlot.min.css", BASE).href }));
      const script = h("script", { src: new URL("uPlot.iife.min.js", BASE).href });
      script.onload = () => resolve(window.uPlot);
      script.onerror = () => {
        loading = null;
        reject(new Error("The chart library could not be loaded; the figures are in the table below."));
      };
      document.head.append(script);
    });
  }
  return loading;
}

const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/**
 * timeChart({label, height, points: [{x: Date, key, values: [..]}], series: [{label, color, dash, step, format}],
 *            xFormat(Date) → text, yFormat(number) → text, summary: text shown when nothing is selected})
 * Returns a <figure>; the plot is drawn once the figure is in the page and has a width.
 */
export function timeChart({ label, height = 200, points, series, xFormat, yFormat, summary, integer = false, bands = [] }) {
  const readout = h("p", { class: "readout", "aria-hidden": "true" });
  const plot = h("div", { class: "plot", style: `height:${height}px`, role: "img", "aria-label": label });
  const table = h("table", null,
    h("caption", { class: "sr-only" }, label),
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "Period"),
      series.map((s) => h("th", { scope: "col", class: "n" }, s.label)))),
    h("tbody", null, points.map((p) => h("tr", { "data-key": p.key },
      h("th", { scope: "row" }, xFormat(p.x)),
      p.values.map((v, i) => h("td", { class: "n" }, (series[i].format || yFormat)(v)))))));
  const figure = h("figure", {
    class: "chart", style: "margin:0",
    "data-points": String(points.length),
    "data-bands": String(bands.length),
    "data-last-key": points.length ? points[points.length - 1].key : "",
  },
  readout, plot,
  h("details", null, h("summary", null, "Show as table"), h("div", { class: "table-wrap" }, table)));

  const showSummary = () => {
    readout.replaceChildren(
      ...series.map((s) => h("span", { class: "key" }, h("span", { class: "swatch", style: `background:${color(s)}` }), s.label)),
      h("br"), summary || "Tap or drag across the chart to see each point.");
  };
  const showPoint = (i) => {
    const p = points[i];
    readout.replaceChildren(h("b", null, xFormat(p.x)), h("br"),
      ...series.map((s, j) => h("span", { class: "key" },
        h("span", { class: "swatch", style: `background:${color(s)}` }), `${s.label} ${(s.format || yFormat)(p.values[j])}`)));
  };
  showSummary();

  let chart = null;
  let drawing = null;
  const data = [points.map((p) => p.x.getTime() / 1000), ...series.map((_, j) => points.map((p) => p.values[j]))];

  const draw = async () => {
    const width = plot.clientWidth;
    if (!width || !figure.isConnected) return;
    let uPlot;
    try {
      uPlot = await loadChartLibrary();
    } catch (err) {
      plot.replaceChildren(h("p", { class: "muted" }, err.message));
      figure.querySelector("details").open = true;
      return;
    }
    if (chart) chart.destroy();
    const muted = cssVar("--muted");
    const grid = cssVar("--line");
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: "12px system-ui, sans-serif" };
    chart = new uPlot({
      width, height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 8 }, y: false },
      scales: { x: { time: true } },
      axes: [
        { ...axis, values: (u, splits) => splits.map((t) => xFormat(new Date(t * 1000), true)), space: 70 },
        {
          ...axis, values: (u, splits) => splits.map((v) => yFormat(v, true)), size: 56,
          ...(integer ? { incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 100000] } : {}),
        },
      ],
      series: [{}, ...series.map((s) => ({
        label: s.label,
        stroke: color(s),
        width: s.edge ? 0 : 2, // a band's edge: only the shading between its two series shows
        dash: s.dash,
        paths: s.step ? uPlot.paths.stepped({ align: 1 }) : undefined,
        points: { show: !s.edge && points.length <= 40, size: 5, fill: color(s) },
      }))],
      // A shaded area between two series (indexes into `series`), e.g. the p10-p90 range.
      bands: bands.map((b) => ({ series: [b.upper + 1, b.lower + 1], fill: translucent(color(series[b.upper])) })),
      hooks: {
        setCursor: [(u) => {
          const i = u.cursor.idx;
          if (i === null || i === undefined) showSummary();
          else showPoint(i);
        }],
      },
    }, data, plot);
    plot.querySelector(".u-wrap")?.setAttribute("aria-hidden", "true");
    // Touch: a tap or a sideways drag moves the cursor (the page still scrolls vertically).
    const over = chart.over;
    const follow = (e) => {
      if (e.pointerType === "mouse") return;
      const rect = over.getBoundingClientRect();
      const left = Math.min(Math.max(e.clientX - rect.left, 0), rect.width);
      chart.setCursor({ left, top: rect.height / 2 });
    };
    over.addEventListener("pointerdown", follow);
    over.addEventListener("pointermove", follow);
    figure.dataset.drawn = "true";
  };

  const observer = new ResizeObserver(() => {
    if (!figure.isConnected) {
      observer.disconnect();
      chart?.destroy();
      return;
    }
    if (chart && plot.clientWidth && chart.width !== plot.clientWidth) chart.setSize({ width: plot.clientWidth, height });
    else if (!chart && !drawing) drawing = draw().finally(() => { drawing = null; });
  });
  observer.observe(plot);
  const scheme = matchMedia("(prefers-color-scheme: dark)");
  scheme.addEventListener("change", () => figure.isConnected && draw());
  return figure;
}

function translucent(c) {
  return /^#[0-9a-f]{6}$/i.test(c) ? `${c}33` : "rgba(128,128,128,0.2)";
}

function color(s) {
  return s.color ? cssVar(s.color) || s.color : cssVar("--accent");
}

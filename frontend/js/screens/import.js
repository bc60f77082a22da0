// CSV import of products or past sales: check first (dry run: every row error with its row and
// column), then import. Long files go up in parts, with a progress bar and a Stop button; row
// numbers always refer to the original file.

import { request } from "../api.js";
import { chunks } from "../csv.js";
import { fill, h } from "../dom.js";
import { count, number } from "../format.js";
import { forgetCategories } from "../shop.js";
import { button, clearErrors, errorBlock, segmented, setFieldError } from "../ui.js";

const KINDS = {
  products: {
    label: "Products",
    path: "/imports/products",
    group: (name) => ["sku", "product_id", "product id"].includes(name.trim().toLowerCase()),
    columns: "sku, name, price (required); category, subcategory, unit_cost, min_stock, reorder_qty, lead_time_days, barcode, supplier_id, on_hand",
    example: "sku,name,category,subcategory,price,unit_cost,min_stock,reorder_qty,barcode,on_hand\nMILK-2L,Semi-skimmed milk 2L,Groceries,Dairy,1.65,1.10,6,24,5000112637922,20",
    summary: (t) => [["Created", t.created], ["Updated", t.updated], ["Unchanged", t.unchanged], ["Stock counted", t.stock_counted]],
    // Products the import will create or change, each once however many things change on it (a
    // new product with its stock is one product, not "created" + "counted").
    good: (t) => t.products_changed ?? t.created + t.updated,
    noun: "product",
  },
  sales: {
    label: "Past sales",
    path: "/imports/sales",
    // One order (one sale of a Shelfwise export) is never split between two parts.
    group: (name) => ["Order ID", "sale_id"].includes(name.trim()),
    columns: "A sales export from Shelfwise (Export CSV), or the Superstore layout: Order ID, Order Date, Product ID, Product Name, Sales, Quantity, Profit (required); Category, Sub-Category, Customer Name, Segment, Country, City, State, Region, Discount",
    example: "Order ID,Order Date,Customer Name,Segment,Country,City,State,Region,Product ID,Category,Sub-Category,Product Name,Sales,Quantity,Discount,Profit\nCA-2026-1001,11/08/2026,Ann Lee,Consumer,United States,Henderson,Kentucky,South,FUR-BO-10001798,Furniture,Bookcases,Bush Somerset Collection Bookcase,261.96,2,0,41.91",
    summary: (t) => [["Sales", t.sales], ["Returns", t.returns || 0], ["Lines", t.lines], ["Already imported", t.already_imported], ["New products", t.products_created]],
    good: (t) => t.sales,
    noun: "sale",
  },
};
const CHUNK_ROWS = 500;
const CHUNK_BYTES = 1_000_000;

export default async function render({ root, query }) {
  let kind = KINDS[query.kind] ? query.kind : "products";
  let file = null; // {name, text, plan}
  let running = null; // {stop: bool}

  const fileId = "import-file";
  const fileInput = h("input", { type: "file", id: fileId, name: "file", accept: ".csv,text/csv,text/plain",
    "aria-describedby": `${fileId}-hint ${fileId}-error`, style: "min-height:44px;width:100%" });
  const fileField = h("div", { class: "field" },
    h("label", { for: fileId }, "CSV file"), fileInput,
    h("p", { class: "hint", id: `${fileId}-hint` }, "The first line must name the columns."),
    h("p", { class: "error", id: `${fileId}-error`, hidden: true }));
  const columnsHelp = h("details", { style: "margin:0 0 14px" },
    h("summary", null, "Which columns?"),
    h("p", { "data-columns": "" }), h("pre", { class: "mail", style: "overflow-x:auto;white-space:pre" }));
  const fileInfo = h("p", { class: "muted", "aria-live": "polite" });
  const checkButton = button("Check the file", { kind: "primary block", attrs: { disabled: true, "data-check": "" } });
  const importButton = button("Import", { kind: "block", attrs: { disabled: true, "data-import": "" } });
  const stopButton = button("Stop", { kind: "danger block", attrs: { hidden: true } });
  const progressBox = h("div", { "aria-live": "polite", hidden: true },
    h("label", { for: "import-progress", "data-progress-label": "" }, "Working…"),
    h("progress", { id: "import-progress", max: "1", value: "0" }));
  const results = h("div", { "data-results": "" });
  const form = h("form", { novalidate: true, onsubmit: (e) => e.preventDefault() },
    segmented({ legend: "What to import", name: "kind", options: Object.entries(KINDS).map(([k, v]) => [k, v.label]), value: kind,
      onchange: (e) => { kind = e.target.value; describe(); reset(); } }),
    columnsHelp, fileField, fileInfo,
    h("div", { class: "actions" }, checkButton), progressBox,
    h("div", { class: "actions" }, stopButton), results,
    h("div", { class: "actions" }, importButton));

  function describe() {
    columnsHelp.querySelector("[data-columns]").textContent = KINDS[kind].columns;
    columnsHelp.querySelector("pre").textContent = KINDS[kind].example;
  }

  function reset() {
    clearErrors(form);
    fill(results);
    importButton.disabled = true;
    importButton.textContent = "Import";
    if (file) plan();
  }

  function plan() {
    file.plan = chunks(file.text, { groupColumn: KINDS[kind].group, maxRows: CHUNK_ROWS, maxBytes: CHUNK_BYTES });
    const parts = file.plan.chunks.length;
    const separated = { ";": ", separated by semicolons (decimals with a comma)", "\t": ", separated by tabs" }[file.plan.separator] || "";
    fileInfo.textContent = `${file.name}: ${count(file.plan.total, "row")}${separated}${parts > 1 ? `, sent in ${parts} parts` : ""}.`;
    checkButton.disabled = file.plan.total === 0;
    if (!file.plan.total) setFieldError(fileInput, "This file has no rows under its header.");
  }

  fileInput.addEventListener("change", async () => {
    clearErrors(form);
    fill(results);
    importButton.disabled = true;
    const chosen = fileInput.files[0];
    if (!chosen) return;
    try {
      file = { name: chosen.name, text: await chosen.text() };
      plan();
    } catch (err) {
      setFieldError(fileInput, `The file could not be read: ${err.message}`);
    }
  });

  async function run(dryRun) {
    const k = KINDS[kind];
    const parts = file.plan.chunks;
    const totals = {};
    const errors = [];
    running = { stop: false };
    const label = progressBox.querySelector("[data-progress-label]");
    const bar = progressBox.querySelector("progress");
    progressBox.hidden = false;
    stopButton.hidden = parts.length < 2;
    checkButton.disabled = true;
    importButton.disabled = true;
    fileInput.disabled = true;
    fill(results);
    clearErrors(form);
    let done = 0;
    let stoppedAt = null;
    bar.max = file.plan.total;
    bar.value = 0;
    try {
      for (let i = 0; i < parts.length; i++) {
        if (running.stop) {
          stoppedAt = done;
          break;
        }
        const part = parts[i];
        label.textContent = `${dryRun ? "Checking" : "Importing"} rows ${number(done + 1)}–${number(done + part.rows)} of ${number(file.plan.total)}…`;
        const reply = await request("POST", k.path, {
          body: part.body, contentType: "text/csv", query: dryRun ? { dry_run: "true" } : {}, timeout: 120000,
        });
        for (const [key, value] of Object.entries(reply)) if (typeof value === "number") totals[key] = (totals[key] || 0) + value;
        for (const e of reply.errors || []) errors.push({ ...e, row: part.lineOf(e.row) });
        done += part.rows;
        bar.value = done;
      }
    } catch (err) {
      showFailure(err, done);
      return;
    } finally {
      running = null;
      progressBox.hidden = true;
      stopButton.hidden = true;
      checkButton.disabled = false;
      fileInput.disabled = false;
    }
    errors.sort((a, b) => a.row - b.row);
    showResult(dryRun, totals, errors, stoppedAt);
  }

  function showFailure(err, done) {
    const where = done ? ` The first ${count(done, "row")} ${done === 1 ? "was" : "were"} ${err.status ? "sent" : "handled"}; nothing after them.` : "";
    if (err.status === 422 && err.details.some((d) => d.field)) {
      setFieldError(fileInput, err.message);
      fill(results);
    } else {
      fill(results, errorBlock({ message: err.message + where }));
    }
  }

  function showResult(dryRun, totals, errors, stoppedAt) {
    const k = KINDS[kind];
    const good = k.good(totals);
    fill(results, h("section", { class: "card", "data-result": dryRun ? "dry-run" : "imported" },
      h("h2", null, dryRun ? "Check finished: nothing was changed yet" : stoppedAt !== null ? "Import stopped" : "Import finished"),
      stoppedAt !== null ? h("p", { class: "notice warn" }, `Stopped after ${count(stoppedAt, "row")}; the rest were not sent.`) : null,
      h("dl", { class: "kv" }, k.summary(totals).map(([name, value]) => [
        h("dt", null, dryRun && name !== "Already imported" && name !== "Unchanged" ? `${name} (would be)` : name),
        h("dd", { "data-total": name }, number(value || 0))])),
      errors.length
        ? [h("h3", { style: "margin:14px 0 6px" }, count(errors.length, "row error")),
          h("p", { class: "muted" }, dryRun ? "Rows with errors will be left out; fix them in your file and import it again." : "These rows were left out. Fix them and import the file again: rows already in are not doubled."),
          h("div", { class: "table-wrap" }, h("table", { "data-row-errors": "" },
            h("thead", null, h("tr", null, h("th", { class: "n" }, "Row"), h("th", null, "Column"), h("th", null, "Problem"))),
            h("tbody", null, errors.slice(0, 500).map((e) => h("tr", { "data-row": String(e.row) },
              h("td", { class: "n" }, number(e.row)), h("td", null, e.column), h("td", null, e.message)))))),
          errors.length > 500 ? h("p", { class: "muted" }, `Showing the first 500 of ${number(errors.length)}.`) : null]
        : h("p", { class: "muted", "data-no-errors": "" }, "No row errors.")));
    if (dryRun) {
      importButton.disabled = !good;
      importButton.classList.toggle("primary", Boolean(good));
      importButton.textContent = good ? `Import ${count(good, k.noun)}${errors.length ? " (skip the rows with errors)" : ""}` : "Nothing to import";
    } else {
      importButton.disabled = true;
      importButton.textContent = "Imported";
      if (kind === "products") forgetCategories();
      results.append(h("div", { class: "actions" },
        h("a", { class: "btn", href: kind === "products" ? "#/products" : "#/" }, kind === "products" ? "See products" : "See the dashboard")));
    }
    results.querySelector("h2").setAttribute("tabindex", "-1");
    results.querySelector("h2").focus();
  }

  checkButton.addEventListener("click", () => file && !running && run(true));
  importButton.addEventListener("click", () => file && !running && run(false));
  stopButton.addEventListener("click", () => { if (running) running.stop = true; });

  describe();
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Import CSV")),
    h("p", { class: "muted" }, "Check the file first: nothing changes until you import. Importing the same file twice changes nothing more."),
    form);
}

// Import a file of any size: the file goes straight to S3 (presigned POST, with an upload
// progress bar), then the screen follows the background processing (rows done of total, errors
// so far) until it is done. The import's id is kept in localStorage, so a reload of the page
// picks the progress up again. A file of a layout Shelfwise does not know gets a column-mapping
// step first, suggested by the API from the column names (or this shop's last mapping).

import { get, post } from "../api.js";
import { fill, h } from "../dom.js";
import { count, number } from "../format.js";
import { button, errorBlock, segmented } from "../ui.js";

const KEPT = "shelfwise.import";
const POLL_MS = 1500;

function firstLine(text) {
  const line = text.replace(/^\ufeff/, "").split(/\r?\n/, 1)[0];
  const separator = [";", "\t", ","].sort((a, b) => line.split(b).length - line.split(a).length)[0];
  const cells = [];
  let cell = "";
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === separator && !quoted) { cells.push(cell.trim()); cell = ""; }
    else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

function uploadWithProgress(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file); // last, as S3 expects
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(`the upload was refused (${xhr.status})`)));
    xhr.onerror = () => reject(new Error("the upload failed: check the connection and try again"));
    xhr.send(form);
  });
}

export default async function render({ root }) {
  let kind = "sales";
  let file = null;
  let header = [];
  const fileInput = h("input", { type: "file", id: "big-file", accept: ".csv,text/csv,text/plain", style: "min-height:44px;width:100%" });
  const mapping = h("div", { "data-mapping": "" });
  const dayFirst = h("input", { type: "checkbox", id: "day-first" });
  const startButton = button("Upload and import", { kind: "primary block", attrs: { disabled: true, "data-start": "" } });
  const progress = h("div", { "aria-live": "polite", "data-progress": "" });
  root.append(
    h("header", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Import a large file")),
    h("p", { class: "muted" }, "Any size up to 200 MB: the file goes straight to storage and is imported in the background. You can leave this page and come back."),
    segmented({ legend: "What to import", name: "kind", options: [["sales", "Past sales"], ["products", "Products"]], value: kind,
      onchange: (e) => { kind = e.target.value; if (file) preview(); } }),
    h("div", { class: "field" }, h("label", { for: "big-file" }, "CSV file"), fileInput),
    mapping,
    h("div", { class: "actions" }, startButton),
    progress);

  async function preview() {
    const reply = await post("/imports/preview", { kind, header });
    fill(mapping);
    startButton.disabled = false;
    if (reply.layout) {
      mapping.append(h("p", { class: "muted", "data-layout": reply.layout }, `Recognised: ${reply.layout === "own" ? "a Shelfwise export" : reply.layout === "superstore" ? "the Superstore layout" : "a products file"}.`));
      mapping.columns = null;
      return;
    }
    mapping.columns = { ...reply.columns };
    mapping.append(h("h2", null, reply.remembered ? "Columns (as last time)" : "Which column holds what?"),
      h("div", { class: "table-wrap" }, h("table", null, h("tbody", null, reply.fields.map((fieldName) => {
        const select = h("select", { "data-field": fieldName, onchange: (e) => {
          if (e.target.value) mapping.columns[fieldName] = e.target.value; else delete mapping.columns[fieldName];
        } }, h("option", { value: "" }, "—"), header.map((c) => h("option", { value: c, selected: reply.columns[fieldName] === c }, c)));
        return h("tr", null, h("th", null, fieldName), h("td", null, select));
      })))),
      kind === "sales" ? h("label", null, dayFirst, " Dates are day first (23/11/2026)") : null);
  }

  fileInput.addEventListener("change", async () => {
    file = fileInput.files[0] || null;
    if (!file) return;
    header = firstLine(await file.slice(0, 65536).text());
    try { await preview(); } catch (err) { fill(mapping, errorBlock(err)); }
  });

  async function follow(importId) {
    localStorage.setItem(KEPT, importId);
    const bar = h("progress", { max: "1", value: "0", id: "processing" });
    const label = h("label", { for: "processing" }, "Waiting for the import to start…");
    fill(progress, label, bar);
    for (;;) {
      let status;
      try { status = await get(`/imports/${importId}`); } catch (err) {
        if (err.status === 404) { localStorage.removeItem(KEPT); fill(progress); return; }
        await new Promise((r) => setTimeout(r, POLL_MS * 2));
        continue;
      }
      bar.max = Math.max(status.rows_total, 1);
      bar.value = status.rows_done;
      label.textContent = `${status.filename}: ${number(status.rows_done)} of ${number(status.rows_total)} rows, ${count(status.error_count, "error")} so far`;
      if (status.status === "done" || status.status === "failed") {
        localStorage.removeItem(KEPT);
        fill(progress, h("section", { class: "card", "data-import-status": status.status },
          h("h2", null, status.status === "done" ? "Import finished" : "Import failed"),
          status.reason ? h("p", { class: "notice warn" }, status.reason) : null,
          h("p", null, kind === "products" || status.kind === "products"
            ? `${number(status.created)} created, ${number(status.updated)} updated.`
            : `${number(status.sales)} sales${status.returns ? ` and ${number(status.returns)} returns` : ""} (${number(status.lines)} lines), ${number(status.already_imported)} already imported.`),
          status.error_count ? [h("p", null, `${count(status.error_count, "row")} refused.`),
            status.refused_rows_url ? h("a", { class: "btn", href: status.refused_rows_url, "data-refused": "" }, "Download the refused rows") : null,
            h("ul", null, status.errors.slice(0, 50).map((e) => h("li", null, `Row ${e.row}, ${e.column}: ${e.message}`)))] : null));
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  startButton.addEventListener("click", async () => {
    if (!file) return;
    startButton.disabled = true;
    const bar = h("progress", { max: String(file.size), value: "0", id: "uploading" });
    fill(progress, h("label", { for: "uploading" }, "Uploading…"), bar);
    try {
      const body = { kind, filename: file.name, bytes: file.size, day_first: dayFirst.checked };
      if (mapping.columns) body.columns = mapping.columns;
      const started = await post("/imports", body);
      localStorage.setItem(KEPT, started.import_id);
      await uploadWithProgress(started.upload, file, (loaded) => { bar.value = loaded; });
      await follow(started.import_id);
    } catch (err) {
      fill(progress, errorBlock(err));
    } finally {
      startButton.disabled = false;
    }
  });

  const kept = localStorage.getItem(KEPT);
  if (kept) follow(kept);
}

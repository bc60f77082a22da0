// Low-stock alerts: who gets the email and whether it is on; the daily summary and its hour;
// the history of alert emails sent.

import { get, put } from "../api.js";
import { h } from "../dom.js";
import { dateTime } from "../format.js";
import { busy, checkbox, clearErrors, emptyState, field, pagedList, showErrors, toast } from "../ui.js";

export default async function render({ root, signal }) {
  const settings = await get("/settings/alerts", {}, { signal });
  const submit = h("button", { class: "btn primary block", type: "submit" }, "Save");
  const form = h("form", { novalidate: true },
    checkbox({ label: "Email me when products run low", name: "enabled", checked: settings.enabled,
      hint: "One email per product when it falls to its minimum, grouped into a digest." }),
    field({ label: "Recipients", name: "recipients", kind: "textarea", value: settings.recipients.join("\n"), optional: false,
      hint: "One email address per line (up to 10).", attrs: { autocapitalize: "off", spellcheck: "false", rows: "3" } }),
    checkbox({ label: "Daily summary email", name: "daily_summary", checked: settings.daily_summary,
      hint: "Once a day: revenue, profit, orders, returns, takings, best sellers and what is running low." }),
    field({ label: "Send it at", name: "daily_summary_hour", kind: "select", value: String(settings.daily_summary_hour ?? 20),
      optional: false, hint: "Your shop's local time. Before noon, it reports the day before.",
      options: Array.from({ length: 24 }, (_, hr) => [String(hr), `${String(hr).padStart(2, "0")}:00`]) }),
    submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const recipients = form.recipients.value.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
    busy(submit, "Saving…", async () => {
      try {
        const saved = await put("/settings/alerts", { recipients, enabled: form.enabled.checked,
          daily_summary: form.daily_summary.checked, daily_summary_hour: Number(form.daily_summary_hour.value) });
        form.recipients.value = saved.recipients.join("\n");
        toast("Alert settings saved.");
      } catch (err) {
        // "recipients.1" → the textarea, naming which line
        showErrors(form, { ...err, status: err.status, message: err.message, details: (err.details || []).map((d) => {
          const m = /^recipients\.(\d+)/.exec(d.field || "");
          return m ? { field: "recipients", message: `line ${Number(m[1]) + 1} (${recipients[Number(m[1])]}): ${d.message}` }
            : d.field === "body" ? { field: "recipients", message: d.message } : d;
        }) });
      }
    });
  });

  const history = pagedList({
    label: "Alert emails",
    loadPage: (cursor) => get("/alerts", { limit: 50, cursor }, { signal }),
    renderItem: (a) => h("li", null, h("div", { class: "row", "data-alert": a.alert_id },
      h("div", { class: "main" },
        h("div", { class: "title" }, a.skus.map((sku, i) => [i ? ", " : "", h("a", { href: `#/products/${encodeURIComponent(sku)}` }, sku)])),
        h("div", { class: "sub" }, `${a.sent_at ? dateTime(a.sent_at) : "Not sent yet"} · to ${a.recipients.join(", ")}`),
        a.error ? h("div", { class: "error" }, a.error) : null),
      h("div", { class: "end" }, h("span", { class: `badge ${a.status === "failed" ? "danger" : a.status === "sent" ? "ok" : "warn"}` }, a.status)))),
    empty: () => emptyState({ title: "No alerts sent yet", text: "When a product falls to its minimum stock, the email shows up here." }),
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Low-stock alerts")),
    h("section", { class: "card" }, form),
    h("section", { class: "card" }, h("h2", null, "Emails sent"), history.element));
  await history.ready;
}

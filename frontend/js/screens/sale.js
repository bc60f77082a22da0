// One sale: its lines with discounts and tax, how it was paid, its returns, a link to its invoice,
// and Return: pick what comes back, whether it goes back on the shelf, and why.

import { get, newKey, post, seg } from "../api.js";
import { fill, h } from "../dom.js";
import { dateTime, money, number, readNumber } from "../format.js";
import { kv, linkButton, toast } from "../ui.js";

const REASONS = ["Changed mind", "Damaged", "Faulty", "Wrong item", "Expired"];

export default async function render({ root, params, signal }) {
  const sale = await get(`/sales/${seg(params.id)}`, {}, { signal });
  const customer = sale.customer || {};
  const returnable = sale.lines.some((l) => l.quantity > (l.returned || 0));
  const returnBox = h("div", { "data-return-box": "" });
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/sales", "aria-label": "Back to sales" }, "‹"),
      h("h1", { tabindex: "-1" }, sale.invoice_no ? `Sale · invoice ${sale.invoice_no}` : "Sale")),
    h("p", { class: "muted", style: "margin-top:-8px" }, dateTime(sale.sold_at)),
    h("div", { class: "actions" },
      linkButton("Printable invoice", `#/sales/${encodeURIComponent(sale.sale_id)}/invoice`, "primary"),
      returnable ? h("button", { class: "btn", type: "button", "data-return": "", onclick: () => openReturn() }, "Return") : null),
    returnBox,
    h("section", { class: "card" }, h("h2", null, "Lines"),
      h("div", { class: "table-wrap" }, h("table", null,
        h("thead", null, h("tr", null, h("th", null, "Product"), h("th", { class: "n" }, "Qty"), h("th", { class: "n" }, "Price"),
          h("th", { class: "n" }, "Discount"), h("th", { class: "n" }, "Total"))),
        h("tbody", null, sale.lines.map((l) => h("tr", null,
          h("td", null, h("a", { href: `#/products/${encodeURIComponent(l.sku)}` }, l.name || l.sku),
            l.returned ? h("div", { class: "sub muted" }, `${number(l.returned)} returned`) : null),
          h("td", { class: "n" }, `${number(l.quantity)}${l.unit && l.unit !== "each" ? " " + l.unit : ""}`),
          h("td", { class: "n" }, money(l.unit_price)),
          h("td", { class: "n" }, l.discount ? `−${money(l.discount)}` : ""),
          h("td", { class: "n" }, money((l.gross ?? l.revenue) - (l.discount || 0)))))),
        h("tfoot", null,
          sale.tax_total ? h("tr", null, h("td", { colspan: "4" }, sale.prices_include_tax ? "Tax included" : "Tax"),
            h("td", { class: "n" }, money(sale.tax_total))) : null,
          h("tr", null, h("td", { colspan: "4" }, `Total · paid by ${sale.payment_method || "other"}`),
            h("td", { class: "n" }, money(sale.total))))))),
    sale.returns?.length ? h("section", { class: "card", "data-returns": "" }, h("h2", null, "Returns"),
      h("ul", { class: "list" }, sale.returns.map((r) => h("li", null, h("div", { class: "row" },
        h("div", { class: "main" },
          h("div", { class: "title" }, r.lines.map((x) => `${number(x.quantity)} × ${x.sku}`).join(", ")),
          h("div", { class: "sub" }, `${dateTime(r.returned_at)} · ${r.lines.map((x) => (x.restocked ? "restocked" : "written off")
            + (x.reason ? ` (${x.reason})` : "")).join(", ")}`)),
        h("div", { class: "end" }, h("b", null, `−${money(r.refund_total)}`), h("div", { class: "sub" }, r.refund_method))))))) : null,
    h("section", { class: "card" }, kv([
      ["Revenue (before tax)", money(sale.revenue ?? sale.total)],
      ...(sale.profit !== null && sale.profit !== undefined ? [["Profit", money(sale.profit)], ["Cost", money(sale.cost)]] : []),
      ["Items", number(sale.units)],
      ...Object.entries(customer).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v]),
    ])));

  // --- Return: one key per return form, so a double tap or a retry returns once ---
  function openReturn() {
    const key = newKey();
    const rows = sale.lines.filter((l) => l.quantity > (l.returned || 0)).map((l, i) => {
      const left = l.quantity - (l.returned || 0);
      const byMeasure = l.unit && l.unit !== "each";
      return {
        line: l, left,
        qty: h("input", { type: "text", id: `ret-${i}`, inputmode: byMeasure ? "decimal" : "numeric", autocomplete: "off",
          value: byMeasure ? "" : "0", "data-return-qty": l.sku, placeholder: `up to ${number(left)}` }),
        restock: h("input", { type: "checkbox", checked: true, "data-return-restock": l.sku }),
        reason: h("select", { "data-return-reason": l.sku }, [h("option", { value: "" }, "Reason…"),
          ...REASONS.map((r) => h("option", { value: r }, r))]),
        error: h("p", { class: "error", role: "alert", hidden: true }),
        i,
      };
    });
    const send = h("button", { class: "btn primary block", type: "submit", "data-return-send": "" }, "Refund and record the return");
    const message = h("p", { class: "form-error", role: "alert", hidden: true });
    const form = h("form", { class: "card", novalidate: true, "data-return-form": "" },
      h("h2", null, "Return items"),
      rows.map((r) => h("div", { class: "field" },
        h("label", { for: `ret-${r.i}` }, `${r.line.name} (${number(r.left)} can come back)`),
        r.qty,
        h("div", { class: "grid2" },
          h("label", { class: "check" }, r.restock, " Back on the shelf"),
          r.reason),
        r.error)),
      message, send);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      message.hidden = true;
      const lines = [];
      let bad = false;
      for (const r of rows) {
        const byMeasure = r.line.unit && r.line.unit !== "each";
        const { value, error } = readNumber(r.qty.value, byMeasure ? { maxDecimals: 3 } : { whole: true });
        const problem = error || (value !== undefined && (value < 0 || value > r.left) ? `Up to ${number(r.left)} can come back.` : null);
        r.error.textContent = problem || "";
        r.error.hidden = !problem;
        bad = bad || Boolean(problem);
        if (!problem && value) {
          lines.push({ sku: r.line.sku, quantity: value, restock: r.restock.checked, ...(r.reason.value ? { reason: r.reason.value } : {}) });
        }
      }
      if (bad) return;
      if (!lines.length) {
        message.textContent = "Enter how many of at least one item come back.";
        message.hidden = false;
        return;
      }
      send.disabled = true;
      send.textContent = "Recording the return…";
      try {
        const ret = await post(`/sales/${seg(sale.sale_id)}/returns`, { lines }, { headers: { "Idempotency-Key": key } });
        toast(`Refund ${money(ret.refund_total)} recorded.`);
        window.dispatchEvent(new HashChangeEvent("hashchange")); // show the sale again, with its return
      } catch (err) {
        message.textContent = err.message;
        message.hidden = false;
        send.disabled = false;
        send.textContent = "Refund and record the return";
      }
    });
    fill(returnBox, form);
    form.querySelector("input")?.focus();
  }
}

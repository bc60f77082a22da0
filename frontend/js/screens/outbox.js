// Local stack only: the emails the stack has "sent" for this shop (moto's SES keeps them instead
// of sending). config.js names the outbox (outboxUrl, a path on the API) only where there is one;
// it is fetched with the sign-in token and answers {"items": [{id, from, to, subject, html,
// sent_at}]}: this shop's emails only. (moto's own /moto-api/data.json shape is read too.)

import { get, outboxUrl } from "../api.js";
import { h } from "../dom.js";
import { dateTime } from "../format.js";
import { emptyState, errorBlock } from "../ui.js";

/** Either shape → [{id, source, to, subject, body, sent_at}], newest first. */
export function messages(reply) {
  if (Array.isArray(reply.items)) {
    return reply.items.map((m) => ({
      ...m, source: m.source ?? m.from, body: m.body ?? m.html ?? m.text,
      to: Array.isArray(m.to) ? m.to : [m.to].filter(Boolean),
    }));
  }
  const ses = (reply && reply.ses) || {};
  const plain = (ses.Message || []).map((m) => ({
    id: m.id, source: m.source, subject: m.subject, body: m.body,
    to: [...((m.destinations || {}).ToAddresses || []), ...((m.destinations || {}).CcAddresses || [])],
  }));
  const raw = (ses.RawMessage || []).map((m) => ({
    id: m.id, source: m.source, to: m.destinations || [], subject: (/^Subject: (.*)$/m.exec(m.raw_data || "") || [])[1] || "",
    body: m.raw_data,
  }));
  return [...plain, ...raw].reverse(); // moto keeps them in the order sent
}

const looksLikeHtml = (text) => /<(html|body|p|table|div|h1)[\s>]/i.test(text || "");

export default async function render({ root, signal }) {
  root.append(h("header", { class: "page-head" },
    h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
    h("h1", { tabindex: "-1" }, "Outbox")));
  if (!outboxUrl) {
    root.append(h("p", { class: "muted" }, "The outbox exists only in the local stack. Real emails go through Amazon SES."));
    return;
  }
  root.append(h("p", { class: "muted" }, "Emails the local stack has sent for this shop. Nothing leaves this machine."));
  let items;
  try {
    items = messages(await get(outboxUrl, {}, { signal }));
  } catch (err) {
    if (err.code === "aborted") return;
    root.append(errorBlock({ message: `The outbox could not be read: ${err.message}` }));
    return;
  }
  if (!items.length) {
    root.append(emptyState({ title: "No emails yet", text: "Low-stock alerts appear here when a product falls to its minimum." }));
    return;
  }
  root.append(h("ul", { class: "list card", "data-outbox": "" }, items.map((m) => h("li", { style: "padding:10px 0", "data-mail": m.id },
    h("div", { class: "title" }, m.subject || "(no subject)"),
    h("div", { class: "sub muted" }, `From ${m.source} to ${(m.to || []).join(", ")}`),
    m.sent_at ? h("div", { class: "sub muted" }, "Sent ", h("time", { datetime: m.sent_at, "data-sent-at": m.sent_at }, dateTime(m.sent_at))) : null,
    h("details", null, h("summary", null, "Show the email"),
      looksLikeHtml(m.body)
        // An email's HTML, shown as a mail client would: no scripts, its own origin.
        ? h("iframe", { class: "invoice-frame", style: "height:360px", title: `Email: ${m.subject}`, sandbox: "", srcdoc: m.body })
        : h("pre", { class: "mail" }, m.body || ""))))));
}

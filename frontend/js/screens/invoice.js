// The printable invoice. The API serves it as HTML behind the sign-in, so it is fetched with the
// token and shown in a sandboxed frame (its own Print button works there; the frame gets an origin
// of its own, so nothing in it can read this site's session), or opened on its own in a new tab.

import { request, seg } from "../api.js";
import { h } from "../dom.js";

export default async function render({ root, params, signal }) {
  const reply = await request("GET", `/sales/${seg(params.id)}/invoice`, { raw: true, signal });
  const html = await reply.text();
  const blobUrl = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  signal.addEventListener("abort", () => URL.revokeObjectURL(blobUrl));
  const frame = h("iframe", { class: "invoice-frame", title: "Invoice", sandbox: "allow-scripts allow-modals", srcdoc: html });
  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: `#/sales/${encodeURIComponent(params.id)}`, "aria-label": "Back to the sale" }, "‹"),
      h("h1", { tabindex: "-1" }, "Invoice")),
    h("div", { class: "actions" },
      h("a", { class: "btn", href: blobUrl, target: "_blank", rel: "noopener" }, "Open in a new tab"),
      h("a", { class: "btn", href: blobUrl, download: `invoice-${params.id}.html` }, "Download")),
    frame);
  await new Promise((resolve) => {
    frame.addEventListener("load", resolve, { once: true });
    setTimeout(resolve, 3000); // do not hold the screen if the frame never says it loaded
  });
}

// The buyer's page (no sign-in): the shop's name, the products bought, 1-5 stars and a comment each.
// Shows only what the API gives it, as text.

import { get, post } from "../api.js";
import { fill, h } from "../dom.js";
import { button, errorBlock } from "../ui.js";

export default async function render({ root, params, signal }) {
  const path = `/feedback/${encodeURIComponent(params.token)}`;
  let form;
  try {
    form = await get(path, undefined, { signal, auth: false });
  } catch (err) {
    root.append(h("h1", { tabindex: "-1" }, "Feedback"),
      err.status === 404 ? h("p", null, "This feedback link is not valid or has expired.") : errorBlock(err));
    return;
  }
  const rows = form.products.map((p) => {
    const stars = h("select", { name: `stars-${p.sku}`, "aria-label": `Stars for ${p.name}`, disabled: p.rated },
      h("option", { value: "" }, p.rated ? "Rated, thank you" : "Stars…"),
      [5, 4, 3, 2, 1].map((n) => h("option", { value: String(n) }, "★".repeat(n))));
    const comment = h("textarea", { maxlength: "1000", rows: "2", placeholder: "A comment (optional)",
      "aria-label": `Comment on ${p.name}`, disabled: p.rated });
    return { p, stars, comment, el: h("li", { class: "card" }, h("h2", null, p.name), stars, comment) };
  });
  const note = h("div");
  const send = button("Send", { kind: "block primary", onclick: async () => {
    const ratings = rows.filter((r) => !r.p.rated && r.stars.value).map((r) => ({ sku: r.p.sku, stars: Number(r.stars.value),
      ...(r.comment.value.trim() ? { comment: r.comment.value.trim() } : {}) }));
    if (!ratings.length) { fill(note, h("p", { class: "error" }, "Choose stars for at least one product.")); return; }
    try {
      await post(path, { ratings }, { auth: false });
      fill(root, h("h1", { tabindex: "-1" }, form.shop_name), h("p", { "data-feedback-sent": "" }, "Thank you for your feedback!"));
    } catch (err) { fill(note, errorBlock(err)); }
  } });
  root.append(h("h1", { tabindex: "-1" }, form.shop_name), h("p", null, "How was what you bought?"),
    h("ul", { class: "list" }, rows.map((r) => r.el)), note, send);
}

// The dashboard's "Ask" box: a question in plain words, answered by POST /ask from the shop's own
// figures, with tappable example questions and a link to the screen that shows each figure.

import { post } from "./api.js";
import { fill, h } from "./dom.js";
import { busy, errorBlock } from "./ui.js";

// Short enough that two fit side by side on a phone: the examples wrap, never scroll sideways.
export const EXAMPLES = [
  "Best sellers last week",
  "Takings yesterday",
  "This month vs last",
  "What's running low?",
  "Profit this month",
  "Dead stock",
];

/** What the answer's link opens, in words. */
function linkLabel(link) {
  if (link.startsWith("#/reports")) return "Open the report";
  if (link.startsWith("#/products?")) return "Open the products";
  if (link.startsWith("#/products/")) return "Open the product";
  if (link.startsWith("#/orders/new")) return "Start an order";
  if (link.startsWith("#/sell")) return "Open Sell";
  return "Open";
}

function chips(questions, onPick, attrs = {}) {
  return h("div", { class: "ask-chips", ...attrs },
    questions.map((q) => h("button", { type: "button", class: "chip", onclick: () => onPick(q) }, q)));
}

/** The Ask card. `signal` aborts a question in flight when the screen is left. */
export function askCard({ signal } = {}) {
  const input = h("input", {
    type: "search", id: "ask-q", name: "question", maxlength: "500", autocomplete: "off", enterkeyhint: "send",
    placeholder: "e.g. what sold best last week", "aria-describedby": "ask-hint",
  });
  const submit = h("button", { class: "btn primary", type: "submit" }, "Ask");
  const form = h("form", { role: "search", novalidate: true, style: "display:flex;gap:8px;align-items:stretch" },
    h("label", { class: "sr-only", for: "ask-q" }, "Ask about your shop"), input, submit);
  const out = h("div", { "data-ask-answer": "", "aria-live": "polite" });

  async function ask(question) {
    const text = question.trim();
    if (!text) {
      fill(out, h("p", { class: "muted" }, "Type a question, or tap one of the examples."));
      input.focus();
      return;
    }
    input.value = text;
    await busy(submit, "Asking…", async () => {
      try {
        const reply = await post("/ask", { question: text }, { signal });
        fill(out,
          h("p", { class: reply.understood ? "notice" : "notice warn", "data-understood": String(reply.understood),
            style: "margin:10px 0 8px" }, reply.answer),
          reply.link ? h("a", { class: "btn small", href: reply.link, "data-ask-link": "" }, linkLabel(reply.link)) : null,
          reply.suggestions && reply.suggestions.length
            ? chips(reply.suggestions, ask, { "data-ask-suggestions": "", style: "margin-top:10px" }) : null);
      } catch (err) {
        if (err.code !== "aborted") fill(out, errorBlock(err));
      }
    });
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); ask(input.value); });
  return h("section", { class: "card", "aria-labelledby": "ask-title", "data-ask": "" },
    h("div", { class: "card-head" }, h("h2", { id: "ask-title" }, "Ask")),
    form,
    out,
    h("p", { class: "muted", id: "ask-hint", style: "margin:8px 0 6px;font-size:.875rem" },
      "Answers come from your own figures and never change anything. Try:"),
    chips(EXAMPLES, ask, { "data-ask-examples": "" }));
}

// Shared pieces of screens: page header, labelled fields, errors next to what they concern,
// busy buttons, loading skeletons, empty states, toasts, "load more" lists.

import { $, $$, append, fill, h, nextId } from "./dom.js";
import { inputNumber, money, readNumber } from "./format.js";

export function pageHeader(title, { back, actions } = {}) {
  return h("header", { class: "page-head" },
    back ? h("a", { class: "back", href: back, "aria-label": "Back" }, "‹") : null,
    h("h1", { tabindex: "-1" }, title),
    actions || null);
}

/**
 * A labelled input with room for a hint and an error under it.
 * kind: "text" | "amount" | "int" | "email" | "password" | "search" | "date" | "select" | "textarea" | ...
 * The control's `name` is the API's field name, so error details land next to it.
 */
export function field({ label, name, kind = "text", value, hint, required, options, attrs = {}, list, optional = !required }) {
  const id = attrs.id || nextId(name || "f");
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const common = {
    id, name, required,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    ...attrs,
  };
  let control;
  if (kind === "select") {
    control = h("select", common, (options || []).map(([v, text]) =>
      h("option", { value: v, selected: String(v) === String(value ?? "") }, text)));
  } else if (kind === "textarea") {
    control = h("textarea", common);
    control.value = value ?? "";
  } else {
    // Numbers are text fields read by format.readNumber in the browser's locale: a number input
    // would silently empty itself on "1,5" in en-US, and its value would skip the checks.
    const typed = {
      amount: { type: "text", inputmode: "decimal", autocomplete: "off", spellcheck: "false", "data-type": "amount" },
      int: { type: "text", inputmode: "numeric", autocomplete: "off", spellcheck: "false", "data-type": "int" },
    }[kind] || { type: kind };
    const shown = typed["data-type"] ? inputNumber(value) : value ?? "";
    control = h("input", { ...typed, ...common, list: list || null, value: shown });
  }
  // How an amount with a thousands separator was read, so "1,250" is never a surprise.
  const readsAs = kind === "amount" ? h("p", { class: "hint", "data-reads-as": "", "aria-live": "polite", hidden: true }) : null;
  if (readsAs) {
    control.addEventListener("input", () => {
      const { value: read, error } = readNumber(control.value);
      const grouped = /\D\d{3}(\D|$)/.test(control.value.trim()) && read !== undefined && !error;
      readsAs.textContent = grouped ? `Reads as ${money(read)}` : "";
      readsAs.hidden = !grouped;
    });
  }
  return h("div", { class: "field" },
    h("label", { for: id }, label, optional ? h("span", { class: "muted" }, " (optional)") : null),
    control,
    readsAs,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "error", id: errorId, hidden: true }));
}

export function checkbox({ label, name, checked, hint }) {
  const id = nextId(name);
  return h("div", { class: "field" },
    h("label", { class: "check", for: id },
      h("input", { type: "checkbox", id, name, checked, "data-type": "bool" }), label),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { class: "error", hidden: true }));
}

/** A radio group drawn as a segmented control. */
export function segmented({ legend, name, options, value, onchange, hideLegend = false }) {
  return h("fieldset", { class: "segfield" },
    h("legend", { class: hideLegend ? "sr-only" : null }, legend),
    h("div", { class: "seg" }, options.map(([v, text]) =>
      h("label", null,
        h("input", { type: "radio", name, value: v, checked: String(v) === String(value), onchange }),
        h("span", null, text)))));
}

/** The values of a form's named controls, typed by data-type; empty text becomes undefined. */
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === "radio" && !el.checked) continue;
    const type = el.dataset.type;
    if (type === "bool") out[el.name] = el.checked;
    else if (type === "amount" || type === "int") out[el.name] = readNumber(el.value, { whole: type === "int" }).value;
    else {
      const text = el.value.trim();
      out[el.name] = text === "" ? undefined : text;
    }
  }
  return out;
}

/** Local checks before sending: every number field must read as exactly one number in the
 *  browser's locale (format.readNumber). Returns false (and says why next to each field) if not. */
export function checkNumbers(form) {
  let ok = true;
  for (const el of form.elements) {
    const type = el.dataset.type;
    if (!el.name || el.disabled || (type !== "amount" && type !== "int")) continue;
    const { error } = readNumber(el.value, { whole: type === "int" });
    if (error) {
      setFieldError(el, error);
      ok = false;
    }
  }
  return ok;
}

export function clearErrors(root) {
  for (const el of $$(".error, .line-error", root)) {
    el.textContent = "";
    el.hidden = true;
  }
  for (const el of $$("[aria-invalid]", root)) el.removeAttribute("aria-invalid");
  const general = $(".form-error", root);
  if (general) general.remove();
}

export function setFieldError(control, message) {
  control.setAttribute("aria-invalid", "true");
  const box = control.closest(".field") || control.parentElement;
  const slot = box && $(".error", box);
  if (slot) {
    slot.textContent = sentence(message);
    slot.hidden = false;
  }
}

const sentence = (text) => {
  const s = String(text || "").trim();
  return s ? s[0].toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".") : "";
};

/**
 * Show an ApiError: each detail next to the control named by its `field` (mapped through
 * `mapField` when the form's names differ), the message at the top of the form.
 */
export function showErrors(form, err, { mapField } = {}) {
  clearErrors(form);
  let placed = 0;
  let first = null;
  for (const detail of err.details || []) {
    if (!detail || !detail.field) continue;
    const name = mapField ? mapField(detail.field) : detail.field;
    const control = name && form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (control) {
      setFieldError(control, detail.message);
      placed += 1;
      first = first || control;
    }
  }
  const fieldCount = (err.details || []).filter((d) => d && d.field).length;
  const text = placed && placed === fieldCount && err.status === 422
    ? "Please correct the fields marked below."
    : err.message;
  const box = h("p", { class: "form-error", role: "alert" }, text);
  form.prepend(box);
  (first || box).focus?.();
  if (!first) box.scrollIntoView({ block: "nearest" });
  return box;
}

/** Run `work` with the button disabled and saying what is happening; prevents double submits. */
export async function busy(button, label, work) {
  if (button.dataset.busy) return undefined;
  const before = [...button.childNodes];
  button.dataset.busy = "1";
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  fill(button, h("span", { class: "spin", "aria-hidden": "true" }), label);
  try {
    return await work();
  } finally {
    delete button.dataset.busy;
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (button.isConnected) fill(button, before);
  }
}

export function button(label, { kind = "", type = "button", onclick, attrs = {} } = {}) {
  return h("button", { class: `btn ${kind}`.trim(), type, onclick, ...attrs }, label);
}

export function linkButton(label, href, kind = "") {
  return h("a", { class: `btn ${kind}`.trim(), href }, label);
}

export function emptyState({ title, text, actions = [] }) {
  return h("div", { class: "empty" },
    h("h2", null, title),
    text ? h("p", null, text) : null,
    actions.length ? h("div", { class: "actions" }, actions) : null);
}

/** Grey placeholder rows the size of the real ones, so nothing jumps when data arrives. */
export function skeletonRows(count = 4) {
  return h("div", { "aria-hidden": "true" },
    Array.from({ length: count }, () => h("span", { class: "skel skel-line" })));
}

export function loadingNote(text = "Loading…") {
  return h("p", { class: "sr-only", role: "status" }, text);
}

/** An error in words, with a retry button when there is something to retry. */
export function errorBlock(err, onRetry) {
  return h("div", { class: "form-error", role: "alert" },
    h("p", null, err.message || String(err)),
    onRetry ? button("Try again", { kind: "small", onclick: onRetry }) : null);
}

let toastTimer;
export function toast(message) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = message;
  el.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove("show"), 2500);
}

/**
 * A list fed page by page: loadPage(cursor) → {items, next_cursor}; renderItem(item) → <li>.
 * Returns {element, reload, ready} where `ready` resolves when the first page is shown.
 */
export function pagedList({ loadPage, renderItem, empty, label }) {
  const list = h("ul", { class: "list", "aria-label": label || null });
  const more = button("Load more", { kind: "block" });
  const status = h("div");
  const element = h("div", null, status, list, more);
  let cursor = null;
  let generation = 0;
  more.hidden = true;

  async function page(first) {
    const mine = generation;
    if (first) {
      fill(status, loadingNote(), skeletonRows(3));
      list.replaceChildren();
      more.hidden = true;
    }
    try {
      const reply = await loadPage(first ? null : cursor);
      if (mine !== generation) return;
      fill(status);
      cursor = reply.next_cursor || null;
      append(list, reply.items.map(renderItem));
      more.hidden = !cursor;
      if (first && reply.items.length === 0 && empty) fill(status, empty());
    } catch (err) {
      if (mine !== generation || err.code === "aborted") return;
      fill(status, errorBlock(err, () => page(first)));
    }
  }

  more.addEventListener("click", () => busy(more, "Loading…", () => page(false)));
  const reload = () => {
    generation += 1;
    return page(true);
  };
  return { element, reload, ready: reload() };
}

/** A key/value list: [[label, value], ...]. */
export function kv(pairs) {
  return h("dl", { class: "kv" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", null, k), h("dd", null, v)]));
}

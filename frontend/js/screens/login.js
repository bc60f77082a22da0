// Log in: email and password; the refresh token keeps the person signed in on this device.

import { login } from "../api.js";
import { h } from "../dom.js";
import { busy, clearErrors, field, showErrors } from "../ui.js";

export default async function render({ root, query }) {
  const flash = sessionStorage.getItem("shelfwise.flash");
  sessionStorage.removeItem("shelfwise.flash");
  const submit = h("button", { class: "btn primary block big", type: "submit" }, "Log in");
  const form = h("form", { novalidate: true },
    field({ label: "Email", name: "email", kind: "email", required: true, value: query.email || "",
      attrs: { autocomplete: "username", autocapitalize: "off", spellcheck: "false" } }),
    field({ label: "Password", name: "password", kind: "password", required: true,
      attrs: { autocomplete: "current-password" } }),
    submit);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const email = form.email.value.trim();
    const password = form.password.value;
    if (!email || !password) {
      showErrors(form, { message: "Enter your email and password.", details: [
        !email && { field: "email", message: "enter your email" },
        !password && { field: "password", message: "enter your password" },
      ].filter(Boolean) });
      return;
    }
    busy(submit, "Logging in…", async () => {
      try {
        await login(email, password);
        const next = query.next && query.next.startsWith("/") ? query.next : "/";
        window.location.hash = "#" + next;
      } catch (err) {
        showErrors(form, err);
      }
    });
  });

  root.append(h("div", { class: "auth" },
    h("p", { class: "brand" }, "Shelfwise"),
    h("h1", { tabindex: "-1" }, "Log in"),
    h("p", { class: "muted" }, "Stock and sales for your shop."),
    flash ? h("p", { class: "notice warn", role: "status" }, flash) : null,
    form,
    h("p", { style: "margin-top:18px" }, "New here? ", h("a", { href: "#/register" }, "Create a shop account"))));
  form.email.dataset.autofocus = "";
  if (query.email) form.password.dataset.autofocus = "";
}

// Sign up: shop name, email, password (the rules are shown and ticked as they are met).

import { login, post } from "../api.js";
import { $$, h } from "../dom.js";
import { busy, clearErrors, field, showErrors } from "../ui.js";

const RULES = [
  ["length", "At least 8 characters", (p) => p.length >= 8],
  ["lower", "A lower-case letter", (p) => /[a-z]/.test(p)],
  ["upper", "An upper-case letter", (p) => /[A-Z]/.test(p)],
  ["digit", "A digit", (p) => /[0-9]/.test(p)],
];

export default async function render({ root }) {
  const rules = h("ul", { class: "rules", id: "password-rules", "aria-label": "Password rules" },
    RULES.map(([key, text]) => h("li", { "data-rule": key }, text)));
  const submit = h("button", { class: "btn primary block big", type: "submit" }, "Create account");
  const password = field({ label: "Password", name: "password", kind: "password", required: true,
    attrs: { autocomplete: "new-password" } });
  password.querySelector("label").after(rules);
  const pw = password.querySelector("input");
  pw.setAttribute("aria-describedby", `password-rules ${pw.getAttribute("aria-describedby")}`);
  const form = h("form", { novalidate: true },
    field({ label: "Shop name", name: "shop_name", required: true, attrs: { autocomplete: "organization" } }),
    field({ label: "Email", name: "email", kind: "email", required: true,
      attrs: { autocomplete: "email", autocapitalize: "off", spellcheck: "false" } }),
    password,
    submit);

  const input = form.password;
  const tick = () => {
    for (const [key, , test] of RULES) {
      const li = rules.querySelector(`[data-rule=${key}]`);
      li.classList.toggle("met", test(input.value));
    }
  };
  input.addEventListener("input", tick);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = {
      shop_name: form.shop_name.value.trim(),
      email: form.email.value.trim(),
      password: input.value,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    };
    const missing = [];
    if (!body.shop_name) missing.push({ field: "shop_name", message: "enter your shop's name" });
    if (!body.email) missing.push({ field: "email", message: "enter your email" });
    const unmet = RULES.filter(([, , test]) => !test(body.password)).map(([, text]) => text.toLowerCase());
    if (unmet.length) missing.push({ field: "password", message: "the password needs " + unmet.join(", ") });
    if (missing.length) {
      showErrors(form, { message: "Please correct the fields marked below.", details: missing });
      return;
    }
    busy(submit, "Creating your shop…", async () => {
      try {
        await post("/auth/register", body, { auth: false });
      } catch (err) {
        // An unknown time zone name should not stop a sign-up: retry without it.
        if (err.status === 422 && err.details.some((d) => d.field === "timezone")) {
          delete body.timezone;
          try {
            await post("/auth/register", body, { auth: false });
          } catch (again) {
            showErrors(form, again);
            return;
          }
        } else {
          showErrors(form, err);
          return;
        }
      }
      try {
        await login(body.email, body.password);
        window.location.hash = "#/";
      } catch (err) {
        showErrors(form, { message: `Your shop was created, but logging in failed: ${err.message}` });
      }
    });
  });

  root.append(h("div", { class: "auth" },
    h("p", { class: "brand" }, "Shelfwise"),
    h("h1", { tabindex: "-1" }, "Create your shop"),
    h("p", { class: "muted" }, "You will be its owner. It takes a minute."),
    form,
    h("p", { style: "margin-top:18px" }, "Already have an account? ", h("a", { href: "#/login" }, "Log in"))));
  $$("input", form)[0].dataset.autofocus = "";
}

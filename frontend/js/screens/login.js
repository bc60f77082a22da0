// Log in: email and password; the refresh token keeps the person signed in on this device.

import { login, newPassword } from "../api.js";
import { fill, h } from "../dom.js";
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
        const reply = await login(email, password);
        if (reply.challenge === "new_password") {
          choosePassword(email, reply.session);
          return;
        }
        const next = query.next && query.next.startsWith("/") ? query.next : "/";
        window.location.hash = "#" + next;
      } catch (err) {
        showErrors(form, err);
      }
    });
  });

  // First log-in with the emailed temporary password: the person chooses their own.
  function choosePassword(email, challengeSession) {
    const save = h("button", { class: "btn primary block big", type: "submit" }, "Save password and log in");
    const step = h("form", { novalidate: true, "data-step": "new-password" },
      field({ label: "New password", name: "new_password", kind: "password", required: true,
        hint: "At least 8 characters, with a lower-case letter, an upper-case letter and a digit.",
        attrs: { autocomplete: "new-password", "data-autofocus": "" } }),
      field({ label: "New password again", name: "again", kind: "password", required: true,
        attrs: { autocomplete: "new-password" } }),
      save);
    step.addEventListener("submit", (event) => {
      event.preventDefault();
      clearErrors(step);
      const chosen = step.new_password.value;
      if (!chosen || chosen !== step.again.value) {
        showErrors(step, { message: "Enter the same new password twice.", details: [
          { field: chosen ? "again" : "new_password", message: chosen ? "does not match" : "choose a password" }] });
        return;
      }
      busy(save, "Saving…", async () => {
        try {
          await newPassword(email, challengeSession, chosen);
          window.location.hash = "#/";
        } catch (err) {
          if (err.status === 401) {
            // The step expired (Cognito gives it a few minutes): start again from the emailed password.
            sessionStorage.setItem("shelfwise.flash", err.message);
            window.location.reload();
            return;
          }
          showErrors(step, err);
        }
      });
    });
    fill(card,
      h("p", { class: "brand" }, "Shelfwise"),
      h("h1", { tabindex: "-1" }, "Choose your password"),
      h("p", { class: "muted" }, `Welcome, ${email}. Choose the password you will log in with from now on.`),
      step);
    step.new_password.focus();
  }

  const card = h("div", { class: "auth" },
    h("p", { class: "brand" }, "Shelfwise"),
    h("h1", { tabindex: "-1" }, "Log in"),
    h("p", { class: "muted" }, "Stock and sales for your shop."),
    flash ? h("p", { class: "notice warn", role: "status" }, flash) : null,
    form,
    h("p", { style: "margin-top:18px" }, "New here? ", h("a", { href: "#/register" }, "Create a shop account")));
  root.append(card);
  form.email.dataset.autofocus = "";
  if (query.email) form.password.dataset.autofocus = "";
}

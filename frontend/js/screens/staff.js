// Staff (the owner's): invite people by email, see who is invited or active, remove them.
// An invited person gets an email with a temporary password and chooses their own at first log-in.

import { del, get, me, post, seg } from "../api.js";
import { fill, h } from "../dom.js";
import { dateTime } from "../format.js";
import { busy, button, clearErrors, errorBlock, field, showErrors, toast } from "../ui.js";

const ROLES = [["staff", "Staff"], ["owner", "Owner"]];

export default async function render({ root, signal }) {
  const [page, mine] = await Promise.all([get("/staff", {}, { signal }), me()]);
  const list = h("ul", { class: "list", "aria-label": "People" });
  const listError = h("div");

  function row(person) {
    const self = person.email === mine.email;
    const remove = self ? null : button("Remove", {
      kind: "small danger",
      attrs: { "aria-label": `Remove ${person.email}` },
      onclick: () => {
        if (!window.confirm(`Remove ${person.email}? They are signed out within a minute and cannot sign in again.`)) return;
        busy(remove, "Removing…", async () => {
          try {
            await del(`/staff/${seg(person.user_id)}`);
            item.remove();
            toast(`${person.email} removed.`);
          } catch (err) {
            fill(listError, errorBlock(err));
          }
        });
      },
    });
    const item = h("li", null, h("div", { class: "row", "data-person": person.email },
      h("div", { class: "main" },
        h("div", { class: "title" }, person.email, self ? h("span", { class: "muted" }, " (you)") : null),
        h("div", { class: "sub" }, `${person.role === "owner" ? "Owner" : "Staff"}` +
          (person.status === "invited" && person.invited_at ? ` · invited ${dateTime(person.invited_at)}` : ""))),
      h("div", { class: "end" },
        h("span", { class: `badge ${person.status === "active" ? "ok" : "warn"}`, "data-status": person.status }, person.status),
        remove)));
    return item;
  }
  fill(list, page.items.map(row));

  const submit = h("button", { class: "btn primary block", type: "submit" }, "Send invitation");
  const form = h("form", { novalidate: true },
    field({ label: "Email", name: "email", kind: "email", required: true,
      attrs: { autocomplete: "off", autocapitalize: "off", spellcheck: "false" } }),
    field({ label: "Role", name: "role", kind: "select", value: "staff", optional: false, options: ROLES,
      hint: "Staff sell, take returns, receive deliveries and count stock; they see no costs, profit or reports. Owners can do everything." }),
    submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const email = form.email.value.trim();
    if (!email) {
      showErrors(form, { message: "Enter their email.", details: [{ field: "email", message: "enter their email" }] });
      return;
    }
    busy(submit, "Sending…", async () => {
      try {
        const person = await post("/staff", { email, role: form.role.value });
        list.append(row(person));
        form.email.value = "";
        toast(`Invitation sent to ${person.email}.`);
      } catch (err) {
        showErrors(form, err);
      }
    });
  });

  root.append(
    h("header", { class: "page-head" },
      h("a", { class: "back", href: "#/more", "aria-label": "Back" }, "‹"),
      h("h1", { tabindex: "-1" }, "Staff")),
    h("section", { class: "card" }, h("h2", null, "Invite someone"),
      h("p", { class: "muted" }, "They get an email with a temporary password and choose their own when they first log in."),
      form),
    h("section", { class: "card" }, h("h2", null, "People"), listError, list));
}

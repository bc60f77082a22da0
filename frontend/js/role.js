// Who is signed in: the owner, or staff. Read from the session's id token (the role the API
// itself goes by), so screens know before any request. Only for what the site shows: the API
// refuses staff anything owner-only (403 owner_only) and leaves costs out of their replies.

import { session } from "./api.js";

/** The signed-in person's role, "owner" or "staff" ("owner" when it cannot be read). */
export function role() {
  const token = session.get()?.id_token || "";
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
    return claims["custom:role"] === "staff" ? "staff" : "owner";
  } catch {
    return "owner";
  }
}

export const isOwner = () => role() === "owner";

/** Screens staff never see (their data is the owner's: reports, costs, suppliers, settings...). */
export const OWNER_SCREENS = new Set([
  "dashboard", "product-new", "product-edit", "order-new", "suppliers", "supplier-new", "supplier",
  "reports", "import", "export", "alerts", "staff", "outbox", "shop-settings", "reorder", "customers", "customer", "big-import",
]);

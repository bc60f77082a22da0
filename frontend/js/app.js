// The shell: hash routing, the bottom bar, sign-in guard, network notices, and the ready signal
// (document.body.dataset.ready = the screen's name once its first data is on screen).

import { apiUrl, session } from "./api.js";
import { $$, fill, h } from "./dom.js";
import { OWNER_SCREENS, isOwner } from "./role.js";
import { errorBlock } from "./ui.js";

// [name, path pattern, module in ./screens/, tab, public]
const ROUTES = [
  ["login", "/login", "login", null, true],
  ["register", "/register", "register", null, true],
  ["dashboard", "/", "dashboard", "dashboard"],
  ["sell", "/sell", "sell", "sell"],
  ["products", "/products", "products", "products"],
  ["product-new", "/products/new", "product-form", "products"],
  ["product-edit", "/products/:sku/edit", "product-form", "products"],
  ["stock", "/products/:sku/stock", "stock", "products"],
  ["product", "/products/:sku", "product", "products"],
  ["orders", "/orders", "orders", "orders"],
  ["order-new", "/orders/new", "order-form", "orders"],
  ["receive", "/orders/:id/receive", "receive", "orders"],
  ["order", "/orders/:id", "order", "orders"],
  ["suppliers", "/suppliers", "suppliers", "orders"],
  ["reorder", "/reorder", "reorder", "more"],
  ["supplier-new", "/suppliers/new", "supplier-form", "orders"],
  ["supplier", "/suppliers/:id", "supplier-form", "orders"],
  ["sales", "/sales", "sales", "more"],
  ["invoice", "/sales/:id/invoice", "invoice", "more"],
  ["sale", "/sales/:id", "sale", "more"],
  ["more", "/more", "more", "more"],
  ["reports", "/reports", "reports", "more"],
  ["import", "/import", "import", "more"],
  ["big-import", "/import/large", "big-import", "more"],
  ["export", "/export", "export", "more"],
  ["alerts", "/alerts", "alerts", "more"],
  ["shop-settings", "/settings", "shop-settings", "more"],
  ["outbox", "/outbox", "outbox", "more"],
  ["staff", "/staff", "staff", "more"],
  ["locations", "/locations", "locations", "more"],
  ["transfers", "/transfers", "transfers", "more"],
  ["customers", "/customers", "customers", "more"],
  ["customer", "/customers/:id", "customer", "more"],
  ["usage", "/usage", "usage", "more"],
  ["feedback", "/feedback/:token", "feedback", null, "open"], // buyers, signed in or not
].map(([name, path, module, tab, isPublic]) => ({
  name, module, tab, isPublic: Boolean(isPublic), isOpen: isPublic === "open",
  keys: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]),
  pattern: new RegExp("^" + path.replace(/:(\w+)/g, "([^/]+)") + "$"),
}));

const main = document.getElementById("main");
const tabbar = document.querySelector(".tabbar");
const netbar = document.getElementById("netbar");
let current = null; // {controller, token}
let token = 0;

/** The current hash as {path, query}. "#/products?q=milk" → {path: "/products", query: {q: "milk"}} */
export function location() {
  // Path segments stay encoded until matched (a SKU may hold "%", "?" or "#").
  const raw = window.location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path: path || "/", query: Object.fromEntries(new URLSearchParams(search)) };
}

export function go(hash) {
  if (window.location.hash === hash) render();
  else window.location.hash = hash;
}

/** Change the query of the current screen without re-rendering it (filters, search). */
export function replaceQuery(query) {
  const { path } = location();
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== "" && v !== null)).toString();
  history.replaceState(null, "", "#" + path + (search ? "?" + search : ""));
}

function match(path) {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) {
      const params = {};
      try {
        route.keys.forEach((key, i) => { params[key] = decodeURIComponent(m[i + 1]); });
      } catch {
        return null; // a malformed escape in the address
      }
      return { route, params };
    }
  }
  return null;
}

async function render() {
  const mine = ++token;
  if (current) current.controller.abort();
  const controller = new AbortController();
  current = { controller, token: mine };
  document.body.dataset.ready = "";
  document.body.dataset.screen = "";

  if (!apiUrl) {
    showShell(null);
    fill(main, h("h1", null, "Shelfwise"),
      errorBlock({ message: "This site has no API address: config.js is missing or empty. The local stack writes it (make run); a deployment writes its own." }));
    document.body.dataset.ready = "error";
    return;
  }

  const { path, query } = location();
  const found = match(path);
  if (!found) {
    go("#/");
    return;
  }
  const { route, params } = found;
  if (!route.isPublic && !session.signedIn()) {
    const next = path === "/" ? "" : `?next=${encodeURIComponent(window.location.hash.slice(1))}`;
    go("#/login" + next);
    return;
  }
  if (route.isPublic && !route.isOpen && session.signedIn()) {
    go("#/");
    return;
  }
  // Staff start on Sell and never see the owner's screens (the API refuses them anyway).
  if (!route.isPublic && !isOwner() && OWNER_SCREENS.has(route.name)) {
    go("#/sell");
    return;
  }
  showShell(route);

  const view = h("div", { class: "view", "data-view": route.name });
  main.replaceChildren(view);
  window.scrollTo(0, 0);
  try {
    const module = await import(`./screens/${route.module}.js`);
    if (mine !== token) return;
    const ctx = { params, query, root: view, signal: controller.signal, route: route.name };
    await module.default(ctx);
    if (mine !== token) return;
    document.title = `${view.querySelector("h1")?.textContent || "Shelfwise"} · Shelfwise`;
    document.body.dataset.screen = route.name;
    document.body.dataset.ready = route.name;
    // Focus the heading (or what the screen chose) so screen readers announce the new page.
    const focus = view.querySelector("[data-autofocus]") || view.querySelector("h1");
    focus?.focus({ preventScroll: true });
  } catch (err) {
    if (mine !== token || err?.code === "aborted") return;
    if (err?.status === 401) return; // auth:expired takes over
    console.error(err);
    view.append(errorBlock(err.code ? err : { message: "This screen could not be shown. Reload the page and try again." }, render));
    document.body.dataset.ready = route.name;
    document.body.dataset.screen = route.name;
  }
}

function showShell(route) {
  const withBar = Boolean(route && !route.isPublic);
  tabbar.hidden = !withBar;
  document.body.dataset.role = withBar && !isOwner() ? "staff" : "owner";
  for (const link of $$("a[data-tab]", tabbar)) link.hidden = link.dataset.tab === "dashboard" && !isOwner();
  document.body.classList.toggle("no-tabbar", !withBar);
  for (const link of $$("a[data-tab]", tabbar)) {
    if (route && link.dataset.tab === route.tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// --- network notices: a slow request or no connection is said, never silent ------------------

let slow = false;
let outbox = { waiting: 0, refused: [] };
function updateNetbar() {
  const waiting = outbox.waiting ? ` ${outbox.waiting === 1 ? "1 sale waits" : `${outbox.waiting} sales wait`} to sync.` : "";
  const refused = outbox.refused.length ? ` ${outbox.refused.length === 1 ? "1 sale was" : `${outbox.refused.length} sales were`} refused: see Sell.` : "";
  if (navigator.onLine === false) {
    netbar.textContent = "You are offline. Sell keeps sales on this phone and sends them when the connection is back." + waiting + refused;
    netbar.hidden = false;
  } else if (waiting || refused) {
    netbar.textContent = (waiting + refused).trim();
    netbar.hidden = false;
  } else if (slow) {
    netbar.textContent = "Waiting for the server… the connection is slow.";
    netbar.hidden = false;
  } else {
    netbar.hidden = true;
  }
}
window.addEventListener("api:slow", (e) => { slow = e.detail.slow; updateNetbar(); });
window.addEventListener("outbox:changed", (e) => { outbox = e.detail; updateNetbar(); });
window.addEventListener("online", updateNetbar);
window.addEventListener("offline", updateNetbar);

window.addEventListener("auth:expired", () => {
  sessionStorage.setItem("shelfwise.flash", "Your session has ended. Please log in again.");
  const { path } = location();
  if (path !== "/login" && path !== "/register") go("#/login");
});
window.addEventListener("auth:changed", () => go(session.signedIn() ? "#/" : "#/login"));
window.addEventListener("hashchange", render);

updateNetbar();
render().finally(() => {
  // After the first screen: the offline shell, and any sales this phone still holds.
  import("./pwa.js").then((m) => m.registerWorker()).catch(() => {});
  if (session.signedIn()) import("./offline.js").then((m) => m.drain()).catch(() => {});
});

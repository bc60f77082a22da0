// Sell: the fastest path in the app. Type or scan into the search box (a scanner types the
// barcode and presses Enter: an exact barcode or SKU match goes straight into the cart), tap a
// quick pick, adjust quantities, charge. One Idempotency-Key per sale attempt: made when the cart
// is started, reused when the same cart is sent again (a retry or a double tap never sells twice),
// replaced when the cart changes after an attempt. With no connection the sale goes into the
// phone's queue (offline.js) with that same key, products come from the phone's copy of the
// catalogue (stock marked as possibly stale), and the screen says how many sales wait to sync.

import { ApiError, get, me, newKey, post, seg } from "../api.js";
import { debounce, fill, h } from "../dom.js";
import { count, money, number, readNumber } from "../format.js";
import { button, errorBlock, field, loadingNote, segmented, values } from "../ui.js";
import { atHere } from "../place.js";
import { linePrice, quantityText } from "../counter.js";
import { openScanner, scanButton } from "../scanner.js";
import { catalogueAge, discard, drain, findCached, offline, outboxState, queueSale, refreshCatalogue, someCached } from "../offline.js";

const CART_KEY = "shelfwise.cart";

function loadCart() {
  try {
    const cart = JSON.parse(sessionStorage.getItem(CART_KEY) || "null");
    if (cart && Array.isArray(cart.lines)) return cart;
  } catch {
    // a damaged cart: start again
  }
  return { key: null, attempted: false, lines: [], payment: "cash" };
}

export default async function render({ root, signal }) {
  let cart = loadCart();
  // How the shop taxes, to price the cart as the server will (the sale's reply has the final word).
  let tax = { include: false, rate: 0 };
  me().then((m) => { tax = { include: Boolean(m.prices_include_tax), rate: Number(m.default_tax_rate || 0) }; draw(); })
    .catch(() => {});
  const priced = (line) => linePrice(line, tax);
  let shortages = new Map(); // sku → {requested, on_hand}
  let sending = false;

  const save = () => sessionStorage.setItem(CART_KEY, JSON.stringify(cart));
  /** Any change to what would be sent makes a new attempt, so it gets a new key. */
  const changed = () => {
    if (!cart.lines.length) cart = { key: null, attempted: false, lines: [], payment: cart.payment || "cash" };
    else if (!cart.key || cart.attempted) cart = { ...cart, key: newKey(), attempted: false };
    save();
  };

  // --- search / scan ---
  const search = h("input", {
    type: "search", id: "sell-search", name: "q", autocomplete: "off", autocapitalize: "off", spellcheck: "false",
    enterkeyhint: "enter", placeholder: "Name, SKU or barcode", "data-autofocus": "",
    "aria-describedby": "sell-search-hint sell-search-msg",
  });
  const searchMsg = h("p", { class: "error", id: "sell-search-msg", role: "status", hidden: true });
  const results = h("ul", { class: "list", "aria-label": "Matching products", "data-results": "" });
  const picks = h("div", { class: "picks", "aria-label": "Quick picks", role: "group" });
  const picksBox = h("section", { style: "min-height:64px" }, h("h2", { class: "sr-only" }, "Quick picks"), picks);

  // --- cart ---
  const cartList = h("div", { "data-cart": "" });
  const cartBox = h("section", { class: "card", "aria-labelledby": "cart-title" },
    h("div", { class: "card-head" }, h("h2", { id: "cart-title" }, "This sale"),
      button("Clear", { kind: "ghost small", onclick: () => { cart.lines = []; shortages.clear(); changed(); draw(); } })),
    cartList);
  const outcome = h("div", { "data-outcome": "", "aria-live": "polite" });
  const totalText = h("span", { class: "num", "data-total": "" });
  const charge = h("button", { class: "btn primary block big", type: "button", "data-charge": "" }, "Charge");
  const customer = h("details", { class: "card" }, h("summary", null, "Customer details (optional)"),
    h("form", { "data-customer": "", style: "margin-top:8px", onsubmit: (e) => e.preventDefault() },
      field({ label: "Name", name: "name", optional: false, attrs: { autocomplete: "off" } }),
      h("div", { class: "grid2" },
        field({ label: "City", name: "city", optional: false }),
        field({ label: "Region", name: "region", optional: false, hint: "For the sales-by-region report" })),
      h("div", { class: "grid2" },
        field({ label: "State", name: "state", optional: false }),
        field({ label: "Country", name: "country", optional: false })),
      field({ label: "Segment", name: "segment", optional: false, hint: "e.g. Consumer, Trade" })));
  const taxText = h("span", { class: "num muted", "data-tax": "" });
  const payment = segmented({
    legend: "Paid by", name: "payment_method", value: cart.payment || "cash",
    options: [["cash", "Cash"], ["card", "Card"], ["other", "Other"]],
    onchange: (e) => { cart.payment = e.target.value; changed(); },
  });
  const checkout = h("div", { class: "checkout" }, payment,
    h("div", { class: "totals" }, h("span", null, "Total ", taxText), totalText), charge);

  // --- sales kept on the phone: how many wait, and any the server refused ---
  const syncNote = h("p", { class: "muted", role: "status", "data-sync": "", style: "margin:0 0 8px" });
  const refusedBox = h("div", { "data-refused-list": "" });

  root.append(
    h("header", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Sell")),
    syncNote, refusedBox,
    h("div", { class: "scan" },
      h("label", { class: "label", for: "sell-search" }, "Find a product"),
      h("div", { class: "search-row" }, search, scanButton("Scan barcodes with the camera", () => openScanner({
        title: "Scan items", continuous: true, signal,
        onCode: async (code) => {
          const r = await addByCode(code);
          return { ok: r.ok, message: r.message, close: r.unknown };
        },
      }))),
      h("p", { class: "hint muted", id: "sell-search-hint", style: "font-size:.875rem;margin:4px 0 0" },
        "Type, or scan a barcode: an exact match is added at once."),
      searchMsg),
    results, outcome, cartBox, picksBox, customer, checkout);

  // --- drawing ---
  function draw() {
    const prices = cart.lines.map(priced);
    const total = prices.reduce((sum, p) => sum + p.paid, 0);
    const taxTotal = prices.reduce((sum, p) => sum + p.tax, 0);
    totalText.textContent = money(total);
    taxText.textContent = taxTotal ? `(tax ${money(taxTotal)}${tax.include ? " included" : ""})` : "";
    charge.textContent = cart.lines.length ? `Charge ${money(total)}` : "Charge";
    charge.disabled = !cart.lines.length || sending;
    cartBox.hidden = !cart.lines.length;
    customer.hidden = !cart.lines.length;
    checkout.hidden = !cart.lines.length;
    fill(cartList, cart.lines.map((line, i) => {
      const short = shortages.get(line.sku);
      const qtyId = `qty-${i}`;
      const byMeasure = line.unit && line.unit !== "each";
      const price = priced(line);
      const qty = h("input", {
        type: "text", id: qtyId, inputmode: byMeasure ? "decimal" : "numeric", autocomplete: "off",
        value: quantityText(line.quantity), "data-qty": line.sku, "data-type": byMeasure ? "amount" : "int",
        "aria-describedby": short ? `short-${i}` : null,
        onchange: (e) => {
          // Read as the locale writes numbers; a fraction of an "each" product or a typo is said on
          // the line, never rounded. By measure: up to 3 decimals (0.375 kg).
          const { value, error } = readNumber(e.target.value, byMeasure ? { maxDecimals: 3 } : { whole: true });
          if (error || value === undefined) {
            shortages.set(line.sku, { message: error || "Enter how many, or remove the line with ✕." });
            draw();
            return;
          }
          setQty(line.sku, value);
        },
      });
      return h("div", { class: `cart-line${short ? " short" : ""}`, "data-line": line.sku },
        h("div", { class: "top" },
          h("div", { class: "main" },
            h("div", { class: "title" }, line.name),
            h("div", { class: "sub muted" }, `${line.sku} · ${money(line.price)} ${byMeasure ? "per " + line.unit : "each"}`)),
          button("✕", { kind: "ghost small", onclick: () => setQty(line.sku, 0), attrs: { "aria-label": `Remove ${line.name}` } })),
        h("div", { class: "stepper" },
          button("−", { onclick: () => setQty(line.sku, line.quantity - 1), attrs: { "aria-label": `One fewer ${line.name}` } }),
          h("label", { class: "sr-only", for: qtyId }, `Quantity of ${line.name}`),
          qty,
          button("+", { onclick: () => setQty(line.sku, line.quantity + 1), attrs: { "aria-label": `One more ${line.name}` } }),
          h("span", { class: "line-total" }, money(price.net))),
        h("div", { class: "line-discount" },
          h("label", { for: `disc-${i}` }, "Discount"),
          h("input", {
            type: "text", id: `disc-${i}`, inputmode: "decimal", autocomplete: "off", placeholder: "10% or 1.50",
            value: line.discountText || "", "data-discount": line.sku,
            onchange: (e) => setDiscount(line.sku, e.target.value),
          }),
          price.discount ? h("span", { class: "muted" }, `−${money(price.discount)}`) : null),
        short ? h("p", { class: "line-error", id: `short-${i}`, role: "alert", "data-short": line.sku },
          short.message
            ? short.message
            : short.on_hand > 0
              ? `Only ${number(short.on_hand)} in stock; you entered ${number(short.requested)}.`
              : `None in stock; you entered ${number(short.requested)}.`,
          !short.message && short.on_hand > 0
            ? h("button", { class: "btn small", type: "button", style: "margin-left:8px",
              onclick: () => setQty(line.sku, short.on_hand) }, `Sell ${number(short.on_hand)}`)
            : null) : null);
    }));
  }

  function setDiscount(sku, text) {
    const line = cart.lines.find((l) => l.sku === sku);
    const typed = String(text || "").trim();
    const pct = typed.endsWith("%");
    const { value, error } = readNumber(pct ? typed.slice(0, -1) : typed, { maxDecimals: pct ? 4 : 2 });
    const gross = priced({ ...line, discount: 0, discountPct: 0 }).gross;
    const problem = error || (value !== undefined && (value < 0 || (pct ? value > 100 : value > gross))
      ? `A discount can be up to ${pct ? "100%" : money(gross)}.` : null);
    if (problem) {
      shortages.set(sku, { message: problem });
      draw();
      return;
    }
    line.discountText = typed;
    line.discount = pct || value === undefined ? 0 : value;
    line.discountPct = pct && value !== undefined ? value : 0;
    shortages.delete(sku);
    changed();
    draw();
  }

  function add(product) {
    const line = cart.lines.find((l) => l.sku === product.sku);
    const byMeasure = product.unit && product.unit !== "each";
    if (line) line.quantity += 1;
    else {
      cart.lines.push({ sku: product.sku, name: product.name, price: Number(product.price), quantity: 1,
        unit: product.unit || "each", taxRate: product.tax_rate ?? null });
    }
    if (byMeasure && !line) setTimeout(() => cartList.querySelector(`[data-qty="${CSS.escape(product.sku)}"]`)?.select(), 0);
    shortages.delete(product.sku);
    fill(outcome);
    changed();
    draw();
  }

  function setQty(sku, quantity) {
    const line = cart.lines.find((l) => l.sku === sku);
    const byMeasure = line && line.unit && line.unit !== "each";
    const q = !Number.isFinite(quantity) ? 1 : byMeasure ? Math.round(quantity * 1000) / 1000 : Math.floor(quantity);
    if (q <= 0) cart.lines = cart.lines.filter((l) => l.sku !== sku);
    else cart.lines.find((l) => l.sku === sku).quantity = q;
    shortages.delete(sku);
    changed();
    draw();
  }

  // --- search as you type; Enter (or a scanner) adds an exact match ---
  let searchController = null;
  async function lookup(q) {
    searchController?.abort();
    searchController = new AbortController();
    if (offline()) return { items: await findCached(q), cached: true };
    try {
      return await get("/products", { q, limit: 20 }, { signal: searchController.signal });
    } catch (err) {
      // No reply at all: the phone's copy still sells.
      if (err.status === 0 && err.code !== "aborted") return { items: await findCached(q), cached: true };
      throw err;
    }
  }

  /** "12 in stock", or for the phone's copy "12 in stock at 09:14 (may have changed)". */
  function stockText(p) {
    if (!p.stock_at) return `${number(p.on_hand)} in stock`;
    const at = new Date(p.stock_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return `${number(p.on_hand)} in stock at ${at} (may have changed)`;
  }

  function showResults(items) {
    fill(results, items.slice(0, 8).map((p) => h("li", null, h("button", {
      class: "row", type: "button", "data-add": p.sku,
      onclick: () => { add(p); clearSearch(); },
    },
    h("div", { class: "main" },
      h("div", { class: "title" }, p.name),
      h("div", { class: "sub", "data-stale": p.stock_at ? "" : null }, `${p.sku}${p.barcode ? " · " + p.barcode : ""} · ${stockText(p)}`)),
    h("div", { class: "end" }, h("b", null, money(p.price)), h("div", { class: "sub" }, "Add"))))));
    picksBox.hidden = items.length > 0 || search.value.trim() !== "";
  }

  function say(message) {
    searchMsg.textContent = message;
    searchMsg.hidden = !message;
  }

  function clearSearch() {
    search.value = "";
    say("");
    fill(results);
    picksBox.hidden = false;
    search.focus();
  }

  const typed = debounce(async () => {
    const q = search.value.trim();
    if (!q) {
      fill(results);
      picksBox.hidden = false;
      return;
    }
    try {
      const page = await lookup(q);
      if (search.value.trim() !== q) return;
      say(page.items.length ? "" : `No product matches “${q}”.`);
      showResults(page.items);
    } catch (err) {
      if (err.code !== "aborted") say(err.message);
    }
  }, 250);

  search.addEventListener("input", () => {
    say("");
    typed();
  });
  search.addEventListener("keydown", async (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    typed.cancel();
    const q = search.value.trim();
    if (q) await addByCode(q);
  });

  /** A scanned or typed code: an exact barcode or SKU match (or the only match) goes into the cart. */
  async function addByCode(q) {
    try {
      const page = await lookup(q);
      const lower = q.toLowerCase();
      const exact = page.items.find((p) => p.barcode === q) || page.items.find((p) => p.sku.toLowerCase() === lower);
      const pick = exact || (page.items.length === 1 ? page.items[0] : null);
      if (pick) {
        add(pick);
        clearSearch();
        say(`Added ${pick.name}.`);
        searchMsg.classList.remove("error");
        return { ok: true, message: `Added ${pick.name}.` };
      }
      searchMsg.classList.add("error");
      if (!page.items.length) {
        fill(results, h("li", null, h("a", { class: "row chev", href: `#/products/new?barcode=${encodeURIComponent(q)}`, "data-add-new": q },
          h("div", { class: "main" }, h("div", { class: "title" }, `Add a product with the barcode “${q}”`)))));
        say(`No product has the barcode or SKU “${q}”.`);
        return { ok: false, unknown: true, message: `No product has the barcode “${q}”.` };
      }
      showResults(page.items);
      say(`No exact match for “${q}”: pick one below.`);
      return { ok: false, unknown: true, message: `No exact match for “${q}”.` };
    } catch (err) {
      if (err.code !== "aborted") say(err.message);
      return { ok: false, message: err.message };
    }
  }

  // --- charge ---
  charge.addEventListener("click", () => submit());

  async function submit() {
    if (sending || !cart.lines.length) return;
    sending = true;
    if (!cart.key) changed();
    cart.attempted = true;
    save();
    const key = cart.key;
    const lines = cart.lines.map((l) => ({
      sku: l.sku, quantity: l.quantity,
      ...(l.discountPct ? { discount_pct: l.discountPct } : l.discount ? { discount: l.discount } : {}),
    }));
    const who = Object.fromEntries(Object.entries(values(customer.querySelector("form"))).filter(([, v]) => v));
    const body = atHere({ lines, payment_method: cart.payment || "cash", ...(Object.keys(who).length ? { customer: who } : {}) });
    if (offline()) {
      await keepForLater(key, body);
      return;
    }
    charge.disabled = true;
    charge.setAttribute("aria-busy", "true");
    charge.textContent = "Recording the sale…";
    fill(outcome);
    try {
      // Not tied to the screen's signal: a sale in flight finishes even if the person navigates.
      const sale = await post("/sales", body, { headers: { "Idempotency-Key": key }, timeout: 30000 });
      cart = { key: null, attempted: false, lines: [], payment: cart.payment || "cash" };
      shortages = new Map();
      save();
      customer.querySelector("form").reset();
      customer.open = false;
      showSold(sale);
    } catch (err) {
      showFailure(err);
    } finally {
      sending = false;
      charge.removeAttribute("aria-busy");
      draw();
    }
  }

  /** The sale goes into the phone's queue with its key; the cart is free for the next customer. */
  async function keepForLater(key, body) {
    const total = cart.lines.reduce((sum, l) => sum + priced(l).paid, 0);
    try {
      await queueSale({ key, body, total, lines: cart.lines.map((l) => ({ ...l })) });
    } catch (err) {
      sending = false;
      fill(outcome, h("p", { class: "form-error", role: "alert" }, `This phone could not keep the sale (${err.message}). Nothing was sold.`));
      draw();
      return;
    }
    cart = { key: null, attempted: false, lines: [] };
    shortages = new Map();
    save();
    customer.querySelector("form").reset();
    customer.open = false;
    sending = false;
    charge.removeAttribute("aria-busy");
    fill(outcome, h("section", { class: "card", role: "status", "data-queued": key },
      h("h2", null, "Sale kept on this phone"),
      h("p", null, h("b", { class: "num" }, money(total)), " · it will be sent when the connection is back; nothing more to do."),
      h("button", { class: "btn primary", type: "button", onclick: () => { fill(outcome); clearSearch(); } }, "New sale")));
    draw();
    loadPicks();
  }

  function showSold(sale) {
    fill(outcome, h("section", { class: "card", "data-sale": sale.sale_id, role: "status", tabindex: "-1" },
      h("h2", null, `Sale recorded${sale.invoice_no ? ` · invoice ${sale.invoice_no}` : ""}`),
      h("p", { class: "num" }, h("b", null, money(sale.total)), ` paid by ${sale.payment_method || "other"}`,
        sale.tax_total ? ` · tax ${money(sale.tax_total)}` : "",
        sale.profit !== undefined && sale.profit !== null ? ` · ${money(sale.profit)} profit` : "",
        ` · ${count(sale.units ?? sale.lines.reduce((n, l) => n + l.quantity, 0), "item")}`),
      h("div", { class: "actions", style: "margin:0" },
        h("a", { class: "btn", href: `#/sales/${encodeURIComponent(sale.sale_id)}/invoice`, "data-invoice": "" }, "Invoice"),
        h("button", { class: "btn primary", type: "button", onclick: () => { fill(outcome); clearSearch(); } }, "New sale"))));
    outcome.firstChild.scrollIntoView({ block: "nearest" });
    loadPicks(); // stock figures changed
  }

  function showFailure(err) {
    if (err instanceof ApiError && err.code === "insufficient_stock") {
      shortages = new Map(err.details.map((d) => [d.sku, d]));
      fill(outcome, h("p", { class: "form-error", role: "alert", "data-error": "insufficient_stock" },
        "Nothing was sold: not enough stock for the lines marked below. Change the quantities, then charge again."));
      outcome.scrollIntoView({ block: "start" });
      return;
    }
    if (err.status === 0 || err.status >= 500 || err.code === "request_in_progress") {
      // The sale may or may not have been recorded: the same key makes a retry safe.
      fill(outcome, h("div", { class: "form-error", role: "alert", "data-error": err.code },
        h("p", null, `${err.message} The sale may not have been recorded. Trying again is safe: it will not be recorded twice.`),
        h("button", { class: "btn", type: "button", onclick: () => retry() }, "Try again"),
        err.status === 0 ? h("button", { class: "btn", type: "button", style: "margin-left:8px", onclick: () => {
          // Same key: if the first attempt did land, the queue's send gets its reply, not a second sale.
          const lines = cart.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
          const who = Object.fromEntries(Object.entries(values(customer.querySelector("form"))).filter(([, v]) => v));
          keepForLater(cart.key, { lines, ...(Object.keys(who).length ? { customer: who } : {}) });
        } }, "Send later") : null));
      return;
    }
    // 422 (unknown product, bad quantity) and the rest: say it, next to the cart.
    for (const detail of err.details || []) {
      const m = /^lines\.(\d+)/.exec(String(detail.field || ""));
      const sku = m ? cart.lines[Number(m[1])]?.sku : detail.sku;
      if (sku) shortages.set(sku, { message: detail.message || "This line was refused." });
    }
    fill(outcome, h("p", { class: "form-error", role: "alert", "data-error": err.code }, err.message));
  }

  function retry() {
    // Same cart, same key: the server answers with the first reply if it got the first attempt.
    cart.attempted = false;
    save();
    submit();
  }

  // --- quick picks: what sells most lately, for a known product in three taps ---
  async function loadPicks() {
    if (offline()) {
      const items = await someCached().catch(() => []);
      fill(picks, items.length
        ? items.map((p) => h("button", { class: "pick", type: "button", "data-pick": p.sku, onclick: () => add(p) },
          h("span", { class: "title" }, p.name),
          h("span", { class: "sub", "data-stale": "" }, `${money(p.price)} · ${number(p.on_hand)} left?`)))
        : h("p", { class: "muted", style: "grid-column:1/-1" }, "Offline, and this phone has no copy of the catalogue yet: search needs a connection once."));
      return;
    }
    try {
      // The last 30 sales say what sells now: most frequent first, then most recent.
      const recent = await get("/sales", { limit: 30 }, { signal });
      const score = new Map();
      for (const sale of recent.items) {
        for (const line of sale.lines) score.set(line.sku, (score.get(line.sku) || 0) + 1);
      }
      const skus = [...score.keys()].sort((a, b) => score.get(b) - score.get(a)).slice(0, 8);
      const found = await Promise.all(skus.map((sku) => get(`/products/${seg(sku)}`, {}, { signal }).catch((err) => {
        if (err.code === "aborted") throw err;
        return null; // deleted since: leave it out
      })));
      let items = found.filter(Boolean);
      if (items.length < 8) {
        const page = await get("/products", { limit: 8 }, { signal });
        items = [...items, ...page.items.filter((p) => !items.some((q) => q.sku === p.sku))].slice(0, 8);
      }
      if (!items.length) {
        fill(picks, h("p", { class: "muted", style: "grid-column:1/-1" }, "No products yet. ",
          h("a", { href: "#/products/new" }, "Add a product"), " or ", h("a", { href: "#/import" }, "import a CSV"), "."));
        return;
      }
      fill(picks, items.map((p) => h("button", { class: "pick", type: "button", "data-pick": p.sku, onclick: () => add(p) },
        h("span", { class: "title" }, p.name),
        h("span", { class: "sub" }, `${money(p.price)} · ${number(p.on_hand)} left`))));
    } catch (err) {
      if (err.code !== "aborted") fill(picks, h("div", { style: "grid-column:1/-1" }, errorBlock(err, loadPicks)));
    }
  }

  async function showOutbox(state) {
    const { waiting, refused } = state || await outboxState();
    syncNote.textContent = waiting
      ? `${waiting === 1 ? "1 sale waits" : `${waiting} sales wait`} to sync${offline() ? " (offline)" : ""}.`
      : refused.length ? `No sales wait to sync; ${refused.length === 1 ? "1 needs" : `${refused.length} need`} you (below).`
        : "All sales are sent.";
    syncNote.dataset.waiting = String(waiting);
    fill(refusedBox, refused.map((r) => h("section", { class: "card", role: "alert", "data-refused": r.key },
      h("h2", null, `A sale made ${new Date(r.made_at).toLocaleString()} ${r.error.code === "unconfirmed" ? "may not have been" : "was not"} recorded`),
      h("p", null, refusedReason(r)),
      h("p", { class: "muted" }, r.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ")),
      h("div", { class: "actions", style: "margin:0" },
        h("button", { class: "btn primary", type: "button", onclick: async () => {
          // Back into the cart as a new attempt (new key): the person fixes it and charges again.
          cart = { key: null, attempted: false, lines: r.lines.map((l) => ({ ...l })) };
          shortages = new Map((r.error.details || []).filter((d) => d.sku).map((d) => [d.sku, d]));
          changed();
          await discard(r.seq);
          draw();
        } }, "Put back in the cart"),
        h("button", { class: "btn", type: "button", onclick: async () => {
          if (window.confirm("Forget this sale? It will not be recorded.")) await discard(r.seq);
        } }, "Not sold, forget it")))));
  }

  function refusedReason(r) {
    const e = r.error || {};
    if (e.code === "insufficient_stock") {
      const short = (e.details || []).map((d) => `${d.sku}: ${number(d.on_hand)} in stock, ${number(d.requested)} sold`).join("; ");
      return `Not enough stock when it was sent (${short}). Count the shelf and correct the stock, or put the sale back in the cart with fewer items.`;
    }
    if (e.code === "unconfirmed") {
      return `${e.message} Look for it in More > Sales: if it is there, forget it here; if not, put it back in the cart.`;
    }
    if (e.status === 422) {
      return `The server refused it: ${e.message} A product may have been deleted or changed; put it back in the cart to fix the lines.`;
    }
    return `The server refused it: ${e.message}`;
  }

  let lastWaiting = null;
  const onOutbox = (e) => {
    showOutbox(e.detail).catch(() => {});
    // A sale sent or refused moves stock: the quick picks' figures follow.
    if (lastWaiting !== null && e.detail.waiting < lastWaiting) loadPicks();
    lastWaiting = e.detail.waiting;
  };
  window.addEventListener("outbox:changed", onOutbox);
  const onNet = () => { showOutbox().catch(() => {}); loadPicks(); };
  window.addEventListener("online", onNet);
  window.addEventListener("offline", onNet);
  signal.addEventListener("abort", () => {
    window.removeEventListener("outbox:changed", onOutbox);
    window.removeEventListener("online", onNet);
    window.removeEventListener("offline", onNet);
  });
  await showOutbox().catch(() => { syncNote.textContent = "This phone cannot keep sales offline (storage unavailable)."; });
  drain().catch(() => {});

  // The cart survives a reload; a retried cart keeps its key.
  if (cart.lines.length && !cart.key) changed();
  draw();
  fill(picks, loadingNote("Loading quick picks…"));
  await loadPicks();
  // The phone's copy of the catalogue for selling offline: refreshed in the background, after
  // the screen's own requests (on a slow line they come first).
  refreshCatalogue({ signal }).then(async () => {
    document.body.dataset.catalogue = String(await catalogueAge() || "");
  }).catch(() => {});
}

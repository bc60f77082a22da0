// Selling with no connection: the shop's catalogue kept on the phone (prices, last known stock)
// and a durable queue of sales (IndexedDB), each with the Idempotency-Key minted when the sale was
// made. The queue drains in order whenever there is a connection; a reply lost on the way is
// harmless (the same key brings back the first reply). A sale the server refuses (stock gone,
// product deleted) stays on the phone as "refused" with the server's reason until the person
// deals with it: never dropped. Events: "outbox:changed" {waiting, refused}.

import { post, get, newKey, session } from "./api.js";

const DB_NAME = "shelfwise";
const DB_VERSION = 1;
// How much of a catalogue a phone keeps, and how often it refreshes it when online.
const CATALOGUE_LIMIT = 5000;
const CATALOGUE_MAX_AGE_MS = 10 * 60 * 1000;
// After a send that got no answer: try again soon, then less often (a dead connection).
const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 60000;
// The server remembers a key for 24 h. A sale sent without an answer and still unconfirmed after
// this long is not sent blindly again (it might be recorded twice): the person checks it.
const KEY_SAFE_MS = 20 * 3600 * 1000;
let retryMs = RETRY_FIRST_MS;

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const open = indexedDB.open(DB_NAME, DB_VERSION);
      open.onupgradeneeded = () => {
        const db = open.result;
        const products = db.createObjectStore("products", { keyPath: "sku" });
        products.createIndex("barcode", "barcode", { unique: false });
        db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        db.createObjectStore("meta", { keyPath: "key" });
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    }).catch((err) => {
      dbPromise = null;
      throw err;
    });
  }
  return dbPromise;
}

/** Run fn(stores) in one transaction; resolves when it commits (so a write is durable). */
async function tx(names, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(names, mode);
    const stores = Object.fromEntries([names].flat().map((n) => [n, t.objectStore(n)]));
    let result;
    Promise.resolve(fn(stores)).then((r) => { result = r; }, reject);
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error("aborted"));
  });
}

const req = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

const who = () => session.get()?.email || null;
export const offline = () => navigator.onLine === false;

// --- the catalogue ---------------------------------------------------------------------------------

/** When the catalogue on this phone was last fetched (ms), or null; for the signed-in account only. */
export async function catalogueAge() {
  const meta = await tx("meta", "readonly", (s) => req(s.meta.get("catalogue")));
  return meta && meta.email === who() ? meta.at : null;
}

/** Fetch the catalogue (page by page, up to CATALOGUE_LIMIT) and replace the phone's copy in one go. */
export async function refreshCatalogue({ force = false, signal } = {}) {
  if (offline()) return false;
  const at = await catalogueAge();
  if (!force && at && Date.now() - at < CATALOGUE_MAX_AGE_MS) return false;
  const items = [];
  let cursor = null;
  do {
    const page = await get("/products", { limit: 200, cursor }, { signal });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < CATALOGUE_LIMIT);
  const email = who();
  const fetchedAt = Date.now();
  await tx(["products", "meta"], "readwrite", (s) => {
    s.products.clear();
    for (const p of items) {
      s.products.put({ sku: p.sku, name: p.name, price: p.price, barcode: p.barcode || "", on_hand: p.on_hand,
        category: p.category || "", unit: p.unit || "each", tax_rate: p.tax_rate ?? null, stock_at: fetchedAt });
    }
    s.meta.put({ key: "catalogue", email, at: fetchedAt, count: items.length, complete: !cursor });
  });
  return true;
}

/** Products on this phone matching q: an exact barcode or SKU first, then names containing it. */
export async function findCached(q, limit = 20) {
  if (!(await catalogueAge())) return [];
  const needle = q.trim().toLowerCase();
  return tx("products", "readonly", async (s) => {
    const all = await req(s.products.getAll());
    const exact = all.filter((p) => p.barcode === q.trim() || p.sku.toLowerCase() === needle);
    const rest = all.filter((p) => !exact.includes(p) && (`${p.name} ${p.sku} ${p.barcode}`).toLowerCase().includes(needle));
    return [...exact, ...rest].slice(0, limit);
  });
}

/** The first products on this phone (quick picks with no connection). */
export async function someCached(limit = 8) {
  if (!(await catalogueAge())) return [];
  return tx("products", "readonly", (s) => req(s.products.getAll(null, limit)));
}

// --- the queue of sales --------------------------------------------------------------------------

/**
 * Keep a sale on the phone to send later. `sale` = {body, key?, lines: [{sku, name, quantity, price}]}.
 * The key is minted now (or kept from an earlier attempt at this same sale) and never changes.
 */
export async function queueSale({ body, key, lines, total }) {
  const record = {
    key: key || newKey(), email: who(), made_at: new Date().toISOString(), state: "waiting",
    body: { ...body, sold_at: body.sold_at || new Date().toISOString() }, lines, total,
  };
  await tx(["outbox", "products"], "readwrite", async (s) => {
    s.outbox.add(record);
    // The phone's own estimate until the next refresh: still marked as possibly stale.
    for (const line of lines) {
      const p = await req(s.products.get(line.sku));
      if (p) s.products.put({ ...p, on_hand: Number(p.on_hand) - line.quantity });
    }
  });
  await announce();
  drainSoon(0);
  return record;
}

async function mine() {
  const email = who();
  const all = await tx("outbox", "readonly", (s) => req(s.outbox.getAll()));
  return all.filter((r) => r.email === email);
}

/** {waiting, refused: [records]} for the signed-in account. */
export async function outboxState() {
  const records = await mine();
  return { waiting: records.filter((r) => r.state === "waiting").length, refused: records.filter((r) => r.state === "refused") };
}

async function announce() {
  const state = await outboxState();
  window.dispatchEvent(new CustomEvent("outbox:changed", { detail: state }));
  return state;
}

/** Forget a refused sale (the person decided: put back in the cart, or not sold after all). */
export async function discard(seq) {
  await tx("outbox", "readwrite", (s) => s.outbox.delete(seq));
  await announce();
}

let draining = null;
let retryTimer = null;

/** Send waiting sales, oldest first, one at a time; stops at the first that could not be sent. */
export function drain() {
  if (!draining) {
    const run = () => sendAll().finally(() => { draining = null; });
    // One tab at a time sends (the key would make a double send harmless; this keeps the order).
    draining = navigator.locks ? navigator.locks.request("shelfwise-outbox", run) : run();
  }
  return draining;
}

function drainSoon(ms = retryMs) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { drain().catch(() => {}); }, ms);
}

// A reply that says "not now" (no connection, server trouble, signed out, the same key still in
// flight): keep the sale waiting and try again later. Anything else is the server's answer.
const transient = (err) => err.status === 0 || err.status === 401 || err.status === 408 || err.status === 429 ||
  err.status >= 500 || err.code === "request_in_progress";

async function sendAll() {
  if (offline() || !who()) return announce();
  let sent = 0;
  for (;;) {
    const next = (await mine()).filter((r) => r.state === "waiting").sort((a, b) => a.seq - b.seq)[0];
    if (!next) break;
    if (next.first_sent_at && Date.now() - Date.parse(next.first_sent_at) > KEY_SAFE_MS) {
      const error = { status: 0, code: "unconfirmed", details: [],
        message: `It was sent on ${new Date(next.first_sent_at).toLocaleString()} but no answer came back.` };
      await tx("outbox", "readwrite", (s) => s.outbox.put({ ...next, state: "refused", error }));
      await announce();
      continue;
    }
    if (!next.first_sent_at) {
      next.first_sent_at = new Date().toISOString();
      await tx("outbox", "readwrite", (s) => s.outbox.put(next));
    }
    try {
      const sale = await post("/sales", next.body, { headers: { "Idempotency-Key": next.key }, timeout: 30000 });
      await tx("outbox", "readwrite", (s) => s.outbox.delete(next.seq));
      retryMs = RETRY_FIRST_MS;
      sent += 1;
      window.dispatchEvent(new CustomEvent("outbox:sent", { detail: { record: next, sale } }));
    } catch (err) {
      if (transient(err)) {
        drainSoon();
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        break;
      }
      if (err.status === 422 && next.body.sold_at && (err.details || []).some((d) => d.field === "sold_at")) {
        // The phone's clock runs ahead of the server's: nothing was recorded (a 422), so send it
        // again at the server's time, as a new attempt with a new key.
        const { sold_at: _dropped, ...body } = next.body;
        await tx("outbox", "readwrite", (s) => s.outbox.put({ ...next, body, key: newKey(), first_sent_at: null }));
        continue;
      }
      const error = { status: err.status, code: err.code, message: err.message, details: err.details || [] };
      await tx("outbox", "readwrite", (s) => s.outbox.put({ ...next, state: "refused", error, refused_at: new Date().toISOString() }));
    }
    await announce();
  }
  // Stock moved on the server: the phone's copy catches up (best effort).
  if (sent) refreshCatalogue({ force: true }).catch(() => {});
  return announce();
}

window.addEventListener("online", () => { retryMs = RETRY_FIRST_MS; drainSoon(0); });
window.addEventListener("auth:changed", () => { announce().catch(() => {}); drainSoon(0); });

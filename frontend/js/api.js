// The one place that talks to the API: its address (from the generated config.js), the
// session (id token + refresh token), errors as ApiError, slow-network notices and timeouts.

import { setShopCurrency } from "./format.js";

const config = window.SHELFWISE_CONFIG || {};
/** The API's base URL, from config.js (written per environment by the stack or the deploy). */
export const apiUrl = String(config.apiUrl || "").replace(/\/+$/, "");
/** Optional: the local stack's outbox of the signed-in shop's sent emails, a path on the API
 *  (the local API server answers it with the same token check as the API). */
export const outboxUrl = config.outboxUrl || "";
/** Optional: the local stack's demo loading progress, {"state", "percent", "shop_id"} (same origin). */
export const demoUrl = config.demoUrl || "";

const SESSION_KEY = "shelfwise.session";
const SLOW_AFTER_MS = 1500;
const DEFAULT_TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
  }
}

// --- session --------------------------------------------------------------------------------

export const session = {
  get() {
    try {
      return JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
    } catch {
      return null;
    }
  },
  set(value) {
    localStorage.setItem(SESSION_KEY, JSON.stringify(value));
  },
  update(changes) {
    const current = this.get();
    if (current) this.set({ ...current, ...changes });
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
  },
  signedIn() {
    const s = this.get();
    return Boolean(s && (s.refresh_token || s.id_token));
  },
};

function tokenFrom(reply) {
  return { id_token: reply.id_token, expires_at: Date.now() + (Number(reply.expires_in) || 3600) * 1000 };
}

/** Sign in. An invited person's first sign-in answers {challenge: "new_password", session}
 *  instead: nobody is signed in until newPassword() answers it. */
export async function login(email, password) {
  const reply = await request("POST", "/auth/login", { body: { email, password }, auth: false });
  if (reply.challenge) return reply;
  session.set({ ...tokenFrom(reply), refresh_token: reply.refresh_token, email });
  return reply;
}

/** First sign-in: the person's own password in place of the emailed one; signs them in. */
export async function newPassword(email, challengeSession, password) {
  const reply = await request("POST", "/auth/new-password",
    { body: { email, session: challengeSession, new_password: password }, auth: false });
  session.set({ ...tokenFrom(reply), refresh_token: reply.refresh_token, email });
  return reply;
}

export function logout() {
  session.clear();
  localStorage.removeItem("shelfwise.shopCurrency");
  localStorage.removeItem("shelfwise.location"); // the phone's location belongs to the shop signed in
  sessionStorage.clear();
  window.dispatchEvent(new CustomEvent("auth:changed"));
}

let refreshing = null;

/** Swap the refresh token for a new id token (once, however many requests ask at the same time). */
function refresh() {
  if (!refreshing) {
    const current = session.get();
    refreshing = (async () => {
      if (!current || !current.refresh_token) throw new ApiError(401, "unauthorized", "Please log in.");
      const reply = await request("POST", "/auth/refresh", { body: { refresh_token: current.refresh_token }, auth: false });
      session.update(tokenFrom(reply));
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function idToken() {
  const s = session.get();
  if (!s) return null;
  // Refresh a minute early rather than send a token that dies on the way.
  if (!s.id_token || !s.expires_at || s.expires_at - Date.now() < 60000) {
    try {
      await refresh();
    } catch (err) {
      if (err.status === 401 || err.status === 400 || err.status === 422) expire();
      throw err;
    }
  }
  return session.get()?.id_token || null;
}

function expire() {
  session.clear();
  window.dispatchEvent(new CustomEvent("auth:expired"));
}

// --- slow network: count requests in flight, say so when one takes a while -------------------

let inFlight = 0;
let slowTimer = null;

function started() {
  inFlight += 1;
  if (!slowTimer) slowTimer = setTimeout(() => notify(true), SLOW_AFTER_MS);
}

function finished() {
  inFlight = Math.max(0, inFlight - 1);
  if (inFlight === 0) {
    clearTimeout(slowTimer);
    slowTimer = null;
    notify(false);
  }
}

function notify(slow) {
  window.dispatchEvent(new CustomEvent("api:slow", { detail: { slow, inFlight } }));
}

// --- requests ---------------------------------------------------------------------------------

/** A new Idempotency-Key: one per attempt at a write, reused when that same attempt is retried. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function url(path, query) {
  const u = new URL(apiUrl + path);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") u.searchParams.set(key, String(value));
  }
  return u.toString();
}

/**
 * request(method, path, {body, query, headers, signal, timeout, auth, raw, contentType})
 * JSON in and out; `raw: true` returns the Response (CSV, HTML). Throws ApiError with the
 * API's {code, message, details}, or code "network"/"timeout"/"aborted" when no reply came.
 */
export async function request(method, path, options = {}) {
  const { body, query, signal, timeout = DEFAULT_TIMEOUT_MS, auth = true, raw = false, contentType } = options;
  if (!apiUrl) throw new ApiError(0, "no_config", "The site has no API address (config.js is missing or empty).");
  const headers = { Accept: raw ? "*/*" : "application/json", ...(options.headers || {}) };
  let payload;
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Blob) {
      payload = body;
      headers["Content-Type"] = contentType || "text/plain";
    } else {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
  }
  for (let attempt = 0; ; attempt++) {
    if (auth) {
      const token = await idToken();
      if (!token) {
        expire();
        throw new ApiError(401, "unauthorized", "Please log in again.");
      }
      headers.Authorization = `Bearer ${token}`;
    }
    const reply = await send(method, url(path, query), headers, payload, signal, timeout);
    if (reply.status === 401 && auth && attempt === 0) {
      // The id token may have expired early (clock skew, revoked): refresh once and retry.
      try {
        await refresh();
        continue;
      } catch {
        expire();
      }
    }
    if (reply.status === 429 && attempt < 2) {
      // The shop sent more than its plan allows: the API said when to come back (a few seconds).
      const wait = Math.min(Number(reply.headers.get("Retry-After")) || 1, 5);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      continue;
    }
    if (!reply.ok) throw await errorFrom(reply);
    if (raw) return reply;
    if (reply.status === 204) return null;
    const text = await reply.text();
    return text ? JSON.parse(text) : null;
  }
}

async function send(method, target, headers, payload, signal, timeout) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout);
  const onAbort = () => controller.abort();
  if (signal) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener("abort", onAbort, { once: true });
  }
  started();
  try {
    return await fetch(target, { method, headers, body: payload, signal: controller.signal, mode: "cors" });
  } catch (err) {
    if (timedOut) {
      throw new ApiError(0, "timeout", `The server did not answer within ${Math.round(timeout / 1000)} s. Check your connection and try again.`);
    }
    if (signal && signal.aborted) throw new ApiError(0, "aborted", "Cancelled.");
    throw new ApiError(0, "network", navigator.onLine === false
      ? "You are offline. Nothing was sent; try again when you have a connection."
      : "Could not reach Shelfwise. Check your connection and try again.");
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", onAbort);
    finished();
  }
}

async function errorFrom(reply) {
  let body = null;
  try {
    body = await reply.json();
  } catch {
    // not JSON (a proxy's error page): fall through to a message by status
  }
  if (body && typeof body.message === "string") {
    return new ApiError(reply.status, body.code || "error", body.message, body.details);
  }
  const byStatus = {
    401: "Please log in again.",
    403: "Your role does not allow this.",
    404: "Not found. It may have been deleted.",
    413: "That is too large to send in one go.",
    429: "Too many requests; wait a moment and try again.",
  };
  return new ApiError(reply.status, "http_" + reply.status,
    byStatus[reply.status] || `The server answered with an error (${reply.status}). Please try again.`);
}

export const get = (path, query, options = {}) => request("GET", path, { ...options, query });
export const post = (path, body, options = {}) => request("POST", path, { ...options, body });
export const put = (path, body, options = {}) => request("PUT", path, { ...options, body });
export const patch = (path, body, options = {}) => request("PATCH", path, { ...options, body });
export const del = (path, options = {}) => request("DELETE", path, options);

/** Path segment: SKUs may hold spaces and other characters that need encoding. */
export const seg = (value) => encodeURIComponent(value);

// --- small shared cache: the signed-in user's /me ----------------------------------------------

let meCache = null;
export function me({ fresh = false } = {}) {
  if (!meCache || fresh) {
    meCache = get("/me").then((m) => {
      if (m && m.currency) setShopCurrency(m.currency);
      return m;
    }).catch((err) => {
      meCache = null;
      throw err;
    });
  }
  return meCache;
}
window.addEventListener("auth:changed", () => { meCache = null; });
window.addEventListener("auth:expired", () => { meCache = null; });

// Numbers, money and dates in the browser's locale (Intl), and the date arithmetic the screens need.

export const locale = (navigator.languages && navigator.languages[0]) || navigator.language || "en-US";

// Money is plain numbers in the API; the shop names its currency. Until it is known, guess from
// the locale's region.
const BY_REGION = {
  US: "USD", GB: "GBP", IE: "EUR", DE: "EUR", FR: "EUR", ES: "EUR", IT: "EUR", NL: "EUR", BE: "EUR",
  AT: "EUR", PT: "EUR", FI: "EUR", GR: "EUR", LU: "EUR", SK: "EUR", SI: "EUR", EE: "EUR", LV: "EUR",
  LT: "EUR", CY: "EUR", MT: "EUR", HR: "EUR", CA: "CAD", AU: "AUD", NZ: "NZD", IN: "INR", JP: "JPY",
  CH: "CHF", SE: "SEK", NO: "NOK", DK: "DKK", PL: "PLN", CZ: "CZK", HU: "HUF", RO: "RON", BR: "BRL",
  MX: "MXN", ZA: "ZAR", SG: "SGD", HK: "HKD", CN: "CNY", KR: "KRW", NG: "NGN", KE: "KES", AE: "AED",
  TR: "TRY", IL: "ILS", AR: "ARS", CL: "CLP", CO: "COP", PH: "PHP", ID: "IDR", MY: "MYR", TH: "THB",
};

function regionOf(tag) {
  try {
    return new Intl.Locale(tag).maximize().region || "";
  } catch {
    return "";
  }
}

export function guessCurrency() {
  return BY_REGION[regionOf(locale)] || "USD";
}

export function currency() {
  // The shop's (More > Shop settings; /me "currency"), the same on every device; a guess until known.
  return localStorage.getItem(SHOP_CURRENCY_KEY) || guessCurrency();
}

const SHOP_CURRENCY_KEY = "shelfwise.shopCurrency";
export function setShopCurrency(code) {
  if (!code || localStorage.getItem(SHOP_CURRENCY_KEY) === code) return;
  localStorage.setItem(SHOP_CURRENCY_KEY, code);
  moneyFormat = null;
}


let moneyFormat = null;
export function money(value) {
  if (value === null || value === undefined || value === "") return "–";
  if (!moneyFormat) {
    try {
      moneyFormat = new Intl.NumberFormat(locale, { style: "currency", currency: currency() });
    } catch {
      moneyFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
  }
  return moneyFormat.format(Number(value));
}

/** Compact money for chart axes: "£1.2K". */
export function moneyShort(value) {
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: currency(), notation: "compact", maximumFractionDigits: 1 }).format(value);
  } catch {
    return number(value);
  }
}

const numberFormat = new Intl.NumberFormat(locale);
export const number = (value) => (value === null || value === undefined ? "–" : numberFormat.format(value));

/** "1 order", "3 orders" (English nouns with a plain plural). */
export const count = (n, noun, plural = noun + "s") => `${number(n)} ${Number(n) === 1 ? noun : plural}`;

const percentFormat = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
/** share as a fraction (0.25) or as a percentage (25) when `isPercent`. */
export const percent = (value, isPercent = false) => percentFormat.format(isPercent ? value / 100 : value);

/** "2026-11-23" as a local Date at midnight (no time-zone shift). */
export function parseDay(iso) {
  const [y, m, d] = String(iso).split("-").map(Number);
  return new Date(y, (m || 1) - 1, d || 1);
}

/** A local Date as "YYYY-MM-DD". */
export function dayISO(date = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function addDays(iso, n) {
  const d = parseDay(iso);
  d.setDate(d.getDate() + n);
  return dayISO(d);
}

export function daysBetween(fromISO, toISO) {
  return Math.round((parseDay(toISO) - parseDay(fromISO)) / 86400000);
}

/** ISO week "2026-W47" to the local Date of its Monday. */
export function parseWeek(key) {
  const [y, w] = String(key).split("-W").map(Number);
  const jan4 = new Date(y, 0, 4);
  const monday = new Date(jan4);
  monday.setDate(jan4.getDate() - ((jan4.getDay() + 6) % 7) + (w - 1) * 7);
  return monday;
}

const dayFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric" });
const dayShortFormat = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short" });
const monthFormat = new Intl.DateTimeFormat(locale, { month: "long", year: "numeric" });
const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });

/** A date key or an ISO timestamp, as a date. */
export function date(value) {
  if (!value) return "–";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return dayFormat.format(parseDay(value));
  return dayFormat.format(new Date(value));
}
export const dayShort = (value) => dayShortFormat.format(value instanceof Date ? value : parseDay(value));
export const month = (value) => monthFormat.format(value instanceof Date ? value : parseDay(value + "-01"));
export const dateTime = (value) => (value ? dateTimeFormat.format(new Date(value)) : "–");

/** A report key (day, ISO week or month) as a label a person reads. */
export function periodLabel(key, by) {
  if (by === "month") return month(key);
  if (by === "week") return `${dayShortFormat.format(parseWeek(key))} (week ${String(key).split("-W")[1]})`;
  return dayShort(key);
}

const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
export function ago(value) {
  if (!value) return "never";
  const seconds = (new Date(value) - Date.now()) / 1000;
  const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(Math.round(seconds), "second");
}

// --- numbers people type -----------------------------------------------------------------------
// One reader for every number field: the browser's own decimal mark and thousands separator,
// and nothing guessed. "1,250" in en-US is 1250 (a thousands group); "1,25" there is refused,
// not read as 1.25 or 125; in de-DE "1,25" is 1.25 and "1.250" is 1250. A value is never
// rounded or cut: too many decimals or a fraction in a whole-number field is refused too.

function separators(tag) {
  const parts = (n) => new Intl.NumberFormat(tag).formatToParts(n);
  const decimal = parts(1.5).find((p) => p.type === "decimal")?.value || ".";
  const group = parts(1234567).find((p) => p.type === "group")?.value || ",";
  return { decimal, group };
}
export const numberSeparators = separators(locale);

const escape = (ch) => ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const SPACES = /[\s\u00a0\u202f]/g;

/** The number pattern of one convention: 1234, 1<g>234, with <d>5 decimals after. */
function shape({ decimal, group }) {
  const g = SPACES.test(group) ? "[\\s\\u00a0\\u202f]" : escape(group);
  SPACES.lastIndex = 0;
  return new RegExp(`^(-?)(\\d+|\\d{1,3}(?:${g}\\d{3})+)(?:${escape(decimal)}(\\d+))?$`);
}

/**
 * What a person typed, read in the browser's locale: {value, error}. value is undefined for an
 * empty field; error is a sentence to show next to the field when the text is not a number, is
 * not clear, or (with whole) has a fraction; maxDecimals refuses more decimals than allowed.
 */
export function readNumber(text, { whole = false, maxDecimals = null, separators: seps = numberSeparators } = {}) {
  const typed = String(text ?? "").trim();
  if (!typed) return { value: undefined, error: null };
  const cleaned = typed.replace(/^[$£€¥₹]\s*|\s*[$£€¥₹]$/g, "").replace(/^[-−]\s*/, "-");
  const example = whole ? `1${seps.group}250` : `1${seps.group}250${seps.decimal}50`;
  const m = shape(seps).exec(SPACES.test(seps.group) ? cleaned : cleaned.replace(/\s/g, "")) ;
  SPACES.lastIndex = 0;
  if (!m) {
    const other = { decimal: seps.decimal === "," ? "." : ",", group: seps.decimal === "," ? "." : "," };
    if (shape(other).test(cleaned)) {
      return { value: undefined, error: `"${typed}" is not clear here: this device writes decimals with "${seps.decimal}" and groups thousands with "${seps.group}", as in ${example}.` };
    }
    return { value: undefined, error: whole ? `Enter a whole number, like ${example}.` : `Enter an amount, like ${example}.` };
  }
  const [, sign, int, frac] = m;
  if (whole && frac !== undefined && /[1-9]/.test(frac)) return { value: undefined, error: `Enter a whole number, like ${example}.` };
  if (maxDecimals !== null && frac !== undefined && frac.replace(/0+$/, "").length > maxDecimals) {
    return { value: undefined, error: `"${typed}" has more than ${maxDecimals} decimals; it would have to be rounded.` };
  }
  const digits = int.replace(/\D/g, "");
  const value = Number(`${sign}${digits}${frac ? "." + frac : ""}`);
  if (!Number.isFinite(value) || (whole && !Number.isSafeInteger(value)) || digits.length + (frac || "").length > 15) {
    return { value: undefined, error: `"${typed}" is too long a number.` };
  }
  return { value: Object.is(value, -0) ? 0 : value, error: null };
}

/** A number as this device would type it back into a field: its decimal mark, no grouping.
 *  Text (what a person typed) is kept exactly as it is. */
export function inputNumber(value) {
  if (value === null || value === undefined) return "";
  if (typeof value !== "number") return String(value);
  const n = value;
  if (!Number.isFinite(n)) return String(value);
  return new Intl.NumberFormat(locale, { useGrouping: false, maximumFractionDigits: 20 }).format(n);
}

export const STATUS_LABELS = {
  draft: "Draft",
  ordered: "Ordered",
  shipped: "Shipped",
  partially_received: "Partly received",
  received: "Received",
  cancelled: "Cancelled",
};

export const MOVEMENT_LABELS = {
  receive: "Received",
  adjust: "Adjusted",
  count: "Counted",
  sale: "Sold",
  po_receipt: "Delivery",
  return: "Returned",
};

// The camera as a barcode scanner. The browser's BarcodeDetector where it has one (Android
// Chrome, Safari 17+, macOS Chrome); elsewhere ZXing (frontend/lib/zxing, vendored, 362 KB), loaded
// only when a scanner first opens. Each accepted scan beeps and vibrates; a code held in front of
// the camera counts once, and again only after it has left the picture (so counting ten tins
// means showing ten tins). Continuous mode stays open and shows a running count.

import { get } from "./api.js";
import { h } from "./dom.js";
import { findCached, offline } from "./offline.js";

const FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "qr_code"];
const ZXING_URL = new URL("../lib/zxing/zxing.min.js", import.meta.url).href; // @zxing/library 0.23.0
const FRAME_MS = 120;
const GONE_MS = 1200; // how long a code must be out of the picture to count again

let zxingLoad = null;
function loadZxing() {
  if (!zxingLoad) {
    zxingLoad = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = ZXING_URL;
      script.onload = () => (window.ZXing ? resolve(window.ZXing) : reject(new Error("ZXing did not load")));
      script.onerror = () => reject(new Error("The scanner could not be loaded."));
      document.head.append(script);
    }).catch((err) => {
      zxingLoad = null;
      throw err;
    });
  }
  return zxingLoad;
}

/** A function video → [{text, format}] for the codes visible now. */
async function makeDetector() {
  if ("BarcodeDetector" in window) {
    try {
      const supported = await window.BarcodeDetector.getSupportedFormats();
      const formats = FORMATS.filter((f) => supported.includes(f));
      if (formats.length) {
        const native = new window.BarcodeDetector({ formats });
        const detect = async (video) => (await native.detect(video)).map((b) => ({ text: b.rawValue, format: b.format }));
        detect.engine = "native";
        return detect;
      }
    } catch {
      // no usable native detector: fall back to ZXing
    }
  }
  const ZXing = await loadZxing();
  const F = ZXing.BarcodeFormat;
  const hints = new Map();
  hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [F.EAN_13, F.EAN_8, F.UPC_A, F.UPC_E, F.CODE_128, F.QR_CODE]);
  hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
  const reader = new ZXing.MultiFormatReader();
  reader.setHints(hints);
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const detect = async (video) => {
    if (!video.videoWidth) return [];
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    ctx.drawImage(video, 0, 0);
    try {
      const bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(new ZXing.HTMLCanvasElementLuminanceSource(canvas)));
      const result = reader.decode(bitmap);
      return [{ text: result.getText(), format: String(F[result.getBarcodeFormat()] || "").toLowerCase() }];
    } catch {
      return []; // nothing readable in this frame
    } finally {
      reader.reset();
    }
  };
  detect.engine = "zxing";
  return detect;
}

let audio = null;
function beep(ok = true) {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = ok ? 1200 : 300;
    gain.gain.value = 0.08;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (ok ? 0.07 : 0.2));
  } catch {
    // no sound: the vibration and the count still say it
  }
  navigator.vibrate?.(ok ? 50 : [80, 60, 80]);
}

/** The camera button that sits next to a search or quantity field. */
export function scanButton(label, onclick) {
  return h("button", { class: "btn scan-btn", type: "button", "data-scan": "", "aria-label": label, onclick }, "Scan");
}

/**
 * Open the scanner. onCode(text, format) → {ok, message, close?}: ok counts the scan (and beeps),
 * close ends scanning. Continuous keeps going until "Done". Returns a function that closes it.
 */
export function openScanner({ title = "Scan a barcode", continuous = false, onCode, signal }) {
  const video = h("video", { playsinline: "", muted: "", autoplay: "", "aria-hidden": "true" });
  const status = h("p", { class: "scanner-status", role: "status", "aria-live": "polite", "data-scan-status": "" }, "Starting the camera…");
  const counter = h("p", { class: "scanner-count", "data-scan-count": "0", hidden: !continuous }, "0 scanned");
  const done = h("button", { class: "btn primary block", type: "button" }, continuous ? "Done" : "Cancel");
  const box = h("div", { class: "scanner", role: "dialog", "aria-modal": "true", "aria-label": title, "data-scanner": "" },
    h("h2", null, title),
    h("div", { class: "scanner-view" }, video, h("div", { class: "scanner-aim", "aria-hidden": "true" })),
    status, counter, done);
  document.body.append(box);
  audio = audio || (window.AudioContext ? new AudioContext() : null); // made on the tap that opened it

  let stream = null;
  let closed = false;
  let timer = null;
  let count = 0;
  let last = { text: null, seen: 0 };

  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    stream?.getTracks().forEach((t) => t.stop());
    box.remove();
  };
  done.addEventListener("click", close);
  signal?.addEventListener("abort", close, { once: true });
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
  done.focus();

  (async () => {
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error("This browser cannot use the camera here."), { name: "NoCamera" });
      const detect = await makeDetector();
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 1280 } }, audio: false });
      if (closed) { stream.getTracks().forEach((t) => t.stop()); return; }
      video.srcObject = stream;
      await video.play().catch(() => {});
      box.dataset.engine = detect.engine;
      status.textContent = "Point the camera at a barcode.";
      const tick = async () => {
        if (closed) return;
        const found = await detect(video).catch(() => []);
        const now = Date.now();
        const code = found[0];
        if (code && !closed) {
          const again = code.text === last.text && now - last.seen < GONE_MS;
          last = { text: code.text, seen: now };
          if (!again) {
            const reply = (await onCode(code.text, code.format)) || { ok: true };
            beep(reply.ok !== false);
            if (reply.ok !== false) {
              count += 1;
              counter.textContent = `${count} scanned`;
              counter.dataset.scanCount = String(count);
            }
            status.textContent = reply.message || code.text;
            if (reply.close || (!continuous && reply.ok !== false)) { close(); return; }
          }
        }
        timer = setTimeout(tick, FRAME_MS);
      };
      tick();
    } catch (err) {
      status.textContent = err.name === "NotAllowedError"
        ? "The camera is not allowed. Allow it in the browser's site settings, or type the code."
        : err.name === "NotFoundError" ? "No camera found. Type the code instead." : err.message;
      status.classList.add("error");
    }
  })();
  return close;
}

/** The product with this barcode or SKU (the API, else the phone's copy), or null. */
export async function productByCode(code) {
  const lower = code.toLowerCase();
  const pick = (items) => items.find((p) => p.barcode === code) || items.find((p) => p.sku.toLowerCase() === lower) || null;
  if (offline()) return pick(await findCached(code));
  try {
    return pick((await get("/products", { q: code, limit: 20 })).items);
  } catch (err) {
    if (err.status === 0) return pick(await findCached(code));
    throw err;
  }
}

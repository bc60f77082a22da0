// The service worker (sw.js): registered once the first screen is up, so it never competes with
// it. A new version installs in the background and waits; the page offers to reload into it
// (never swaps files under a running page). Needs a secure context (https, or localhost).

import { h } from "./dom.js";

export function registerWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register("sw.js").then((reg) => {
    const offer = () => {
      if (reg.waiting && navigator.serviceWorker.controller) showUpdate(reg.waiting);
    };
    offer();
    reg.addEventListener("updatefound", () => {
      const worker = reg.installing;
      worker?.addEventListener("statechange", () => { if (worker.state === "installed") offer(); });
    });
    // A phone left open for days still hears of new versions.
    setInterval(() => reg.update().catch(() => {}), 60 * 60 * 1000);
  }).catch((err) => console.warn("service worker not registered", err));
}

let reloading = false;
function showUpdate(worker) {
  if (document.querySelector("[data-update]")) return;
  const bar = h("div", { class: "netbar", role: "status", "data-update": "" },
    "A new version of Shelfwise is ready. ",
    h("button", { class: "btn small", type: "button", onclick: () => {
      navigator.serviceWorker.addEventListener("controllerchange", () => {
        if (!reloading) { reloading = true; window.location.reload(); }
      });
      worker.postMessage({ type: "skip-waiting" });
    } }, "Reload"));
  document.body.prepend(bar);
}

"""A slow phone's first screen: Debian's Chromium at 390x844 under Lighthouse's mobile throttling
through the DevTools protocol (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, CPU 4x slower),
against the local stack's site and API. Two times from navigation start, as the page itself
records them (performance.now()):

- dashboard figures: today's figures (revenue, profit, orders, low stock) are on screen;
- dashboard complete: its ready signal (figures, chart, breakdown and low-stock list drawn);
- Sell accepts a scan: the search box that a scanner types into is there with its handlers.

Cold: a first visit (empty cache, no service worker). Cached: the same phone opening the site
again, the shell from the service worker. Median of RUNS runs each; the aims (issue 14) are 2 s
cached and 4 s cold for the first figures.

    .venv/bin/python -m bench.phone        (its own stack; `make bench` runs it on the shared one)
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from typing import Any

import requests

RUNS = int(os.environ.get("BENCH_PHONE_RUNS", "3"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
CPU_SLOWDOWN = 4
PASSWORD = "Bench-phone-1"  # noqa: S105 - a throwaway local shop

# Records when the dashboard's figures and Sell's search box first appear (ms since navigation).
MARKS = r"""
window.__marks = {};
new MutationObserver(() => {
  const m = window.__marks;
  const orders = document.querySelector("[data-figure=orders]");
  if (!m.figures && orders && /\d/.test(orders.textContent)) m.figures = performance.now();
  if (!m.dashboard && document.body && document.body.dataset.ready === "dashboard") m.dashboard = performance.now();
  if (!m.sell && document.getElementById("sell-search")) m.sell = performance.now();
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true,
  attributeFilter: ["data-ready"] });
"""


def _shop(api_url: str) -> dict[str, Any]:
    """A shop with a small catalogue and a few sales, and its tokens (as the site keeps them)."""
    api = requests.Session()
    email = f"phone-{uuid.uuid4().hex[:8]}@example.com"
    reply = api.post(f"{api_url}/auth/register", json={"shop_name": "Phone bench", "email": email,
                                                       "password": PASSWORD}, timeout=30)
    reply.raise_for_status()
    tokens = api.post(f"{api_url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30).json()
    api.headers["Authorization"] = f"Bearer {tokens['id_token']}"
    for n in range(30):
        sku = f"P{n:03d}"
        api.post(f"{api_url}/products", json={"sku": sku, "name": f"Product {n}", "price": "2.50", "unit_cost": "1.00",
                                              "barcode": f"20000000{n:05d}", "min_stock": 3}, timeout=30)
        api.post(f"{api_url}/products/{sku}/stock", json={"type": "receive", "quantity": 20}, timeout=30)
    for n in range(5):
        api.post(f"{api_url}/sales", json={"lines": [{"sku": f"P{n:03d}", "quantity": 1}]}, timeout=30)
    return {"id_token": tokens["id_token"], "refresh_token": tokens["refresh_token"], "email": email,
            "expires_at": int(time.time() * 1000) + int(tokens.get("expires_in", 3600)) * 1000}


def _load(page: Any, url: str, mark: str) -> None:
    """Navigate (throttled) and wait for the mark."""
    page.goto(url)
    page.wait_for_function(f"window.__marks && window.__marks.{mark}", timeout=60_000)


def _context(browser: Any, session: dict[str, Any]) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=1)
    context.add_init_script(f"localStorage.setItem('shelfwise.session', {json.dumps(json.dumps(session))});")
    context.add_init_script(MARKS)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return context, page


def measure(site_url: str, api_url: str) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    session = _shop(api_url)
    times: dict[str, list[float]] = {f"{kind} {mark}": [] for kind in ("cold", "cached")
                                     for mark in ("figures", "dashboard", "sell")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                             "--disable-dev-shm-usage", "--no-first-run"])
        try:
            for _ in range(RUNS):
                for marks, path in ((("figures", "dashboard"), "/#/"), (("sell",), "/#/sell")):
                    context, page = _context(browser, session)
                    try:
                        for kind in ("cold", "cached"):
                            if kind == "cached":
                                # Installed: the worker holds this version's shell.
                                page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
                                page.goto("about:blank")
                            _load(page, site_url + path, marks[-1])
                            for mark in marks:
                                times[f"{kind} {mark}"].append(float(page.evaluate(f"window.__marks.{mark}")))
                    finally:
                        context.close()
        finally:
            browser.close()
    return times


AIMS = {"figures": {"cold": 4000, "cached": 2000}}
LABELS = {"figures": "dashboard figures", "dashboard": "dashboard complete", "sell": "Sell accepts a scan"}


def rows(times: dict[str, list[float]]) -> list[dict[str, Any]]:
    out = []
    for key, samples in times.items():
        kind, screen = key.split()
        median = statistics.median(samples)
        aim = AIMS.get(screen, {}).get(kind)
        verdict = f" (aim {aim / 1000:.0f} s: {'met' if median <= aim else 'MISSED'})" if aim else ""
        out.append({"item": f"slow phone, {kind}: {LABELS[screen]}",
                    "value": f"{median:,.0f} ms median of {len(samples)} "
                             f"({min(samples):,.0f}-{max(samples):,.0f}){verdict}"})
    return out


def run(stack: Any) -> list[dict[str, Any]]:
    """`make bench`: on the shared stack, serving the site from it if it does not yet."""
    if not os.path.exists(CHROMIUM):
        return [{"item": "slow phone", "value": f"skipped: no Chromium at {CHROMIUM}"}]
    try:
        import playwright  # noqa: F401 - a test tool (requirements-dev.txt), not installed by make run
    except ImportError:
        return [{"item": "slow phone", "value": "skipped: Playwright is not installed (make setup)"}]
    if getattr(stack, "_site_server", None) is None:
        stack._start_site()  # noqa: SLF001 - the bench stack starts without a site; this one needs it
    return rows(measure(stack.site_url, stack.api_url))


def main() -> None:
    from bench import harness

    with harness.local_stack() as stack:
        for r in run(stack):
            print(f"{r['item']:<45} {r['value']}")


if __name__ == "__main__":
    main()

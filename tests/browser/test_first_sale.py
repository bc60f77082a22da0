"""A new shop's first minutes, on a phone: register → add a product → receive stock → sell
(scanning its barcode) → the dashboard shows the sale and the chart has its point.

On the way, the sale's first reply is lost on the network: the site offers to try again, and
the retry (same Idempotency-Key) records the sale once."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Route, expect

from local.stack import LocalStack
from tests.browser.helpers import PASSWORD, Api, new_email, shot, wait_ready

SKU = "TEA-GREEN-20"
NAME = "Green tea, 20 bags"
BARCODE = "2000000012345"
# The phone's date (its own time zone), as the site's date keys are written.
TODAY_JS = "(() => { const d = new Date(); const p = (n) => String(n).padStart(2, '0'); " \
    "return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; })()"


def test_register_add_receive_sell_then_dashboard(page: Any, site_stack: LocalStack) -> None:
    site = site_stack.site_url
    email = new_email()

    # Sign up, with the password rules ticked off as they are met.
    page.goto(f"{site}/#/register")
    wait_ready(page, "register")
    page.get_by_label("Shop name").fill("Browser corner shop")
    page.get_by_label("Email").fill(email)
    password = page.locator("input[name=password]")
    password.fill("tea")
    expect(page.locator("[data-rule=length]")).not_to_have_class(re.compile(r"\bmet\b"))
    password.fill(PASSWORD)
    for rule in ("length", "lower", "upper", "digit"):
        expect(page.locator(f"[data-rule={rule}]")).to_have_class(re.compile(r"\bmet\b"))
    page.get_by_role("button", name="Create account").click()

    # A new shop: the dashboard offers to add a product or import a CSV.
    wait_ready(page, "dashboard")
    welcome = page.locator("[data-empty=new-shop]")
    expect(welcome.get_by_role("link", name="Import a CSV")).to_be_visible()
    shot(page, "first-sale-01-new-shop")
    welcome.get_by_role("link", name="Add a product").click()

    wait_ready(page, "product-new")
    page.get_by_label("SKU").fill(SKU)
    page.get_by_label("Name", exact=True).fill(NAME)
    page.get_by_label("Price").fill("2.50")
    page.get_by_label("Unit cost").fill("1.20")
    page.get_by_label("Barcode").fill(BARCODE)
    page.get_by_label("Minimum stock").fill("2")
    page.get_by_role("button", name="Add product").click()

    wait_ready(page, "product")
    expect(page.locator("[data-on-hand]")).to_have_text("0")
    page.get_by_role("link", name="Receive").click()
    wait_ready(page, "stock")
    page.get_by_label("Quantity received").fill("10")
    page.get_by_role("button", name="Receive stock").click()
    wait_ready(page, "product")
    expect(page.locator("[data-on-hand]")).to_have_text("10")

    # Sell: a scanner types the barcode and presses Enter; the exact match goes into the cart.
    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    search = page.get_by_label("Find a product")
    expect(search).to_be_focused()
    search.fill(BARCODE)
    search.press("Enter")
    line = page.locator(f"[data-line='{SKU}']")
    expect(line).to_be_visible()
    line.get_by_role("button", name=f"One more {NAME}").click()
    expect(page.locator(f"[data-qty='{SKU}']")).to_have_value("2")
    expect(page.locator("[data-total]")).to_have_text("$5.00")

    # The API records the sale but its reply never reaches the phone.
    lost: list[str] = []

    def lose_first_reply(route: Route) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(route.request.headers.get("idempotency-key", ""))
            route.fetch()
            route.abort("failed")
        else:
            route.continue_()

    page.route("**/sales", lose_first_reply)
    page.locator("[data-charge]").click()
    retry = page.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    expect(page.locator("[data-outcome]")).to_contain_text("will not be recorded twice")
    shot(page, "first-sale-02-reply-lost")
    retry.click()
    sold = page.locator("[data-sale]")
    expect(sold).to_contain_text("$5.00")
    expect(sold.get_by_role("link", name="Invoice")).to_have_attribute("href", re.compile(r"^#/sales/.+/invoice$"))
    shot(page, "first-sale-03-sold")
    page.unroute("**/sales")
    assert lost and lost[0], "the sale was sent without an Idempotency-Key"

    # Recorded once, whatever the network did.
    with Api(site_stack.api_url) as api:
        tokens = api.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
        api.headers["Authorization"] = f"Bearer {tokens['id_token']}"
        assert len(api.get("/sales").json()["items"]) == 1
        assert api.get(f"/products/{SKU}").json()["on_hand"] == 8

    # The dashboard shows it: today's figures and the chart's point for today.
    page.locator(".tabbar").get_by_role("link", name="Dashboard").click()
    wait_ready(page, "dashboard")
    expect(page.locator("[data-figure=revenue]")).to_have_text("$5.00")
    expect(page.locator("[data-figure=profit]")).to_have_text("$2.60")
    expect(page.locator("[data-figure=orders]")).to_have_text("1")
    expect(page.locator("[data-empty=new-shop]")).to_have_count(0)
    chart = page.locator("figure.chart").first
    expect(chart).to_have_attribute("data-drawn", "true")
    today = page.evaluate(TODAY_JS)
    expect(chart).to_have_attribute("data-last-key", today)
    point = chart.locator(f"tr[data-key='{today}']")
    expect(point).to_contain_text("$5.00")
    expect(point).to_contain_text("$2.60")
    shot(page, "first-sale-04-dashboard")

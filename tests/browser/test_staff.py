"""Staff at a phone's width: the owner invites someone from More → Staff; they log in with the
emailed temporary password (read from the local outbox), choose their own password, land on
Sell, sell, and never see a cost, a margin or a profit, nor the owner's screens."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready

CHOSEN = "Staff-own-pass9"


def test_owner_invites_staff_who_sets_a_password_and_sells_without_costs(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    api = shop["api"]
    body = {"sku": "JAM-1", "name": "Strawberry jam", "price": 4.0, "unit_cost": 1.37}
    assert api.post("/products", json=body).status_code == 201
    assert api.post("/products/JAM-1/stock", json={"type": "receive", "quantity": 6}).status_code == 201
    email = f"clerk-{uuid.uuid4().hex[:10]}@example.com"

    # The owner invites from More → Staff.
    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="More").click()
    wait_ready(page, "more")
    page.get_by_role("link", name="Staff").click()
    wait_ready(page, "staff")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send invitation").click()
    invited = page.locator(f"[data-person='{email}']")
    expect(invited.locator("[data-status]")).to_have_text("invited")
    shot(page, "staff-01-invited")

    # The invitation in the local outbox carries the temporary password.
    [mail] = [m for m in api.get("/local/outbox").json()["items"] if m["to"] == [email]]
    found = re.search(r"Temporary password:\s*(?:<[^>]+>\s*)*([A-Za-z0-9]{8,})", mail["html"])
    assert found, mail["html"]

    page.locator(".tabbar").get_by_role("link", name="More").click()
    wait_ready(page, "more")
    page.get_by_role("button", name="Log out").click()
    wait_ready(page, "login")

    # First log-in: the emailed password, then a password of their own.
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(found.group(1))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    shot(page, "staff-02-choose-password")
    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("New password again").fill(CHOSEN)
    page.get_by_role("button", name="Save password and log in").click()
    wait_ready(page, "sell")

    # Staff see no dashboard (the owner's figures) and no owner's pages under More.
    expect(page.locator(".tabbar a[data-tab='dashboard']")).to_be_hidden()
    page.locator(".tabbar").get_by_role("link", name="More").click()
    wait_ready(page, "more")
    for owners in ("Reports", "Staff", "Suppliers", "Import CSV", "Export CSV", "Outbox (local only)"):
        expect(page.get_by_role("link", name=owners)).to_have_count(0)
    page.goto(f"{site_stack.site_url}/#/reports")
    wait_ready(page, "sell")  # sent back to Sell

    # A product without its cost or margin.
    page.goto(f"{site_stack.site_url}/#/products/JAM-1")
    wait_ready(page, "product")
    expect(page.get_by_text("Strawberry jam").first).to_be_visible()
    content = page.locator("main").inner_text()
    assert "1.37" not in content and "Unit cost" not in content and "Margin" not in content, content
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

    # A sale: its total, no profit.
    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    search = page.get_by_label("Find a product")
    search.fill("JAM-1")
    search.press("Enter")
    expect(page.locator("[data-line='JAM-1']")).to_be_visible()
    page.locator("[data-charge]").click()
    sold = page.locator("[data-sale]")
    expect(sold).to_contain_text("$4.00")
    assert "profit" not in sold.inner_text().lower()
    shot(page, "staff-03-sold")
    assert api.get("/products/JAM-1").json()["on_hand"] == 5
    assert {m["email"]: m["status"] for m in api.get("/staff").json()["items"]}[email] == "active"

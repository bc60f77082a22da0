"""Numbers typed on a phone are read in its own locale and never silently changed: "1,250" in an
en-US browser is 1250 (and the field says so), "1,25" there is refused with a message next to
the field, and in a German browser "1,25" is 1.25."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.helpers import log_in, wait_ready


def add_product(page: Any, site: str, sku: str, price: str) -> None:
    page.goto(f"{site}/#/products/new")
    wait_ready(page, "product-new")
    page.get_by_label("SKU").fill(sku)
    page.get_by_label("Name", exact=True).fill("Olive oil 1 L")
    page.get_by_label("Price").fill(price)
    page.get_by_label("Minimum stock").fill("2")


def test_en_us_thousands_are_read_and_shown_unclear_numbers_refused(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    api, site = shop["api"], site_stack.site_url
    log_in(page, site, shop["email"], shop["password"])

    add_product(page, site, "OIL-BIG", "1,25")
    page.get_by_role("button", name="Add product").click()
    price = page.get_by_label("Price")
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field", has=price).locator(".error")).to_contain_text('"1,25" is not clear')
    assert api.get("/products/OIL-BIG").status_code == 404, "an unclear price was saved"

    price.fill("1,250")
    expect(page.locator(".field", has=price).locator("[data-reads-as]")).to_have_text("Reads as $1,250.00")
    page.get_by_label("Minimum stock").fill("1.5")
    page.get_by_role("button", name="Add product").click()
    expect(page.get_by_label("Minimum stock")).to_have_attribute("aria-invalid", "true")
    assert api.get("/products/OIL-BIG").status_code == 404, "a fraction of a whole number was saved"

    page.get_by_label("Minimum stock").fill("2")
    page.get_by_role("button", name="Add product").click()
    wait_ready(page, "product")
    product = api.get("/products/OIL-BIG").json()
    assert (product["price"], product["min_stock"]) == (1250, 2)


def test_a_german_phone_reads_decimal_commas(browser: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        api, site = shop["api"], site_stack.site_url
        log_in(page, site, shop["email"], shop["password"])
        add_product(page, site, "OEL-1", "1,25")
        page.get_by_role("button", name="Add product").click()
        wait_ready(page, "product")
        assert api.get("/products/OEL-1").json()["price"] == 1.25
        # The edit form shows the price the way this phone writes it, and saves it unchanged.
        page.goto(f"{site}/#/products/OEL-1/edit")
        wait_ready(page, "product-edit")
        expect(page.get_by_label("Price")).to_have_value("1,25")
        add_product(page, site, "OEL-2", "1.5")
        page.get_by_role("button", name="Add product").click()
        expect(page.get_by_label("Price")).to_have_attribute("aria-invalid", "true")
        assert api.get("/products/OEL-2").status_code == 404
    finally:
        context.close()

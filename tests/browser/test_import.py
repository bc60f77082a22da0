"""CSV import: a dry run lists each bad row with its row number and column and changes nothing;
the import then applies the good rows. A long file goes up in parts, and row numbers still
point into the original file."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, shot, wait_ready

PRODUCTS_CSV = (
    "sku,name,category,price,unit_cost,min_stock\n"
    "IMP-1,Imported jam 340g,Pantry,2.10,1.30,2\n"
    "IMP-2,Imported honey 250g,Pantry,not a price,2.00,2\n"
    "IMP-3,Imported marmalade 454g,Pantry,2.40,1.50,2\n"
)


def choose_file(page: Any, name: str, text: str) -> None:
    upload = {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    page.get_by_label("CSV file").set_input_files(files=[upload])


def test_import_products_shows_row_errors_then_imports_the_rest(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    api = shop["api"]
    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    # The new shop's empty state leads here.
    page.locator("[data-empty=new-shop]").get_by_role("link", name="Import a CSV").click()
    wait_ready(page, "import")
    choose_file(page, "products.csv", PRODUCTS_CSV)
    expect(page.get_by_text("products.csv: 3 rows.")).to_be_visible()

    page.get_by_role("button", name="Check the file").click()
    checked = page.locator("[data-result=dry-run]")
    expect(checked).to_be_visible()
    bad = checked.locator("tr[data-row='3']")
    expect(bad).to_contain_text("price")
    expect(checked.locator("[data-total=Created]")).to_have_text("2")
    shot(page, "import-01-dry-run")
    assert api.get("/products").json()["items"] == [], "a dry run changed the shop"

    page.locator("[data-import]").click()
    done = page.locator("[data-result=imported]")
    expect(done).to_be_visible()
    expect(done.locator("[data-total=Created]")).to_have_text("2")
    expect(done.locator("tr[data-row='3']")).to_contain_text("price")
    shot(page, "import-02-imported")
    assert sorted(p["sku"] for p in api.get("/products").json()["items"]) == ["IMP-1", "IMP-3"]


def sales_csv(orders: int) -> tuple[str, int]:
    """A Superstore-layout file of `orders` orders of two lines each; one bad line near the end.
    Returns (text, the bad line's row number as a spreadsheet shows it)."""
    lines = ["Order ID,Order Date,Customer Name,Segment,Country,City,State,Region,Product ID,Category,"
             "Sub-Category,Product Name,Sales,Quantity,Discount,Profit"]
    bad_row = 0
    for n in range(orders):
        for k in (1, 2):
            quantity = "lots" if n == orders - 3 and k == 2 else "2"
            lines.append(f"BR-{n:05d},2026-01-{1 + n % 28:02d},Ann Lee,Consumer,United States,Henderson,Kentucky,"
                         f"South,BR-P-{k},Office,Paper,Browser test paper {k},10.00,{quantity},0,4.00")
            if quantity == "lots":
                bad_row = len(lines)
    return "\n".join(lines) + "\n", bad_row


def test_long_sales_file_is_checked_in_parts_with_file_row_numbers(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    text, bad_row = sales_csv(600)  # 1,200 lines: three parts of at most 500
    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.goto(f"{site_stack.site_url}/#/import")
    wait_ready(page, "import")
    page.get_by_text("Past sales").click()
    choose_file(page, "superstore.csv", text)
    expect(page.get_by_text(re.compile(r"superstore\.csv: 1,200 rows, sent in 3 parts\."))).to_be_visible()
    page.get_by_role("button", name="Check the file").click()
    checked = page.locator("[data-result=dry-run]")
    expect(checked).to_be_visible()
    expect(checked.locator(f"tr[data-row='{bad_row}']")).to_contain_text("Quantity")
    # Its order's other line is held back with it, named by its own row.
    expect(checked.locator(f"tr[data-row='{bad_row - 1}']")).to_contain_text("Order ID")
    expect(checked.locator("[data-total=Sales]")).to_have_text("599")
    shot(page, "import-03-long-file")
    assert shop["api"].get("/sales", params={"from": "2026-01-01", "to": "2026-01-31"}).json()["items"] == []


def test_import_button_counts_products_not_changes(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    """Four new products with their stock are four products (not 4 created + 4 counted), and a
    semicolon-separated file with decimal commas is read as such."""
    text = "sku;name;price;on_hand\r\n" + "".join(f"SEMI-{i};Kaffee {i};1.234,50;{i + 1}\r\n" for i in range(4))
    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.goto(f"{site_stack.site_url}/#/import")
    wait_ready(page, "import")
    choose_file(page, "kaffee.csv", text)
    expect(page.get_by_text("kaffee.csv: 4 rows, separated by semicolons")).to_be_visible()
    page.get_by_role("button", name="Check the file").click()
    checked = page.locator("[data-result=dry-run]")
    expect(checked.locator("[data-total='Stock counted']")).to_have_text("4")
    expect(page.locator("[data-import]")).to_have_text("Import 4 products")
    page.locator("[data-import]").click()
    expect(page.locator("[data-result=imported]")).to_be_visible()
    product = shop["api"].get("/products/SEMI-3").json()
    assert (product["price"], product["on_hand"]) == (1234.5, 4)

"""Import a large file: a POS export of an unknown layout gets a suggested column mapping, goes
straight to S3 with an upload progress bar, and the screen follows the background import to its
end, even across a reload of the page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.helpers import log_in

POS_CSV = (
    "Receipt Number,Date,SKU,Item,Qty,Gross Sales\n"
    "R-1,2026-03-01 10:15,POS-1,Oat milk 1 l,2,3.80\n"
    "R-1,2026-03-01 10:15,POS-2,Rye bread,1,2.90\n"
    "R-2,2026-03-02 16:40,POS-1,Oat milk 1 l,many,1.90\n"
)


def test_a_pos_export_is_mapped_uploaded_and_followed_to_the_end(
    page: Any, site_stack: LocalStack, shop: dict[str, Any]
) -> None:
    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.goto(f"{site_stack.site_url}/#/import/large")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "pos.csv", "mimeType": "text/csv", "buffer": POS_CSV.encode()}])
    expect(page.locator("select[data-field=order_id]")).to_have_value("Receipt Number")
    expect(page.locator("select[data-field=line_total]")).to_have_value("Gross Sales")
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#processing")).to_be_attached(timeout=30_000)
    page.reload()  # the import id is kept: the screen picks the progress up again
    done = page.locator("[data-import-status=done]")
    expect(done).to_be_visible(timeout=120_000)
    expect(done).to_contain_text("1 sales (2 lines)")
    expect(done).to_contain_text("1 row refused.")
    expect(done.locator("[data-refused]")).to_be_visible()

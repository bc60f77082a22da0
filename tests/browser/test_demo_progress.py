"""Local stack only: while the demo's history loads in the background, the dashboard of the demo
shop says how far it got (the stack's /demo.json), and the line goes once it is all there."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from local import demo
from local.stack import LocalStack
from tests.browser.helpers import log_in, wait_ready

SLICE = Path(__file__).resolve().parents[1] / "data" / "superstore-slice.csv"


def test_dashboard_shows_the_demo_history_loading(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    raw = list(csv.DictReader(io.StringIO(SLICE.read_text(encoding="utf-8-sig"))))
    shift = ((datetime.now(UTC).date() - timedelta(days=1)) - demo.last_day(raw)).days
    rows = demo.superstore_rows(shift, raw)
    tenant_id = shop["api"].get("/me").json()["tenant_id"]
    state = {"tenant_id": tenant_id, "shift_days": shift, "pieces": 2, "stage": "history", "done": 0}
    history = demo.History(site_stack.api_url, demo.history_steps(rows, [], pieces=2), state, None,
                           shop["email"], shop["password"])  # fmt: skip
    site_stack.demo_history = history  # as `make run` does for the demo shop
    try:
        log_in(page, site_stack.site_url, shop["email"], shop["password"])
        wait_ready(page, "dashboard")
        line = page.locator("[data-demo-progress]")
        expect(line).to_have_text("Loading the demo's history: 0 %")
        history.run()
        expect(line).to_be_hidden(timeout=10_000)
        page.get_by_role("radio", name="12 months").check(force=True)
        expect(page.locator("[data-totals]")).to_contain_text(re.compile(r"[1-9]\d* orders?"))
    finally:
        site_stack.demo_history = None

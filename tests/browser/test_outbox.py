"""Local stack only: the outbox lists the emails the stack has sent (moto's SES keeps them).

The site shows the Outbox when config.js names one (outboxUrl). Until the stack serves its own,
this test names moto's /moto-api/data.json in config.js (moto answers CORS for any origin), which
the Outbox screen reads as well."""

from __future__ import annotations

import json
from typing import Any

import requests
from playwright.sync_api import Route, expect

from local.stack import LocalStack
from tests.browser.helpers import log_in, wait_ready


def test_outbox_lists_sent_emails(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    subject = f"Low stock at Browser test shop ({shop['email']})"
    site_stack.client("ses").send_email(
        Source=site_stack.alert_sender,
        Destination={"ToAddresses": [shop["email"]]},
        Message={"Subject": {"Data": subject},
                 "Body": {"Html": {"Data": "<html><body><h1>Low stock</h1><p>Green tea: 2 left</p></body></html>"}}},
    )
    config = requests.get(f"{site_stack.site_url}/config.js", timeout=10).text
    if "outboxUrl" not in config:
        settings = {"apiUrl": site_stack.api_url, "outboxUrl": f"{site_stack.moto_url}/moto-api/data.json"}

        def with_outbox(route: Route) -> None:
            route.fulfill(status=200, content_type="text/javascript",
                          body=f"window.SHELFWISE_CONFIG = {json.dumps(settings)};\n")

        page.route("**/config.js", with_outbox)

    log_in(page, site_stack.site_url, shop["email"], shop["password"])
    page.locator(".tabbar").get_by_role("link", name="More").click()
    wait_ready(page, "more")
    page.get_by_role("link", name="Outbox (local only)").click()
    wait_ready(page, "outbox")
    mail = page.locator("[data-outbox] li", has_text=subject)
    expect(mail).to_contain_text(shop["email"])
    mail.get_by_text("Show the email").click()
    expect(mail.frame_locator("iframe").get_by_text("Green tea: 2 left")).to_be_visible()

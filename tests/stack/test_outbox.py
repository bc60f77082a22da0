"""The local outbox over real HTTP, from the attacker's side: moto's SES keeps every shop's
email, and a shop's outbox shows only its own, to a caller whose token the API would accept.

The schedule loop of a throwaway stack runs every 60 s; each test fires the check itself, so
the emails it looks for were sent by then whatever the loop did."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import requests

from local.stack import LocalStack
from tests.stack.helpers import Api, create_with_stock, register_and_login

pytestmark = pytest.mark.stack

OUTBOX = "/local/outbox"


def fall_to_minimum(api: Api, name: str) -> str:
    """A product sold down to its minimum: the next check emails the shop about it."""
    sku = create_with_stock(api, 5, name=name, min_stock=3)
    sale = api.post("/sales", json={"lines": [{"sku": sku, "quantity": 2}]})
    assert sale.status_code == 201, sale.text
    return sku


def test_each_shop_sees_only_its_own_emails(stack: LocalStack) -> None:
    shop_a, a = register_and_login(stack.api_url, "Outbox shop A")
    shop_b, b = register_and_login(stack.api_url, "Outbox shop B")
    fall_to_minimum(shop_a, "Secret blend coffee of shop A")
    before = datetime.now(UTC).replace(microsecond=0)
    stack.run_scheduled_check()

    mine = shop_a.get(OUTBOX)
    assert mine.status_code == 200, mine.text
    [mail] = [m for m in mine.json()["items"] if "Outbox shop A" in m["subject"]]
    assert mail["to"] == [a["email"]] and "Secret blend coffee of shop A" in mail["html"]
    sent_at = datetime.fromisoformat(mail["sent_at"].replace("Z", "+00:00"))
    assert before <= sent_at <= datetime.now(UTC)
    assert all(a["email"] in m["to"] for m in mine.json()["items"])

    theirs = shop_b.get(OUTBOX)
    assert theirs.status_code == 200, theirs.text
    assert theirs.json()["items"] == [], "shop B saw another shop's email"

    # B's own email shows for B, and not for A.
    fall_to_minimum(shop_b, "Shop B tea")
    stack.run_scheduled_check()
    assert [m["to"] for m in shop_b.get(OUTBOX).json()["items"]] == [[b["email"]]]
    assert not any("Shop B tea" in m["html"] for m in shop_a.get(OUTBOX).json()["items"])


def test_the_outbox_checks_the_token_as_the_api_does(stack: LocalStack) -> None:
    shop_a, _ = register_and_login(stack.api_url, "Outbox shop C")
    fall_to_minimum(shop_a, "Shop C cocoa")
    stack.run_scheduled_check()
    token = shop_a.headers["Authorization"].split(" ", 1)[1]
    header, claims, signature = token.split(".")
    # The same claims with another shop's id, the signature left as it was: a forgery.
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    payload["custom:tenant_id"] = "01SOMEONE0ELSE0000000000000"
    forged = ".".join([header, base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("="), signature])
    for authorization in (None, "Bearer", "Bearer not-a-token", f"Bearer {forged}", f"Basic {token}"):
        headers = {"Authorization": authorization} if authorization else {}
        reply = requests.get(stack.api_url + OUTBOX, headers=headers, timeout=30)
        assert reply.status_code == 401, (authorization, reply.status_code, reply.text)
        assert set(reply.json()) >= {"code", "message"} and "items" not in reply.json()

    # The site (and only the site) may ask from the browser.
    preflight = requests.options(stack.api_url + OUTBOX, headers={"Origin": stack.site_url}, timeout=30)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == stack.site_url.rstrip("/")
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]

"""Fair limits and metering over real HTTP: one shop sends 400 requests from 40 threads while
another keeps working; the first gets 429s past its plan's burst, the second none, and GET /usage
and the operator's export count every request of both."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from local.stack import LocalStack
from tests.stack.helpers import register_and_login

FLOOD = 400
THREADS = 40


@pytest.fixture
def operator_env(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process talks to the stack's DynamoDB as the operator's command does."""
    from chalicelib.settings import reset_settings

    for name in ("TABLE_NAME", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_REGION"):
        monkeypatch.setenv(name, stack.env[name])
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


def test_a_flooding_shop_gets_429s_and_another_shop_is_not_slowed(stack: LocalStack, operator_env: None) -> None:
    from chalicelib import usage as metering
    from infra.usage import export_csv, set_plan

    flood, flood_account = register_and_login(stack.api_url, "Flood")
    calm, calm_account = register_and_login(stack.api_url, "Calm")
    for account in (flood_account, calm_account):
        set_plan(account["tenant_id"], "standard")  # the contract's default: 20 a second, bursts of 100
    codes: Counter[int] = Counter()
    retry_after: set[str] = set()
    lock = threading.Lock()
    token = flood.headers["Authorization"]

    def send(count: int) -> None:
        with requests.Session() as session:
            for _ in range(count):
                reply = session.get(f"{stack.api_url}/me", headers={"Authorization": token}, timeout=30)
                with lock:
                    codes[reply.status_code] += 1
                    if reply.status_code == 429:
                        retry_after.add(reply.headers.get("Retry-After", ""))
                        assert reply.json()["code"] == "too_many_requests"

    threads = [threading.Thread(target=send, args=(FLOOD // THREADS,)) for _ in range(THREADS)]
    started = time.time()
    for thread in threads:
        thread.start()
    calm_codes: Counter[int] = Counter()
    while any(thread.is_alive() for thread in threads):
        calm_codes[calm.get("/me").status_code] += 1
        time.sleep(0.1)  # a till's pace, well inside the plan
    for thread in threads:
        thread.join()
    took = time.time() - started
    calm_codes[calm.get("/me").status_code] += 1
    windows = int(took // 5) + 2  # 5-second windows the flood touched, at most
    print(f"\nflood: {FLOOD} requests from {THREADS} threads in {took:.1f} s: {codes[200]} x 200, "
          f"{codes[429]} x 429 (Retry-After {sorted(retry_after)}); other shop meanwhile: {dict(calm_codes)}")
    assert set(codes) <= {200, 429} and sum(codes.values()) == FLOOD
    assert codes[429] > 0 and 0 < codes[200] <= 100 * windows
    assert retry_after and all(value.isdigit() and 1 <= int(value) <= 5 for value in retry_after)
    assert set(calm_codes) == {200}

    # Every request was metered, refused ones too (API Gateway and Lambda bill them all), once
    # the flooding shop may ask again (the next window).
    time.sleep(5)
    used = flood.get("/usage").json()
    assert used["requests"] == FLOOD + 1 and used["read_units"] > 0
    calm_used = calm.get("/usage").json()
    assert calm_used["requests"] == sum(calm_codes.values()) + 1
    rows = {line.split(",")[0]: line.split(",") for line in export_csv(metering.month_of(time.time())).splitlines()}
    assert int(rows[flood_account["tenant_id"]][2]) == FLOOD + 1
    assert int(rows[calm_account["tenant_id"]][2]) == calm_used["requests"]


def test_usage_is_the_owners_alone(stack: LocalStack, new_shop: Any) -> None:
    mine, theirs = new_shop("Mine"), new_shop("Theirs")
    assert mine.get("/usage").json()["requests"] == 1
    seen = theirs.get("/usage").json()
    assert seen["requests"] == 1  # their own request, none of mine
    bare = requests.get(f"{stack.api_url}/usage", timeout=10)
    assert bare.status_code == 401

"""DynamoDB frozen mid-service (SIGSTOP on DynamoDB Local's JVM): requests give up within 5 s with
503 `try_again` and Retry-After, instead of holding the caller for a minute; after SIGCONT the
same requests succeed again."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.health import READY_FOR_SECONDS
from local.stack import LocalStack
from tests.stack.helpers import Api, create_with_stock

LIMIT_SECONDS = 5.0


class Freezer:
    def __init__(self, pid: int):
        self.pid = pid
        self.frozen = False

    def freeze(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        if self.frozen:
            os.kill(self.pid, signal.SIGCONT)
            self.frozen = False


@pytest.fixture
def dynamodb(stack: LocalStack) -> Iterator[Freezer]:
    child = next((c for c in stack._children if c.name == "dynamodb"), None)
    if child is None:
        pytest.skip("freezing needs DynamoDB Local (LOCAL_DYNAMODB=moto runs DynamoDB inside moto's server)")
    freezer = Freezer(child.process.pid)
    try:
        yield freezer
    finally:
        freezer.thaw()


def _timed(api: Api, method: str, path: str, **kwargs: Any) -> tuple[float, Any]:
    started = time.monotonic()
    reply = api.request(method, path, timeout=30, **kwargs)
    return time.monotonic() - started, reply


def test_a_frozen_database_is_a_quick_503_with_retry_after_then_service_resumes(
    owner: Api, dynamodb: Freezer
) -> None:
    sku = create_with_stock(owner, 5)
    assert owner.get("/me").status_code == 200  # signing keys fetched and cached before the freeze
    sale = {"json": {"lines": [{"sku": sku, "quantity": 1}]}, "headers": {"Idempotency-Key": "outage-1"}}
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/products/{sku}", {}),
        ("POST", "/sales", sale),
        ("GET", "/health", {}),
    ]
    dynamodb.freeze()
    frozen_at = time.monotonic()
    for method, path, kwargs in calls:
        if path == "/health":  # a "ready" answer cached before the freeze must run out first
            time.sleep(max(0.0, frozen_at + READY_FOR_SECONDS + 0.2 - time.monotonic()))
        took, reply = _timed(owner, method, path, **kwargs)
        assert reply.status_code == 503, (path, reply.status_code, reply.text)
        assert reply.json()["code"] == "try_again"
        assert int(reply.headers["Retry-After"]) >= 1
        assert took < LIMIT_SECONDS, f"{method} {path} took {took:.1f} s"
        print(f"frozen: {method} {path} -> 503 in {took:.2f} s")
    dynamodb.thaw()
    deadline = time.monotonic() + 15
    while owner.get(f"/products/{sku}").status_code != 200:
        assert time.monotonic() < deadline, "the API did not recover after DynamoDB came back"
        time.sleep(0.5)
    while owner.get("/health").status_code != 200:  # a "not ready" answer is kept for 2 s at most
        assert time.monotonic() < deadline, "/health did not say ready after DynamoDB came back"
        time.sleep(0.5)

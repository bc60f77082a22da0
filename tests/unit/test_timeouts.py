"""A dependency that stops answering makes a request give up quickly (503, Retry-After), not
hang for a minute: measured against a real socket that accepts connections and never replies,
which is what a frozen DynamoDB looks like from the app."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

LIMIT_SECONDS = 5.0


class FrozenServer:
    """An address that accepts connections but never answers a request; counts the connections."""

    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.connections: list[socket.socket] = []
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def frozen() -> Iterator[FrozenServer]:
    server = FrozenServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, frozen: FrozenServer) -> Iterator[FrozenServer]:
    from chalicelib.settings import reset_settings

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": frozen.url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "TABLE_NAME": "frozen",
        "IDEMPOTENCY_TABLE_NAME": "frozen-idempotency",
    }.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    yield frozen
    reset_settings()


def test_the_worst_case_of_one_call_fits_the_limit():
    from chalicelib import aws

    assert aws.WORST_CALL_SECONDS < LIMIT_SECONDS - 0.5


def test_a_call_to_a_frozen_dynamodb_gives_up_within_the_limit(app_env):
    from botocore.exceptions import ReadTimeoutError

    from chalicelib import aws

    client = aws.client("dynamodb")  # made before the clock starts: a busy machine is slow to build one
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        client.get_item(TableName="frozen", Key={"PK": {"S": "a"}, "SK": {"S": "b"}})
    took = time.monotonic() - started
    assert took < aws.WORST_CALL_SECONDS + 0.5 < LIMIT_SECONDS, f"{took:.1f} s"
    assert took > aws.READ_TIMEOUT - 0.2  # it waited for an answer, as long as a busy database may take
    assert len(app_env.connections) == 1  # and did not wait as long again


def test_health_on_a_frozen_dynamodb_is_a_quick_503(app_env):
    from chalice.test import Client

    from app import app
    from chalicelib import health

    health.forget()
    started = time.monotonic()
    with Client(app, stage_name="local") as client:
        reply = client.http.get("/health")
    took = time.monotonic() - started
    health.forget()
    assert reply.status_code == 503 and int(reply.headers["Retry-After"]) >= 1
    assert took < LIMIT_SECONDS, f"{took:.1f} s"


def test_transactions_wait_longer_than_reads_and_hooks_see_both(app_env):
    from chalicelib import aws

    ddb = aws.client("dynamodb")
    assert ddb.meta.config.read_timeout == aws.READ_TIMEOUT
    assert ddb._patient.meta.config.read_timeout == aws.TRANSACTION_TIMEOUT > aws.READ_TIMEOUT
    seen = []
    ddb.meta.events.register("provide-client-params.dynamodb.*", lambda model, **_: seen.append(model.name))
    for call in (lambda: ddb.transact_write_items(TransactItems=[]), lambda: ddb.get_item(TableName="t", Key={})):
        with pytest.raises(Exception):  # noqa: B017 - refused by validation or by the frozen server
            call()
    assert seen == ["TransactWriteItems", "GetItem"]

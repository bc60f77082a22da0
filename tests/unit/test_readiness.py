"""/health says ready only when the stack can serve; a missing table anywhere is a 503 the client
may retry, never a 500."""

from __future__ import annotations

import pytest

from tests.unit.conftest import Api, register_shop


@pytest.fixture
def missing_table(aws, monkeypatch):
    """The app pointed at a table that does not exist (a stack still starting)."""
    from chalicelib import health
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("TABLE_NAME", "not-created-yet")
    reset_settings()
    health.forget()
    yield
    monkeypatch.undo()
    reset_settings()
    health.forget()


def test_ready_when_both_tables_answer(client):
    from chalicelib import health

    health.forget()
    reply = Api(client).get("/health")
    assert reply.status_code == 200 and reply.json == {"status": "ok"}


def test_readiness_is_cached_so_polling_is_cheap(client):
    from chalicelib import aws, health

    health.forget()
    calls = []
    ddb = aws.client("dynamodb")
    ddb.meta.events.register("before-call.dynamodb.DescribeTable", lambda **kw: calls.append(1))
    try:
        for _ in range(5):
            assert Api(client).get("/health").status_code == 200
    finally:
        ddb.meta.events.unregister("before-call.dynamodb.DescribeTable")
    assert len(calls) == 2  # the two tables, once


def test_not_ready_while_a_table_is_missing(client, missing_table):
    reply = Api(client).get("/health")
    assert reply.status_code == 503 and reply.json["code"] == "try_again"
    assert int(reply.headers["Retry-After"]) >= 1


def test_register_before_the_tables_exist_is_503_not_500(client, missing_table):
    reply = Api(client).post("/auth/register", {"shop_name": "Early", "email": "early@example.com",
                                                 "password": "Sup3r-secret"})
    assert reply.status_code == 503 and reply.json["code"] == "try_again", reply.body
    assert int(reply.headers["Retry-After"]) >= 1


def test_any_route_on_a_missing_table_is_503(client, aws, monkeypatch):
    shop = register_shop(client)
    from chalicelib import health
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("TABLE_NAME", "dropped")
    reset_settings()
    try:
        for path in ("/products", "/products/ANY", "/sales", "/me"):
            reply = shop.get(path)
            assert reply.status_code == 503 and reply.json["code"] == "try_again", (path, reply.body)
    finally:
        monkeypatch.undo()
        reset_settings()
        health.forget()

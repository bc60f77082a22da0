from __future__ import annotations

from tests.unit.conftest import Api


def test_replies_allow_the_site_origin_only(client):
    from app import app

    reply = Api(client).get("/health")
    assert reply.headers["Access-Control-Allow-Origin"] == app.api.cors.allow_origin
    assert "*" not in reply.headers["Access-Control-Allow-Origin"]
    assert "Idempotency-Key" in reply.headers["Access-Control-Allow-Headers"]
    # Errors carry the header too, or the site could not read what went wrong.
    assert Api(client).get("/products").headers["Access-Control-Allow-Origin"] == app.api.cors.allow_origin

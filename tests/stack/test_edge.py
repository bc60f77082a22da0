"""The edge over real HTTP, on DynamoDB Local's own rules: a well-formed cursor from another
query is refused by DynamoDB (a start key outside the query's bounds) and answered 400."""

from __future__ import annotations

import base64
import json

from tests.stack.helpers import Api


def cursor(position: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"p": position}).encode()).decode().rstrip("=")


def test_a_cursor_outside_the_sales_range_is_400_not_500(owner: Api) -> None:
    for position in ("00000000000000000000000000", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"):
        reply = owner.get("/sales", params={"from": "2026-01-01", "to": "2026-01-31", "cursor": cursor(position)})
        assert reply.status_code in (200, 400), reply.text
        if reply.status_code == 400:
            assert reply.json()["code"] == "bad_cursor"
    reply = owner.get("/sales", params={"from": "2026-01-01", "to": "2026-01-31", "cursor": cursor("ZZZZ")})
    assert reply.status_code == 400 and reply.json()["code"] == "bad_cursor"

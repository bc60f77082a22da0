"""The deployed API is an HTTP API (API Gateway v2, infra/package.py: http_api) sending payload
format 1.0: the app must route those events as it routes the REST API's.

The events are built as AWS documents format 1.0 for a Lambda proxy integration ("Create AWS
Lambda proxy integrations for HTTP APIs", developer guide): lower-case headers, the route's path
in `resource` and `requestContext.resourcePath`, its parameters in `pathParameters`. No machine
here reaches AWS, so they are the documented shape, not a captured one.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from tests.unit.conftest import new_product, receive


def http_api_event(method: str, route: str, path: str, token: str | None = None, body: Any = None,
                   headers: dict[str, str] | None = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    names = re.findall(r"{(\w+)}", route)
    values = re.fullmatch(re.sub(r"{\w+}", "([^/]+)", route), path)
    assert values, (route, path)
    sent = {"content-type": "application/json", "user-agent": "test", **(headers or {})}
    if token:
        sent["authorization"] = f"Bearer {token}"
    return {
        "version": "1.0",
        "resource": route,
        "path": path,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": {k: [v] for k, v in sent.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "extendedRequestId": uuid.uuid4().hex,
            "httpMethod": method,
            "identity": {"sourceIp": "192.0.2.10", "userAgent": "test"},
            "path": path,
            "protocol": "HTTP/1.1",
            "requestId": uuid.uuid4().hex,
            "requestTime": "02/Dec/2026:12:00:00 +0000",
            "requestTimeEpoch": 1796212800000,
            "resourceId": f"{method} {route}",
            "resourcePath": route,
            "stage": "$default",
        },
        "pathParameters": dict(zip(names, values.groups(), strict=True)) or None,
        "stageVariables": None,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def invoke(event: dict[str, Any]) -> tuple[int, Any]:
    from chalice.local import LambdaContext

    from app import app

    reply = app(event, LambdaContext("api_handler", memory_size=256))
    body = json.loads(reply["body"]) if reply.get("body") else None
    return reply["statusCode"], body


def test_a_route_with_a_path_parameter_reaches_its_view(shop):
    new_product(shop, "TEA-100", name="Green tea")
    status, body = invoke(http_api_event("GET", "/products/{sku}", "/products/TEA-100", shop.token))
    assert status == 200 and body["sku"] == "TEA-100" and body["name"] == "Green tea"


def test_a_sale_through_the_http_api_is_recorded_once_per_key(shop):
    new_product(shop, "TEA-200", price="4.00")
    receive(shop, "TEA-200", 5)
    event = http_api_event("POST", "/sales", "/sales", shop.token, {"lines": [{"sku": "TEA-200", "quantity": 2}]},
                           headers={"idempotency-key": uuid.uuid4().hex})  # fmt: skip
    first, sale = invoke(event)
    again, replayed = invoke(event)
    assert (first, again) == (201, 201) and replayed["sale_id"] == sale["sale_id"]
    assert shop.get("/products/TEA-200").json["on_hand"] == 3


def test_query_strings_and_errors_keep_their_shape(shop):
    new_product(shop, "TEA-301")
    new_product(shop, "TEA-302")
    status, body = invoke(http_api_event("GET", "/products", "/products", shop.token, query={"limit": "1"}))
    assert status == 200 and len(body["items"]) == 1 and body["next_cursor"]
    status, body = invoke(http_api_event("GET", "/products", "/products", shop.token, query={"limit": "oops"}))
    assert status == 422 and body["code"] and body["message"]
    status, body = invoke(http_api_event("GET", "/products/{sku}", "/products/NOPE", shop.token))
    assert status == 404 and body["code"] and body["message"]
    status, _ = invoke(http_api_event("GET", "/me", "/me"))
    assert status == 401

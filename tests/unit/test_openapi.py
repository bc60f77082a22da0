from __future__ import annotations

import json

from tests.unit.conftest import Api


def test_every_route_is_described(client):
    from app import app

    spec = Api(client).get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path, methods in app.routes.items():
        for method in methods:
            assert method.lower() in spec["paths"].get(path, {}), f"{method} {path} missing from /openapi.json"
    create = spec["paths"]["/products"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert set(spec["components"]["schemas"][schema_ref.split("/")[-1]]["required"]) == {"sku", "name", "price"}
    assert "401" in create["responses"] and "401" not in spec["paths"]["/health"]["get"]["responses"]


def _spec(client):
    return Api(client).get("/openapi.json").json


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def test_money_is_a_number_both_ways(client):
    spec = _spec(client)
    create = spec["paths"]["/products"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert _resolve(spec, create)["properties"]["price"]["type"] == "number"
    assert _resolve(spec, create)["properties"]["price"]["maximum"] == 1e9
    product = _resolve(spec, spec["paths"]["/products/{sku}"]["get"]["responses"]["200"]["content"]["application/json"]
                       ["schema"])
    assert product["properties"]["price"]["type"] == "number"
    assert "string" not in json.dumps(product["properties"]["unit_cost"])


def test_query_parameters_come_from_the_query_models(client):
    spec = _spec(client)
    params = {p["name"]: p["schema"] for p in spec["paths"]["/sales"]["get"]["parameters"]}
    assert params["limit"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
    assert params["from"]["format"] == "date" and params["to"]["format"] == "date"
    by = {p["name"]: p["schema"] for p in spec["paths"]["/reports/sales"]["get"]["parameters"]}["by"]
    assert set(by["enum"]) >= {"day", "week", "month", "category", "product"}
    dead = {p["name"]: p["schema"] for p in spec["paths"]["/reports/dead-stock"]["get"]["parameters"]}["days"]
    assert (dead["minimum"], dead["maximum"]) == (1, 3650)
    sold_at = _resolve(spec, spec["components"]["schemas"]["SaleIn"])["properties"]["sold_at"]
    assert {"type": "string", "format": "date-time"} in sold_at["anyOf"]


def test_error_replies_are_listed_with_their_schema(client):
    spec = _spec(client)
    sale = spec["paths"]["/sales"]["post"]["responses"]
    assert {"400", "401", "404", "409", "413", "415", "422", "503"} <= set(sale)
    # Staff may sell: only owner-only routes say 403.
    assert "403" not in sale and "403" in spec["paths"]["/products"]["post"]["responses"]
    assert spec["paths"]["/products"]["post"]["x-roles"] == ["owner"]
    assert spec["paths"]["/sales"]["post"]["x-roles"] == ["owner", "staff"]
    assert sale["503"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    error = _resolve(spec, sale["422"]["content"]["application/json"]["schema"])
    assert set(error["required"]) == {"code", "message"}
    assert "413" not in spec["paths"]["/products"]["get"]["responses"]
    assert "503" in spec["paths"]["/health"]["get"]["responses"]
    header = [p for p in spec["paths"]["/sales"]["post"]["parameters"] if p["name"] == "Idempotency-Key"][0]
    assert header["in"] == "header" and header["schema"]["maxLength"] == 128


def test_public_sign_in_routes_say_they_can_answer_401(client):
    spec = _spec(client)
    assert "401" in spec["paths"]["/auth/login"]["post"]["responses"]
    assert "401" in spec["paths"]["/auth/refresh"]["post"]["responses"]
    assert "401" not in spec["paths"]["/auth/register"]["post"]["responses"]

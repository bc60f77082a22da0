from __future__ import annotations

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

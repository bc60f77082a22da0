"""The API's OpenAPI 3 description, generated from the routes and their pydantic models."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from chalicelib.http import ROUTE_DOCS
from chalicelib.models import Error

ERROR_STATUSES = {
    "400": "Malformed request",
    "401": "Not signed in, or the sign-in is not valid",
    "403": "Not allowed for this role",
    "404": "Not found (including other shops' things)",
    "409": "Conflict: duplicate, not enough stock, or wrong state",
    "413": "Request body too large",
    "422": "Invalid values (details per field)",
}


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


@lru_cache(maxsize=1)
def build_spec() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    error = {"content": {"application/json": {"schema": _ref(Error, schemas)}}}
    for doc in ROUTE_DOCS:
        op: dict[str, Any] = {"summary": doc.summary, "operationId": f"{doc.method.lower()}{doc.path}"}
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_params(doc.path)
        ]
        if doc.query is not None:
            params += _query_params(doc.query)
        if doc.idempotent:
            params.append({"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 128}})
        if params:
            op["parameters"] = params
        if doc.body is not None:
            op["requestBody"] = {"required": True, "content": {doc.content_type: {"schema": _ref(doc.body, schemas)}}}
        elif doc.content_type != "application/json":
            op["requestBody"] = {"required": True, "content": {doc.content_type: {"schema": {"type": "string"}}}}
        ok: dict[str, Any] = {"description": "OK"}
        if doc.response is not None:
            ok["content"] = {"application/json": {"schema": _ref(doc.response, schemas)}}
        elif doc.produces != "application/json":
            ok["content"] = {doc.produces: {"schema": {"type": "string"}}}
        op["responses"] = {str(doc.status): ok}
        for status, text in ERROR_STATUSES.items():
            if status == "401" and doc.public:
                continue
            op["responses"][status] = {"description": text, **error}
        if not doc.public:
            op["security"] = [{"bearer": []}]
        paths.setdefault(doc.path, {})[doc.method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Shelfwise API",
            "version": "1.0.0",
            "description": "Stock and sales for small shops. Money in JSON is rounded to cents.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito id token)"}
            },
        },
    }


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _query_params(model: type[BaseModel]) -> list[dict[str, Any]]:
    """One query parameter per field of the route's query model, with its type and limits."""
    schema = model.model_json_schema(mode="validation", by_alias=True)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        # An optional field is "anyOf: [X, null]": a query parameter is either there or not.
        options = [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
        param_schema = dict(options[0]) if len(options) == 1 else {"anyOf": options}
        for key in ("default", "description"):
            if key in prop:
                param_schema[key] = prop[key]
        param_schema.pop("title", None)
        params.append({"name": name, "in": "query", "required": name in required, "schema": param_schema})
    return params

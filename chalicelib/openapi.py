"""The API's OpenAPI 3.1 description, generated from the routes and the same pydantic models the
API validates requests with and shapes replies with: what it says is what the code does.

Money and other decimals are JSON numbers both ways (replies round them to cents); query
parameters come from each route's query model, with their types, limits, formats and enums;
every route lists the error replies it can give, each with the error body's schema.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from chalicelib.http import ROUTE_DOCS, RouteDoc
from chalicelib.models import Error

ERROR_STATUSES = {
    "400": "Malformed request (bad JSON, a cursor this API did not give out, a bad Idempotency-Key)",
    "401": "Not signed in, or the sign-in is not valid",
    "403": "Only the shop's owner may (code owner_only)",
    "404": "Not found (including other shops' things)",
    "409": "Conflict: duplicate, not enough stock, wrong state, a repeated request still running",
    "413": "Request body too large",
    "415": "Unsupported Content-Type",
    "422": "Invalid values (details per field)",
    "429": "The shop sent more than its plan allows (code too_many_requests): try again after Retry-After seconds",
    "503": "Not ready or busy: try again after Retry-After seconds",
}
REF = "#/components/schemas/{model}"
# Public routes that still answer 401: wrong credentials, a refresh token that is no longer good.
CREDENTIAL_ROUTES = {"/auth/login", "/auth/refresh"}


class _Schemas(GenerateJsonSchema):
    """Decimals are JSON numbers (as the API reads and writes them), never strings."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number"}
        for ours, theirs in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"),
                             ("lt", "exclusiveMaximum")):
            if schema.get(ours) is not None:
                out[theirs] = float(schema[ours])  # type: ignore[literal-required]
        return out


def _errors_for(doc: RouteDoc) -> dict[str, str]:
    statuses = dict(ERROR_STATUSES)
    if doc.roles == "staff":
        statuses.pop("403")  # owners and staff alike
    if doc.public:
        statuses.pop("403")
        if not doc.path.startswith("/feedback/"):
            statuses.pop("429")  # limits are per shop; of the public routes only feedback has its own
        if doc.path not in CREDENTIAL_ROUTES:
            statuses.pop("401")
    if doc.method not in ("POST", "PUT", "PATCH"):
        statuses.pop("413")
        statuses.pop("415")
    return statuses


@lru_cache(maxsize=1)
def build_spec() -> dict[str, Any]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Error, "serialization")]
    for doc in ROUTE_DOCS:
        if doc.body is not None:
            wanted.append((doc.body, "validation"))
        if doc.response is not None:
            wanted.append((doc.response, "serialization"))
    refs, defs = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF, schema_generator=_Schemas)
    schemas = defs.get("$defs", {})

    def ref(model: type[BaseModel], mode: Literal["validation", "serialization"]) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    error = {"content": {"application/json": {"schema": ref(Error, "serialization")}}}
    paths: dict[str, Any] = {}
    for doc in ROUTE_DOCS:
        op: dict[str, Any] = {"summary": doc.summary, "operationId": f"{doc.method.lower()}{doc.path}"}
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
            for name in _path_params(doc.path)
        ]
        if doc.query is not None:
            params += _query_params(doc.query)
        if doc.idempotent:
            params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "minLength": 1, "maxLength": 128}})
        if params:
            op["parameters"] = params
        if doc.body is not None:
            body = {"schema": ref(doc.body, "validation")}
            op["requestBody"] = {"required": True, "content": {doc.content_type: body}}
        elif doc.content_type != "application/json":
            op["requestBody"] = {"required": True, "content": {doc.content_type: {"schema": {"type": "string"}}}}
        ok: dict[str, Any] = {"description": "OK"}
        if doc.response is not None:
            ok["content"] = {"application/json": {"schema": ref(doc.response, "serialization")}}
        elif doc.produces != "application/json":
            ok["content"] = {doc.produces: {"schema": {"type": "string"}}}
        op["responses"] = {str(doc.status): ok}
        for status, text in _errors_for(doc).items():
            reply: dict[str, Any] = {"description": text, **error}
            if status in ("429", "503"):
                reply["headers"] = {"Retry-After": {"description": "Seconds to wait before retrying",
                                                    "schema": {"type": "integer", "minimum": 1}}}
            op["responses"][status] = reply
        if not doc.public:
            op["security"] = [{"bearer": []}]
            # Who may call it (route(staff=...)); staff replies leave out costs and profit.
            op["x-roles"] = ["owner"] if doc.roles == "owner" else ["owner", "staff"]
        paths.setdefault(doc.path, {})[doc.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Shelfwise API",
            "version": "1.0.0",
            "description": "Stock and sales for small shops. Money in JSON is a number rounded to cents.",
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
    schema = model.model_json_schema(mode="validation", by_alias=True, schema_generator=_Schemas)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        # An optional field is "anyOf: [X, null]": a query parameter is either there or not.
        options = [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
        param_schema = dict(options[0]) if len(options) == 1 else {"anyOf": options}
        if prop.get("default") is not None:
            param_schema["default"] = prop["default"]
        param_schema.pop("title", None)
        params.append({"name": name, "in": "query", "required": name in required, "schema": param_schema})
    return params

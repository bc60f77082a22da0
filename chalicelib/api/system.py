from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http import json_response, route
from chalicelib.models import Health

bp = Blueprint(__name__)


@route(bp, "/health", "GET", summary="Liveness check", response=Health, public=True)
def health() -> dict[str, str]:
    return {"status": "ok"}


@route(bp, "/openapi.json", "GET", summary="This API's OpenAPI 3 description", public=True)
def openapi() -> Any:
    from chalicelib.openapi import build_spec

    return json_response(build_spec())

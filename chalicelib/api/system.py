from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import health as readiness
from chalicelib.errors import ServiceUnavailable
from chalicelib.http import json_response, route
from chalicelib.models import Health

bp = Blueprint(__name__)


@route(bp, "/health", "GET", summary="Readiness: 200 only when the stack can serve", response=Health, public=True)
def health() -> dict[str, str]:
    if readiness.not_ready_reason() is not None:
        raise ServiceUnavailable("The service is starting or a dependency is not ready; please try again shortly.")
    return {"status": "ok"}


@route(bp, "/openapi.json", "GET", summary="This API's OpenAPI 3 description", public=True)
def openapi() -> Any:
    from chalicelib.openapi import build_spec

    return json_response(build_spec())

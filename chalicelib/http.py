"""The HTTP edge: one decorator that every route goes through.

It authenticates (unless the route is public), turns domain and validation errors into the
API's error replies, encodes money as cents, and records what the OpenAPI description says
about the route. Views stay thin: parse, call a service, shape the reply.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import unquote

from chalice import Blueprint, Chalice, Response
from pydantic import BaseModel, ValidationError

from chalicelib import usage
from chalicelib.auth import Identity, authenticate
from chalicelib.errors import (
    AppError,
    BadCursor,
    BadRequest,
    OwnerOnly,
    PayloadTooLarge,
    ServiceUnavailable,
    invalid_from,
)
from chalicelib.models import Measure
from chalicelib.observability import logger

CENT = Decimal("0.01")
# Reply headers the site reads (a 429's Retry-After): a browser hides every other header of a
# cross-origin reply unless CORS exposes it. app.py and the deployed HTTP API (infra/package.py).
EXPOSED_HEADERS = ("Retry-After",)
M = TypeVar("M", bound=BaseModel)
# What a shop's costs and margins are called in replies: never shown to staff, on any route, at
# any depth (a field a later reply adds under one of these names is hidden too).
COST_FIELDS = frozenset({
    "unit_cost", "cost", "profit", "margin", "cost_total", "total_cost", "stock_value_cost", "value_at_cost",
    "total_value_at_cost",
})  # fmt: skip


@dataclass
class RouteDoc:
    path: str
    method: str
    summary: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    public: bool
    content_type: str = "application/json"
    query: type[BaseModel] | None = None
    idempotent: bool = False
    cursor: str | None = None
    produces: str = "application/json"
    # Who may call it: "public", "owner", "staff" (owners and staff) or "staff-some" (staff for
    # some requests only, as the route's own check says).
    roles: str = "owner"


ROUTE_DOCS: list[RouteDoc] = []
_app: Chalice | None = None


def bind(app: Chalice) -> None:
    """Remember the app, so the edge can read the current request."""
    global _app
    _app = app


def current_request() -> Any:
    if _app is None:
        raise RuntimeError("http.bind(app) was not called")
    return _app.current_request


def lambda_context() -> Any:
    return _app.lambda_context if _app is not None else None


def _encode(value: Any) -> Any:
    if isinstance(value, Measure):
        return float(value)  # a quantity sold by measure: its 3 decimals as they are
    if isinstance(value, Decimal):
        # Money leaves as a JSON number rounded to cents; quantities are ints or Measures already.
        if value == value.to_integral_value():
            return int(value)
        return float(value.quantize(CENT))
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="python")
    return Response(
        body=json.dumps(body, default=_encode, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def error_response(error: AppError) -> Response:
    """The one place a domain error becomes an HTTP reply (every 503 carries Retry-After)."""
    return json_response(error.body(), status=error.status, headers=error.headers())


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_json(raw: bytes | None, max_bytes: int) -> Any:
    if raw is not None and len(raw) > max_bytes:
        raise PayloadTooLarge(f"The request body is larger than {max_bytes // 1024} KB; send less at a time.")
    if not raw:
        raise BadRequest("The request body is empty; send a JSON object.")
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The request body is not valid JSON ({exc}).") from None
    except RecursionError:
        raise BadRequest("The request body is nested too deeply; no field of this API needs that.") from None


def parse_body(model: type[M], raw: bytes | None, max_bytes: int) -> M:
    data = parse_json(raw, max_bytes)
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from None
    except RecursionError:
        raise BadRequest("The request body is nested too deeply; no field of this API needs that.") from None


def query_model(model: type[M], params: dict[str, str] | None) -> M:
    try:
        return model.model_validate(params or {})
    except ValidationError as exc:
        raise invalid_from(exc) from None


def read_body(model: type[M], request: Any = None) -> M:
    """The request's JSON body (the current one unless given), validated against `model`."""
    from chalicelib.settings import get_settings

    request = request if request is not None else current_request()
    return parse_body(model, request.raw_body, get_settings().max_body_bytes)


def read_query(model: type[M], request: Any = None) -> M:
    request = request if request is not None else current_request()
    return query_model(model, request.query_params)


def header(name: str, request: Any = None) -> str | None:
    request = request if request is not None else current_request()
    value = request.headers.get(name)
    return str(value) if value is not None else None


def _is_sku(position: str) -> bool:
    from chalicelib.models import check_sku

    try:
        return check_sku(position) == position
    except ValueError:
        return False


# What a list's position looks like, by list: a cursor naming anything else was not given out by
# this API (forged, or mangled on the way) and is refused before it reaches the database.
CURSOR_SHAPES: dict[str, Callable[[str], bool]] = {
    "sku": _is_sku,
    # the catalogue: a SKU, or in a search a place in the word index (`<word>#<sku>`)
    "product": lambda p: _is_sku(p) or bool((m := re.fullmatch(r"\w{1,24}#(.+)", p)) and _is_sku(m.group(1))),
    "seq": lambda p: re.fullmatch(r"[0-9]{1,12}", p) is not None,
    "ulid": lambda p: re.fullmatch(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", p) is not None,
}


def encode_cursor(position: str | int | None) -> str | None:
    """An opaque cursor for the place a list goes on from (None at the end of the list)."""
    if position is None or position == "":
        return None
    raw = json.dumps({"p": str(position)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, shape: str) -> str | None:
    """The place a cursor from encode_cursor names, checked against the list's `shape` (a key of
    CURSOR_SHAPES); 400 `bad_cursor` for one this API did not give out."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("p"), str) or not CURSOR_SHAPES[shape](data["p"]):
        raise BadCursor()
    return str(data["p"])


def route(
    where: Chalice | Blueprint,
    path: str,
    method: str,
    *,
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    public: bool = False,
    content_type: str = "application/json",
    idempotent: bool = False,
    cursor: str | None = None,
    produces: str = "application/json",
    staff: bool | Callable[[Any], bool] = False,
    staff_hides: frozenset[str] = frozenset(),
    replay: bool = True,
    omit_none: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view, and do for it everything it declares.

    The view gets the verified identity first (unless public), then the path parameters, then
    as keywords what the route names: `body` (the JSON body parsed into the `body` model, or the
    raw bytes of a CSV upload), `query` (the query string parsed into the `query` model),
    `position` (where a list goes on from, decoded from `?cursor=` and checked against the
    list's `cursor` shape) and `idempotency_key` (the request's Idempotency-Key, for an
    `idempotent` route, whose first reply is then replayed to every repeat of that key).
    A list view returns (page, last position); the route turns the position into next_cursor.

    Roles: a signed-in route is the owner's only (403 `owner_only` for staff) unless it says
    `staff=True`, or `staff=<check>` where check(parsed body) says whether staff may make that
    request. Replies to staff never carry COST_FIELDS, nor the route's own `staff_hides`.
    `replay=False`: an idempotent route whose write claims the key in its own transaction and
    finds its first outcome itself, so no reply is stored (the stored reply cost 3 write units).
    `omit_none`: fields left empty are left out of the reply (additive fields some shops lack).
    """
    if cursor is not None and cursor not in CURSOR_SHAPES:
        raise ValueError(f"unknown cursor shape {cursor!r}")
    if idempotent and (body is None or response is None or public):
        raise ValueError("an idempotent route needs a body model, a response model and a signed-in caller")
    ROUTE_DOCS.append(
        RouteDoc(path=path, method=method, summary=summary, body=body, response=response, status=status,
                 public=public, content_type=content_type, query=query, idempotent=idempotent, cursor=cursor,
                 produces=produces,
                 roles="public" if public else "staff" if staff is True else "staff-some" if staff else "owner")
    )

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        def call_view(request: Any, identity: Identity | None, path_params: dict[str, str]) -> Any:
            extras: dict[str, Any] = {}
            if body is not None:
                extras["body"] = read_body(body, request)
            elif content_type != "application/json":
                extras["body"] = request.raw_body
            if callable(staff) and identity is not None and not identity.is_owner and not staff(extras.get("body")):
                raise OwnerOnly()
            parsed = read_query(query, request) if query is not None else None
            if parsed is not None:
                extras["query"] = parsed
            if cursor is not None:
                extras["position"] = decode_cursor(getattr(parsed, "cursor", None), cursor)
            args = (identity,) if identity is not None else ()
            if not idempotent or identity is None:
                return _page(view(*args, **path_params, **extras), cursor)
            # The operation a key belongs to: this route, for this product or this order.
            named = [f"{k}={unicodedata.normalize('NFC', v)}" for k, v in sorted(path_params.items())]
            key = header("idempotency-key", request)
            if not replay:
                from chalicelib import idempotency

                return _page(view(*args, **path_params, **extras, idempotency_key=idempotency.check_key(key)), cursor)
            return _once(view, identity, " ".join([method, path, *named]), key, path_params, extras, response,
                         where.lambda_context)

        @functools.wraps(view)
        def handle(**path_params: Any) -> Response:
            # API Gateway (REST) and chalice local pass path parameters still percent-encoded.
            path_params = {name: unquote(value) for name, value in path_params.items()}
            request: Any = where.current_request
            try:
                identity = None if public else authenticate(header("authorization", request))
                if identity is not None:
                    # Metered and limited per shop (429 past its plan's limit); see chalicelib/usage.py.
                    usage.begin(identity.tenant_id)
                    usage.admit(identity.tenant_id)
                if identity is not None and not identity.is_owner and staff is False:
                    raise OwnerOnly()
                result = call_view(request, identity, path_params)
            except AppError as err:
                if err.status >= 500:
                    logger.warning("request failed, client may retry", extra={"code": err.code})
                return error_response(err)
            except ValidationError as exc:
                # A model built inside a service (not the request body) refused a value.
                return error_response(invalid_from(exc))
            except Exception as exc:
                if cursor is not None and (request.query_params or {}).get("cursor") and _refused_query(exc):
                    # A well-formed cursor from another query (another date range): DynamoDB
                    # refuses a start key or a bound outside the query's range. Logged, so a
                    # query this API gets wrong by itself still shows.
                    logger.warning("a cursor outside its query", extra={"error": repr(exc)[:300]})
                    return error_response(BadCursor())
                if not _unavailable(exc):
                    raise  # a bug: Chalice logs it and answers 500 (reshaped below)
                # A dependency did not answer in time (after the SDK's own retries): not the
                # client's fault and not a bug; they may try again.
                logger.warning("a dependency did not answer or is not ready", extra={"error": repr(exc)[:300]})
                return error_response(ServiceUnavailable("The service is busy right now; please try again."))
            finally:
                usage.end()
            if isinstance(result, Response):
                return result
            if result is None:
                return Response(body="", status_code=204)
            if omit_none and isinstance(result, BaseModel):
                result = result.model_dump(mode="python", exclude_none=True)
            if identity is not None and not identity.is_owner:
                result = without(result.model_dump(mode="python") if isinstance(result, BaseModel) else result,
                                 COST_FIELDS | staff_hides)
            return json_response(result, status=status)

        kwargs: dict[str, Any] = {"methods": [method]}
        if method in ("POST", "PUT", "PATCH"):
            # CSV uploads also arrive as text/plain from some browsers and tools.
            kwargs["content_types"] = [content_type, "text/plain"] if content_type == "text/csv" else [content_type]
        where.route(path, **kwargs)(handle)
        return handle

    return decorate


def without(value: Any, names: frozenset[str]) -> Any:
    """`value` (a reply's JSON-ready data) with every field called one of `names` left out, at any depth."""
    if isinstance(value, dict):
        return {k: without(v, names) for k, v in value.items() if k not in names}
    if isinstance(value, list):
        return [without(v, names) for v in value]
    return value


def _page(result: Any, cursor: str | None) -> Any:
    """A list view's (page, last position) as the page, with the position as its next_cursor."""
    if cursor is None:
        return result
    page, last = result
    page.next_cursor = encode_cursor(last)
    return page


def _once(
    view: Callable[..., Any],
    identity: Identity,
    operation: str,
    key: str | None,
    path_params: dict[str, str],
    extras: dict[str, Any],
    response: type[BaseModel] | None,
    context: Any,
) -> Any:
    """Run an idempotent view once per (shop, operation, Idempotency-Key); repeats get the first
    reply. The view gets the key too, so the write itself can be made idempotent with it."""
    from chalicelib import idempotency

    key = idempotency.check_key(key)

    def work() -> dict[str, Any]:
        result = view(identity, **path_params, **extras, idempotency_key=key)
        return result.model_dump(mode="json") if isinstance(result, BaseModel) else result

    request = extras["body"].model_dump(mode="json")
    reply = idempotency.once(key, identity.tenant_id, operation, request, work, context)
    return response.model_validate(reply) if response is not None else reply


# AWS error codes that mean "not now" rather than "never": a table that does not exist yet (a
# stack still starting), throttling that outlasted the SDK's retry, the service's own trouble.
NOT_READY_CODES = frozenset({
    "ResourceNotFoundException", "ResourceInUseException", "ThrottlingException", "Throttling",
    "ProvisionedThroughputExceededException", "RequestLimitExceeded", "TooManyRequestsException",
    "InternalServerError", "InternalFailure", "InternalErrorException", "ServiceUnavailable",
    "ServiceUnavailableException", "TransactionInProgressException", "LimitExceededException",
})  # fmt: skip


def _refused_query(exc: Exception) -> bool:
    """DynamoDB refused a Query for its start key or its key range (not for its expressions)."""
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    error = exc.response.get("Error", {})
    message = str(error.get("Message", "")).lower()
    return error.get("Code") == "ValidationException" and any(
        words in message for words in ("starting key", "exclusivestartkey", "upper bound", "lower bound")
    )


def _unavailable(exc: Exception) -> bool:
    """A timeout, a lost connection or a dependency that is not ready, as opposed to a bug."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    # Imported here, not at the top: botocore stays out of the cold start until a client is made.
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code", "") in NOT_READY_CODES
    return isinstance(exc, BotoCoreError)


def install_middleware(app: Chalice) -> None:
    """Per request: a correlation id on every log line, and Chalice's own replies (415, 405,
    uncaught 500), which use {"Code", "Message"}, reshaped into the API's error shape."""
    codes = {
        "UnsupportedMediaType": ("unsupported_media_type", None),
        "MethodNotAllowedError": ("method_not_allowed", None),
        "InternalServerError": ("internal_error", "Something went wrong on our side; please try again."),
        "BadRequestError": ("bad_request", None),
        "BadRequest": ("bad_request", None),
    }

    @app.middleware("http")
    def _reshape(event: Any, get_response: Callable[[Any], Response]) -> Response:
        logger.thread_safe_clear_keys()
        context = getattr(event, "context", None) or {}
        logger.thread_safe_append_keys(
            request_id=context.get("requestId"), route=f"{event.method} {context.get('resourcePath')}"
        )
        reply = get_response(event)
        body = reply.body
        if isinstance(body, dict) and "Code" in body and "Message" in body:
            code, message = codes.get(body["Code"], ("error", None))
            if code == "internal_error":
                logger.error("unhandled error", extra={"path": getattr(event, "path", None)})
            if code == "unsupported_media_type" and reply.status_code == 415:
                message = f"{body['Message']}. Send Content-Type: application/json (text/csv for imports)."
            reply.body = json.dumps({"code": code, "message": message or body["Message"]})
            reply.headers["Content-Type"] = "application/json"
        return reply


def caller_ip(request: Any = None) -> str | None:
    """The address the request came from, as API Gateway saw it (for rate limits of public routes)."""
    request = request if request is not None else current_request()
    context = getattr(request, "context", None) or {}
    return (context.get("identity") or {}).get("sourceIp")

"""`Idempotency-Key` on writes that create things: a retry returns the first reply.

Two layers. In front, powertools' idempotency utility with its DynamoDB store (own table, TTL)
replays the first reply and makes a parallel repeat wait for it. Underneath, the write itself
claims the key in its own transaction (`Claim`), so even when the store lost track (an outage
between the write and the stored reply, an in-progress record that expired) a repeat cannot
write again and finds the first outcome instead. The key is scoped by shop and operation, so two
shops' keys never meet; the request is part of both records, so re-using a key for a different
request is refused rather than answered with the wrong reply.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalicelib import aws, db
from chalicelib.errors import BadRequest, Conflict, Invalid, ServiceUnavailable
from chalicelib.settings import get_settings

MAX_KEY_LENGTH = 128
IN_PROGRESS_WAIT_SECONDS = 8.0
# How long a request's in-progress record may block a repeat: longer than a request normally
# runs (it gives up on a slow database within seconds), never the record's whole lifetime. A
# repeat after that runs again and meets the write's own claim on the key, so even a request
# still running then cannot make it count twice.
IN_PROGRESS_EXPIRY_MS = 10_000


class _Deadline:
    """What powertools asks of a Lambda context to expire in-progress records."""

    def __init__(self, context: Any) -> None:
        self.context = context

    def get_remaining_time_in_millis(self) -> int:
        real = getattr(self.context, "get_remaining_time_in_millis", None)
        return min(int(real()), IN_PROGRESS_EXPIRY_MS) if callable(real) else IN_PROGRESS_EXPIRY_MS


@lru_cache(maxsize=1)
def _machinery() -> tuple[Any, Any, Any]:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    settings = get_settings()
    store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=aws.client("dynamodb"))
    config = IdempotencyConfig(
        event_key_jmespath="[tenant, operation, key]",
        payload_validation_jmespath="request",
        expires_after_seconds=settings.idempotency_ttl_seconds,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(data_keyword_argument="call", persistence_store=store, config=config)
    def run_once(call: dict[str, Any]) -> dict[str, Any]:
        return _pending[call["token"]]()

    return run_once, config, store


# The work to do for a call in flight, by a token unique to that call: powertools hashes the
# call's data, so the work itself cannot travel inside it.
_pending: dict[str, Callable[[], dict[str, Any]]] = {}


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    return key


def once(
    key: str | None,
    tenant_id: str,
    operation: str,
    request: Any,
    work: Callable[[], dict[str, Any]],
    lambda_context: Any = None,
) -> dict[str, Any]:
    """Run `work` once per (shop, operation, key); later calls get the first reply back."""
    key = check_key(key)
    if key is None:
        return work()
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    run_once, config, _ = _machinery()
    config.register_lambda_context(_Deadline(lambda_context))
    token = f"{time.monotonic_ns()}-{id(work)}"
    _pending[token] = work
    deadline = time.monotonic() + IN_PROGRESS_WAIT_SECONDS
    try:
        while True:
            try:
                call = {"tenant": tenant_id, "operation": operation, "key": key, "request": request, "token": token}
                return run_once(call=call)
            except IdempotencyAlreadyInProgressError:
                # The first request with this key is still running (a double tap): wait for its reply.
                if time.monotonic() > deadline:
                    raise Conflict(
                        "A request with this Idempotency-Key is still being processed; try again shortly.",
                        code="request_in_progress",
                    ) from None
                time.sleep(0.05)
            except IdempotencyValidationError:
                raise Invalid(
                    "This Idempotency-Key was already used for a different request; use a new key.",
                    code="idempotency_key_reused",
                ) from None
            except IdempotencyPersistenceLayerError:
                raise ServiceUnavailable("Could not check for a repeated request; please retry.") from None
    finally:
        _pending.pop(token, None)


def fingerprint(request: Any) -> str:
    """A digest of a request, to tell a repeat from a different request under the same key."""
    data = request.model_dump(mode="json") if hasattr(request, "model_dump") else request
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class Claim:
    """A write's own claim on its Idempotency-Key, written in the write's transaction."""

    def __init__(self, tenant_id: str, operation: str, key: str, request: Any) -> None:
        self.tenant_id, self.operation = tenant_id, operation
        self.key = check_key(key) or ""
        self.fingerprint = fingerprint(request)

    def put(self, outcome: dict[str, Any]) -> dict[str, Any]:
        """The transaction action that claims the key, recording `outcome` (ids to find it by)."""
        ttl = get_settings().idempotency_ttl_seconds
        return db.claim_key(self.tenant_id, self.operation, self.key, self.fingerprint, outcome, int(time.time()), ttl)

    def outcome(self) -> dict[str, Any] | None:
        """What the key recorded, or None if nothing was; 422 if it was another request."""
        claim = db.get_claim(self.tenant_id, self.operation, self.key, int(time.time()))
        if claim is None:
            return None
        if claim.get("fingerprint") != self.fingerprint:
            raise Invalid(
                "This Idempotency-Key was already used for a different request; use a new key.",
                code="idempotency_key_reused",
            )
        return dict(claim["outcome"])

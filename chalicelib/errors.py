"""Domain errors, and the one place that maps them to HTTP replies.

Services raise these; handlers never build error replies themselves. Every reply has the
shape of API.md: {"code", "message", "details"?} with the status that fits.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code

    def headers(self) -> dict[str, str]:
        """Headers the reply carries besides the body (a 503 says when to come back)."""
        return {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(AppError):
    status = 400
    code = "bad_request"


class BadCursor(BadRequest):
    code = "bad_cursor"

    def __init__(self) -> None:
        super().__init__("The cursor is not one this API gave out for this list; start the list again without it.")


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class OwnerOnly(Forbidden):
    code = "owner_only"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Only the shop's owner can do this. Staff may sell, take returns, receive deliveries, adjust "
            "and count stock, and look up products and sales; ask the owner for anything else."
        )


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class Invalid(AppError):
    status = 422
    code = "validation_error"


class RetryLater(AppError):
    """An error to send again after `retry_after_seconds`, which the reply's Retry-After says."""

    retry_after_seconds = 1

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class ServiceUnavailable(RetryLater):
    """A dependency is busy (throttling, a transaction that kept conflicting): safe to retry."""

    status = 503
    code = "try_again"


class TooManyRequests(RetryLater):
    """The shop sent more than its plan allows (chalicelib/usage.py): wait, then send again."""

    status = 429
    code = "too_many_requests"

    def __init__(self, retry_after_seconds: int, message: str | None = None) -> None:
        super().__init__(
            message or "This shop is sending more requests than its plan allows; "
            f"please wait {retry_after_seconds} s and try again."
        )
        self.retry_after_seconds = max(1, retry_after_seconds)


def validation_details(exc: Any) -> list[dict[str, Any]]:
    """Turn a pydantic ValidationError into one entry per field, in words a person can act on."""
    details = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        field = ".".join(str(part) for part in err["loc"]) or "body"
        message = err["msg"]
        if err["type"] == "missing":
            message = "is required"
        elif err["type"] == "extra_forbidden":
            message = "is not a field this endpoint accepts"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        details.append({"field": field, "message": message})
    return details


def invalid_from(exc: Any) -> Invalid:
    details = validation_details(exc)
    first = details[0] if details else {"field": "body", "message": "invalid"}
    summary = f"{first['field']}: {first['message']}"
    if len(details) > 1:
        summary += f" (and {len(details) - 1} more problem{'s' if len(details) > 2 else ''})"
    return Invalid(f"Please correct the request: {summary}.", details)

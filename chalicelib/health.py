"""Readiness: can the stack serve? Both tables exist and answer (DescribeTable).

The answer is cached for a few seconds so a load balancer or a test polling `/health` costs
next to nothing; a "not ready" answer is kept for less time, so recovery shows quickly.
"""

from __future__ import annotations

import threading
import time

from chalicelib import aws
from chalicelib.observability import logger
from chalicelib.settings import get_settings

READY_FOR_SECONDS = 10.0
NOT_READY_FOR_SECONDS = 2.0
SERVING = ("ACTIVE", "UPDATING")

_lock = threading.Lock()
_last: dict[tuple[str, ...], tuple[float, str | None]] = {}


def not_ready_reason() -> str | None:
    """None when the stack can serve; else what is missing, in words for the logs."""
    settings = get_settings()
    names = (settings.table_name, settings.idempotency_table_name)
    now = time.monotonic()
    with _lock:
        seen = _last.get(names)
    if seen is not None and now < seen[0]:
        return seen[1]
    reason = _check(names)
    with _lock:
        _last[names] = (now + (READY_FOR_SECONDS if reason is None else NOT_READY_FOR_SECONDS), reason)
    if reason is not None:
        logger.warning("not ready", extra={"reason": reason})
    return reason


def _check(names: tuple[str, ...]) -> str | None:
    from botocore.exceptions import BotoCoreError, ClientError

    client = aws.client("dynamodb")
    for name in names:
        try:
            status = client.describe_table(TableName=name)["Table"].get("TableStatus", "ACTIVE")
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                return f"table {name} does not exist yet"
            return f"table {name} cannot be described ({code})"
        except BotoCoreError as exc:
            return f"DynamoDB does not answer ({type(exc).__name__})"
        if status not in SERVING:
            return f"table {name} is {status}"
    return None


def forget() -> None:
    """Drop the cached answer (tests)."""
    with _lock:
        _last.clear()

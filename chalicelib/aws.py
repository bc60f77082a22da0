"""boto3 clients, built on first use and cached.

Never at import time: cold starts stay cheap and moto can start before any client exists.
Endpoints come from the standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB...),
which boto3 reads itself: with them unset the same code talks to real AWS.
"""

from __future__ import annotations

import threading
from typing import Any

# A request must give up within 5 s when a dependency stops answering (API Gateway waits 29 s, a
# person at a till far less), yet not give up on one that is merely busy: a burst of 40 sales on
# one product keeps DynamoDB Local busy for seconds. So a call waits up to READ_TIMEOUT for an
# answer and is not retried after that wait (a second wait would break the 5 s); a refused or
# reset connection, throttling and a 5xx get one quick retry. A call that never answers fails
# after READ_TIMEOUT, and the request answers 503 with Retry-After.
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 3.5
MAX_ATTEMPTS = 2  # in all: the first try and one retry (not after a read timeout)
WORST_CALL_SECONDS = max(READ_TIMEOUT, CONNECT_TIMEOUT * MAX_ATTEMPTS + 1.0)


def _no_retry_after_a_read_timeout(caught_exception: BaseException | None = None, **_: Any) -> None:
    """A `needs-retry` hook run before the SDK's own: a call that waited READ_TIMEOUT for an
    answer fails now instead of waiting as long again."""
    from botocore.exceptions import ReadTimeoutError

    if isinstance(caught_exception, ReadTimeoutError):
        raise caught_exception


_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            import boto3
            from botocore.config import Config

            from chalicelib.settings import get_settings

            config = Config(
                retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                tcp_keepalive=True,
            )
            made = boto3.session.Session().client(service, region_name=get_settings().region, config=config)
            made.meta.events.register_first(
                f"needs-retry.{made.meta.service_model.service_id.hyphenize()}", _no_retry_after_a_read_timeout
            )
            _clients[service] = made
        return _clients[service]


def reset_clients() -> None:
    with _lock:
        _clients.clear()

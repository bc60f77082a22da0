"""boto3 clients, built on first use and cached.

Never at import time: cold starts stay cheap and moto can start before any client exists.
Endpoints come from the standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB...),
which boto3 reads itself: with them unset the same code talks to real AWS.
"""

from __future__ import annotations

import threading
from typing import Any

# A request must give up within 5 s when a dependency stops answering (API Gateway waits 29 s, a
# person at a till far less): one call takes at most CONNECT or READ seconds per attempt, and
# standard retry mode waits at most 1 s before its single retry, so a call that never answers
# fails after READ_TIMEOUT * MAX_ATTEMPTS + 1 = 4 s and the request answers 503 with Retry-After.
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 1.5
MAX_ATTEMPTS = 2  # in all: the first try and one retry (throttling, a dropped connection)
WORST_CALL_SECONDS = max(CONNECT_TIMEOUT, READ_TIMEOUT) * MAX_ATTEMPTS + 1.0 * (MAX_ATTEMPTS - 1)

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
            _clients[service] = boto3.session.Session().client(
                service, region_name=get_settings().region, config=config
            )
        return _clients[service]


def reset_clients() -> None:
    with _lock:
        _clients.clear()

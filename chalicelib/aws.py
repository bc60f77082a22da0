"""boto3 clients, built on first use and cached.

Never at import time: cold starts stay cheap and moto can start before any client exists.
Endpoints come from the standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB...),
which boto3 reads itself: with them unset the same code talks to real AWS.
"""

from __future__ import annotations

import threading
from typing import Any

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
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=3,
                read_timeout=10,
                tcp_keepalive=True,
            )
            _clients[service] = boto3.session.Session().client(
                service, region_name=get_settings().region, config=config
            )
        return _clients[service]


def reset_clients() -> None:
    with _lock:
        _clients.clear()

"""boto3 clients, built on first use and cached.

Never at import time: cold starts stay cheap and moto can start before any client exists.
Endpoints come from the standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB...),
which boto3 reads itself: with them unset the same code talks to real AWS.
"""

from __future__ import annotations

import threading
from typing import Any

# A request must give up within 5 s when a dependency stops answering (API Gateway waits 29 s, a
# person at a till far less), yet not give up on one that is merely busy. Measured on DynamoDB
# Local with 40 sales racing for one product: reads answer within 1.5 s, while transactions
# (serialized by the database) take up to 5 s. So a call waits up to READ_TIMEOUT for an answer,
# a transaction up to TRANSACTION_TIMEOUT, and neither is retried after such a wait (a second
# wait would break the 5 s); a refused or reset connection, throttling and a 5xx get one quick
# retry. A request's first call is a read (or the idempotency record's put): when DynamoDB does
# not answer, it fails after READ_TIMEOUT and the request answers 503 with Retry-After.
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 3.5
TRANSACTION_TIMEOUT = 10.0
MAX_ATTEMPTS = 2  # in all: the first try and one retry (not after a read timeout)
WORST_CALL_SECONDS = max(READ_TIMEOUT, CONNECT_TIMEOUT * MAX_ATTEMPTS + 1.0)


def _no_retry_after_a_read_timeout(caught_exception: BaseException | None = None, **_: Any) -> None:
    """A `needs-retry` hook run before the SDK's own: a call that waited its read timeout for an
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

            session = boto3.session.Session()  # one session: both DynamoDB clients share exception classes
            quick = _make(session, service, READ_TIMEOUT)
            _clients[service] = _DynamoDB(quick, _make(session, service, TRANSACTION_TIMEOUT)) if (
                service == "dynamodb"
            ) else quick
            if service == "dynamodb":
                from chalicelib import usage

                usage.attach(_clients[service])  # every call's consumed capacity, counted to its shop
        return _clients[service]


def _make(session: Any, service: str, read_timeout: float) -> Any:
    from botocore.config import Config

    from chalicelib.settings import get_settings

    config = Config(
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=read_timeout,
        tcp_keepalive=True,
    )
    made = session.client(service, region_name=get_settings().region, config=config)
    made.meta.events.register_first(
        f"needs-retry.{made.meta.service_model.service_id.hyphenize()}", _no_retry_after_a_read_timeout
    )
    return made


class _Events:
    """Both DynamoDB clients' event hooks as one (metering and tests see every call)."""

    def __init__(self, *emitters: Any):
        self._emitters = emitters

    def register(self, *args: Any, **kwargs: Any) -> None:
        for emitter in self._emitters:
            emitter.register(*args, **kwargs)

    def register_first(self, *args: Any, **kwargs: Any) -> None:
        for emitter in self._emitters:
            emitter.register_first(*args, **kwargs)

    def unregister(self, *args: Any, **kwargs: Any) -> None:
        for emitter in self._emitters:
            emitter.unregister(*args, **kwargs)


class _Meta:
    def __init__(self, quick: Any, patient: Any):
        self._quick = quick.meta
        self.events = _Events(quick.meta.events, patient.meta.events)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._quick, name)


class _DynamoDB:
    """The DynamoDB client: transactions and batch writes go through a client that waits longer."""

    def __init__(self, quick: Any, patient: Any):
        self._quick = quick
        self._patient = patient
        self.meta = _Meta(quick, patient)
        self.exceptions = quick.exceptions

    def transact_write_items(self, **kwargs: Any) -> Any:
        return self._patient.transact_write_items(**kwargs)

    def batch_write_item(self, **kwargs: Any) -> Any:
        # Up to 25 items written in one call (imports): as slow as a transaction on a busy database.
        return self._patient.batch_write_item(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._quick, name)


def reset_clients() -> None:
    with _lock:
        _clients.clear()

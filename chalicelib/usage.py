"""Usage metering and fair limits, per shop, per warm function.

Metering: each request's shop is known from its verified identity (http.route sets it here).
DynamoDB reports the capacity each call consumed when asked (ReturnConsumedCapacity=TOTAL, added
to every call by a botocore hook on the one DynamoDB client, aws.py); the units, the request,
sales, emails and the bytes of items put (the storage estimate) are added to an in-memory
buffer per shop. The buffer goes to the shop's month item (db.take_window) in one UpdateItem
that also leases rate-limit tokens, or on its own when it is older than `usage_flush_seconds`
at the end of a request, or at the end of scheduled work (flush_all).

Fair limits: a plan allows `burst` requests per window of burst/per_second seconds (standard:
100 per 5 s, i.e. 20 a second on average, a burst of 100 at once). The count lives in DynamoDB
so it holds across functions; a function leases LEASE_BLOCK tokens per write and serves from
them, and once the window is spent it refuses the shop's requests locally until the window
ends (429 with Retry-After), with no more writes. Leases are conditional on the window's total,
so the shop is never granted more than `burst` in a window, whatever the number of functions;
tokens a function leased and did not use are lost to the shop (at most LEASE_BLOCK - 1 per
warm function per window), so with K warm functions a shop may be refused after
burst - K * (LEASE_BLOCK - 1) requests in a window, never later.

Error bounds (README "Usage and fair limits"): counts are only ever under, never double:
metering's writes are never retried by the SDK (a write that failed, and may have landed, is
dropped), and each carries a flush id, so should one be sent twice it fails its condition. What is lost: a function's
buffer when the function is recycled (at most `usage_flush_seconds` of one shop's use per
function, usually the usage of its last request), units of calls made outside any shop (the
schedule's reads across shops, its nightly jobs), and units of conditional writes that failed
(DynamoDB does not report them). Background work for one shop (an import's runs, its forecast)
counts to it (`charged_to`), its worker threads too (`carried`).

Nothing here may fail a request: a write that fails is logged, its counters dropped, and the
request served (the limiter lets the request through when DynamoDB cannot be asked).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chalicelib.errors import TooManyRequests
from chalicelib.observability import logger
from chalicelib.settings import Plan, get_settings, plan_named

LEASE_BLOCK = 10  # tokens a function takes per write: ~one write per 10 requests of a busy shop
LEASE_WAIT_SECONDS = 5.0
PLAN_SECONDS = 300  # how long a function trusts a shop's plan before reading it again
CONSUMED_OPS = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
    "TransactWriteItems", "TransactGetItems",
})  # fmt: skip
WRITE_OPS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})

_tenant: ContextVar[str | None] = ContextVar("usage_tenant", default=None)
_own = threading.local()  # set while metering makes its own calls: they are not a shop's use
_container = uuid.uuid4().hex[:10]
_flushes = itertools.count(1)


@dataclass
class _Shop:
    counts: dict[str, float] = field(default_factory=dict)
    since: float = 0.0  # monotonic time of the oldest count not yet written (0: none)
    window: int = -1  # the limiter window our tokens belong to
    tokens: int = 0
    spent: int = -1  # a window the shop has used up (refused here without asking DynamoDB)
    plan: Plan | None = None
    plan_read: float = 0.0
    leasing: bool = False  # a lease write of this shop is in flight in this function

    def add(self, name: str, amount: float) -> None:
        if not self.since:
            self.since = time.monotonic()
        self.counts[name] = self.counts.get(name, 0) + amount

    def take_counts(self) -> dict[str, float]:
        counts, self.counts, self.since = self.counts, {}, 0.0
        return counts


_shops: dict[str, _Shop] = {}
_lock = threading.Lock()
_changed = threading.Condition(_lock)  # a lease finished


def _shop(tenant_id: str) -> _Shop:
    found = _shops.get(tenant_id)
    if found is None:
        found = _shops[tenant_id] = _Shop()
    return found


def _now() -> float:
    """Wall-clock seconds: limiter windows and months are shared by every function (tests move it)."""
    return time.time()


def month_of(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m")


def this_month() -> str:
    return month_of(_now())


# --- counting ---------------------------------------------------------------------------------


def count(tenant_id: str, name: str, amount: float = 1) -> None:
    """Add to one of the shop's counters (db.USAGE_FIELDS), buffered."""
    with _lock:
        _shop(tenant_id).add(name, amount)


def begin(tenant_id: str) -> None:
    """The current request (or piece of scheduled work) is this shop's: its DynamoDB use counts to it."""
    _tenant.set(tenant_id)


@contextlib.contextmanager
def charged_to(tenant_id: str) -> Iterator[None]:
    """Queued work for one shop (a background import's run, its nightly forecast): its DynamoDB
    use counts to the shop, written when the work ends (the function may then sleep for long)."""
    token = _tenant.set(tenant_id)
    try:
        yield
    finally:
        _tenant.reset(token)
        flush(tenant_id)


def carried(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` for a pool's threads, counting to the current shop (a new thread starts with no shop)."""
    context = contextvars.copy_context()

    def run(*args: Any) -> Any:
        return context.copy().run(fn, *args)  # a copy each: one context cannot run in two threads

    return run


def end() -> None:
    """The request is over: write its shop's buffer if it has waited long enough."""
    tenant_id = _tenant.get()
    _tenant.set(None)
    if tenant_id is None:
        return
    with _lock:
        shop = _shops.get(tenant_id)
        due = shop is not None and shop.since and time.monotonic() - shop.since >= get_settings().usage_flush_seconds
    if due:
        flush(tenant_id)


def flush(tenant_id: str) -> None:
    """Write the shop's buffered counters now (one UpdateItem; nothing when there are none)."""
    with _lock:
        counts = _shop(tenant_id).take_counts()
    if counts:
        _write(tenant_id, _now(), counts, window=0, take=0, limit=0)


def flush_all() -> None:
    """Write every shop's buffer (the end of scheduled work, which may then be frozen for long)."""
    with _lock:
        tenants = [t for t, shop in _shops.items() if shop.counts]
    for tenant_id in tenants:
        flush(tenant_id)


def _write(
    tenant_id: str, now: float, counts: dict[str, float], *, window: int, take: int, limit: int, opening: bool = False
) -> int:
    """Counters and a lease in one write; on any failure the counters are dropped (an
    undercount, never a double count) and the lease is granted (fail open)."""
    from chalicelib import db

    adds = {name: Decimal(str(round(value, 2))) for name, value in counts.items() if value}
    _own.quiet = True
    try:
        return db.take_window(
            db.table(), db.usage_key(tenant_id, month_of(now)), window_start=window, take=take, limit=limit,
            adds=adds, flush_id=f"{_container}:{next(_flushes)}", opening=opening,
        )
    except Exception as exc:
        logger.warning("usage not written; its counts are dropped", extra={"error": repr(exc)[:200]})
        return take
    finally:
        _own.quiet = False


# --- fair limits ------------------------------------------------------------------------------


def plan_of(tenant_id: str) -> Plan:
    now = time.monotonic()
    with _lock:
        shop = _shop(tenant_id)
        if shop.plan is not None and now - shop.plan_read < PLAN_SECONDS:
            return shop.plan
    from chalicelib import db

    _own.quiet = True
    try:
        plan = plan_named(db.shop_plan(tenant_id))
    except Exception as exc:  # the default plan until it can be read
        logger.warning("shop's plan not read", extra={"error": repr(exc)[:200]})
        return plan_named(None)
    finally:
        _own.quiet = False
    with _lock:
        shop.plan, shop.plan_read = plan, now
    return plan


def admit(tenant_id: str) -> None:
    """Count one request of the shop and let it through, or raise TooManyRequests (429)."""
    plan = plan_of(tenant_id)
    seconds = plan.window_seconds
    with _changed:
        shop = _shop(tenant_id)
        shop.add("requests", 1)  # refused ones too: API Gateway and Lambda bill them all the same
        while True:
            now = _now()
            window = int(now) - int(now) % seconds
            retry_after = max(1, math.ceil(window + seconds - now))
            if shop.window == window and shop.tokens > 0:
                shop.tokens -= 1
                return
            if shop.spent == window:
                raise TooManyRequests(retry_after)
            if not shop.leasing:
                break
            # One lease at a time per shop in this function (a local server's threads): wait for it.
            if not _changed.wait(timeout=LEASE_WAIT_SECONDS):
                return  # the lease is stuck: let the request through rather than hold it
        shop.leasing = True
        counts = shop.take_counts()
        opening = window > shop.window  # a window this function has not leased from yet
    try:
        granted = _write(tenant_id, now, counts, window=window, take=LEASE_BLOCK, limit=plan.burst, opening=opening)
    finally:
        with _changed:
            shop.leasing = False
            _changed.notify_all()
    with _changed:
        if window > shop.window:
            shop.window, shop.tokens = window, 0
        if granted > 0:
            if window == shop.window:
                shop.tokens += granted - 1  # one for this request, the rest for the next ones
            return
        if window == shop.window:
            shop.spent = window
    raise TooManyRequests(retry_after)


# --- DynamoDB's own report of the capacity each call consumed ----------------------------------


def attach(client: Any) -> None:
    """Ask DynamoDB for the consumed capacity on every call of `client`, and count it."""
    client.meta.events.register("provide-client-params.dynamodb", _ask_capacity)
    client.meta.events.register("after-call.dynamodb", _record_capacity)
    client.meta.events.register_first("needs-retry.dynamodb", _never_again)


class NotRetried(Exception):
    """Metering's own write failed in a way the SDK would retry; it is dropped instead."""


RETRIED_CODES = frozenset({"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                           "InternalServerError", "ServiceUnavailable"})


def _never_again(response: Any = None, caught_exception: BaseException | None = None, **_: Any) -> None:
    """No SDK retry of metering's own calls: a write that may have landed is never sent twice (its
    counts are dropped: an undercount, never a double count)."""
    if not getattr(_own, "quiet", False):
        return
    if caught_exception is not None:
        raise caught_exception
    if response is not None:
        http, parsed = response
        code = (parsed or {}).get("Error", {}).get("Code", "")
        if http.status_code >= 500 or code in RETRIED_CODES:
            raise NotRetried(f"{http.status_code} {code}")


def _ask_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
    if model.name not in CONSUMED_OPS:
        return
    params.setdefault("ReturnConsumedCapacity", "TOTAL")
    tenant_id = _tenant.get()
    if tenant_id is None or getattr(_own, "quiet", False):
        return
    stored = _put_bytes(model.name, params)
    if stored:
        count(tenant_id, "stored_bytes", stored)


def _record_capacity(parsed: dict[str, Any], model: Any, **_: Any) -> None:
    tenant_id = _tenant.get()
    if tenant_id is None or getattr(_own, "quiet", False):
        return
    consumed = parsed.get("ConsumedCapacity") if isinstance(parsed, dict) else None
    if not consumed:
        return
    read = write = 0.0
    for entry in consumed if isinstance(consumed, list) else [consumed]:
        if "ReadCapacityUnits" in entry or "WriteCapacityUnits" in entry:
            read += float(entry.get("ReadCapacityUnits") or 0)
            write += float(entry.get("WriteCapacityUnits") or 0)
        elif model.name in WRITE_OPS:
            write += float(entry.get("CapacityUnits") or 0)
        else:
            read += float(entry.get("CapacityUnits") or 0)
    with _lock:
        shop = _shop(tenant_id)
        if read:
            shop.add("read_units", read)
        if write:
            shop.add("write_units", write)


def _put_bytes(operation: str, params: dict[str, Any]) -> int:
    """Bytes of the items a call puts into the main table (the storage estimate: items are
    mostly written once; growth of updated items and deletions are not counted)."""
    main = get_settings().table_name
    if operation == "PutItem":
        return item_size(params.get("Item", {})) if params.get("TableName") == main else 0
    if operation == "TransactWriteItems":
        return sum(item_size(a["Put"].get("Item", {})) for a in params.get("TransactItems", [])
                   if "Put" in a and a["Put"].get("TableName") == main)
    if operation == "BatchWriteItem":
        return sum(item_size(r["PutRequest"].get("Item", {}))
                   for r in params.get("RequestItems", {}).get(main, []) if "PutRequest" in r)
    return 0


# DynamoDB's published item-size rules (names and values in UTF-8 bytes, numbers ~1 byte per 2 digits).


def attribute_size(name: str, value: dict[str, Any]) -> int:
    return len(name.encode()) + value_size(value)


def value_size(value: dict[str, Any]) -> int:
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = len(inner.lstrip("-").replace(".", "").lstrip("0")) or 1
        return (digits + 1) // 2 + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + attribute_size(k, v) for k, v in inner.items())
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(attribute_size(k, v) for k, v in item.items())


def reset() -> None:
    """Forget every buffer (tests)."""
    with _lock:
        _shops.clear()

"""Count DynamoDB requests and capacity units as the app makes them (botocore event hooks).

Every call the app's DynamoDB client makes is counted by operation. Capacity units are
computed from item sizes by DynamoDB's published rules (reads: 4 KB units, half for eventually
consistent; writes: 1 KB units; transactions: twice that), because DynamoDB Local under-reports
transactions and index queries. For a TransactWriteItems the items touched are read back
afterwards (unmetered) to learn their size. Powertools' idempotency store shares the client, so
its calls count too. A filtered Query is counted by the items it returned: a lower bound.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from chalicelib.usage import attribute_size, item_size, value_size  # DynamoDB's item-size rules, one copy

__all__ = ["attribute_size", "item_size", "value_size"]

CAPACITY_OPS = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "TransactGetItems",
}
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def read_units(size: int, consistent: bool) -> float:
    units = max(1, -(-size // 4096))
    return float(units) if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, -(-size // 1024)))


class Meter:
    def __init__(self, reader: Any = None) -> None:
        """`reader`: an unmetered DynamoDB client, to read back items a transaction wrote."""
        self.reader = reader
        self.requests: Counter[str] = Counter()
        self.read_units = 0.0
        self.write_units = 0.0

    def reset(self) -> None:
        self.requests.clear()
        self.read_units = self.write_units = 0.0

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("provide-client-params.dynamodb.*", self._remember_params)
        events.register("after-call.dynamodb.*", self._record)

    def _remember_params(self, params: dict[str, Any], model: Any, context: Any = None, **_: Any) -> None:
        if context is not None:
            context["meter_params"] = dict(params)

    paused = False  # while True, calls go unmeasured (and items are not read back)

    def _record(self, http_response: Any, parsed: dict[str, Any], model: Any, context: Any = None, **_: Any) -> None:
        if self.paused:
            return
        self.requests[model.name] += 1
        params = (context or {}).get("meter_params", {})
        op = model.name
        consistent = bool(params.get("ConsistentRead"))
        if op == "GetItem" and "Item" in parsed:
            self.read_units += read_units(item_size(parsed["Item"]), consistent)
        elif op == "GetItem":
            self.read_units += read_units(0, consistent)
        elif op == "BatchGetItem":
            for table, items in parsed.get("Responses", {}).items():
                strong = bool(params.get("RequestItems", {}).get(table, {}).get("ConsistentRead"))
                self.read_units += sum(read_units(item_size(i), strong) for i in items)
        elif op in ("Query", "Scan"):
            self.read_units += read_units(sum(item_size(i) for i in parsed.get("Items", [])), consistent)
        elif op == "PutItem":
            self.write_units += write_units(item_size(params.get("Item", {})))
        elif op in ("UpdateItem", "DeleteItem"):
            self.write_units += write_units(self._size_now(params.get("TableName", ""), params.get("Key", {})))
        elif op == "TransactWriteItems":
            for action in params.get("TransactItems", []):
                ((kind, body),) = action.items()
                if kind == "Put":
                    size = item_size(body["Item"])
                else:
                    size = self._size_now(body["TableName"], body["Key"])
                self.write_units += 2 * write_units(size)

    def _size_now(self, table: str, key: dict[str, Any]) -> int:
        if self.reader is None or not key:
            return 0
        item = self.reader.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return item_size(item) if item else item_size(key)

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.total_requests,
            "by_operation": dict(sorted(self.requests.items())),
            "read_units": round(self.read_units, 1),
            "write_units": round(self.write_units, 1),
        }

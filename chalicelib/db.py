"""DynamoDB: the one module that knows the table's keys and talks to it.

Everything a shop owns lives under keys that start with `SHOP#<tenant_id>`; every function
here takes the tenant first and builds keys from it, so no caller can reach another shop.
See docs/access-patterns.md for the table of access patterns these functions serve.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from chalicelib import aws
from chalicelib.settings import get_settings

_serializer: Any = None
_deserializer: Any = None


def _codecs() -> tuple[Any, Any]:
    global _serializer, _deserializer
    if _serializer is None:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        _serializer, _deserializer = TypeSerializer(), TypeDeserializer()
    return _serializer, _deserializer


def to_ddb(item: dict[str, Any]) -> dict[str, Any]:
    ser = _codecs()[0]
    return {k: ser.serialize(v) for k, v in item.items() if v is not None}


def from_ddb(item: dict[str, Any]) -> dict[str, Any]:
    de = _codecs()[1]
    return {k: de.deserialize(v) for k, v in item.items()}


def _values(values: dict[str, Any]) -> dict[str, Any]:
    ser = _codecs()[0]
    return {k: ser.serialize(v) for k, v in values.items()}


def ddb() -> Any:
    return aws.client("dynamodb")


def table() -> str:
    return get_settings().table_name


# --- keys -------------------------------------------------------------------------------


def shop_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}"


SHOP_SK = "PROFILE"
PRODUCT_PREFIX = "PRODUCT#"


def product_key(tenant_id: str, sku: str) -> dict[str, Any]:
    return {"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": PRODUCT_PREFIX + sku}}


def ledger_pk(tenant_id: str, sku: str) -> str:
    # A product's ledger is its own partition: listing it is an exact-key Query, and no SKU can
    # be a prefix of another's ledger (SKUs may contain '#').
    return f"SHOP#{tenant_id}#PRODUCT#{sku}"


MOVE_PREFIX = "MOVE#"

# The sparse low-stock index: only products at or below their minimum carry these keys, so the
# scheduled check reads those and never the catalogue. Spread over a few partitions by shop.
LOW_STOCK_INDEX = "LowStock"
LOW_STOCK_SHARDS = 4
LOW_STOCK_KEYS = ("low_pk", "low_sk")
LOW_STOCK_PROJECTION = [
    "sku",
    "name",
    "on_hand",
    "min_stock",
    "reorder_qty",
    "on_order",
    "supplier_id",
    "alert_state",
    "alert_id",
    "alert_at",
    "alert_tries",
]


def _shard(text: str, shards: int) -> int:
    """A stable shard of `text` (the same in every function and every run)."""
    import zlib

    return zlib.crc32(text.encode()) % shards


def low_stock_keys(tenant_id: str, sku: str) -> dict[str, str]:
    return {"low_pk": f"LOW#{_shard(tenant_id, LOW_STOCK_SHARDS)}", "low_sk": f"{tenant_id}#{sku}"}


def query_low_stock(shard: int) -> Iterator[dict[str, Any]]:
    """Every product in one shard of the low-stock index, with the shop's id split out."""
    return _query_low_stock_index(f"LOW#{shard}")


def _query_low_stock_index(partition: str) -> Iterator[dict[str, Any]]:
    """One partition of the low-stock index (every shop's items in it), with the shop's id split out."""
    for item in _query_all({
        "IndexName": LOW_STOCK_INDEX,
        "KeyConditionExpression": "low_pk = :pk",
        "ExpressionAttributeValues": _values({":pk": partition}),
    }):
        item["tenant_id"] = item["low_sk"].split("#", 1)[0]
        yield item


class ConditionFailed(Exception):
    """A write's condition did not hold (the item exists, changed meanwhile, or is missing)."""

    def __init__(self, reasons: list[str] | None = None, old: dict[str, Any] | None = None):
        super().__init__("condition failed")
        self.reasons = reasons or []
        self.old = old


# --- table definition (used by the local stack, the tests and infra) --------------------


def table_definition(name: str) -> dict[str, Any]:
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "low_pk", "AttributeType": "S"},
            {"AttributeName": "low_sk", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": LOW_STOCK_INDEX,
                "KeySchema": [
                    {"AttributeName": "low_pk", "KeyType": "HASH"},
                    {"AttributeName": "low_sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": LOW_STOCK_PROJECTION},
            }
        ],
    }


def idempotency_table_definition(name: str) -> dict[str, Any]:
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    }


# --- shops ------------------------------------------------------------------------------


def put_shop(tenant_id: str, item: dict[str, Any]) -> None:
    ddb().put_item(
        TableName=table(),
        Item=to_ddb({"PK": shop_pk(tenant_id), "SK": SHOP_SK, "type": "shop", **item}),
        ConditionExpression="attribute_not_exists(PK)",
    )


def get_shop(tenant_id: str) -> dict[str, Any] | None:
    reply = ddb().get_item(TableName=table(), Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SHOP_SK}})
    return from_ddb(reply["Item"]) if "Item" in reply else None


DEFAULT_TILL = "main"
TILL_PREFIX = "TILL#"


def till_key(tenant_id: str, till: str) -> dict[str, Any]:
    """Where a till's invoice counter lives: the shop item for the default till (its series goes
    on from before tills existed), an item of its own for every other till."""
    sk = SHOP_SK if till == DEFAULT_TILL else TILL_PREFIX + till
    return {"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": sk}}


def next_invoice_number(tenant_id: str, till: str, number: int) -> dict[str, Any]:
    """Take invoice number `number` of a till's series, if its counter still stands at the one
    before. Each till counts on its own, so tills never wait for each other."""
    condition = "invoice_seq = :previous" if number > 1 else "attribute_not_exists(invoice_seq)"
    values = {":number": number, **({":previous": number - 1} if number > 1 else {})}
    if till == DEFAULT_TILL:
        condition = "attribute_exists(PK) AND " + condition
    return {
        "Update": {
            "TableName": table(),
            "Key": till_key(tenant_id, till),
            "UpdateExpression": "SET invoice_seq = :number",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": _values(values),
        }
    }


def delete_shop(tenant_id: str) -> None:
    ddb().delete_item(TableName=table(), Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SHOP_SK}})


# --- products ---------------------------------------------------------------------------


def new_product(tenant_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """A Put (for a transaction) creating a product, if the SKU was never used."""
    return new_item(shop_pk(tenant_id), PRODUCT_PREFIX + item["sku"], {"type": "product", **item})


def is_product_put(action: dict[str, Any]) -> bool:
    """Whether a transaction action is `new_product`'s Put (imports drop those that lost a race)."""
    return "Put" in action and action["Put"]["Item"].get("type", {}).get("S") == "product"


def put_new_product(tenant_id: str, item: dict[str, Any]) -> None:
    """Create a product; ConditionFailed (with the old item) if the SKU was ever used."""
    # Its search entries first, in a batch (a quarter of the price of a transaction's writes): an
    # entry whose product never came finds nothing, a product never exists without its entries.
    index_products(tenant_id, [item])
    try:
        ddb().put_item(**new_product(tenant_id, item)["Put"], ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except ddb().exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item")
        raise ConditionFailed(old=from_ddb(old) if old else None) from None


# The product search index: an entry per word of a product's SKU, name and barcode
# (SHOP#<tenant>#SEARCH, <word>#<sku>), so `q` is a key range, not a read of the catalogue.
# Entries are only ever added; readers check each found product against its current words, so
# an entry left by a rename or a deletion finds nothing.
SEARCH_WORD_MAX = 24


def search_words(*texts: Any) -> set[str]:
    """The words `q` matches by prefix: letters and digits, case-folded."""
    import re

    return {w for text in texts if text for w in re.findall(r"\w+", str(text).casefold())}


def search_keys(words: set[str]) -> set[str]:
    """What the index holds for these words: each word, and for long numbers (barcodes) each of
    their tails too, since people type the last digits printed on a box."""
    keys = set(words)
    for word in words:
        if word.isdigit():
            keys.update(word[i:] for i in range(1, len(word) - 3))
    return {k[:SEARCH_WORD_MAX] for k in keys}


def _search_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#SEARCH"


def search_entries(
    tenant_id: str, sku: str, words: set[str], every_word: set[str] | None = None
) -> list[dict[str, Any]]:
    """Puts of a product's search entries for `words` (unconditional: an entry written twice is
    one entry). Each carries all the product's words (`every_word`, by default `words`), so a
    search for several words filters inside DynamoDB instead of reading every candidate."""
    text = " " + " ".join(sorted(search_keys(every_word if every_word is not None else words)))
    return [
        {"Put": {"TableName": table(), "Item": to_ddb({"PK": _search_pk(tenant_id), "SK": f"{w}#{sku}", "sku": sku,
                                                       "words": text})}}
        for w in sorted(search_keys(words))
    ]  # fmt: skip


def index_products(tenant_id: str, items: list[dict[str, Any]]) -> None:
    """Write the search entries of products about to be created (imports: ahead of the products
    themselves, so the products' transactions stay small; an entry without its product finds
    nothing)."""
    puts = [
        {"PutRequest": {"Item": action["Put"]["Item"]}}
        for item in items
        for action in search_entries(tenant_id, item["sku"], search_words(item["sku"], item.get("name"),
                                                                         item.get("barcode")))
    ]  # fmt: skip
    for start in range(0, len(puts), 25):
        request = {table(): puts[start : start + 25]}
        delay = 0.02
        while request:
            request = ddb().batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            if request:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)


def search_index(
    tenant_id: str, word: str, also: list[str], *, limit: int, after: str | None
) -> tuple[list[tuple[str, str]], str | None]:
    """Entries that start with `word` and whose product's words also start with each of `also`,
    in word order then SKU, from one Query of `limit` entries: ([(SKU, its place)], the place to
    go on from or None). A SKU may come twice (two of its words start with `word`)."""
    params: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({
            ":pk": _search_pk(tenant_id),
            ":prefix": word[:SEARCH_WORD_MAX],
            **{f":w{i}": " " + w[:SEARCH_WORD_MAX] for i, w in enumerate(also)},
        }),
        "Limit": limit,
    }  # fmt: skip
    if also:
        params["FilterExpression"] = " AND ".join(f"contains(#words, :w{i})" for i in range(len(also)))
        params["ExpressionAttributeNames"] = {"#words": "words"}
    if after:
        params["ExclusiveStartKey"] = {"PK": {"S": _search_pk(tenant_id)}, "SK": {"S": after}}
    reply = ddb().query(**params)
    items = [from_ddb(raw) for raw in reply.get("Items", [])]
    last = reply.get("LastEvaluatedKey")
    return [(i["sku"], i["SK"]) for i in items], (last["SK"]["S"] if last else None)


def _shop_low_stock(tenant_id: str) -> dict[str, Any]:
    """A Query of one shop's products in the low-stock index (its shard, its own keys)."""
    keys = low_stock_keys(tenant_id, "")
    return {
        "TableName": table(),
        "IndexName": LOW_STOCK_INDEX,
        "KeyConditionExpression": "low_pk = :pk AND begins_with(low_sk, :shop)",
        "ExpressionAttributeValues": _values({":pk": keys["low_pk"], ":shop": keys["low_sk"]}),
    }


def low_stock_page(tenant_id: str, *, limit: int, after_sku: str | None) -> tuple[list[str], str | None]:
    """SKUs of a shop's products at or below their minimum, from the low-stock index, one page."""
    params = {**_shop_low_stock(tenant_id), "Limit": limit}
    if after_sku:
        start = low_stock_keys(tenant_id, after_sku)
        params["ExclusiveStartKey"] = {
            "low_pk": {"S": start["low_pk"]}, "low_sk": {"S": start["low_sk"]}, **product_key(tenant_id, after_sku)
        }
    reply = ddb().query(**params)
    skus = [from_ddb(raw)["sku"] for raw in reply.get("Items", [])]
    return skus, (skus[-1] if skus and "LastEvaluatedKey" in reply else None)


def get_product(tenant_id: str, sku: str) -> dict[str, Any] | None:
    reply = ddb().get_item(TableName=table(), Key=product_key(tenant_id, sku), ConsistentRead=True)
    return from_ddb(reply["Item"]) if "Item" in reply else None


# Fields whose change interacts with stock movements: the minimum decides low-stock membership,
# the unit cost is averaged by receipts, and cost, price and deletion change the stock's value.
# Edits of these take the stock version guard; every other edit has its own guard, so renaming
# a product never races a sale.
STOCK_FIELDS = frozenset({"min_stock", "unit_cost", "price", "deleted_at", "stock"})


def edit_product(tenant_id: str, product: dict[str, Any], sets: dict[str, Any], removes: list[str]) -> None:
    """Write an owner's edit of a live product, if nobody else edited it since `product` was read
    (and, when the edit touches a stock field, nobody moved its stock either), with what it
    changes in the stock's value and the search index."""
    edit_read = product.get("edit_version")
    touches_stock = bool((STOCK_FIELDS | set(LOW_STOCK_KEYS)) & (set(sets) | set(removes)))
    expression, names, values = _updates(
        {**sets, "edit_version": as_int(edit_read) + 1}, {"version": 1} if touches_stock else None, removes
    )
    names["#edit"] = "edit_version"
    conditions = ["attribute_not_exists(deleted_at)"]
    if edit_read is None:
        conditions.append("attribute_not_exists(#edit)")
    else:
        conditions.append("#edit = :edit_read")
        values[":edit_read"] = edit_read
    if touches_stock:
        names["#version"] = "version"
        values[":version_read"] = product["version"]
        conditions.append("#version = :version_read")
    update = {
        "TableName": table(),
        "Key": product_key(tenant_id, product["sku"]),
        "UpdateExpression": expression,
        "ConditionExpression": " AND ".join(conditions),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": _values(values),
    }
    by_location = _value_by_location(product, sets, removes)
    words = search_words(sets.get("name"), sets.get("barcode")) - search_words(
        product["sku"], product.get("name"), product.get("barcode")
    )
    if by_location or words:
        # The stock's value and the search entries move with the edit, in its transaction.
        also = [stock_value_add(tenant_id, value_key(DEFAULT_TILL, loc), adds) for loc, adds in by_location.items()]
        every = search_words(
            product["sku"], sets.get("name", product.get("name")), sets.get("barcode", product.get("barcode"))
        )
        also += search_entries(tenant_id, product["sku"], words, every)
        _transact([{"Update": update}, *also])
        return
    try:
        ddb().update_item(**update)
    except ddb().exceptions.ConditionalCheckFailedException:
        raise ConditionFailed() from None


def _value_change(product: dict[str, Any], sets: dict[str, Any], removes: list[str]) -> dict[str, Decimal]:
    """What an edit of cost, price or deletion does to the shop's stock value."""
    on_hand = Decimal(product.get("on_hand") or 0)
    cost, price = Decimal(product.get("unit_cost") or 0), Decimal(product.get("price") or 0)
    if "deleted_at" in sets:
        return {"value_cost": -on_hand * cost, "value_retail": -on_hand * price}
    new_cost = Decimal(0) if "unit_cost" in removes else Decimal(sets.get("unit_cost", cost))
    new_price = Decimal(sets.get("price", price))
    return {"value_cost": on_hand * (new_cost - cost), "value_retail": on_hand * (new_price - price)}


def query_products(
    tenant_id: str,
    *,
    limit: int,
    after_sku: str | None,
    category: str | None = None,
    low_stock: bool | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a shop's live products in SKU order, filtered; returns (items, last SKU or None)."""
    filters = ["attribute_not_exists(deleted_at)"]
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if category:
        filters.append("#category = :category")
        names["#category"] = "category"
        values[":category"] = category
    # Low at any location is membership of the low-stock index (its keys on the product).
    if low_stock is True:
        filters.append("attribute_exists(low_pk)")
    elif low_stock is False:
        filters.append("attribute_not_exists(low_pk)")
    return _page(
        shop_pk(tenant_id),
        PRODUCT_PREFIX,
        limit=limit,
        after=after_sku,
        filter_expression=" AND ".join(filters),
        names=names or None,
        values=values,
    )


# --- transactions: the building blocks ------------------------------------------------


def _updates(
    changes: dict[str, Any], adds: dict[str, Any] | None = None, removes: list[str] | tuple[str, ...] = ()
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """An UpdateExpression (SET / ADD / REMOVE) with placeholders for every name and value."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    clauses = []
    sets = []
    for i, (field, value) in enumerate(changes.items()):
        names[f"#s{i}"] = field
        values[f":s{i}"] = value
        sets.append(f"#s{i} = :s{i}")
    if sets:
        clauses.append("SET " + ", ".join(sets))
    if adds:
        parts = []
        for i, (field, value) in enumerate(adds.items()):
            names[f"#a{i}"] = field
            values[f":a{i}"] = value
            parts.append(f"#a{i} :a{i}")
        clauses.append("ADD " + ", ".join(parts))
    if removes:
        names.update({f"#r{i}": field for i, field in enumerate(removes)})
        clauses.append("REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes))))
    return " ".join(clauses), names, values


def product_change(
    tenant_id: str,
    sku: str,
    version: int,
    changes: dict[str, Any],
    adds: dict[str, Any] | None = None,
    removes: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """Update a product if it is still at `version` (and not deleted); bumps the version."""
    expression, names, values = _updates(changes, {**(adds or {}), "version": 1}, removes)
    names["#version_check"] = "version"
    values[":version_check"] = version
    return {
        "Update": {
            "TableName": table(),
            "Key": product_key(tenant_id, sku),
            "UpdateExpression": expression,
            "ConditionExpression": "#version_check = :version_check AND attribute_not_exists(deleted_at)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": _values(values),
        }
    }


def product_add(tenant_id: str, sku: str, adds: dict[str, Any]) -> dict[str, Any]:
    """Add to a product's counters (stock on order) without touching its version."""
    expression, names, values = _updates({}, adds)
    return {
        "Update": {
            "TableName": table(),
            "Key": product_key(tenant_id, sku),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": _values(values),
        }
    }


def ledger_entry(tenant_id: str, sku: str, version: int, movement: dict[str, Any]) -> dict[str, Any]:
    """Put an immutable ledger entry (never overwrites one) for the product change that takes the
    product from `version` to the next. Entries sort by that version, which is exactly the order
    the changes committed in (ids made on different machines or in the same millisecond are not)."""
    seq = version + 1
    entry = {"PK": ledger_pk(tenant_id, sku), "SK": f"{MOVE_PREFIX}{seq:012d}", "type": "movement", "seq": seq}
    return {
        "Put": {
            "TableName": table(),
            "Item": to_ddb({**entry, **movement}),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def new_item(pk: str, sk: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table(),
            "Item": to_ddb({"PK": pk, "SK": sk, **item}),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def counters_add(pk: str, sk: str, adds: dict[str, Any], sets: dict[str, Any] | None = None) -> dict[str, Any]:
    """Add to counters of a summary item, creating it on first use."""
    expression, names, values = _updates(sets or {}, adds)
    return {
        "Update": {
            "TableName": table(),
            "Key": {"PK": {"S": pk}, "SK": {"S": sk}},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": _values(values),
        }
    }


def transact(actions: list[dict[str, Any]]) -> None:
    """All of these writes or none. ConditionFailed carries DynamoDB's reason per action."""
    _transact(actions)


# --- the movement primitive: the one way stock on hand changes --------------------------

ALERT_FIELDS = ("alert_state", "alert_id", "alert_at", "alert_tries")
ALERT_QUIET_NEW = "new"  # a product created low: quiet until its first movement


def low_stock_fields(tenant_id: str, sku: str, on_hand: Any, min_stock: Any) -> tuple[dict[str, Any], list[str]]:
    """(fields to set, fields to remove) that keep a product in the low-stock index exactly while
    it is at or below its minimum. Leaving the index re-arms its alert for the next fall."""
    if min_stock > 0 and on_hand <= min_stock:
        return dict(low_stock_keys(tenant_id, sku)), []
    return {}, [*LOW_STOCK_KEYS, *ALERT_FIELDS]


@dataclass
class Move:
    """One product's part in a stock change: how much, the ledger entry's own fields, and what
    else the change sets or adds on the product (a new average cost, stock no longer on order)."""

    product: dict[str, Any]
    change: Any
    movement: dict[str, Any]
    sets: dict[str, Any] = dataclass_field(default_factory=dict)
    adds: dict[str, Any] = dataclass_field(default_factory=dict)
    location: str = ""  # where on the shop's shelves; "" is the first location (Main)


def stock_movements(tenant_id: str, moves: list[Move], *, at: str, till: str = DEFAULT_TILL) -> tuple[
    list[dict[str, Any]], list[Any]
]:
    """The one way stock on hand changes: transaction actions for the caller's transaction, and
    each product's new on hand.

    Every movement (sale, receipt, adjustment, count, return, transfer) is built here: per
    product its new on hand and its low-stock index membership, written only if the product is
    still at the version read (so two movements never both act on the same stock), and an
    immutable ledger entry whose place in the ledger is that version, so the ledger sums to on
    hand in commit order; and, once for all of them, what they change in the shop's stock value
    (kept per till, so tills do not wait for each other).
    """
    actions: list[dict[str, Any]] = []
    after: list[Any] = []
    values: dict[str, dict[str, Decimal]] = {}
    checked: set[str] = set()
    for move in moves:
        product, sku = move.product, move.product["sku"]
        location = move.location or MAIN_LOCATION
        version = as_int(product["version"])
        on_hand = product.get("on_hand") or 0
        on_hand_after = on_hand + move.change
        before = stock_map(product)
        stock = {loc: dict(level) for loc, level in before.items()}
        held = stock.setdefault(location, {"on_hand": Decimal(0), "min_stock": Decimal(0)})
        held["on_hand"] = held["on_hand"] + move.change
        level_sets, level_removes = stock_level_fields(tenant_id, sku, before, stock)
        if product.get("alert_state") == ALERT_QUIET_NEW and not level_removes:
            level_removes = ["alert_state"]  # its first movement arms the alert
        changes = {**move.sets, "on_hand": on_hand_after, "updated_at": at, **level_sets,
                   "stock": stock, "min_stock": sum((lv["min_stock"] for lv in stock.values()), Decimal(0))}
        entry = {**move.movement, "sku": sku, "change": move.change, "on_hand_after": on_hand_after, "at": at,
                 "location_id": location, "location_on_hand_after": held["on_hand"]}
        actions.append(product_change(tenant_id, sku, version, changes, move.adds or None, level_removes))
        actions.append(ledger_entry(tenant_id, sku, version, {k: v for k, v in entry.items() if v is not None}))
        if location != MAIN_LOCATION and move.change > 0 and location not in checked:
            checked.add(location)  # stock may not arrive at a location being deleted
            actions.append(location_open_check(tenant_id, location))
        cost = Decimal(product.get("unit_cost") or 0)
        new_cost, price = Decimal(move.sets.get("unit_cost", cost)), Decimal(product.get("price") or 0)
        # Per location, so a location's value is a sum of its own counters (a new average cost
        # revalues the units held at every location).
        for loc in stock:
            was = before.get(loc, {}).get("on_hand", Decimal(0))
            now = stock[loc]["on_hand"]
            value = values.setdefault(loc, {"value_cost": Decimal(0), "value_retail": Decimal(0), "units": Decimal(0)})
            value["value_cost"] += now * new_cost - was * cost
            value["value_retail"] += (now - was) * price
            value["units"] += now - was
        after.append(on_hand_after)
    for loc, value in values.items():
        if any(value.values()):
            actions.append(stock_value_add(tenant_id, value_key(till, loc), value))
    return actions, after


# The shop's stock at cost and at retail, kept as it changes (the dashboard reads it instead of
# the catalogue): one small item per till, since every movement adds to it.


def _stock_value_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#STOCKVALUE"


def stock_value_add(tenant_id: str, till: str, adds: dict[str, Any]) -> dict[str, Any]:
    return counters_add(_stock_value_pk(tenant_id), till, adds)


def stock_value(tenant_id: str) -> tuple[Decimal, Decimal]:
    """(value at cost, value at retail) of everything on hand."""
    cost, retail = Decimal(0), Decimal(0)
    for item in _query_all({
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": _values({":pk": _stock_value_pk(tenant_id)}),
    }):
        cost += Decimal(item.get("value_cost") or 0)
        retail += Decimal(item.get("value_retail") or 0)
    return cost, retail


def count_low_stock(tenant_id: str) -> int:
    """How many of a shop's products are at or below their minimum (reads the low-stock index)."""
    params = {**_shop_low_stock(tenant_id), "Select": "COUNT"}
    total = 0
    while True:
        reply = ddb().query(**params)
        total += int(reply.get("Count", 0))
        if "LastEvaluatedKey" not in reply:
            return total
        params["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


def _transact(actions: list[dict[str, Any]]) -> None:
    client = ddb()
    try:
        client.transact_write_items(TransactItems=actions)
    except client.exceptions.TransactionCanceledException as exc:
        reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
        raise ConditionFailed(reasons=reasons) from None


def query_movements(
    tenant_id: str, sku: str, *, limit: int, before_seq: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    """A product's ledger, newest first; returns (entries, the place to continue before, or None)."""
    params: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": ledger_pk(tenant_id, sku), ":prefix": MOVE_PREFIX}),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if before_seq is not None:
        params["ExclusiveStartKey"] = {
            "PK": {"S": ledger_pk(tenant_id, sku)},
            "SK": {"S": f"{MOVE_PREFIX}{before_seq:012d}"},
        }
    reply = ddb().query(**params)
    items = [from_ddb(raw) for raw in reply.get("Items", [])]
    more = "LastEvaluatedKey" in reply and items
    return items, (int(items[-1]["seq"]) if more else None)


def iter_movements(tenant_id: str, sku: str) -> Iterator[dict[str, Any]]:
    """Every ledger entry of a product, oldest first (reconciliation)."""
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": ledger_pk(tenant_id, sku), ":prefix": MOVE_PREFIX}),
        "ConsistentRead": True,
    })


def as_int(value: Any) -> int:
    return int(value) if isinstance(value, (Decimal, int)) else 0


def as_qty(value: Any) -> Decimal:
    """A stored quantity (whole, or up to 3 decimals for products sold by measure); 0 if absent."""
    return Decimal(value) if isinstance(value, (Decimal, int)) else Decimal(0)


# --- batch reads --------------------------------------------------------------------------


def _batch_get(keys: list[dict[str, Any]], consistent: bool, projection: str | None = None) -> list[dict[str, Any]]:
    """The items of any number of keys (a key named twice is read once), 100 keys per BatchGetItem,
    going back for any DynamoDB leaves unprocessed."""
    unique = list({(k["PK"]["S"], k["SK"]["S"]): k for k in keys}.values())
    found: list[dict[str, Any]] = []
    for start in range(0, len(unique), 100):
        request: dict[str, Any] = {table(): {"Keys": unique[start:start + 100], "ConsistentRead": consistent}}
        if projection:
            request[table()]["ProjectionExpression"] = projection
        delay = 0.02
        while request:
            reply = ddb().batch_get_item(RequestItems=request)
            found += [from_ddb(raw) for raw in reply.get("Responses", {}).get(table(), [])]
            request = reply.get("UnprocessedKeys") or {}
            if request:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
    return found


def get_products_and_shop(tenant_id: str, skus: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    """The named products (found ones only, by SKU) and the shop profile, in one BatchGetItem."""
    products, shop, _ = get_products_shop_till(tenant_id, skus, DEFAULT_TILL)
    return products, shop


def get_products_shop_till(
    tenant_id: str, skus: list[str], till: str
) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None, int]:
    """The named products, the shop profile and the till's last invoice number, in one BatchGetItem."""
    keys = [product_key(tenant_id, sku) for sku in skus]
    keys.append({"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SHOP_SK}})
    if till != DEFAULT_TILL:
        keys.append(till_key(tenant_id, till))
    found = _batch_get(keys, consistent=True)
    shop = next((i for i in found if i["SK"] == SHOP_SK), None)
    counter = next((i for i in found if i["SK"] == till_key(tenant_id, till)["SK"]["S"]), None)
    products = {i["sku"]: i for i in found if i["SK"].startswith(PRODUCT_PREFIX)}
    return products, shop, as_int((counter or {}).get("invoice_seq"))


# --- sales --------------------------------------------------------------------------------


def sales_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#SALES"


SALE_PREFIX = "SALE#"


def sale_put(tenant_id: str, sale: dict[str, Any]) -> dict[str, Any]:
    return new_item(sales_pk(tenant_id), SALE_PREFIX + sale["sale_id"], {"type": "sale", **sale})


def get_sale(tenant_id: str, sale_id: str, consistent: bool = False) -> dict[str, Any] | None:
    reply = ddb().get_item(
        TableName=table(),
        Key={"PK": {"S": sales_pk(tenant_id)}, "SK": {"S": SALE_PREFIX + sale_id}},
        ConsistentRead=consistent,
    )
    return from_ddb(reply["Item"]) if "Item" in reply else None


def sale_returned(
    tenant_id: str, sale_id: str, version: int, lines: list[dict[str, Any]], record: dict[str, Any]
) -> dict[str, Any]:
    """Add a return to its sale: the lines with what is now returned of each, the return's record,
    the refunded total; only if no other return was added since the sale was read (`version`),
    so two returns of the last unit cannot both succeed."""
    values = {":lines": lines, ":record": [record], ":empty": [], ":refund": record["refund_total"],
              ":next": version + 1}  # fmt: skip
    condition = "attribute_not_exists(returns_version)" if version == 0 else "returns_version = :v"
    if version:
        values[":v"] = version
    return {
        "Update": {
            "TableName": table(),
            "Key": {"PK": {"S": sales_pk(tenant_id)}, "SK": {"S": SALE_PREFIX + sale_id}},
            "UpdateExpression": "SET #lines = :lines, #returns = list_append(if_not_exists(#returns, :empty), :record),"
            " returns_version = :next ADD refunded_total :refund",
            "ConditionExpression": f"attribute_exists(PK) AND {condition}",
            "ExpressionAttributeNames": {"#lines": "lines", "#returns": "returns"},
            "ExpressionAttributeValues": _values(values),
        }
    }


def query_sales(
    tenant_id: str, *, first_id: str, last_id: str, limit: int, before_id: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Sales whose ids (time-ordered ULIDs of sold_at) lie between two bounds, newest first."""
    upper = SALE_PREFIX + (before_id if before_id and before_id < last_id else last_id)
    params: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
        "ExpressionAttributeValues": _values(
            {":pk": sales_pk(tenant_id), ":low": SALE_PREFIX + first_id, ":high": upper}
        ),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if before_id:
        params["ExclusiveStartKey"] = {"PK": {"S": sales_pk(tenant_id)}, "SK": {"S": SALE_PREFIX + before_id}}
    reply = ddb().query(**params)
    items = [from_ddb(raw) for raw in reply.get("Items", [])]
    more = "LastEvaluatedKey" in reply and items
    return items, (items[-1]["sale_id"] if more else None)


# --- rollups (written with the sale, read by reports) ---------------------------------
#
# Every rollup item is small and bounded, and two tills never write the same one unless they
# sell the same product: a day's totals are kept per till (DAY#<day>#<till>), each breakdown key
# has an item of its own per day and till (DIM#<dimension>#<day>#<till>#<key>), and each product
# its day (PDAY#<day>#<sku>). Reports add up the items in a date range. (Items written before
# tills existed, DAY#<day> with the breakdowns inside, still count in the totals.)


def rollup_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#ROLLUP"


def rollup_writes(
    tenant_id: str,
    day: str,
    till: str,
    totals: dict[str, Any],
    products: dict[str, tuple[dict[str, Any], dict[str, Any]]],
    breakdowns: dict[tuple[str, str], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The writes that add sales to their day: `totals`, per product (counters, descriptive
    fields) and per (dimension, key) of a breakdown (counters)."""
    pk = rollup_pk(tenant_id)
    actions = [counters_add(pk, f"DAY#{day}#{till}", totals, {"day": day, "till": till})]
    for sku, (adds, sets) in products.items():
        actions.append(counters_add(pk, f"PDAY#{day}#{sku}", adds, {**sets, "day": day, "sku": sku}))
    for (dimension, key), adds in breakdowns.items():
        sets = {"day": day, "dimension": dimension, "key": key}
        actions.append(counters_add(pk, f"DIM#{dimension}#{day}#{till}#{key}", adds, sets))
    return actions


def _rollup_range(tenant_id: str, prefix: str, first: str, last: str) -> Iterator[dict[str, Any]]:
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
        "ExpressionAttributeValues": _values(
            {":pk": rollup_pk(tenant_id), ":low": prefix + first, ":high": prefix + last + "\uffff"}
        ),
    })


def day_totals(tenant_id: str, first: str, last: str) -> Iterator[dict[str, Any]]:
    """Totals items of the days from `first` to `last` (ISO dates, inclusive): several per day."""
    return _rollup_range(tenant_id, "DAY#", first, last)


def product_days(tenant_id: str, first: str, last: str) -> Iterator[dict[str, Any]]:
    """One item per product per day it sold, from `first` to `last`."""
    return _rollup_range(tenant_id, "PDAY#", first, last)


def breakdown_days(tenant_id: str, dimension: str, first: str, last: str) -> Iterator[dict[str, Any]]:
    """Items of one breakdown (`key` and counters) for the days from `first` to `last`."""
    return _rollup_range(tenant_id, f"DIM#{dimension}#", first, last)


# Sales whose rollups are not written yet. A live sale is recorded in one transaction and its
# rollups in a second one that also deletes this marker, so they count exactly once; if the
# second never happens (a crash, an outage), the schedule finds the marker and finishes the job.
PENDING_SHARDS = 8


def _pending_key(tenant_id: str, sale_id: str) -> dict[str, Any]:
    return {"PK": {"S": f"PENDING#{_shard(sale_id, PENDING_SHARDS)}"}, "SK": {"S": f"{tenant_id}#{sale_id}"}}


def pending_rollup(tenant_id: str, sale_id: str, at: str) -> dict[str, Any]:
    key = _pending_key(tenant_id, sale_id)
    return {
        "Put": {
            "TableName": table(),
            "Item": {**key, **to_ddb({"type": "pending_rollup", "tenant_id": tenant_id, "sale_id": sale_id, "at": at})},
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def settle_pending(tenant_id: str, sale_id: str) -> dict[str, Any]:
    """Delete the marker, only if it is still there: the transaction that carries this and the
    rollup writes cannot succeed twice."""
    return {
        "Delete": {
            "TableName": table(),
            "Key": _pending_key(tenant_id, sale_id),
            "ConditionExpression": "attribute_exists(PK)",
        }
    }


def query_pending(before: str) -> Iterator[dict[str, Any]]:
    """Markers older than `before` (an ISO time), every shard."""
    for shard in range(PENDING_SHARDS):
        yield from _query_all({
            "KeyConditionExpression": "PK = :pk",
            "FilterExpression": "#at < :before",
            "ExpressionAttributeNames": {"#at": "at"},
            # Eventually consistent is enough (and half the price): markers wait a minute first.
            "ExpressionAttributeValues": _values({":pk": f"PENDING#{shard}", ":before": before}),
        })


# --- idempotent writes ------------------------------------------------------------------
#
# A write that carries an Idempotency-Key also puts a claim on that key (in the idempotency
# table, which expires records by TTL) in the same transaction. A repeat of the write then
# cannot commit: whatever failed in between, the key leads back to the first outcome.


def _claim_id(tenant_id: str, operation: str, key: str) -> str:
    return f"claim#{tenant_id}#{operation}#{key}"


def claim_key(
    tenant_id: str, operation: str, key: str, fingerprint: str, outcome: dict[str, Any], now: int, ttl: int
) -> dict[str, Any]:
    """A Put claiming `key` for this operation (unless a live claim exists), with the outcome."""
    from chalicelib.settings import get_settings

    item = {
        "id": _claim_id(tenant_id, operation, key),
        "fingerprint": fingerprint,
        "outcome": outcome,
        "expiration": now + ttl,
    }
    return {
        "Put": {
            "TableName": get_settings().idempotency_table_name,
            "Item": to_ddb(item),
            "ConditionExpression": "attribute_not_exists(id) OR expiration < :now",
            "ExpressionAttributeValues": _values({":now": now}),
        }
    }


def get_claim(tenant_id: str, operation: str, key: str, now: int) -> dict[str, Any] | None:
    """The live claim on `key` (its fingerprint and outcome), or None."""
    from chalicelib.settings import get_settings

    reply = ddb().get_item(
        TableName=get_settings().idempotency_table_name,
        Key={"id": {"S": _claim_id(tenant_id, operation, key)}},
        ConsistentRead=True,
    )
    item = from_ddb(reply["Item"]) if "Item" in reply else None
    return item if item and as_int(item.get("expiration")) >= now else None


# --- suppliers and purchase orders ------------------------------------------------------

SUPPLIER_PREFIX = "SUPPLIER#"
PO_PREFIX = "PO#"


def _get(pk: str, sk: str, consistent: bool = True) -> dict[str, Any] | None:
    reply = ddb().get_item(TableName=table(), Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=consistent)
    return from_ddb(reply["Item"]) if "Item" in reply else None


def _page(
    pk: str,
    prefix: str,
    *,
    limit: int,
    after: str | None,
    newest_first: bool = False,
    filter_expression: str | None = None,
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of items under one partition whose sort keys start with `prefix`, optionally
    filtered; returns (items, the sort-key suffix to continue after, or None).

    Filters run inside DynamoDB, so a full page may take several Query calls; we stop as soon
    as the page is full and hand back the last key returned as the place to go on from.
    """
    params: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": pk, ":prefix": prefix, **(values or {})}),
        "ScanIndexForward": not newest_first,
    }
    if filter_expression:
        params["FilterExpression"] = filter_expression
    if names:
        params["ExpressionAttributeNames"] = names
    start = {"PK": {"S": pk}, "SK": {"S": prefix + after}} if after else None
    items: list[dict[str, Any]] = []
    while True:
        if start:
            params["ExclusiveStartKey"] = start
        # With a filter, ask for a little more than we need: the filter drops some of what is read.
        params["Limit"] = max(limit - len(items), 25) if filter_expression else limit - len(items)
        reply = ddb().query(**params)
        for raw in reply.get("Items", []):
            items.append(from_ddb(raw))
            if len(items) == limit:
                more = raw != reply["Items"][-1] or "LastEvaluatedKey" in reply
                return items, (items[-1]["SK"][len(prefix) :] if more else None)
        start = reply.get("LastEvaluatedKey")
        if not start:
            return items, None


def put_supplier(tenant_id: str, supplier: dict[str, Any]) -> None:
    ddb().put_item(
        **new_item(shop_pk(tenant_id), SUPPLIER_PREFIX + supplier["supplier_id"], {"type": "supplier", **supplier})[
            "Put"
        ]
    )


def get_supplier(tenant_id: str, supplier_id: str) -> dict[str, Any] | None:
    return _get(shop_pk(tenant_id), SUPPLIER_PREFIX + supplier_id)


def query_suppliers(tenant_id: str, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
    return _page(shop_pk(tenant_id), SUPPLIER_PREFIX, limit=limit, after=after, newest_first=False)


def update_supplier(tenant_id: str, supplier_id: str, changes: dict[str, Any], remove: list[str]) -> dict[str, Any]:
    expression, names, values = _updates(changes, removes=remove)
    try:
        reply = ddb().update_item(
            TableName=table(),
            Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SUPPLIER_PREFIX + supplier_id}},
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=_values(values),
            ReturnValues="ALL_NEW",
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        raise ConditionFailed() from None
    return from_ddb(reply["Attributes"])


def put_purchase_order(tenant_id: str, order: dict[str, Any]) -> None:
    ddb().put_item(
        **new_item(shop_pk(tenant_id), PO_PREFIX + order["po_id"], {"type": "purchase_order", **order})["Put"]
    )


def get_purchase_order(tenant_id: str, po_id: str) -> dict[str, Any] | None:
    return _get(shop_pk(tenant_id), PO_PREFIX + po_id)


def query_purchase_orders(
    tenant_id: str, limit: int, after: str | None, status: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    if not status:
        return _page(shop_pk(tenant_id), PO_PREFIX, limit=limit, after=after, newest_first=True)
    return _page(
        shop_pk(tenant_id),
        PO_PREFIX,
        limit=limit,
        after=after,
        newest_first=True,
        filter_expression="#status = :status",
        names={"#status": "status"},
        values={":status": status},
    )


def versioned_change(pk: str, sk: str, version: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Update an item (an order, a transfer) only if it is still at `version`; bumps the version."""
    expression, names, values = _updates(changes, {"version": 1})
    names["#version_check"] = "version"
    values[":version_check"] = version
    return {
        "Update": {
            "TableName": table(),
            "Key": {"PK": {"S": pk}, "SK": {"S": sk}},
            "UpdateExpression": expression,
            "ConditionExpression": "#version_check = :version_check",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": _values(values),
        }
    }


def purchase_order_change(tenant_id: str, po_id: str, version: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a purchase order's changing fields if it is still at `version`."""
    return versioned_change(shop_pk(tenant_id), PO_PREFIX + po_id, version, changes)


# --- stock alerts -------------------------------------------------------------------------

ALERT_PREFIX = "ALERT#"


def _mark(key: dict[str, Any], sets: dict[str, Any], adds: dict[str, Any] | None, removes: tuple[str, ...],
          condition: str, condition_values: dict[str, Any]) -> bool:
    """Move one alert's state (a product's, or a predictive alert's); False if its condition no
    longer holds (it changed meanwhile)."""
    expression, names, values = _updates(sets, adds, removes)
    values.update(condition_values)
    params: dict[str, Any] = {
        "TableName": table(), "Key": key, "UpdateExpression": expression, "ConditionExpression": condition,
        "ExpressionAttributeValues": _values(values),
    }  # fmt: skip
    if names:
        params["ExpressionAttributeNames"] = names
    try:
        ddb().update_item(**params)
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


def _mark_alert(tenant_id: str, sku: str, sets: dict[str, Any], adds: dict[str, Any] | None,
                removes: tuple[str, ...], condition: str, condition_values: dict[str, Any]) -> bool:
    return _mark(product_key(tenant_id, sku), sets, adds, removes, condition, condition_values)


def alert_pending(tenant_id: str, product: dict[str, Any], alert_id: str, at: str) -> bool:
    """Record an alert attempt before sending, only if the product is still low and its alert
    state is still as read; False if either changed."""
    old = product.get("alert_state")
    condition = "attribute_exists(low_pk) AND " + (
        "attribute_not_exists(alert_state)" if old is None else "alert_state = :old AND alert_id = :old_id"
    )
    values = {} if old is None else {":old": old, ":old_id": product.get("alert_id", "")}
    return _mark_alert(
        tenant_id, product["sku"], {"alert_state": "pending", "alert_id": alert_id, "alert_at": at},
        {"alert_tries": 1}, (), condition, values,
    )  # fmt: skip


def alert_sent(tenant_id: str, sku: str, alert_id: str) -> None:
    """The attempt `alert_id` is settled: the product stays quiet until it is re-armed."""
    _mark_alert(tenant_id, sku, {"alert_state": "alerted"}, None, ("alert_tries",), "alert_id = :id", {":id": alert_id})


def alert_not_sent(tenant_id: str, sku: str, alert_id: str) -> None:
    """The attempt `alert_id` sent nothing: back as it was (the try not counted)."""
    _mark_alert(tenant_id, sku, {}, {"alert_tries": -1}, ("alert_state", "alert_id", "alert_at"),
                "alert_id = :id", {":id": alert_id})  # fmt: skip


def put_alert(tenant_id: str, alert: dict[str, Any]) -> None:
    ddb().put_item(**new_item(shop_pk(tenant_id), ALERT_PREFIX + alert["alert_id"], {"type": "alert", **alert})["Put"])


def update_alert(tenant_id: str, alert_id: str, changes: dict[str, Any]) -> None:
    expression, names, values = _updates(changes)
    ddb().update_item(
        TableName=table(),
        Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": ALERT_PREFIX + alert_id}},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=_values(values),
    )


def query_alerts(tenant_id: str, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
    return _page(shop_pk(tenant_id), ALERT_PREFIX, limit=limit, after=after, newest_first=True)


def update_shop(tenant_id: str, changes: dict[str, Any], removes: list[str] | None = None) -> dict[str, Any]:
    """Change the shop's profile (ConditionFailed if the shop is gone)."""
    expression, names, values = _updates(changes, None, removes or [])
    try:
        reply = ddb().update_item(
            TableName=table(),
            Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SHOP_SK}},
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=_values(values),
            ReturnValues="ALL_NEW",
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        raise ConditionFailed(["ConditionalCheckFailed"]) from None
    return from_ddb(reply["Attributes"])


def get_suppliers(tenant_id: str, supplier_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Suppliers by id (for the alert digest)."""
    keys = [{"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SUPPLIER_PREFIX + i}} for i in supplier_ids if i]
    return {item["supplier_id"]: item for item in _batch_get(keys, consistent=False)}


# --- catalogue-wide reads (stock valuation, dead stock, exports) --------------------------

def iter_products(tenant_id: str) -> Iterator[dict[str, Any]]:
    """Every live product of a shop, in SKU order (one Query page after another)."""
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "FilterExpression": "attribute_not_exists(deleted_at)",
        "ExpressionAttributeValues": _values({":pk": shop_pk(tenant_id), ":prefix": PRODUCT_PREFIX}),
    })


def _query_all(params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a Query matches, following LastEvaluatedKey page after page."""
    params = {"TableName": table(), **params}
    while True:
        reply = ddb().query(**params)
        for raw in reply.get("Items", []):
            yield from_ddb(raw)
        if "LastEvaluatedKey" not in reply:
            return
        params["ExclusiveStartKey"] = reply["LastEvaluatedKey"]

def get_products(tenant_id: str, skus: list[str], consistent: bool = True) -> dict[str, dict[str, Any]]:
    """Products by SKU (found ones only, deleted included), 100 keys per BatchGetItem (lists that
    may be a moment behind read eventually consistent, at half the price)."""
    keys = [product_key(tenant_id, sku) for sku in skus]
    return {item["sku"]: item for item in _batch_get(keys, consistent=consistent)}


def existing_sales(tenant_id: str, sale_ids: list[str]) -> set[str]:
    """Which of these sale ids are already recorded (imports skip them)."""
    keys = [{"PK": {"S": sales_pk(tenant_id)}, "SK": {"S": SALE_PREFIX + sid}} for sid in sale_ids]
    return {item["sale_id"] for item in _batch_get(keys, consistent=True)}


def touch_last_sold(tenant_id: str, sku: str, at: str) -> None:
    """Move a product's last sale time forward to `at` (never back)."""
    try:
        ddb().update_item(
            TableName=table(), Key=product_key(tenant_id, sku),
            UpdateExpression="SET last_sold_at = :at",
            ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(last_sold_at) OR last_sold_at < :at)",
            ExpressionAttributeValues=_values({":at": at}),
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        pass  # it already sold later than that


# --- the shop's people and the emails it sent -----------------------------------------------

USER_PREFIX = "USER#"
MAIL_PREFIX = "MAIL#"


def _user_key(tenant_id: str, user_id: str) -> dict[str, Any]:
    return {"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": USER_PREFIX + user_id}}


def put_member(tenant_id: str, user: dict[str, Any]) -> bool:
    """Record one of the shop's people (keyed by their Cognito id) unless already recorded;
    False when they were."""
    try:
        ddb().put_item(**new_item(shop_pk(tenant_id), USER_PREFIX + user["user_id"], {"type": "user", **user})["Put"])
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


def get_member(tenant_id: str, user_id: str, consistent: bool = True) -> dict[str, Any] | None:
    return _get(shop_pk(tenant_id), USER_PREFIX + user_id, consistent)


def member_status(tenant_id: str, user_id: str) -> str | None:
    """Only the person's status (the sign-in check reads it; eventually consistent: half a unit)."""
    reply = ddb().get_item(
        TableName=table(), Key=_user_key(tenant_id, user_id), ProjectionExpression="#s",
        ExpressionAttributeNames={"#s": "status"},
    )
    return str(reply["Item"]["status"]["S"]) if "Item" in reply and "status" in reply["Item"] else None


def query_members(tenant_id: str) -> list[dict[str, Any]]:
    """The shop's people, removed ones too (a shop has a handful)."""
    return list(_query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": shop_pk(tenant_id), ":prefix": USER_PREFIX}),
    }))


def activate_member(tenant_id: str, user_id: str, at: str) -> None:
    """An invited person signed in for the first time (nothing happens for anyone else)."""
    try:
        ddb().update_item(
            TableName=table(), Key=_user_key(tenant_id, user_id),
            UpdateExpression="SET #s = :active, activated_at = :at",
            ConditionExpression="#s = :invited",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=_values({":active": "active", ":invited": "invited", ":at": at}),
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        pass


def remove_member(tenant_id: str, user_id: str, by_user_id: str, at: str) -> None:
    """Mark a person removed (the record stays, so their unexpired tokens are refused), if they
    are not already, and only while the one removing them is still an active member: two owners
    removing each other cannot both succeed. ConditionFailed otherwise."""
    transact([
        {"Update": {
            "TableName": table(), "Key": _user_key(tenant_id, user_id),
            "UpdateExpression": "SET #s = :removed, removed_at = :at, removed_by = :by",
            "ConditionExpression": "attribute_exists(PK) AND #s <> :removed",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": _values({":removed": "removed", ":at": at, ":by": by_user_id}),
        }},
        {"ConditionCheck": {
            "TableName": table(), "Key": _user_key(tenant_id, by_user_id),
            "ConditionExpression": "#s = :active",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": _values({":active": "active"}),
        }},
    ])


def delete_member(tenant_id: str, user_id: str) -> None:
    """Forget a record whose invitation could not be completed."""
    ddb().delete_item(TableName=table(), Key=_user_key(tenant_id, user_id))


def put_mail(tenant_id: str, mail: dict[str, Any]) -> None:
    """Record an email the shop sent (kind, SES message id, when; never its text or recipients)."""
    ddb().put_item(**new_item(shop_pk(tenant_id), MAIL_PREFIX + mail["mail_id"], {"type": "mail", **mail})["Put"])


def query_mails(tenant_id: str, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
    return _page(shop_pk(tenant_id), MAIL_PREFIX, limit=limit, after=after, newest_first=True)


def claim_order_email(tenant_id: str, po_id: str, at: str, stale_before: str) -> bool:
    """Take the duty of emailing a purchase order to its supplier: True for the one caller that
    moves `supplier_email_due` from pending to sending (or takes over a sending claimed before
    `stale_before`, whose sender died mid-way)."""
    try:
        ddb().update_item(
            TableName=table(), Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": PO_PREFIX + po_id}},
            UpdateExpression="SET supplier_email_due = :sending, supplier_email_claimed_at = :at",
            ConditionExpression="supplier_email_due = :pending OR "
            "(supplier_email_due = :sending AND supplier_email_claimed_at < :stale)",
            ExpressionAttributeValues=_values(
                {":sending": "sending", ":pending": "pending", ":at": at, ":stale": stale_before}
            ),
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


def order_emailed(tenant_id: str, po_id: str, changes: dict[str, Any], sent: bool) -> None:
    """Record how the supplier email went: sent (done for good) or not (pending again, for a retry)."""
    changes = {**changes, "supplier_email_due": "sent" if sent else "pending"}
    expression, names, values = _updates(changes)
    ddb().update_item(
        TableName=table(), Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": PO_PREFIX + po_id}},
        UpdateExpression=expression, ExpressionAttributeNames=names, ExpressionAttributeValues=_values(values),
    )


# --- daily summary ------------------------------------------------------------------------
#
# Shops that asked for the daily summary are filed under the UTC hour their chosen local hour
# falls on (PK "DAILY#<hh>", SK the tenant), so the schedule reads only the few hours around
# now, never the shops table. Each summary sent claims its local day first ("SUMMARY#<day>" in
# the shop's partition, written only if absent): a schedule that runs twice or late cannot send
# a second one for the same day.

DAILY_BUCKET_PREFIX = "DAILY#"
SUMMARY_PREFIX = "SUMMARY#"


def _daily_bucket_key(utc_hour: int, tenant_id: str) -> dict[str, Any]:
    return {"PK": {"S": f"{DAILY_BUCKET_PREFIX}{utc_hour:02d}"}, "SK": {"S": tenant_id}}


def set_daily_summary(
    tenant_id: str, changes: dict[str, Any], old_hour: int | None, new_hour: int | None
) -> dict[str, Any]:
    """Shop settings and the shop's place in the hour buckets, in one transaction."""
    expression, names, values = _updates({**changes, "daily_summary_utc_hour": new_hour})
    actions: list[dict[str, Any]] = [{
        "Update": {
            "TableName": table(),
            "Key": {"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SHOP_SK}},
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": _values(values),
        }
    }]
    if old_hour is not None and old_hour != new_hour:
        actions.append({"Delete": {"TableName": table(), "Key": _daily_bucket_key(old_hour, tenant_id)}})
    if new_hour is not None:
        item = {**_daily_bucket_key(new_hour, tenant_id), **to_ddb({"type": "daily_bucket", "tenant_id": tenant_id})}
        actions.append({"Put": {"TableName": table(), "Item": item}})
    _transact(actions)
    return get_shop(tenant_id) or {}


def unfile_daily_summary(tenant_id: str, utc_hour: int) -> None:
    """A bucket entry whose shop is gone or no longer asks for the summary."""
    ddb().delete_item(TableName=table(), Key=_daily_bucket_key(utc_hour, tenant_id))


def daily_bucket(utc_hour: int) -> Iterator[str]:
    """Tenants filed under this UTC hour (eventually consistent: the schedule runs again soon)."""
    for item in _query_all({
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": _values({":pk": f"{DAILY_BUCKET_PREFIX}{utc_hour:02d}"}),
    }):
        yield item["SK"]


def claim_summary_day(tenant_id: str, day: str, at: str) -> bool:
    """Claim the shop's local day for its summary; False if it was claimed already."""
    try:
        ddb().put_item(**new_item(shop_pk(tenant_id), SUMMARY_PREFIX + day,
                                  {"type": "daily_summary", "day": day, "status": "sending", "claimed_at": at})["Put"])
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


def release_summary_day(tenant_id: str, day: str) -> None:
    """Nothing was sent (SES refused): the next run may try that day again."""
    ddb().delete_item(TableName=table(), Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SUMMARY_PREFIX + day}})


def settle_summary_day(tenant_id: str, day: str, changes: dict[str, Any]) -> None:
    expression, names, values = _updates(changes)
    ddb().update_item(
        TableName=table(),
        Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SUMMARY_PREFIX + day}},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=_values(values),
    )


# --- forecasts ------------------------------------------------------------------------------
# A shop's forecasts live in their own partition (SHOP#<tenant>#FORECAST, SK the SKU): the nightly
# run writes them in batches, the reorder screen and the stock-out list read the partition.
# Shops with sales on a day are listed under ACTIVE#<day> (SK the shop), so the nightly run finds
# the shops to forecast with a Query per day, never a Scan.

ACTIVE_PREFIX = "ACTIVE#"
ACTIVE_TTL_DAYS = 30
_marked_active: set[tuple[str, str]] = set()


def forecast_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#FORECAST"


def mark_shop_active(tenant_id: str, day: str) -> None:
    """Note that the shop had sales dated `day`; once per warm process per shop and day."""
    if (tenant_id, day) in _marked_active:
        return
    ddb().put_item(TableName=table(), Item=to_ddb({
        "PK": ACTIVE_PREFIX + day, "SK": tenant_id, "tenant_id": tenant_id,
        "expires": int(time.time()) + ACTIVE_TTL_DAYS * 86400,
    }))  # fmt: skip
    _marked_active.add((tenant_id, day))


def active_shops(day: str) -> Iterator[str]:
    """Shops that had sales dated `day`."""
    for item in _query_all({
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": _values({":pk": ACTIVE_PREFIX + day}),
        "ProjectionExpression": "tenant_id",
    }):
        yield item["tenant_id"]


def product_day_units(tenant_id: str, first: str, last: str, sku: str | None = None) -> Iterator[dict[str, Any]]:
    """(sku, day, units) of each product-day with sales from `first` to `last`; one product's only
    with `sku` (DynamoDB still reads the other products' days of the range, then drops them)."""
    params: dict[str, Any] = {
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
        "ProjectionExpression": "sku, #day, units",
        "ExpressionAttributeNames": {"#day": "day"},
    }
    values: dict[str, Any] = {":pk": rollup_pk(tenant_id), ":low": "PDAY#" + first, ":high": "PDAY#" + last + "\uffff"}
    if sku is not None:
        params["FilterExpression"] = "sku = :sku"
        values[":sku"] = sku
    params["ExpressionAttributeValues"] = _values(values)
    return _query_all(params)


def movements_since(tenant_id: str, sku: str, since: str) -> Iterator[dict[str, Any]]:
    """A product's ledger entries (at, change, on_hand_after, kind, location_id), newest first, back to `since` (ISO
    time) and one entry before it, which gives the stock on hand when `since` began."""
    params = {
        "TableName": table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": ledger_pk(tenant_id, sku), ":prefix": MOVE_PREFIX}),
        "ProjectionExpression": "#at, change, on_hand_after, kind, location_id",
        "ExpressionAttributeNames": {"#at": "at"},
        "ScanIndexForward": False,
        "Limit": 200,
    }
    while True:
        reply = ddb().query(**params)
        for raw in reply.get("Items", []):
            item = from_ddb(raw)
            yield item
            if str(item.get("at", "")) < since:
                return
        if "LastEvaluatedKey" not in reply:
            return
        params["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


FORECAST_PREFIX = "F#"
RISK_PREFIX = "RISK#"  # a product's predictive alert was sent: kept until it is restocked


def put_forecasts(tenant_id: str, items: list[dict[str, Any]]) -> None:
    """Write forecasts (each replaces the product's last), 25 to a BatchWriteItem."""
    _batch_write(forecast_pk(tenant_id), [(FORECAST_PREFIX + item["sku"], item) for item in items], [])


def _batch_write(pk: str, puts: list[tuple[str, dict[str, Any]]], deletes: list[str]) -> None:
    requests = [{"PutRequest": {"Item": to_ddb({"PK": pk, "SK": sk, **item})}} for sk, item in puts]
    requests += [{"DeleteRequest": {"Key": {"PK": {"S": pk}, "SK": {"S": sk}}}} for sk in deletes]
    for start in range(0, len(requests), 25):
        request: dict[str, Any] = {table(): requests[start:start + 25]}
        delay = 0.02
        while request:
            reply = ddb().batch_write_item(RequestItems=request)
            request = reply.get("UnprocessedItems") or {}
            if request:
                time.sleep(delay)
                delay = min(delay * 2, 1.0)


def get_forecast(tenant_id: str, sku: str) -> dict[str, Any] | None:
    return _get(forecast_pk(tenant_id), FORECAST_PREFIX + sku, consistent=False)


def get_forecasts(tenant_id: str, skus: list[str]) -> dict[str, dict[str, Any]]:
    """The stored forecasts of these products (those that have one), by SKU."""
    keys = [{"PK": {"S": forecast_pk(tenant_id)}, "SK": {"S": FORECAST_PREFIX + sku}} for sku in skus]
    return {item["sku"]: item for item in _batch_get(keys, consistent=False)}


def query_forecasts(tenant_id: str, at_risk_only: bool = False) -> Iterator[dict[str, Any]]:
    """A shop's stored forecasts (only those expected to run out before a delivery, if asked)."""
    values: dict[str, Any] = {":pk": forecast_pk(tenant_id), ":prefix": FORECAST_PREFIX}
    params: dict[str, Any] = {"KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)"}
    if at_risk_only:
        params["FilterExpression"] = "at_risk = :yes"
        values[":yes"] = True
    params["ExpressionAttributeValues"] = _values(values)
    return _query_all(params)


def risk_alerts(tenant_id: str) -> dict[str, dict[str, Any]]:
    """The products whose predictive alert was sent (or is being sent), by SKU."""
    return {item["sku"]: item for item in _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": forecast_pk(tenant_id), ":prefix": RISK_PREFIX}),
    })}  # fmt: skip


def claim_risk_alert(tenant_id: str, sku: str, alert_id: str, runs_out_on: str,
                     extra: dict[str, Any] | None = None) -> bool:
    """Record a product's predictive alert before sending; False if it already has one."""
    try:
        ddb().put_item(**new_item(forecast_pk(tenant_id), RISK_PREFIX + sku,
                                  {"sku": sku, "alert_id": alert_id, "runs_out_on": runs_out_on,
                                   **(extra or {})})["Put"])
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


def clear_risk_alerts(tenant_id: str, skus: list[str]) -> None:
    """Re-arm these products' predictive alerts (restocked, or the email was not sent)."""
    _batch_write(forecast_pk(tenant_id), [], [RISK_PREFIX + sku for sku in skus])


# A predictive alert that is due (filed by the nightly forecast run, not yet in a digest) carries
# keys in the low-stock index under its own partitions (RISKDUE#<shard>), so the stock check finds
# it beside the low products without reading anything else, and a shop's low-stock list (LOW#)
# never sees it. Its keys go when a digest has named it.
RISK_DUE_PREFIX = "RISKDUE#"


def risk_due_keys(tenant_id: str, sku: str) -> dict[str, str]:
    return {"low_pk": f"{RISK_DUE_PREFIX}{_shard(tenant_id, LOW_STOCK_SHARDS)}", "low_sk": f"{tenant_id}#{sku}"}


def file_risk_alert(tenant_id: str, sku: str, runs_out_on: str) -> bool:
    """A product newly expected to run out: due for the next stock digest; False if it already
    has a predictive alert (due, being sent or sent)."""
    return claim_risk_alert(tenant_id, sku, "", runs_out_on, risk_due_keys(tenant_id, sku))


def query_risk_due(shard: int) -> Iterator[dict[str, Any]]:
    """Every due predictive alert in one shard, with the shop's id split out."""
    return _query_low_stock_index(f"{RISK_DUE_PREFIX}{shard}")


def _mark_risk(tenant_id: str, sku: str, sets: dict[str, Any], adds: dict[str, Any] | None,
               removes: tuple[str, ...], condition: str, condition_values: dict[str, Any]) -> bool:
    key = {"PK": {"S": forecast_pk(tenant_id)}, "SK": {"S": RISK_PREFIX + sku}}
    return _mark(key, sets, adds, removes, condition, condition_values)


def risk_pending(tenant_id: str, item: dict[str, Any], alert_id: str, at: str) -> bool:
    """Record a digest's attempt at a due predictive alert before sending, only if still as read."""
    old = item.get("alert_state")
    condition = "attribute_exists(low_pk) AND " + (
        "attribute_not_exists(alert_state)" if old is None else "alert_state = :old AND alert_id = :old_id")
    values = {} if old is None else {":old": old, ":old_id": item.get("alert_id", "")}
    return _mark_risk(tenant_id, item["sku"], {"alert_state": "pending", "alert_id": alert_id, "alert_at": at},
                      {"alert_tries": 1}, (), condition, values)


def risk_sent(tenant_id: str, sku: str, alert_id: str) -> None:
    """Named in the digest `alert_id`: out of the index, kept (quiet) until the product is restocked."""
    _mark_risk(tenant_id, sku, {"alert_state": "alerted"}, None, ("alert_tries", *LOW_STOCK_KEYS),
               "alert_id = :id", {":id": alert_id})


def risk_not_sent(tenant_id: str, sku: str, alert_id: str) -> None:
    """The attempt `alert_id` sent nothing: due again (the try not counted)."""
    _mark_risk(tenant_id, sku, {}, {"alert_tries": -1}, ("alert_state", "alert_id", "alert_at"),
               "alert_id = :id", {":id": alert_id})


# --- locations: stock per product per location ---------------------------------------------
#
# A product's stock per location lives on the product item as a map, `stock: {location_id:
# {on_hand, min_stock}}`, so one conditional update still covers its total (`on_hand`, kept as
# the sum) and every location at once, and a sale stays one read. A product written before
# locations existed has no map: all of its stock and its minimum are the first location's
# (`main`), which is how stock_map reads it until the movement primitive or the migration
# writes the map.

MAIN_LOCATION = "main"
LOCATION_PREFIX = "LOCATION#"
TRANSFER_PREFIX = "TRANSFER#"
TRANSIT_KEY = "#TRANSIT"  # the stock value counter of stock in transit (no till is named so)


def stock_map(product: dict[str, Any]) -> dict[str, dict[str, Decimal]]:
    """{location_id: {"on_hand", "min_stock"}} of a product, from either shape."""
    stored = product.get("stock")
    if isinstance(stored, dict):
        return {loc: {"on_hand": as_qty(level.get("on_hand")), "min_stock": as_qty(level.get("min_stock"))}
                for loc, level in stored.items()}  # fmt: skip
    legacy = {"on_hand": as_qty(product.get("on_hand")), "min_stock": as_qty(product.get("min_stock"))}
    return {MAIN_LOCATION: legacy}


def low_locations(stock: dict[str, dict[str, Decimal]]) -> list[str]:
    """The locations where a product is at or below its minimum there."""
    return sorted(loc for loc, lv in stock.items() if lv["min_stock"] > 0 and lv["on_hand"] <= lv["min_stock"])


def stock_level_fields(
    tenant_id: str, sku: str, before: dict[str, dict[str, Decimal]], after: dict[str, dict[str, Decimal]]
) -> tuple[dict[str, Any], list[str]]:
    """low_stock_fields for stock per location: in the index while any location is low. A
    location newly low while another already was re-arms the alert, so the digest names it."""
    low_before, low_after = set(low_locations(before)), set(low_locations(after))
    if not low_after:
        return {}, [*LOW_STOCK_KEYS, *ALERT_FIELDS]
    if low_before and low_after - low_before:
        return dict(low_stock_keys(tenant_id, sku)), list(ALERT_FIELDS)
    return dict(low_stock_keys(tenant_id, sku)), []


def value_key(till: str, location: str) -> str:
    """The stock value counter of a till's movements at a location. The first location keeps the
    till's own counter (its value from before locations existed is Main's)."""
    return till if location == MAIN_LOCATION else f"{till}@{location}"


def _value_by_location(
    product: dict[str, Any], sets: dict[str, Any], removes: list[str]
) -> dict[str, dict[str, Decimal]]:
    """An edit's change in stock value (cost, price or deletion) at each location holding the
    product's stock; a deletion also takes its units off each location."""
    split: dict[str, dict[str, Decimal]] = {}
    for loc, lv in stock_map(product).items():
        change = _value_change({**product, "on_hand": lv["on_hand"]}, sets, removes)
        if "deleted_at" in sets and lv["on_hand"]:
            change["units"] = -lv["on_hand"]
        if any(change.values()):
            split[loc] = change
    return split


def stock_value_by_key(tenant_id: str) -> dict[str, dict[str, Decimal]]:
    """Every stock value counter of a shop by its key ("<till>", "<till>@<location>", transit)."""
    return {
        item["SK"]: {k: Decimal(item.get(k) or 0) for k in ("value_cost", "value_retail", "units")}
        for item in _query_all({
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": _values({":pk": _stock_value_pk(tenant_id)}),
            "ConsistentRead": True,
        })
    }  # fmt: skip


def counter_location(key: str) -> str | None:
    """The location a stock value counter belongs to (None: stock in transit)."""
    if key == TRANSIT_KEY:
        return None
    return key.split("@", 1)[1] if "@" in key else MAIN_LOCATION


def transit_value_add(tenant_id: str, adds: dict[str, Any]) -> dict[str, Any]:
    return stock_value_add(tenant_id, TRANSIT_KEY, adds)


def location_item_key(tenant_id: str, location_id: str) -> dict[str, Any]:
    return {"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": LOCATION_PREFIX + location_id}}


def location_open_check(tenant_id: str, location_id: str) -> dict[str, Any]:
    """A transaction's check that a location exists and is not being deleted."""
    return {
        "ConditionCheck": {
            "TableName": table(),
            "Key": location_item_key(tenant_id, location_id),
            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(closing)",
        }
    }


def put_location(tenant_id: str, location: dict[str, Any]) -> None:
    ddb().put_item(**new_item(shop_pk(tenant_id), LOCATION_PREFIX + location["location_id"],
                              {"type": "location", **location})["Put"])  # fmt: skip


def get_location(tenant_id: str, location_id: str) -> dict[str, Any] | None:
    return _get(shop_pk(tenant_id), LOCATION_PREFIX + location_id)


def query_locations(tenant_id: str) -> list[dict[str, Any]]:
    return list(_query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": shop_pk(tenant_id), ":prefix": LOCATION_PREFIX}),
        "ConsistentRead": True,
    }))  # fmt: skip


def mark_location_closing(tenant_id: str, location_id: str, closing: bool) -> bool:
    """Mark a location as being deleted (no stock may arrive), or clear the mark; False if it
    is gone (or, when marking, already being deleted)."""
    change: dict[str, Any] = (
        {"UpdateExpression": "SET closing = :t", "ExpressionAttributeValues": _values({":t": True})}
        if closing else {"UpdateExpression": "REMOVE closing"}
    )  # fmt: skip
    try:
        ddb().update_item(TableName=table(), Key=location_item_key(tenant_id, location_id),
                          ConditionExpression="attribute_exists(PK)", **change)  # fmt: skip
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


def delete_location(tenant_id: str, location_id: str) -> None:
    ddb().delete_item(TableName=table(), Key=location_item_key(tenant_id, location_id))


def put_transfer(tenant_id: str, transfer: dict[str, Any]) -> dict[str, Any]:
    return new_item(shop_pk(tenant_id), TRANSFER_PREFIX + transfer["transfer_id"], {"type": "transfer", **transfer})


def get_transfer(tenant_id: str, transfer_id: str) -> dict[str, Any] | None:
    return _get(shop_pk(tenant_id), TRANSFER_PREFIX + transfer_id)


def transfer_change(tenant_id: str, transfer_id: str, version: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Update a transfer if it is still at `version`; bumps the version."""
    return versioned_change(shop_pk(tenant_id), TRANSFER_PREFIX + transfer_id, version, changes)


def query_transfers(
    tenant_id: str, limit: int, after: str | None, open_only: bool = False
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of a shop's transfers, newest first (optionally only those not fully received)."""
    return _page(shop_pk(tenant_id), TRANSFER_PREFIX, limit=limit, after=after, newest_first=True,
                 filter_expression="#status <> :received" if open_only else None,
                 names={"#status": "status"} if open_only else None,
                 values={":received": "received"} if open_only else None)  # fmt: skip


def product_stock_map_migrate(tenant_id: str, product: dict[str, Any]) -> bool:
    """Write a pre-locations product's stock map (all of it at Main), only if it is still
    unmigrated and at the version read; the version is not bumped (nothing moved). False if it
    changed meanwhile (the caller reads it again)."""
    stock = stock_map(product)
    try:
        ddb().update_item(
            TableName=table(), Key=product_key(tenant_id, product["sku"]),
            UpdateExpression="SET #stock = :stock",
            ConditionExpression="attribute_not_exists(#stock) AND #version = :version",
            ExpressionAttributeNames={"#stock": "stock", "#version": "version"},
            ExpressionAttributeValues=_values({":stock": stock, ":version": product["version"]}),
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


def iter_all_products(tenant_id: str) -> Iterator[dict[str, Any]]:
    """Every product of a shop, deleted ones too (the migration)."""
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": shop_pk(tenant_id), ":prefix": PRODUCT_PREFIX}),
    })


# --- customers ----------------------------------------------------------------------------
#
# A shop's customers live in a partition of their own: one item per customer (totals kept as
# sales and returns happen, profile, RFM) and one small reference per sale they made
# (CSALE#<customer>#<sale id>, time-ordered), so a customer's history is one Query, newest first.

CUSTOMER_PREFIX = "CUST#"
CSALE_PREFIX = "CSALE#"
CUSTOMER_SHOPS_PK = "CUSTOMERSHOPS"  # shops that have customers: what the nightly RFM job visits


def customers_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#CUSTOMERS"


def _customer_key(tenant_id: str, customer_id: str) -> dict[str, Any]:
    return {"PK": {"S": customers_pk(tenant_id)}, "SK": {"S": CUSTOMER_PREFIX + customer_id}}


def customer_seen(tenant_id: str, customer_id: str, at: str, profile: dict[str, Any]) -> bool:
    """Move a customer's first and last purchase to take in `at` (creating the customer on first
    sight, with the profile the newest purchase gave). Min and max are idempotent, so this may run
    again for the same sale. True if the customer is new."""
    expression, names, values = _updates({**profile, "type": "customer", "customer_id": customer_id,
                                          "last_purchase": at})  # fmt: skip
    names["#first"], names["#last"] = "first_purchase", "last_purchase"
    values[":at"] = at
    try:
        reply = ddb().update_item(
            TableName=table(), Key=_customer_key(tenant_id, customer_id),
            UpdateExpression=expression + ", #first = if_not_exists(#first, :at)",
            ConditionExpression="attribute_not_exists(#last) OR #last < :at",
            ExpressionAttributeNames=names, ExpressionAttributeValues=_values(values), ReturnValues="UPDATED_OLD",
        )  # fmt: skip
    except ddb().exceptions.ConditionalCheckFailedException:
        pass  # an older purchase (history imported, a sale dated back): perhaps the first one
    else:
        new = "last_purchase" not in from_ddb(reply.get("Attributes") or {})
        if new:
            ddb().put_item(TableName=table(), Item=to_ddb({"PK": CUSTOMER_SHOPS_PK, "SK": tenant_id}))
        return new
    try:
        ddb().update_item(
            TableName=table(), Key=_customer_key(tenant_id, customer_id),
            UpdateExpression="SET first_purchase = :at", ConditionExpression="first_purchase > :at",
            ExpressionAttributeValues=_values({":at": at}),
        )  # fmt: skip
    except ddb().exceptions.ConditionalCheckFailedException:
        pass
    return False


def customer_add(tenant_id: str, customer_id: str, adds: dict[str, Any]) -> dict[str, Any]:
    """Add to a customer's totals (orders, revenue, cost, returns), for a caller's transaction."""
    return counters_add(customers_pk(tenant_id), CUSTOMER_PREFIX + customer_id, adds)


def customer_sale_put(tenant_id: str, customer_id: str, ref: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"TableName": table(), "Item": to_ddb({
        "PK": customers_pk(tenant_id), "SK": f"{CSALE_PREFIX}{customer_id}#{ref['sale_id']}", "type": "customer_sale",
        **ref})}}  # fmt: skip


def customer_sale_add(tenant_id: str, customer_id: str, sale_id: str, adds: dict[str, Any]) -> dict[str, Any]:
    return counters_add(customers_pk(tenant_id), f"{CSALE_PREFIX}{customer_id}#{sale_id}", adds)


def get_customer(tenant_id: str, customer_id: str) -> dict[str, Any] | None:
    return _get(customers_pk(tenant_id), CUSTOMER_PREFIX + customer_id, consistent=False)


def get_customers(tenant_id: str, customer_ids: list[str]) -> dict[str, dict[str, Any]]:
    keys = [_customer_key(tenant_id, cid) for cid in customer_ids]
    return {item["customer_id"]: item for item in _batch_get(keys, consistent=False)}


def iter_customers(tenant_id: str) -> Iterator[dict[str, Any]]:
    """Every customer of a shop (one Query page after another, eventually consistent)."""
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": customers_pk(tenant_id), ":prefix": CUSTOMER_PREFIX}),
    })


def query_customer_sales(tenant_id: str, customer_id: str, limit: int) -> list[dict[str, Any]]:
    """A customer's most recent sale references, newest first."""
    reply = ddb().query(
        TableName=table(),
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues=_values({":pk": customers_pk(tenant_id), ":prefix": f"{CSALE_PREFIX}{customer_id}#"}),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [from_ddb(raw) for raw in reply.get("Items", [])]


def set_customer(tenant_id: str, customer_id: str, sets: dict[str, Any], removes: list[str] | None = None) -> None:
    """Change fields of an existing customer (RFM, forgetting the person)."""
    expression, names, values = _updates(sets, None, removes or [])
    params: dict[str, Any] = {
        "TableName": table(), "Key": _customer_key(tenant_id, customer_id), "UpdateExpression": expression,
        "ConditionExpression": "attribute_exists(PK)", "ExpressionAttributeNames": names,
    }  # fmt: skip
    if values:
        params["ExpressionAttributeValues"] = _values(values)
    try:
        ddb().update_item(**params)
    except ddb().exceptions.ConditionalCheckFailedException:
        raise ConditionFailed(["ConditionalCheckFailed"]) from None


def shops_with_customers() -> Iterator[str]:
    for item in _query_all({"KeyConditionExpression": "PK = :pk",
                            "ExpressionAttributeValues": _values({":pk": CUSTOMER_SHOPS_PK})}):  # fmt: skip
        yield item["SK"]


def iter_customer_sales(tenant_id: str, customer_id: str) -> Iterator[dict[str, Any]]:
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": customers_pk(tenant_id),
                                              ":prefix": f"{CSALE_PREFIX}{customer_id}#"}),  # fmt: skip
    })


def set_sale_customer(tenant_id: str, sale_id: str, customer: dict[str, Any]) -> None:
    """Replace what a sale keeps of its customer (forgetting a person)."""
    ddb().update_item(
        TableName=table(),
        Key={"PK": {"S": sales_pk(tenant_id)}, "SK": {"S": SALE_PREFIX + sale_id}},
        UpdateExpression="SET customer = :c",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeValues=_values({":c": customer}),
    )


# --- buyers' feedback ---------------------------------------------------------------------
#
# One item per product per sale (FBP#<sku>#<sale id>: written once, so a second rating is
# refused) and one per rating by time (FBT#<id>) for the report over a period; the product
# carries its rating's sum and count.

FEEDBACK_PRODUCT_PREFIX = "FBP#"
FEEDBACK_TIME_PREFIX = "FBT#"


def feedback_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#FEEDBACK"


def feedback_puts(tenant_id: str, rating: dict[str, Any]) -> list[dict[str, Any]]:
    pk = feedback_pk(tenant_id)
    once = new_item(pk, f"{FEEDBACK_PRODUCT_PREFIX}{rating['sku']}#{rating['sale_id']}", {"type": "feedback", **rating})
    by_time = {"Put": {"TableName": table(), "Item": to_ddb({
        "PK": pk, "SK": f"{FEEDBACK_TIME_PREFIX}{rating['feedback_id']}", "type": "feedback", **rating})}}  # fmt: skip
    return [once, by_time]


def rated_skus(tenant_id: str, sale_id: str, skus: list[str]) -> set[str]:
    """Which of a sale's products were rated already."""
    keys = [{"PK": {"S": feedback_pk(tenant_id)}, "SK": {"S": f"{FEEDBACK_PRODUCT_PREFIX}{sku}#{sale_id}"}}
            for sku in skus]  # fmt: skip
    return {item["sku"] for item in _batch_get(keys, consistent=True)}


def product_feedback(
    tenant_id: str, sku: str, limit: int, after: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """A product's ratings, newest sale first."""
    prefix = f"{FEEDBACK_PRODUCT_PREFIX}{sku}#"
    return _page(feedback_pk(tenant_id), prefix, limit=limit, after=after, newest_first=True)


def feedback_between(tenant_id: str, first_id: str, last_id: str) -> Iterator[dict[str, Any]]:
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
        "ExpressionAttributeValues": _values({":pk": feedback_pk(tenant_id), ":low": FEEDBACK_TIME_PREFIX + first_id,
                                              ":high": FEEDBACK_TIME_PREFIX + last_id}),  # fmt: skip
    })


def take_rate(key: str, limit: int, window: int, now: int) -> bool:
    """Count one call against `key` in the current window of `window` seconds; False once the
    window has had `limit` calls. Kept in the idempotency table, whose TTL clears old keys."""
    start = now - now % window
    return take_window(get_settings().idempotency_table_name, {"id": {"S": f"rate#{key}"}}, window_start=start,
                       take=1, limit=limit, sets={"expiration": start + 2 * window}) > 0


def supplier_orders(tenant_id: str, supplier_id: str) -> Iterator[dict[str, Any]]:
    """Every purchase order of one supplier (the shop's orders, filtered in DynamoDB)."""
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "FilterExpression": "supplier_id = :supplier",
        "ExpressionAttributeValues": _values({":pk": shop_pk(tenant_id), ":prefix": PO_PREFIX,
                                              ":supplier": supplier_id}),  # fmt: skip
    })


# --- bought together ------------------------------------------------------------------------
#
# Per product one item (RELATED#<sku>): `orders` (sales with it) and `w@<other sku>` (sales with
# both); per till the number of sales counted (RELTOTAL#<till>), for lift. Sales before issue 17
# ADDed to them in their rollup transaction; now the nightly run ADDs a day's sales at once
# (RELTOTAL#nightly), each item once per window (see related_add_once).

def related_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#RELATED"


RELATED_WITH = "w@"


def related_items(tenant_id: str, skus: list[str]) -> dict[str, dict[str, Any]]:
    keys = [{"PK": {"S": related_pk(tenant_id)}, "SK": {"S": f"RELATED#{sku}"}} for sku in skus]
    return {item["sku"]: item for item in _batch_get(keys, consistent=False)}


def related_total(tenant_id: str) -> int:
    return sum(as_int(item.get("orders")) for item in _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": related_pk(tenant_id), ":prefix": "RELTOTAL#"}),
    }))


def claim_nightly(job: str, day: str) -> bool:
    """Claim one nightly job's run for a day (False if a run already claimed it)."""
    try:
        ddb().put_item(TableName=table(), Item=to_ddb({"PK": f"NIGHTLY#{job}", "SK": day}),
                       ConditionExpression="attribute_not_exists(PK)")  # fmt: skip
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


# --- imports of any size (issue 18) -----------------------------------------------------
#
# An import is one item beside the shop's profile (SHOP#<t>, IMPORT#<import_id>), with its place
# in the file (byte offset and row) and its counters; its row errors are items of their own
# (SHOP#<t>#IMPORT#<id>, ERR#<first row of the chunk>), so the record stays small however many
# rows are refused. Every chunk moves the place forward in one conditional write: a chunk that
# another run already counted is never counted twice.

IMPORT_PREFIX = "IMPORT#"


def _import_key(tenant_id: str, import_id: str) -> dict[str, Any]:
    return {"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": IMPORT_PREFIX + import_id}}


def _import_errors_pk(tenant_id: str, import_id: str) -> str:
    return f"SHOP#{tenant_id}#IMPORT#{import_id}"


def put_import(tenant_id: str, item: dict[str, Any]) -> None:
    ddb().put_item(**new_item(shop_pk(tenant_id), IMPORT_PREFIX + item["import_id"], {"type": "import", **item})["Put"])


def get_import(tenant_id: str, import_id: str) -> dict[str, Any] | None:
    return _get(shop_pk(tenant_id), IMPORT_PREFIX + import_id)


def query_imports(tenant_id: str, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
    return _page(shop_pk(tenant_id), IMPORT_PREFIX, limit=limit, after=after, newest_first=True)


def update_import(
    tenant_id: str, import_id: str, sets: dict[str, Any], *, status_in: tuple[str, ...] = (),
    worker: str | None = None,
) -> dict[str, Any] | None:
    """Set fields of an import; None when it is not in one of `status_in` (or not held by `worker`)."""
    expression, names, values = _updates(sets)
    conditions = ["attribute_exists(PK)"]
    if status_in:
        names["#st"] = "status"
        conditions.append("#st IN (" + ", ".join(f":st{i}" for i in range(len(status_in))) + ")")
        values.update({f":st{i}": s for i, s in enumerate(status_in)})
    if worker:
        conditions.append("worker = :worker")
        values[":worker"] = worker
    try:
        reply = ddb().update_item(
            TableName=table(), Key=_import_key(tenant_id, import_id), UpdateExpression=expression,
            ConditionExpression=" AND ".join(conditions), ExpressionAttributeNames=names,
            ExpressionAttributeValues=_values(values), ReturnValues="ALL_NEW",
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        return None
    return from_ddb(reply["Attributes"])


def claim_import(tenant_id: str, import_id: str, worker: str, now: str, until: str) -> dict[str, Any] | None:
    """Hold an import for one run until `until` (a run that died lets go when its hold runs out);
    None if another run holds it or it is finished."""
    try:
        reply = ddb().update_item(
            TableName=table(), Key=_import_key(tenant_id, import_id),
            UpdateExpression="SET worker = :worker, lease_until = :until",
            ConditionExpression="attribute_exists(PK) AND #st IN (:waiting, :processing) AND "
                                "(attribute_not_exists(lease_until) OR lease_until < :now OR worker = :worker)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues=_values({":worker": worker, ":until": until, ":now": now,
                                               ":waiting": "waiting_for_upload", ":processing": "processing"}),
            ReturnValues="ALL_NEW",
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        return None
    return from_ddb(reply["Attributes"])


def import_progress(
    tenant_id: str, import_id: str, *, worker: str, offset: int, sets: dict[str, Any], adds: dict[str, Any],
    errors: tuple[int, list[dict[str, Any]]] | None,
) -> bool:
    """Move an import's place on from `offset` (the chunk's start), adding the chunk's counts and
    recording its row errors, all at once; False if this chunk was counted already."""
    expression, names, values = _updates(sets, adds)
    values.update({":offset": offset, ":worker": worker})
    actions: list[dict[str, Any]] = [{
        "Update": {
            "TableName": table(), "Key": _import_key(tenant_id, import_id), "UpdateExpression": expression,
            "ConditionExpression": "next_offset = :offset AND worker = :worker",
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": _values(values),
        }
    }]
    if errors and errors[1]:
        first_row, found = errors
        actions.append({"Put": {"TableName": table(), "Item": to_ddb({
            "PK": _import_errors_pk(tenant_id, import_id), "SK": f"ERR#{first_row:012d}", "errors": found})}})
    try:
        _transact(actions)
    except ConditionFailed:
        return False
    return True


def import_errors(tenant_id: str, import_id: str, limit: int) -> list[dict[str, Any]]:
    """The first `limit` row errors of an import, in row order."""
    found: list[dict[str, Any]] = []
    for item in _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _values({":pk": _import_errors_pk(tenant_id, import_id), ":prefix": "ERR#"}),
    }):
        found += item.get("errors", [])
        if len(found) >= limit:
            break
    return found[:limit]


def sale_imports(tenant_id: str, sale_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Of these sale ids, those recorded: {sale_id: {"import_id", "import_chunk", "parts"}} (what a resumed import
    needs to count exactly and finish a large order)."""
    keys = [{"PK": {"S": sales_pk(tenant_id)}, "SK": {"S": SALE_PREFIX + sid}} for sid in sale_ids]
    found = _batch_get(keys, consistent=True, projection="sale_id, import_id, import_chunk, parts")
    return {item["sale_id"]: item for item in found}


# A sale too large for one transaction writes its rollups in parts: the sale goes in with a
# marker per part (SHOP#<t>#SALEPARTS, <sale_id>#<part>), and each part's rollup writes go in with
# the deletion of its marker, so each part counts exactly once, whenever it runs.


def _parts_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#SALEPARTS"


def sale_part_marker(tenant_id: str, sale_id: str, part: int) -> dict[str, Any]:
    return new_item(_parts_pk(tenant_id), f"{sale_id}#{part:03d}", {"sale_id": sale_id, "part": part})


def sale_part_done(tenant_id: str, sale_id: str, part: int) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": table(),
            "Key": {"PK": {"S": _parts_pk(tenant_id)}, "SK": {"S": f"{sale_id}#{part:03d}"}},
            "ConditionExpression": "attribute_exists(PK)",
        }
    }


def sale_parts_left(tenant_id: str, sale_id: str) -> list[int]:
    return [as_int(item["part"]) for item in _query_all({
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ConsistentRead": True,
        "ExpressionAttributeValues": _values({":pk": _parts_pk(tenant_id), ":prefix": sale_id + "#"}),
    })]


# --- fair limits and usage metering ----------------------------------------------------------
#
# One item per shop per month, USAGE#<yyyy-mm>#<shard> / <tenant_id>: the month's counters
# (requests, sales, emails, read_units, write_units, stored_bytes), ADDed by each warm function's
# buffered flush, and the shop's rate-limit window (win: its start, calls: requests granted in
# it), so a block of tokens and the counters buffered so far go in one write. The month is the
# partition (in a few shards, so no single partition takes every shop's writes): the operator's
# export of a month is one Query per shard, never a Scan. `fl` is the last flush's id: an SDK
# retry of a write that already landed fails its condition instead of counting twice.

USAGE_SHARDS = 4
USAGE_FIELDS = ("requests", "sales", "emails", "read_units", "write_units", "stored_bytes")


def usage_key(tenant_id: str, month: str) -> dict[str, Any]:
    return {"PK": {"S": f"USAGE#{month}#{_shard(tenant_id, USAGE_SHARDS)}"}, "SK": {"S": tenant_id}}


def take_window(
    table_name: str,
    key: dict[str, Any],
    *,
    window_start: int,
    take: int,
    limit: int,
    adds: dict[str, Any] | None = None,
    sets: dict[str, Any] | None = None,
    flush_id: str | None = None,
    opening: bool = False,
) -> int:
    """Take up to `take` of the `limit` tokens of the window starting at `window_start` on one item,
    adding `adds` to its counters in the same write; returns the tokens granted (0: the window is
    spent; the counters are written all the same). `take=0` only adds. With a `flush_id` the write
    happens once however often the SDK retries it. `opening`: the caller has not seen this window
    yet, so it is likely the first to ask (one write instead of a refused one and another)."""
    adds = {k: v for k, v in (adds or {}).items() if v}
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sets_parts: list[str] = []
    for i, (name, value) in enumerate((sets or {}).items()):
        names[f"#s{i}"], values[f":s{i}"] = name, value
        sets_parts.append(f"#s{i} = :s{i}")
    add_parts = []
    for i, (name, value) in enumerate(adds.items()):
        names[f"#a{i}"], values[f":a{i}"] = name, value
        add_parts.append(f"#a{i} :a{i}")
    once = ""
    if flush_id:
        values[":id"] = flush_id
        sets_parts.append("fl = :id")
        once = "(attribute_not_exists(fl) OR fl <> :id)"
    add = f" ADD {', '.join(add_parts)}" if add_parts else ""

    def write(extra_sets: list[str], condition: str, extra_values: dict[str, Any]) -> dict[str, Any] | None:
        """The write; None when it landed, else the item as it was (absent: {})."""
        parts = sets_parts + extra_sets
        params: dict[str, Any] = {
            "TableName": table_name, "Key": key,
            "UpdateExpression": (f"SET {', '.join(parts)}" if parts else "") + add,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }  # fmt: skip
        if not parts and not add:
            return None
        condition = " AND ".join(c for c in (condition, once) if c)
        if condition:
            params["ConditionExpression"] = condition
        if names:
            params["ExpressionAttributeNames"] = names
        if values or extra_values:
            params["ExpressionAttributeValues"] = _values({**values, **extra_values})
        try:
            ddb().update_item(**params)
        except ddb().exceptions.ConditionalCheckFailedException as exc:
            old = exc.response.get("Item")
            return from_ddb(old) if old else {}
        return None

    opened = -1 if opening else window_start  # the window the item is at, as far as we know
    for _ in range(4):  # another function may open the same window meanwhile: decide again
        if take <= 0:
            break
        if opened == window_start:  # the window is open: take from it if `take` tokens are left
            old = write(["calls = calls + :take"], "win = :w AND calls <= :room",
                        {":take": take, ":w": window_start, ":room": limit - take})
        elif opened < window_start:  # the first of this window: open it with our block
            old = write(["win = :w", "calls = :take"], "(attribute_not_exists(win) OR win < :w)",
                        {":take": take, ":w": window_start})
        else:
            break  # a function whose clock runs ahead opened a later window: wait for it
        if old is None or (flush_id and old.get("fl") == flush_id):
            return take  # written (or an SDK retry of our own write, which had landed)
        opened = int(old.get("win", -1))
        if opened == window_start:
            take = min(take, limit - int(old.get("calls", 0)))  # what is left, if anything
    if adds or flush_id:
        write([], "", {})  # no tokens: the counters still go in
    return 0


def usage_months(tenant_id: str, months: list[str]) -> dict[str, dict[str, Any]]:
    """This shop's usage items of the given months, by month."""
    found = _batch_get([usage_key(tenant_id, m) for m in months], consistent=False)
    return {item["PK"].split("#")[1]: item for item in found}


def usage_of_month(month: str) -> Iterator[dict[str, Any]]:
    """Every shop's usage item of one month: one Query per shard of the month's partition."""
    for shard in range(USAGE_SHARDS):
        yield from _query_all({
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": _values({":pk": f"USAGE#{month}#{shard}"}),
        })


def shop_plan(tenant_id: str) -> str | None:
    """The shop's plan (fair limits), or None for the default."""
    reply = ddb().get_item(TableName=table(), Key={"PK": {"S": shop_pk(tenant_id)}, "SK": {"S": SHOP_SK}},
                           ProjectionExpression="#p", ExpressionAttributeNames={"#p": "plan"})
    plan = reply.get("Item", {}).get("plan", {}).get("S")
    return str(plan) if plan else None


# --- bought together, counted nightly (issue 17) -----------------------------------------
#
# A shop's window of sales to count is kept on RELCURSOR: `counted_to` (sales recorded before it
# are counted) and, while a run is under way, `next_to`. Each product item takes a window once:
# its update sets `through` to the window's end on condition it is before it, so a run that
# crashed half way and is run again adds nothing twice; the window closes after every item.

RELATED_CURSOR = "RELCURSOR"
RELATED_NIGHTLY_TOTAL = "RELTOTAL#nightly"


def related_window(tenant_id: str, to: str) -> tuple[str | None, str]:
    """(counted_to, the end of the window to count now): a window left open by a run that did
    not finish is kept as it was, so its items are not counted twice."""
    reply = ddb().update_item(
        TableName=table(),
        Key={"PK": {"S": related_pk(tenant_id)}, "SK": {"S": RELATED_CURSOR}},
        UpdateExpression="SET next_to = if_not_exists(next_to, :to)",
        ExpressionAttributeValues=_values({":to": to}),
        ReturnValues="ALL_NEW",
    )
    item = from_ddb(reply["Attributes"])
    return item.get("counted_to"), item["next_to"]


def related_add_once(tenant_id: str, sk: str, adds: dict[str, Any], sets: dict[str, Any], to: str) -> bool:
    """ADD a window's counts to one item, unless this window was added to it already."""
    expression, names, values = _updates({**sets, "through": to}, adds)
    try:
        ddb().update_item(
            TableName=table(),
            Key={"PK": {"S": related_pk(tenant_id)}, "SK": {"S": sk}},
            UpdateExpression=expression,
            ConditionExpression="attribute_not_exists(#through_once) OR #through_once < :through_once",
            ExpressionAttributeNames={**names, "#through_once": "through"},
            ExpressionAttributeValues=_values({**values, ":through_once": to}),
        )
    except ddb().exceptions.ConditionalCheckFailedException:
        return False
    return True


def related_window_close(tenant_id: str, to: str) -> None:
    ddb().update_item(
        TableName=table(),
        Key={"PK": {"S": related_pk(tenant_id)}, "SK": {"S": RELATED_CURSOR}},
        UpdateExpression="SET counted_to = :to REMOVE next_to",
        ConditionExpression="next_to = :to",
        ExpressionAttributeValues=_values({":to": to}),
    )


def sales_recorded_between(tenant_id: str, first_id: str, low: str, high: str) -> Iterator[dict[str, Any]]:
    """Sales with ids from `first_id` on, recorded (created_at) from `low` to before `high`, that
    the nightly run counts (`pairs_nightly`); only their lines' SKUs and their till."""
    return _query_all({
        "KeyConditionExpression": "PK = :pk AND SK >= :first",
        "FilterExpression": "created_at >= :low AND created_at < :high AND pairs_nightly = :yes",
        "ProjectionExpression": "#lines, till",
        "ExpressionAttributeNames": {"#lines": "lines"},
        "ExpressionAttributeValues": _values({":pk": sales_pk(tenant_id), ":first": SALE_PREFIX + first_id,
                                              ":low": low, ":high": high, ":yes": True}),
    })


# Returns in an imported sales file (services/importreturns.py): one item per return (part), by
# the id its order id gives it, written in the return's transaction only if it is not there yet,
# so a chunk run again records none twice (SHOP#<t>#IMPRETURNS, <return_id>). A return recorded
# against its original sale names it; one without keeps its lines here.


def _imported_returns_pk(tenant_id: str) -> str:
    return f"SHOP#{tenant_id}#IMPRETURNS"


def imported_return_put(tenant_id: str, item: dict[str, Any]) -> dict[str, Any]:
    return new_item(_imported_returns_pk(tenant_id), item["return_id"], {"type": "imported_return", **item})


def imported_returns(tenant_id: str, return_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Of these return ids, those recorded: {return_id: its item}."""
    keys = [{"PK": {"S": _imported_returns_pk(tenant_id)}, "SK": {"S": rid}} for rid in return_ids]
    return {item["return_id"]: item for item in _batch_get(keys, consistent=True)}

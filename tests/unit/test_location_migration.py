"""The migration to stock per location, on a copy of a shop loaded with the Superstore slice and
turned back into the shape written before locations existed (no stock maps, ledger entries
without a location): the ledger equals on hand per location before, during and after; it runs
again without changing anything; and sales go on while it runs (the code reads both shapes)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from chalicelib import db
from chalicelib.services import locations

SLICE = Path(__file__).resolve().parents[1] / "data" / "superstore-slice.csv"
# moto copies whole tables on each transaction: a few dozen orders keep this quick in-process.
ROWS = "\n".join(SLICE.read_text(encoding="utf-8").splitlines()[:61]) + "\n"


def ledger_by_location(tenant_id: str, sku: str) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for entry in db.iter_movements(tenant_id, sku):
        loc = entry.get("location_id") or db.MAIN_LOCATION
        sums[loc] = sums.get(loc, Decimal(0)) + Decimal(entry["change"])
    return {loc: qty for loc, qty in sums.items() if qty}


def shelves(product: dict) -> dict[str, Decimal]:
    return {loc: lv["on_hand"] for loc, lv in db.stock_map(product).items() if lv["on_hand"]}


def as_before_locations(tenant_id: str) -> None:
    """Rewrite the shop as the code before locations left it."""
    client, table = db.ddb(), db.table()
    for product in db.iter_all_products(tenant_id):
        client.update_item(TableName=table, Key=db.product_key(tenant_id, product["sku"]), UpdateExpression="REMOVE #s",
                           ExpressionAttributeNames={"#s": "stock"})  # fmt: skip
        for entry in db.iter_movements(tenant_id, product["sku"]):
            client.update_item(TableName=table, Key={"PK": {"S": entry["PK"]}, "SK": {"S": entry["SK"]}},
                               UpdateExpression="REMOVE location_id, location_on_hand_after")  # fmt: skip


def test_migration_keeps_ledger_equal_to_on_hand_per_location(shop):
    imported = shop.call("POST", "/imports/sales", raw=ROWS.encode(), headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.body
    skus = sorted(p["sku"] for p in db.iter_products(shop.tenant_id))
    assert len(skus) > 40
    for i, sku in enumerate(skus):
        shop.post(f"/products/{sku}/stock", {"type": "receive", "quantity": 5 + i % 7, "unit_cost": "1.50"})
        if i % 3 == 0:
            shop.patch(f"/products/{sku}", {"min_stock": 4})
            assert shop.post("/sales", {"lines": [{"sku": sku, "quantity": 2}]}).status_code == 201
    as_before_locations(shop.tenant_id)
    legacy = {p["sku"]: p for p in db.iter_all_products(shop.tenant_id)}
    assert not any("stock" in p for p in legacy.values())
    before = {sku: ledger_by_location(shop.tenant_id, sku) for sku in skus}
    assert before == {sku: shelves(legacy[sku]) for sku in skus}  # old shape, read as all at Main
    low_before = {sku for sku, p in legacy.items() if "low_pk" in p}
    value_before = db.stock_value(shop.tenant_id)

    # Sales go on against the old shape while the migration has not reached a product yet.
    first = skus[0]
    assert shop.post("/sales", {"lines": [{"sku": first, "quantity": 1}]}).status_code == 201
    assert "stock" in db.get_product(shop.tenant_id, first)  # the movement wrote the new shape

    done = locations.migrate_shop(shop.tenant_id)
    assert done["migrated"] == len(skus) - 1 and done["skipped"] == 1
    again = locations.migrate_shop(shop.tenant_id)
    assert again == {"migrated": 0, "skipped": len(skus)}
    after = {p["sku"]: p for p in db.iter_all_products(shop.tenant_id)}
    before[first][db.MAIN_LOCATION] -= 1
    assert {sku: ledger_by_location(shop.tenant_id, sku) for sku in skus} == before
    assert {sku: shelves(after[sku]) for sku in skus} == before
    assert all(set(p["stock"]) == {db.MAIN_LOCATION} for p in after.values())
    assert all(p["stock"][db.MAIN_LOCATION]["min_stock"] == legacy[p["sku"]].get("min_stock", 0)
               for p in after.values())  # fmt: skip
    assert {sku for sku, p in after.items() if "low_pk" in p} == low_before
    assert db.get_shop(shop.tenant_id)["locations_migrated_at"]
    cost, retail = value_before
    price = Decimal(str(shop.get(f"/products/{first}").json["price"]))
    assert db.stock_value(shop.tenant_id) == (cost - Decimal("1.50"), retail - price)

    # Afterwards the products take stock at a second location like any other.
    room = shop.post("/locations", {"name": "Room"}).json["location_id"]
    moved = shop.post("/transfers", {"from_location_id": "main", "to_location_id": room,
                                     "lines": [{"sku": skus[1], "quantity": 2}]})  # fmt: skip
    assert moved.status_code == 201, moved.body
    shop.post(f"/transfers/{moved.json['transfer_id']}/receive", {})
    assert ledger_by_location(shop.tenant_id, skus[1]) == shelves(db.get_product(shop.tenant_id, skus[1]))

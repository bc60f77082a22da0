"""Locations: the shop's shelves (a shop, a stock room, a stall, a second branch).

Every shop has its first location, `main` ("Main"), from the start: it is not stored (a shop
registered before locations existed has it too, with nothing to write), and it cannot be
deleted. Other locations are items of their own. Stock per location lives on each product (see
db.stock_map); the units and value a location holds are counters the movement primitive keeps,
so "is it empty?" and "what is it worth?" read a handful of counters, never the catalogue.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from chalicelib import clock, db, retry
from chalicelib.auth import Identity
from chalicelib.errors import Conflict, Invalid, NotFound
from chalicelib.models import Location, LocationIn, LocationList, LocationValue, StockByLocationReport
from chalicelib.observability import count, logger

MAIN_NAME = "Main"
MAX_LOCATIONS = 50  # a product's stock map holds one entry per location it ever held


def main_location() -> dict[str, Any]:
    return {"location_id": db.MAIN_LOCATION, "name": MAIN_NAME}


def all_locations(tenant_id: str) -> list[dict[str, Any]]:
    """The shop's locations, the first (Main) first, then in the order they were added."""
    stored = sorted(db.query_locations(tenant_id), key=lambda item: item.get("created_at", ""))
    return [main_location(), *(s for s in stored if s["location_id"] != db.MAIN_LOCATION)]


def require(tenant_id: str, location_id: str | None) -> str:
    """The location a request names (default: the first), if it is this shop's; else 404."""
    if not location_id or location_id == db.MAIN_LOCATION:
        return db.MAIN_LOCATION
    found = db.get_location(tenant_id, location_id)
    if found is None or found.get("closing"):
        raise NotFound(f"No location {location_id!r} in this shop.", code="unknown_location")
    return location_id


def to_location(item: dict[str, Any]) -> Location:
    return Location(location_id=item["location_id"], name=item["name"], created_at=item.get("created_at"))


def list_locations(identity: Identity) -> LocationList:
    return LocationList(items=[to_location(i) for i in all_locations(identity.tenant_id)])


def create(identity: Identity, request: LocationIn) -> Location:
    existing = all_locations(identity.tenant_id)
    if any(i["name"].casefold() == request.name.casefold() for i in existing):
        raise Conflict(f"There is already a location called {request.name!r}.", code="location_exists")
    if len(existing) >= MAX_LOCATIONS:
        raise Invalid(f"A shop can have at most {MAX_LOCATIONS} locations.", code="too_many_locations")
    item = {"location_id": clock.new_id().lower(), "name": request.name, "created_at": clock.now_iso()}
    db.put_location(identity.tenant_id, item)
    count("LocationCreated")
    return to_location(item)


def units_at(tenant_id: str) -> dict[str | None, dict[str, Decimal]]:
    """Units and value held per location (None: in transit), from the stock value counters."""
    held: dict[str | None, dict[str, Decimal]] = {}
    for key, counters in db.stock_value_by_key(tenant_id).items():
        sums = held.setdefault(db.counter_location(key), {"units": Decimal(0), "value_cost": Decimal(0),
                                                          "value_retail": Decimal(0)})  # fmt: skip
        for name, value in counters.items():
            sums[name] += value
    return held


def delete(identity: Identity, location_id: str) -> None:
    """Delete an empty location. Marked `closing` first, so no stock can arrive while we look:
    every movement into it checks the mark in its own transaction."""
    tenant_id = identity.tenant_id
    if location_id == db.MAIN_LOCATION:
        raise Conflict("The first location cannot be deleted.", code="location_first")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", location_id) or not db.mark_location_closing(
        tenant_id, location_id, True
    ):
        raise NotFound(f"No location {location_id!r} in this shop.", code="unknown_location")
    try:
        units = units_at(tenant_id).get(location_id, {}).get("units", Decimal(0))
        inbound = [t for t in _open_transfers(tenant_id)
                   if location_id in (t["to_location_id"], t["from_location_id"])]  # fmt: skip
    except Exception:
        db.mark_location_closing(tenant_id, location_id, False)
        raise
    if units or inbound:
        db.mark_location_closing(tenant_id, location_id, False)
        raise Conflict(
            f"This location still holds {units} units"
            + (f" and {len(inbound)} transfers to or from it are not received yet" if inbound else "")
            + "; move or count its stock to zero first.",
            code="location_not_empty",
            details=[{"units": str(units), "open_transfers": len(inbound)}],
        )
    db.delete_location(tenant_id, location_id)
    count("LocationDeleted")


def _open_transfers(tenant_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = None
    while True:
        items, after = db.query_transfers(tenant_id, 200, after, open_only=True)
        found += items
        if after is None:
            return found


def stock_report(identity: Identity) -> StockByLocationReport:
    """Units and stock value per location, and in transit (owner)."""
    held = units_at(identity.tenant_id)
    zero = {"units": Decimal(0), "value_cost": Decimal(0), "value_retail": Decimal(0)}
    rows = [LocationValue(location_id=loc["location_id"], name=loc["name"], **held.get(loc["location_id"], zero))
            for loc in all_locations(identity.tenant_id)]  # fmt: skip
    transit = LocationValue(location_id="in_transit", name="In transit", **held.get(None, zero))
    return StockByLocationReport(
        locations=rows,
        in_transit=transit,
        total_cost=sum((r.value_cost for r in rows), transit.value_cost),
        total_retail=sum((r.value_retail for r in rows), transit.value_retail),
    )


# --- the migration: existing stock to Main -------------------------------------------------


def migrate_shop(tenant_id: str) -> dict[str, int]:
    """Write the stock map (everything at Main) of every product that has none yet. Safe to run
    again and alongside sales: each product is written only if still unmigrated and at the
    version read, and the code reads both shapes meanwhile, so nothing waits for it."""
    migrated = skipped = 0
    for product in db.iter_all_products(tenant_id):
        if "stock" in product:
            skipped += 1
            continue

        def attempt(sku: str = product["sku"]) -> bool:
            current = db.get_product(tenant_id, sku)
            if current is None or "stock" in current:
                return False
            if not db.product_stock_map_migrate(tenant_id, current):
                raise db.ConditionFailed()  # it moved meanwhile: read again
            return True

        if retry.until_written(attempt, "The shop's stock is changing fast; run the migration again."):
            migrated += 1
        else:
            skipped += 1
    db.update_shop(tenant_id, {"locations_migrated_at": clock.now_iso()})
    logger.info("locations migration", extra={"tenant_id": tenant_id, "migrated": migrated, "skipped": skipped})
    return {"migrated": migrated, "skipped": skipped}

"""Move every product's stock to the first location (Main), shop by shop: the one-off migration
to stock per location. Safe to run again and while the shops trade (see
chalicelib.services.locations.migrate_shop); shops already migrated are skipped.

    python -m local.migrate_locations <tenant_id> [...]   # these shops
    python -m local.migrate_locations --all               # every shop (an operator's Scan, once)
"""

from __future__ import annotations

import sys

from chalicelib import db
from chalicelib.services import locations


def all_shops() -> list[str]:
    found: list[str] = []
    params = {"TableName": db.table(), "FilterExpression": "SK = :profile",
              "ExpressionAttributeValues": {":profile": {"S": db.SHOP_SK}}, "ProjectionExpression": "PK"}  # fmt: skip
    while True:
        reply = db.ddb().scan(**params)
        found += [item["PK"]["S"].removeprefix("SHOP#") for item in reply.get("Items", [])]
        if "LastEvaluatedKey" not in reply:
            return found
        params["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


def main(argv: list[str]) -> int:
    tenants = all_shops() if argv == ["--all"] else argv
    if not tenants:
        sys.stderr.write(__doc__ or "")
        return 2
    for tenant_id in tenants:
        shop = db.get_shop(tenant_id)
        if shop is None or shop.get("locations_migrated_at"):
            continue
        outcome = locations.migrate_shop(tenant_id)
        sys.stdout.write(f"{tenant_id}: {outcome['migrated']} migrated, {outcome['skipped']} already\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The shop's own settings: who it is on an invoice, its money, its clock and how it taxes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib import clock, db
from chalicelib.auth import Identity
from chalicelib.errors import NotFound
from chalicelib.models import ShopSettings, ShopSettingsPatch
from chalicelib.observability import logger

EMPTY_TEXT = ("address", "tax_id")  # may be cleared (sent as null or "")


def to_settings(shop: dict[str, Any]) -> ShopSettings:
    return ShopSettings(
        shop_name=shop["shop_name"],
        address=shop.get("address") or "",
        tax_id=shop.get("tax_id") or "",
        currency=shop.get("currency") or "USD",
        timezone=shop.get("timezone") or "UTC",
        prices_include_tax=bool(shop.get("prices_include_tax")),
        default_tax_rate=Decimal(shop.get("default_tax_rate") or 0),
        service_level=float(shop.get("service_level") or 0.95),
        review_days=int(shop.get("review_days") or 7),
    )


def get(identity: Identity) -> ShopSettings:
    shop = db.get_shop(identity.tenant_id)
    if shop is None:
        raise NotFound("This account's shop no longer exists.")
    return to_settings(shop)


def update(identity: Identity, patch: ShopSettingsPatch) -> ShopSettings:
    changes = patch.model_dump(include=patch.model_fields_set)
    sets = {k: v for k, v in changes.items() if v not in (None, "")}
    removes = [k for k in EMPTY_TEXT if k in changes and changes[k] in (None, "")]
    sets["updated_at"] = clock.now_iso()
    try:
        shop = db.update_shop(identity.tenant_id, sets, removes)
    except db.ConditionFailed:
        raise NotFound("This account's shop no longer exists.") from None
    if "timezone" in changes and shop.get("daily_summary"):
        from chalicelib.services import daily_summary

        # The summary's local hour falls on another UTC hour now: file the shop under that one.
        shop = daily_summary.file_shop(identity.tenant_id, shop, {})
    logger.info("shop settings changed", extra={"fields": sorted(changes)})
    return to_settings(shop)

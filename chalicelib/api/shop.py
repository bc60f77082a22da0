"""The shop's settings: name and address for invoices, currency, time zone, tax."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import ShopSettings, ShopSettingsPatch
from chalicelib.services import shop

bp = Blueprint(__name__)


@route(bp, "/settings/shop", "GET", summary="The shop's settings", response=ShopSettings)
def get_settings(identity: Identity) -> ShopSettings:
    return shop.get(identity)


@route(
    bp,
    "/settings/shop",
    "PATCH",
    summary="Change the shop's settings (owner)",
    body=ShopSettingsPatch,
    response=ShopSettings,
)
def patch_settings(identity: Identity, body: ShopSettingsPatch) -> ShopSettings:
    return shop.update(identity, body)

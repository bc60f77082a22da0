from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import (
    ForecastQuery,
    ProductForecast,
    ReorderOrders,
    ReorderOrdersIn,
    ReorderSuggestions,
    StockoutList,
)
from chalicelib.services import forecasts

bp = Blueprint(__name__)


@route(bp, "/products/{sku}/forecast", "GET", summary="A product's demand forecast", response=ProductForecast,
       query=ForecastQuery)
def product_forecast(identity: Identity, sku: str, query: ForecastQuery) -> ProductForecast:
    return forecasts.product_forecast(identity, sku, query.days, query.lead_time_days)


@route(bp, "/forecasts/stockouts", "GET", summary="Products that will run out before a delivery could arrive",
       response=StockoutList)
def stockouts(identity: Identity) -> StockoutList:
    return forecasts.stockouts(identity)


# Fields a shop with one location does not have (transfers, lines' locations) are left out.
@route(bp, "/reorder-suggestions", "GET", summary="What to order, per supplier", response=ReorderSuggestions,
       omit_none=True)
def reorder_suggestions(identity: Identity) -> ReorderSuggestions:
    return forecasts.suggestions(identity)


@route(bp, "/reorder-suggestions/orders", "POST", summary="Draft purchase orders from the reorder suggestions",
       body=ReorderOrdersIn, response=ReorderOrders, status=201, idempotent=True)
def reorder_orders(identity: Identity, body: ReorderOrdersIn, idempotency_key: str | None) -> ReorderOrders:
    return forecasts.create_orders(identity, body.supplier_id)

"""Forecasts in the shop's words: a product's demand ahead, what will run out, what to reorder.

The nightly run (run_shop, one SQS message per shop) reads the shop's product-days with sales
over the last HISTORY_DAYS, each such product's ledger back to then (days it started out of
stock and sold nothing are unknown demand, not zero), fits chalicelib/forecast/core.py and stores
one forecast per product. The API answers from the stored forecast; a product's forecast is
computed again on demand when it is missing or older than today or the product's last sale.
"""

from __future__ import annotations

import math
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from chalicelib import clock, db
from chalicelib.auth import Identity
from chalicelib.errors import Invalid, NotFound
from chalicelib.models import (
    ForecastDay,
    ForecastHistoryDay,
    LeadTimeDemand,
    ProductForecast,
    PurchaseLineIn,
    PurchaseOrderIn,
    ReorderLine,
    ReorderOrder,
    ReorderOrders,
    ReorderSuggestions,
    ReorderSupplier,
    StockoutList,
    StockoutRow,
)
from chalicelib.observability import count, logger
from chalicelib.services.sales import shop_zone

HISTORY_DAYS = 182  # six months: 26 weeks of weekday profile, and a level that can move
CHART_DAYS = 56  # history the product screen shows
HORIZON_DAYS = 90  # how far runs_out_on looks
DEFAULT_LEAD_TIME = 7
DEFAULT_SERVICE_LEVEL = 0.95
DEFAULT_REVIEW_DAYS = 7
ACTIVE_LOOKBACK_DAYS = 7  # the nightly run forecasts shops with sales in the last week


def _core() -> Any:
    from chalicelib.forecast import core  # the forecasting code loads where forecasts are made

    return core


def today(shop: dict[str, Any] | None) -> date:
    return clock.now().astimezone(shop_zone(shop)).date()


def service_level(shop: dict[str, Any] | None) -> float:
    value = float((shop or {}).get("service_level") or DEFAULT_SERVICE_LEVEL)
    return min(max(value, 0.5), 0.999)


def review_days(shop: dict[str, Any] | None) -> int:
    return int((shop or {}).get("review_days") or DEFAULT_REVIEW_DAYS)


def lead_time(product: dict[str, Any], suppliers: dict[str, dict[str, Any]]) -> int:
    """The product's lead time, else its supplier's, else a week."""
    if product.get("lead_time_days") is not None:
        return int(product["lead_time_days"])
    supplier = suppliers.get(product.get("supplier_id") or "")
    if supplier and supplier.get("lead_time_days") is not None:
        return int(supplier["lead_time_days"])
    return DEFAULT_LEAD_TIME


# --- history ------------------------------------------------------------------------------


def _weights(tenant_id: str, first: date, last: date) -> tuple[list[float], dict[str, float]]:
    """The shop's weekday weights and units per day from its daily totals (a few small items per
    day): the weights shape every product's week, the units let its level follow the shop's."""
    units: dict[str, float] = {}
    for item in db.day_totals(tenant_id, first.isoformat(), last.isoformat()):
        units[item["day"]] = units.get(item["day"], 0.0) + float(item.get("units") or 0)
    days = (last - first).days + 1
    totals = [units.get((first + timedelta(days=i)).isoformat(), 0.0) for i in range(days)]
    return _core().shop_profile(totals, first.weekday()), units


def _stockout_days(tenant_id: str, product: dict[str, Any], zone: Any, first: date, last: date,
                   sold_at: dict[str, float] | None = None) -> set[str]:
    """Days (shop's dates) that began with nothing on hand, as far back as the ledger goes; none
    before the product's first movement (imported history says nothing about stock). Fills
    `sold_at` with the units sold per location in the window (the same read)."""
    since = clock.iso(datetime.combine(first, datetime.min.time(), zone))
    end_of_day: dict[str, int] = {}  # stock at the end of each day with movements
    earliest: date | None = None
    opening = 0
    for entry in db.movements_since(tenant_id, product["sku"], since):
        after = int(entry.get("on_hand_after") or 0)
        if str(entry["at"]) < since:  # the last movement before the window: the stock it began with
            opening, earliest = after, first
            break
        if sold_at is not None and entry.get("kind") == "sale":
            where = str(entry.get("location_id") or db.MAIN_LOCATION)
            sold_at[where] = sold_at.get(where, 0.0) - float(entry.get("change") or 0)
        day = datetime.fromisoformat(str(entry["at"]).replace("Z", "+00:00")).astimezone(zone).date()
        end_of_day.setdefault(day.isoformat(), after)
        opening, earliest = after - int(entry.get("change") or 0), day
    if earliest is None:
        return set()
    out: set[str] = set()
    stock, day = opening, earliest
    while day <= last:
        key = day.isoformat()
        if stock <= 0:
            out.add(key)
        stock = end_of_day.get(key, stock)
        day += timedelta(days=1)
    return out


def _history(units: dict[str, float], stockouts: set[str], first: date, last: date) -> list[float | None]:
    out: list[float | None] = []
    day = first
    while day <= last:
        key = day.isoformat()
        sold = units.get(key, 0.0)
        out.append(None if key in stockouts and sold == 0 else sold)
        day += timedelta(days=1)
    return out


def _num(value: float, places: int = 6) -> Decimal:
    return Decimal(str(round(value, places)))


def _to_store(value: Any) -> Any:
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, dict):
        return {k: _to_store(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_store(v) for v in value]
    return value


def _runs_out(daily: list[float], stock: int, start: date) -> date | None:
    """The first day on which expected demand since `start` exceeds `stock` (None if not within `daily`)."""
    total = 0.0
    for h, mean in enumerate(daily):
        total += mean
        if total > stock + 1e-9:
            return start + timedelta(days=h)
    return None


def build(tenant_id: str, shop: dict[str, Any], product: dict[str, Any], units: dict[str, float],
          weights: list[float], suppliers: dict[str, dict[str, Any]],
          shop_units: dict[str, float] | None = None) -> dict[str, Any]:
    """Fit one product's forecast and the item that stores it (with what the lists need)."""
    zone = shop_zone(shop)
    as_of = today(shop)
    first, last = as_of - timedelta(days=HISTORY_DAYS), as_of - timedelta(days=1)
    # A product's history begins when it was added, or at its first sale if that is earlier
    # (imported history): days before it existed are not days without demand.
    created = datetime.fromisoformat(str(product["created_at"]).replace("Z", "+00:00")).astimezone(zone).date()
    begins = min([created, *(date.fromisoformat(d) for d in units)])
    first = min(max(first, begins), as_of)
    sold_at: dict[str, float] = {}  # where it sells: replenish.py splits the demand by it
    stockouts = _stockout_days(tenant_id, product, zone, first, last, sold_at) if units else set()
    history = _history(units, stockouts, first, last)
    totals = [(shop_units or {}).get((first + timedelta(days=i)).isoformat(), 0.0) for i in range(len(history))]
    model = _core().fit(history, first.weekday(), weights, totals if shop_units else None)
    lead = lead_time(product, suppliers)
    stock = db.as_int(product.get("on_hand")) + db.as_int(product.get("on_order"))
    out_on = _runs_out(model.daily(HORIZON_DAYS), stock, as_of)
    at_risk = out_on is not None and out_on < as_of + timedelta(days=lead)
    return _to_store({
        "sku": product["sku"], "as_of": as_of.isoformat(), "computed_at": clock.now_iso(), "model": model.to_dict(),
        "history": history, "history_first": first.isoformat(), "lead_time_days": lead,
        "runs_out_on": out_on.isoformat() if out_on else None, "at_risk": at_risk,
        **({"location_units": sold_at} if set(sold_at) - {db.MAIN_LOCATION} else {}),
    })  # fmt: skip


def _fresh(stored: dict[str, Any] | None, shop: dict[str, Any], product: dict[str, Any]) -> bool:
    """Whether a stored forecast still holds: made today, after the product's last sale and the
    shop's last sales import were recorded."""
    if not stored or stored.get("as_of") != today(shop).isoformat():
        return False
    made = str(stored.get("computed_at") or "")
    # Today's sales do not count in the history, so only a sale dated before today can change it.
    day_began = clock.iso(datetime.combine(today(shop), datetime.min.time(), shop_zone(shop)))
    sold = str(product.get("last_sold_at") or "")
    return not (made < sold < day_began) and str(shop.get("sales_imported_at") or "") <= made


def _kept_history(stored: dict[str, Any] | None, shop: dict[str, Any], product: dict[str, Any]) -> dict[str, float]:
    """The units per day a stored forecast holds, when nothing recorded since changed those days:
    then only the days after it need reading."""
    if not stored or not stored.get("history_first"):
        return {}
    made = str(stored.get("computed_at") or "")
    zone = shop_zone(shop)
    since = clock.iso(datetime.combine(date.fromisoformat(stored["as_of"]), datetime.min.time(), zone))
    if str(shop.get("sales_imported_at") or "") > made or made < str(product.get("last_sold_at") or "") < since:
        return {}  # an import or a back-dated sale may have changed the days it holds
    first = date.fromisoformat(stored["history_first"])
    return {(first + timedelta(days=i)).isoformat(): float(u or 0) for i, u in enumerate(stored.get("history") or [])}


def compute_one(tenant_id: str, shop: dict[str, Any], product: dict[str, Any],
                stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """A product's forecast from the database now (and stored for the next asker). With a stored
    forecast still true to its days, only the days since are read (a day of the shop's
    product-days, filtered to this product, instead of six months of them)."""
    as_of = today(shop)
    first, last = as_of - timedelta(days=HISTORY_DAYS), as_of - timedelta(days=1)
    units = {d: u for d, u in _kept_history(stored, shop, product).items() if first.isoformat() <= d and u}
    read_from = date.fromisoformat(stored["as_of"]) if units and stored else first
    if product.get("last_sold_at") and read_from <= last:  # never sold: no product-day to read
        for item in db.product_day_units(tenant_id, read_from.isoformat(), last.isoformat(), product["sku"]):
            units[item["day"]] = float(item.get("units") or 0)
    suppliers = db.get_suppliers(tenant_id, [str(product.get("supplier_id") or "")])
    weights, shop_units = _weights(tenant_id, first, last)
    item = build(tenant_id, shop, product, units, weights, suppliers, shop_units)
    db.put_forecasts(tenant_id, [item])
    return item


# --- the API ------------------------------------------------------------------------------


def model_of(stored: dict[str, Any]) -> Any:
    return _core().Forecast.from_dict(stored["model"])


def _demand(lead: dict[str, float]) -> LeadTimeDemand:
    return LeadTimeDemand(mean=round(lead["mean"], 2), p50=lead["p50"], p90=lead["p90"], p95=lead["p95"],
                          p10=lead.get("p10"))


def product_forecast(identity: Identity, sku: str, days: int, lead_time_days: int | None) -> ProductForecast:
    from chalicelib.services.products import get_live

    product = get_live(identity.tenant_id, sku)
    shop = db.get_shop(identity.tenant_id)
    if shop is None:
        raise NotFound("This account's shop no longer exists.")
    stored = db.get_forecast(identity.tenant_id, product["sku"])
    if stored is None or not _fresh(stored, shop, product):
        began = time.perf_counter()
        stored = compute_one(identity.tenant_id, shop, product, stored)
        logger.info("forecast computed on demand", extra={"ms": round(1000 * (time.perf_counter() - began))})
    model = model_of(stored)
    as_of = date.fromisoformat(stored["as_of"])
    lead = lead_time_days if lead_time_days is not None else int(stored["lead_time_days"])
    daily = model.daily(max(days, HORIZON_DAYS))
    on_hand, on_order = db.as_int(product.get("on_hand")), db.as_int(product.get("on_order"))
    out_on = _runs_out(daily[:days], on_hand + on_order, as_of)
    rate = sum(daily[:28]) / 28
    shown = (stored.get("history") or [])[-CHART_DAYS:]
    history_first = as_of - timedelta(days=len(shown))
    core = _core()
    return ProductForecast(
        sku=product["sku"], as_of=as_of.isoformat(), method=model.method, pattern=model.pattern,
        daily=[ForecastDay(date=(as_of + timedelta(days=h)).isoformat(), mean=round(m, 3))
               for h, m in enumerate(daily[:days])],
        lead_time_days=lead, lead_time_demand=_demand(model.lead_time_demand(lead) if lead else _zero()),
        on_hand=on_hand, on_order=on_order,
        days_of_cover=round(on_hand / rate, 1) if rate > 0 else None,
        runs_out_on=out_on.isoformat() if out_on else None,
        band=[_demand(_day_band(model, h)) for h in range(days)],
        history=[ForecastHistoryDay(date=(history_first + timedelta(days=i)).isoformat(),
                                    units=None if u is None else float(u))
                 for i, u in enumerate(shown)],
        pattern_words=core.PATTERN_WORDS[model.pattern], method_words=core.METHOD_WORDS[model.method],
    )  # fmt: skip


def _zero() -> dict[str, float]:
    return {"mean": 0.0, "p50": 0.0, "p90": 0.0, "p95": 0.0}


def _day_band(model: Any, h: int) -> dict[str, float]:
    """One day's demand quantiles (the chart's band): that day's share of the next h+1 days'."""
    mean = model.daily(h + 1)[h]
    if mean <= 0:
        return {**_zero(), "p10": 0.0}
    core = _core()
    variance = core.CALIBRATION * (model.var_a * mean + model.var_b * mean * mean)
    p10, p50, p90, p95 = core.quantiles(mean, variance, (0.1, 0.5, 0.9, 0.95), integer=False)
    return {"mean": mean, "p10": p10, "p50": p50, "p90": p90, "p95": p95}


def stockouts(identity: Identity) -> StockoutList:
    """Products expected to run out before a delivery ordered today could arrive, soonest first
    (from the nightly forecasts, with today's stock)."""
    tenant_id = identity.tenant_id
    shop = db.get_shop(tenant_id) or {}
    now = today(shop)
    stored = {item["sku"]: item for item in db.query_forecasts(tenant_id, at_risk_only=True)}
    products = db.get_products(tenant_id, list(stored), consistent=False)
    rows = []
    for sku, item in stored.items():
        product = products.get(sku)
        if not product or "deleted_at" in product:
            continue
        model = model_of(item)
        lead = int(item["lead_time_days"])
        start = date.fromisoformat(item["as_of"])
        on_hand, on_order = db.as_int(product.get("on_hand")), db.as_int(product.get("on_order"))
        out_on = _runs_out(model.daily(HORIZON_DAYS), on_hand + on_order, start)
        if out_on is None or out_on >= now + timedelta(days=lead):
            continue  # restocked or ordered since the nightly run
        order_by = max(out_on - timedelta(days=lead), now)
        rows.append(StockoutRow(sku=sku, name=product["name"], on_hand=on_hand, on_order=on_order,
                                runs_out_on=out_on.isoformat(), lead_time_days=lead, order_by=order_by.isoformat()))
    rows.sort(key=lambda r: (r.runs_out_on or "", r.sku))
    return StockoutList(items=rows)


def _suggest(model: Any, product: dict[str, Any], lead: int, review: int, level: float) -> tuple[int, str]:
    """(quantity to order, why in words) to cover demand over lead time + review period."""
    on_hand, on_order = db.as_int(product.get("on_hand")), db.as_int(product.get("on_order"))
    target = model.demand_quantile(lead + review, level)
    short = target - on_hand - on_order
    if short <= 0:
        return 0, ""
    pack = db.as_int(product.get("pack_size")) or 1
    qty = int(math.ceil(short / pack)) * pack
    weekly = sum(model.daily(28)) / 4
    reason = f"sells ~{_about(weekly)} a week, {on_hand} left"
    if on_order:
        reason += f", {on_order} on order"
    reason += f", supplier takes {lead} day{'s' if lead != 1 else ''}"
    if pack > 1:
        reason += f"; packs of {pack}"
    return qty, reason


def _about(value: float) -> str:
    return str(round(value)) if value >= 1.5 else (f"{value:.1f}".rstrip("0").rstrip(".") or "0")


def suggestions(identity: Identity) -> ReorderSuggestions:
    return _suggestions(identity.tenant_id)[0]


def _suggestions(tenant_id: str) -> tuple[ReorderSuggestions, dict[str, dict[str, Any]]]:
    shop = db.get_shop(tenant_id) or {}
    stored = {item["sku"]: item for item in db.query_forecasts(tenant_id)}
    found = db.get_products(tenant_id, list(stored), consistent=False)
    products = {sku: p for sku, p in found.items() if "deleted_at" not in p}
    suppliers = db.get_suppliers(tenant_id, [str(p.get("supplier_id") or "") for p in products.values()])
    level, review = service_level(shop), review_days(shop)
    by_supplier: dict[str, list[ReorderLine]] = {}
    without: list[ReorderLine] = []
    from chalicelib.services import replenish

    several = replenish.context(tenant_id)  # None: one location, the suggestions as before
    for sku in sorted(products):
        product = products[sku]
        where = None
        if several is None:
            qty, reason = _suggest(model_of(stored[sku]), product, lead_time(product, suppliers), review, level)
        else:  # per location: spare stock moves first, the rest is bought
            qty, reason, where = several.suggest(model_of(stored[sku]), stored[sku], product,
                                                 lead_time(product, suppliers), review, level)  # fmt: skip
        if qty <= 0:
            continue
        line = ReorderLine(sku=sku, name=product["name"], on_hand=db.as_int(product.get("on_hand")),
                           on_order=db.as_int(product.get("on_order")), suggested_qty=qty, reason=reason,
                           locations=where)  # fmt: skip
        supplier_id = product.get("supplier_id")
        if supplier_id and supplier_id in suppliers:
            by_supplier.setdefault(supplier_id, []).append(line)
        else:
            without.append(line)
    groups = [ReorderSupplier(supplier_id=sid, name=suppliers[sid]["name"], lines=lines)
              for sid, lines in sorted(by_supplier.items(), key=lambda kv: suppliers[kv[0]]["name"])]
    transfers = several.transfers() if several is not None else None
    return ReorderSuggestions(suppliers=groups, without_supplier=without, transfers=transfers), products


def create_orders(identity: Identity, supplier_id: str | None) -> ReorderOrders:
    """Draft purchase orders from the suggestions: one per supplier (or only `supplier_id`'s)."""
    from chalicelib.services import purchasing

    suggested, products = _suggestions(identity.tenant_id)
    groups = [g for g in suggested.suppliers if supplier_id is None or g.supplier_id == supplier_id]
    if supplier_id is not None and not groups:
        if db.get_supplier(identity.tenant_id, supplier_id) is None:
            raise NotFound(f"No supplier {supplier_id!r} in this shop.")
        raise Invalid("Nothing needs ordering from this supplier now.",
                      [{"field": "supplier_id", "message": "no suggestions"}], code="nothing_to_order")
    orders = []
    for group in groups:
        lines = [PurchaseLineIn(sku=ln.sku, quantity=Decimal(ln.suggested_qty),
                                unit_cost=Decimal(products[ln.sku].get("unit_cost") or 0)) for ln in group.lines]
        po = purchasing.create_order(identity, PurchaseOrderIn(
            supplier_id=group.supplier_id, lines=lines, note="Drafted from reorder suggestions"))  # fmt: skip
        orders.append(ReorderOrder(po_id=po.po_id, supplier_id=po.supplier_id, lines=po.lines))
    count("ReorderOrdersDrafted", len(orders))
    return ReorderOrders(purchase_orders=orders)


# --- the nightly run ----------------------------------------------------------------------


def active_tenants(now: date) -> list[str]:
    """Shops with sales dated in the last ACTIVE_LOOKBACK_DAYS (one Query per day)."""
    found: dict[str, None] = {}
    for back in range(ACTIVE_LOOKBACK_DAYS + 1):
        for tenant_id in db.active_shops((now - timedelta(days=back)).isoformat()):
            found[tenant_id] = None
    return list(found)


def run_shop(tenant_id: str) -> dict[str, Any]:
    """Forecast every product of a shop that sold in the history window; then its predictive alerts."""
    began = time.perf_counter()
    shop = db.get_shop(tenant_id)
    if shop is None:
        return {"products": 0, "seconds": 0.0}
    as_of = today(shop)
    first, last = as_of - timedelta(days=HISTORY_DAYS), as_of - timedelta(days=1)
    units: dict[str, dict[str, float]] = {}
    for item in db.product_day_units(tenant_id, first.isoformat(), last.isoformat()):
        units.setdefault(item["sku"], {})[item["day"]] = float(item.get("units") or 0)
    found = db.get_products(tenant_id, list(units), consistent=False)
    products = {sku: p for sku, p in found.items() if "deleted_at" not in p}
    suppliers = db.get_suppliers(tenant_id, [str(p.get("supplier_id") or "") for p in products.values()])
    weights, shop_units = _weights(tenant_id, first, last)
    items = [build(tenant_id, shop, products[sku], units[sku], weights, suppliers, shop_units)
             for sku in sorted(products)]
    db.put_forecasts(tenant_id, items)
    alerted = predictive_alerts(tenant_id, shop, items, products)
    seconds = time.perf_counter() - began
    logger.info("shop forecast", extra={"products": len(items), "seconds": round(seconds, 2), "alerted": alerted})
    count("ForecastProducts", len(items))
    return {"products": len(items), "seconds": seconds, "alerted": alerted}


def predictive_alerts(tenant_id: str, shop: dict[str, Any], items: list[dict[str, Any]],
                      products: dict[str, dict[str, Any]]) -> int:
    """File the products newly expected to run out before a delivery could arrive for the next
    stock digest (services/alerts.py sends one email with the low products), once per product
    until it is restocked (no longer at risk: its alert is re-armed here). Returns how many."""
    sent = db.risk_alerts(tenant_id)
    at_risk = {item["sku"]: item for item in items if item["at_risk"]}
    rearm = [sku for sku in sent if sku not in at_risk]
    if rearm:
        db.clear_risk_alerts(tenant_id, rearm)
    new = [item for sku, item in at_risk.items() if sku not in sent]
    return sum(1 for i in new if db.file_risk_alert(tenant_id, i["sku"], i["runs_out_on"]))


def risk_lines(tenant_id: str, shop: dict[str, Any], skus: list[str],
               suppliers: dict[str, dict[str, Any]] | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The digest's lines for due predictive alerts, with today's stock (the date and the suggested
    order), and the SKUs no longer at risk (restocked or ordered since the nightly run)."""
    products = db.get_products(tenant_id, skus)
    stored = {sku: db.get_forecast(tenant_id, sku) for sku in skus}
    suppliers = {**(suppliers or {}), **db.get_suppliers(
        tenant_id, [str(p.get("supplier_id") or "") for p in products.values()])}
    now = today(shop)
    lines, gone = [], []
    for sku in skus:
        product, item = products.get(sku), stored.get(sku)
        if not product or "deleted_at" in product or not item:
            gone.append(sku)
            continue
        model, lead = model_of(item), int(item["lead_time_days"])
        on_hand, on_order = db.as_int(product.get("on_hand")), db.as_int(product.get("on_order"))
        out_on = _runs_out(model.daily(HORIZON_DAYS), on_hand + on_order, date.fromisoformat(item["as_of"]))
        if out_on is None or out_on >= now + timedelta(days=lead):
            gone.append(sku)
            continue
        qty, _ = _suggest(model, product, lead, review_days(shop), service_level(shop))
        supplier = suppliers.get(product.get("supplier_id") or "")
        lines.append({"sku": sku, "name": product["name"], "on_hand": on_hand, "on_order": on_order,
                      "runs_out_on": out_on.isoformat(), "lead_time_days": lead, "suggested": qty,
                      "supplier": supplier["name"] if supplier else None})  # fmt: skip
    return lines, gone


def enqueue_active_shops() -> dict[str, int]:
    """The nightly schedule: one SQS message per shop with recent sales."""
    import json

    from chalicelib import aws
    from chalicelib.settings import get_settings

    tenants = active_tenants(clock.now().date())
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=get_settings().forecast_queue)["QueueUrl"]
    for start in range(0, len(tenants), 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps({"tenant_id": t})}
                   for i, t in enumerate(tenants[start:start + 10])]
        reply = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        if reply.get("Failed"):
            raise RuntimeError(f"{len(reply['Failed'])} forecast messages were not queued")
    logger.info("forecast run queued", extra={"shops": len(tenants)})
    return {"shops_queued": len(tenants)}

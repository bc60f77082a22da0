"""Minimum-stock alerts: the scheduled check and each product's alert lifecycle.

A product at or below its minimum sits in the sparse low-stock index (see db.low_stock_fields);
its alert is armed (no state) until a digest names it, then `alerted` until stock goes back above the
minimum, which takes it out of the index and re-arms it. Per run and shop: products newly due are
marked `pending` first (the attempt is recorded before sending), the single digest is sent, then they
are settled `alerted`. If SES refuses, they go back to armed and the next run tries again. If the
process dies between sending and settling, a stale `pending` is retried at most MAX_TRIES times in all,
so a crash can cause one repeat but never a flood.

The same digest names the products the nightly forecast run found newly expected to run out before
a delivery ordered today could arrive (services/forecasts.py files them, each once until it is
restocked): they wait in their own partitions of the same sparse index and go through the same
pending/alerted steps, so a shop gets one email for both.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from chalicelib import alert_email, clock, db, mail
from chalicelib.auth import Identity
from chalicelib.errors import NotFound
from chalicelib.models import AlertPage, AlertRecord, AlertSettings, AlertSettingsIn
from chalicelib.observability import count, logger
from chalicelib.settings import get_settings

PENDING_LEASE = timedelta(minutes=10)
MAX_TRIES = 2


def suggested_reorder(product: dict[str, Any]) -> int:
    """reorder_qty if set, else enough to reach twice the minimum; less what is already on order."""
    on_hand, minimum = db.as_int(product.get("on_hand")), db.as_int(product.get("min_stock"))
    base = db.as_int(product.get("reorder_qty")) or max(2 * minimum - on_hand, 1)
    return max(base - db.as_int(product.get("on_order")), 0)


def covered_by_orders(product: dict[str, Any]) -> bool:
    shortfall = db.as_int(product.get("min_stock")) - db.as_int(product.get("on_hand")) + 1
    levels = db.stock_map(product) if isinstance(product.get("stock"), dict) else {}
    if low := db.low_locations(levels):  # per location: what the low locations lack, not the total
        shortfall = sum(int(levels[loc]["min_stock"] - levels[loc]["on_hand"]) + 1 for loc in low)
    return db.as_int(product.get("on_order")) >= shortfall


def _stale(product: dict[str, Any], now: datetime) -> bool:
    at = product.get("alert_at")
    return not at or datetime.fromisoformat(at.replace("Z", "+00:00")) < now - PENDING_LEASE


# --- the scheduled check -------------------------------------------------------------------


def check_all() -> dict[str, int]:
    """One run over every shop with low products or due predictive alerts. Reads only the sparse
    low-stock index (its low products and its due run-out alerts)."""
    by_shop: dict[str, list[dict[str, Any]]] = defaultdict(list)
    risks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for shard in range(db.LOW_STOCK_SHARDS):
        for product in db.query_low_stock(shard):
            by_shop[product["tenant_id"]].append(product)
        for item in db.query_risk_due(shard):
            risks[item["tenant_id"]].append(item)
            by_shop.setdefault(item["tenant_id"], [])
    totals = {"shops_checked": len(by_shop), "emails_sent": 0, "products_alerted": 0, "failures": 0}
    for tenant_id, products in by_shop.items():
        try:
            sent = check_shop(tenant_id, products, risks.get(tenant_id, []))
        except Exception:  # one shop's trouble must not stop the others; it is retried next run
            logger.exception("stock check failed for a shop", extra={"tenant_id": tenant_id})
            totals["failures"] += 1
            continue
        if sent:
            totals["emails_sent"] += 1
            totals["products_alerted"] += sent
    for name, value in totals.items():
        count("AlertCheck" + name.title().replace("_", ""), value)
    logger.info("stock check finished", extra=totals)
    return totals


def _due(tenant_id: str, items: list[dict[str, Any]], now: datetime, settle: Any) -> list[dict[str, Any]]:
    """The items whose alert is armed, or pending from a run that died (at most MAX_TRIES in all)."""
    out = []
    for item in items:
        state = item.get("alert_state")
        if state in ("alerted", db.ALERT_QUIET_NEW):
            continue
        if state == "pending":
            if not _stale(item, now):
                continue  # another run is sending it right now
            if db.as_int(item.get("alert_tries")) >= MAX_TRIES:
                settle(tenant_id, item, item.get("alert_id", ""))  # give up repeating: never a flood
                logger.warning(
                    "alert attempt abandoned after repeated interruptions",
                    extra={"tenant_id": tenant_id, "sku": item["sku"]},
                )
                continue
        out.append(item)
    return out


def check_shop(tenant_id: str, products: list[dict[str, Any]], risks: list[dict[str, Any]] | None = None) -> int:
    """Send this shop's digest if any product is newly due (low, or newly expected to run out
    before a delivery could arrive); returns how many products it named."""
    now = clock.now()
    due: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    candidates = _due(tenant_id, products, now, _settle)
    # The index holds totals and a product once, however many of its locations are low: its item
    # says which (a product low at one location can look covered by stock at another), read once.
    full = db.get_products(tenant_id, [p["sku"] for p in candidates], consistent=False)
    for product in candidates:
        (held if covered_by_orders(full.get(product["sku"], product)) else due).append(product)
    risky = _due(tenant_id, risks or [], now, _settle_risk)
    if not due and not risky:
        return 0
    shop = db.get_shop(tenant_id)
    if not shop or not shop.get("alerts_enabled", True) or not shop.get("alert_recipients"):
        return 0

    alert_id = clock.new_id(now)
    marked = [p for p in due if _mark_pending(tenant_id, p, alert_id, now)]
    risk_lines: list[dict[str, Any]] = []
    marked_risks: list[dict[str, Any]] = []
    if risky:
        from chalicelib.services import forecasts

        risk_lines, gone = forecasts.risk_lines(tenant_id, shop, [r["sku"] for r in risky])
        if gone:
            db.clear_risk_alerts(tenant_id, gone)  # restocked or ordered since the night: re-armed
        still = {ln["sku"] for ln in risk_lines}
        marked_risks = [r for r in risky if r["sku"] in still
                        and db.risk_pending(tenant_id, r, alert_id, clock.iso(now))]
        named = {r["sku"] for r in marked_risks}
        # A product also low in this digest is named once, as low.
        low_now = {p["sku"] for p in marked}
        risk_lines = [ln for ln in risk_lines if ln["sku"] in named and ln["sku"] not in low_now]
    if not marked and not marked_risks:
        return 0
    recipients = list(shop["alert_recipients"])
    db.put_alert(
        tenant_id,
        {
            "alert_id": alert_id,
            "status": "sending",
            "recipients": recipients,
            "skus": list(dict.fromkeys([p["sku"] for p in marked] + [r["sku"] for r in marked_risks])),
            "created_at": clock.iso(now),
        },
    )
    suppliers = db.get_suppliers(tenant_id, [str(p["supplier_id"]) for p in marked + held if p.get("supplier_id")])
    from chalicelib.services import locations, replenish

    # Shops with one location (most) need not read the list of locations.
    several = any(set(db.stock_map(p)) - {db.MAIN_LOCATION} for p in full.values())
    places = locations.all_locations(tenant_id) if several else [locations.main_location()]
    names = {loc["location_id"]: loc["name"] for loc in places}
    # Several locations: the transfer (and the rest to buy) by the Reorder screen's rule.
    plans = replenish.digest_plans(tenant_id, shop, suppliers, places,
                                   {p["sku"]: full.get(p["sku"], p) for p in marked})  # fmt: skip
    lines = [line for p in marked for line in _lines(p, full.get(p["sku"]), names, suppliers, plans.get(p["sku"]))]
    held_lines = [line for p in held for line in _lines(p, full.get(p["sku"]), names, suppliers)]
    try:
        message_id = _send(tenant_id, shop, recipients, lines, held_lines, risk_lines)
    except Exception as exc:
        for product in marked:
            _rearm(tenant_id, product, alert_id)
        for item in marked_risks:
            db.risk_not_sent(tenant_id, item["sku"], alert_id)
        db.update_alert(tenant_id, alert_id, {"status": "failed", "error": str(exc)[:500]})
        count("AlertEmailFailed")
        raise
    db.update_alert(tenant_id, alert_id, {"status": "sent", "sent_at": clock.now_iso(), "message_id": message_id})
    for product in marked:
        _settle(tenant_id, product, alert_id)
    for item in marked_risks:
        _settle_risk(tenant_id, item, alert_id)
    if marked_risks:
        count("ForecastAlertSent")
    return len(marked) + len({r["sku"] for r in marked_risks} - {p["sku"] for p in marked})


def _line(product: dict[str, Any], suppliers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    supplier = suppliers.get(product.get("supplier_id") or "")
    return {
        "sku": product["sku"],
        "name": product["name"],
        "on_hand": db.as_int(product.get("on_hand")),
        "min_stock": db.as_int(product.get("min_stock")),
        "on_order": db.as_int(product.get("on_order")),
        "suggested": suggested_reorder(product),
        "supplier": supplier["name"] if supplier else None,
    }


def _lines(
    product: dict[str, Any], full: dict[str, Any] | None, names: dict[str, str], suppliers: dict[str, dict[str, Any]],
    plan: Any = None,
) -> list[dict[str, Any]]:
    """A digest line per location where the product is low, naming the location, and where
    stock above the minimum could come from by transfer before buying more (with `plan`, the
    replenish.py plan: the transfers suggested to it, and only the rest to buy)."""
    line = _line(product, suppliers)
    levels = db.stock_map(full or product)
    low = db.low_locations(levels) or [db.MAIN_LOCATION]
    spare = [(names.get(loc, loc), lv["on_hand"] - lv["min_stock"]) for loc, lv in sorted(levels.items())
             if loc not in low and lv["on_hand"] > lv["min_stock"]]  # fmt: skip
    out = [
        {**line, "location": names.get(loc, loc), "location_id": loc,
         "on_hand": levels.get(loc, {}).get("on_hand", 0), "min_stock": levels.get(loc, {}).get("min_stock", 0),
         "spare": spare}
        for loc in low
    ]  # fmt: skip
    for entry in out if plan is not None else []:
        entry["transfer"] = [(names.get(src, src), q) for src, to, q in plan.transfers if to == entry["location_id"]]
        if entry["transfer"]:
            entry["suggested"] = plan.purchase
    return out


def _mark_pending(tenant_id: str, product: dict[str, Any], alert_id: str, now: datetime) -> bool:
    """Record the attempt before sending, only if the product is still low and still as we read it."""
    return db.alert_pending(tenant_id, product, alert_id, clock.iso(now))


def _settle(tenant_id: str, product: dict[str, Any], alert_id: str) -> None:
    db.alert_sent(tenant_id, product["sku"], alert_id)


def _settle_risk(tenant_id: str, item: dict[str, Any], alert_id: str) -> None:
    db.risk_sent(tenant_id, item["sku"], alert_id)


def _rearm(tenant_id: str, product: dict[str, Any], alert_id: str) -> None:
    """SES said no: nothing was sent, so put the product back as it was (and not count the try)."""
    db.alert_not_sent(tenant_id, product["sku"], alert_id)


def _send(tenant_id: str, shop: dict[str, Any], recipients: list[str], due: list[dict[str, Any]],
          held: list[dict[str, Any]], risks: list[dict[str, Any]] | None = None) -> str:
    settings = get_settings()
    site = settings.site_url.rstrip("/")
    link = site + ("/#/products?low_stock=true" if due else "/#/reorder")
    name = shop.get("shop_name", "Your shop")
    message_id = mail.send(
        sender=settings.alert_sender,
        to=recipients,
        subject=alert_email.subject(name, due, risks),
        text=alert_email.text(name, due, held, link, risks, site + "/#/reorder"),
        html=alert_email.html(name, due, held, link, risks, site + "/#/reorder"),
        tenant_id=tenant_id,
    )
    count("AlertEmailSent")
    return message_id


# --- settings and history (the API) -----------------------------------------------------


def get_settings_for(identity: Identity) -> AlertSettings:
    shop = db.get_shop(identity.tenant_id)
    if shop is None:
        raise NotFound("This account's shop no longer exists.")
    return _settings(shop)


def _settings(shop: dict[str, Any]) -> AlertSettings:
    return AlertSettings(
        recipients=list(shop.get("alert_recipients") or []),
        enabled=bool(shop.get("alerts_enabled", True)),
        daily_summary=bool(shop.get("daily_summary", False)),
        daily_summary_hour=int(shop.get("daily_summary_hour", 20)),
    )


def put_settings(identity: Identity, request: AlertSettingsIn) -> AlertSettings:
    from chalicelib.services import daily_summary

    shop = db.get_shop(identity.tenant_id)
    if shop is None:
        raise NotFound("This account's shop no longer exists.")
    changes = {
        "alert_recipients": request.recipients,
        "alerts_enabled": request.enabled,
        "daily_summary": request.daily_summary,
        "daily_summary_hour": request.daily_summary_hour,
    }
    return _settings(daily_summary.file_shop(identity.tenant_id, shop, changes))


def list_alerts(identity: Identity, limit: int, after: str | None) -> tuple[AlertPage, str | None]:
    items, last = db.query_alerts(identity.tenant_id, limit, after)
    return AlertPage(
        items=[
            AlertRecord(
                alert_id=i["alert_id"],
                sent_at=i.get("sent_at"),
                status=i["status"],
                recipients=list(i.get("recipients", [])),
                skus=list(i.get("skus", [])),
                error=i.get("error"),
            )
            for i in items
        ],
        next_cursor=None,
    ), last

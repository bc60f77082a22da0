"""The daily summary email: once a day, at the hour the owner picked (the shop's local time), the
day's revenue, profit, orders, returns, takings by payment method, best sellers, and what is low or
will run out soon.

Finding due shops reads no table of shops: each opted-in shop is filed under the UTC hour its local
hour falls on (db.set_daily_summary). A run reads the buckets of the last few hours (a run that
comes late still finds the shop) and the next one (a clock change moves a local hour by one), then
checks each shop against its own zone. Sending claims the shop's local day first with a write that
succeeds only once, so two runs, overlapping or late, never send two summaries for one day. If SES
refuses, the claim is released and the next run tries again; if the process dies between claim and
send, that day's summary is lost rather than risk a second one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from html import escape
from typing import Any

from chalicelib import clock, db, mail
from chalicelib.auth import Identity
from chalicelib.observability import count, logger
from chalicelib.services.sales import shop_zone
from chalicelib.settings import get_settings

LATE_HOURS = 3  # a run this many hours late still sends that day's summary
MORNING_BEFORE = 12  # a summary asked for before noon reports the day before
BEST_SELLERS = 5
RUN_OUT_DAYS = 7  # "will run out soon": at the last 28 days' pace, gone within a week
PACE_DAYS = 28


def utc_hour(local_hour: int, zone_name: str | None, on: datetime | None = None) -> int:
    """The UTC hour a local hour falls on today in that zone (it moves when the clocks change)."""
    zone = shop_zone({"timezone": zone_name})
    day = (on or clock.now()).astimezone(zone).date()
    return datetime.combine(day, time(local_hour), tzinfo=zone).astimezone(UTC).hour


def file_shop(tenant_id: str, shop: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Save the shop's summary settings (and the other `changes`) and file it under its UTC hour."""
    on = bool(changes.get("daily_summary", shop.get("daily_summary")))
    hour = int(changes.get("daily_summary_hour", shop.get("daily_summary_hour", 20)))
    new = utc_hour(hour, shop.get("timezone")) if on else None
    old = shop.get("daily_summary_utc_hour")
    return db.set_daily_summary(tenant_id, changes, None if old is None else int(old), new)


# --- the schedule -------------------------------------------------------------------------------


def send_due() -> dict[str, int]:
    """One run: every shop whose summary hour has come (and not yet sent today) gets it."""
    now = clock.now()
    hours = {(now.hour - k) % 24 for k in range(LATE_HOURS + 1)} | {(now.hour + 1) % 24}
    candidates: dict[str, int] = {}
    for hour in sorted(hours):
        for tenant_id in db.daily_bucket(hour):
            candidates[tenant_id] = hour
    totals = {"summaries_sent": 0, "summary_failures": 0}
    for tenant_id, filed_hour in candidates.items():
        try:
            if send_for_shop(tenant_id, now, filed_hour):
                totals["summaries_sent"] += 1
        except Exception:  # one shop's trouble must not stop the others; the next run tries again
            logger.exception("daily summary failed for a shop", extra={"tenant_id": tenant_id})
            totals["summary_failures"] += 1
    count("DailySummariesSent", totals["summaries_sent"])
    return totals


def send_for_shop(tenant_id: str, now: datetime, filed_hour: int | None = None) -> bool:
    shop = db.get_shop(tenant_id)
    if not shop or not shop.get("daily_summary") or not shop.get("alert_recipients"):
        if filed_hour is not None:
            db.unfile_daily_summary(tenant_id, filed_hour)  # the shop is gone or switched it off
        return False
    hour = int(shop.get("daily_summary_hour", 20))
    if filed_hour is not None and utc_hour(hour, shop.get("timezone"), now) != filed_hour:
        shop = file_shop(tenant_id, shop, {})  # the clocks changed (or the zone): refile for next time
    local = now.astimezone(shop_zone(shop))
    if not hour <= local.hour <= hour + LATE_HOURS:
        return False
    day = local.date()
    if not db.claim_summary_day(tenant_id, day.isoformat(), clock.iso(now)):
        return False  # already sent (or being sent) for this day
    try:
        content = build(tenant_id, shop, day - timedelta(days=1) if hour < MORNING_BEFORE else day)
        message_id = mail.send(
            sender=get_settings().alert_sender,
            to=list(shop["alert_recipients"]),
            subject=subject(shop, content),
            text=text(shop, content),
            html=html(shop, content),
            tenant_id=tenant_id,
        )
    except Exception:
        db.release_summary_day(tenant_id, day.isoformat())
        raise
    db.settle_summary_day(tenant_id, day.isoformat(), {"status": "sent", "sent_at": clock.now_iso(),
                                                       "message_id": message_id, "covers": content["day"]})
    return True


# --- what it says -------------------------------------------------------------------------------


def _field(obj: Any, name: str, default: Any) -> Any:
    value = obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)
    return default if value is None else value


def build(tenant_id: str, shop: dict[str, Any], day: date) -> dict[str, Any]:
    """The figures, from the reports' own functions (rollups and indexes, never the catalogue)."""
    from chalicelib.models import SalesReportQuery
    from chalicelib.services import reports

    identity = Identity(tenant_id=tenant_id, user_id="schedule", email="", role="owner")
    summary = reports.summary(identity, day)
    # `returns` and `takings` are newer fields of the summary: absent, they read as none.
    takings = [{"method": str(_field(t, "method", "other")), "amount": Decimal(str(_field(t, "amount", 0)))}
               for t in _field(summary, "takings", [])]
    best = reports.sales_report(identity, SalesReportQuery.model_validate(
        {"from": day.isoformat(), "to": day.isoformat(), "by": "product"}))
    low_skus, _ = db.low_stock_page(tenant_id, limit=10, after_sku=None)
    return {
        "day": day.isoformat(),
        "revenue": summary.revenue,
        "profit": summary.profit,
        "orders": summary.orders,
        "returns": Decimal(str(_field(summary, "returns", 0))),
        "takings": takings,
        "best": [{"sku": r.key, "name": r.name or r.key, "units": r.units, "revenue": r.revenue}
                 for r in best.rows[:BEST_SELLERS] if r.units],
        "low_count": summary.low_stock_count,
        "low": _low(tenant_id, low_skus),
        "running_out": _running_out(tenant_id, day, set(low_skus)),
    }


def _low(tenant_id: str, skus: list[str]) -> list[dict[str, Any]]:
    products = db.get_products(tenant_id, skus)
    return [{"sku": s, "name": products[s].get("name", s), "on_hand": db.as_int(products[s].get("on_hand")),
             "min_stock": db.as_int(products[s].get("min_stock"))} for s in skus if s in products]


def _running_out(tenant_id: str, day: date, low: set[str]) -> list[dict[str, Any]]:
    """Not low yet, but at the last four weeks' pace gone within RUN_OUT_DAYS."""
    first = (day - timedelta(days=PACE_DAYS - 1)).isoformat()
    units: dict[str, int] = defaultdict(int)
    for item in db.product_days(tenant_id, first, day.isoformat()):
        units[item["sku"]] += db.as_int(item.get("units"))
    busiest = sorted((s for s in units if s not in low and units[s] > 0), key=lambda s: -units[s])[:50]
    products = db.get_products(tenant_id, busiest)
    out = []
    for sku in busiest:
        p = products.get(sku)
        if not p or p.get("deleted_at"):
            continue
        on_hand = db.as_int(p.get("on_hand"))
        days_left = on_hand / (units[sku] / PACE_DAYS)
        if days_left < RUN_OUT_DAYS:
            out.append({"sku": sku, "name": p.get("name", sku), "on_hand": on_hand, "days": max(int(days_left), 0)})
    return sorted(out, key=lambda r: r["days"])[:10]


def _money(shop: dict[str, Any], amount: Any) -> str:
    return f"{shop.get('currency') or 'USD'} {Decimal(str(amount)):,.2f}"


def subject(shop: dict[str, Any], c: dict[str, Any]) -> str:
    return (f"{shop.get('shop_name', 'Your shop')} on {c['day']}: {_money(shop, c['revenue'])} revenue, "
            f"{c['orders']} order{'s' if c['orders'] != 1 else ''}")


def _rows(shop: dict[str, Any], c: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("Revenue", _money(shop, c["revenue"])), ("Profit", _money(shop, c["profit"])),
            ("Orders", str(c["orders"])), ("Returns", _money(shop, c["returns"]))]
    rows += [(f"Takings: {t['method']}", _money(shop, t["amount"])) for t in c["takings"]]
    return rows


def _lists(c: dict[str, Any]) -> list[tuple[str, list[str], str]]:
    return [
        ("Best sellers", [f"{b['name']}: {b['units']} sold" for b in c["best"]], "No sales."),
        (f"Low stock ({c['low_count']})", [f"{p['name']}: {p['on_hand']} on hand, minimum {p['min_stock']}"
                                           for p in c["low"]], "Nothing is low."),
        ("Will run out soon", [f"{p['name']}: {p['on_hand']} left, about {p['days']} day{'s' if p['days'] != 1 else ''}"
                               for p in c["running_out"]], "Nothing at this week's pace."),
    ]


def text(shop: dict[str, Any], c: dict[str, Any]) -> str:
    lines = [f"{shop.get('shop_name', 'Your shop')}: the day of {c['day']}", ""]
    lines += [f"{label}: {value}" for label, value in _rows(shop, c)]
    for title, items, empty in _lists(c):
        lines += ["", title + ":"] + ([f"- {i}" for i in items] or [empty])
    link = get_settings().site_url.rstrip("/") + "/#/"
    lines += ["", f"Open Shelfwise: {link}", "", "You get this once a day; switch it off in More > Low-stock alerts."]
    return "\n".join(lines)


def html(shop: dict[str, Any], c: dict[str, Any]) -> str:
    cell = "padding:6px 4px;border-bottom:1px solid #ddd"
    rows = "".join(f"<tr><td style='{cell}'>{escape(label)}</td><td style='{cell};text-align:right'>"
                   f"<strong>{escape(value)}</strong></td></tr>" for label, value in _rows(shop, c))
    lists = "".join(
        f"<h2 style='font-size:16px;margin:16px 0 4px'>{escape(title)}</h2>"
        + (f"<ul>{''.join(f'<li>{escape(i)}</li>' for i in items)}</ul>" if items
           else f"<p style='color:#555'>{escape(empty)}</p>")
        for title, items, empty in _lists(c))
    link = escape(get_settings().site_url.rstrip("/") + "/#/")
    return f"""<!doctype html><html><body style="margin:0;padding:16px;font-family:system-ui,-apple-system,
Segoe UI,Roboto,sans-serif;color:#111;max-width:600px">
<h1 style="font-size:20px;margin:0 0 8px">{escape(shop.get('shop_name', 'Your shop'))}: {escape(c['day'])}</h1>
<table style="width:100%;border-collapse:collapse;font-size:15px">{rows}</table>{lists}
<p style="margin-top:16px"><a href="{link}">Open Shelfwise</a></p></body></html>"""

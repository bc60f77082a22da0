"""Answers to parsed questions, from the same service functions the report endpoints and the
product list use, so a figure here is the figure the dashboard shows. Each answer names the
period it covers and links to the site route that shows the figure. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote, urlencode

from chalicelib import clock, db
from chalicelib.ask import periods
from chalicelib.ask.parser import Parsed, parse
from chalicelib.ask.periods import Period
from chalicelib.auth import Identity
from chalicelib.errors import Invalid
from chalicelib.models import AskReply, ProductQuery, RangeQuery, SalesReport, SalesReportQuery
from chalicelib.observability import count, logger
from chalicelib.services import products, reports
from chalicelib.services.sales import shop_zone

CENT = Decimal("0.01")
SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}
NAMES_SHOWN = 8  # names listed in one answer before "and N more"
CANDIDATES = 300  # products read to match a name against
MATCH_FLOOR = 70  # rapidfuzz WRatio below this is no match
TIE = 5  # matches within this many points of the best are equally likely

EXAMPLES = [
    "what sold best last week",
    "how much did I take yesterday",
    "profit this month",
    "this month vs last month",
    "what is running low",
    "how much cash is tied up in dead stock",
]

METRIC_NAMES = {"revenue": "Revenue", "profit": "Profit", "margin": "Margin", "units": "Units sold",
                "orders": "Orders", "aov": "Average order value", "returns": "Returns", "tax": "Tax"}  # fmt: skip
DIMENSION_NAMES = {"product": ("products", "product"), "category": ("categories", "category"),
                   "subcategory": ("sub-categories", "sub-category"), "region": ("regions", "region"),
                   "state": ("states", "state")}  # fmt: skip


@dataclass
class Context:
    identity: Identity
    shop: dict[str, Any]
    parsed: Parsed

    @property
    def tenant_id(self) -> str:
        return self.identity.tenant_id

    def money(self, value: Decimal) -> str:
        amount = Decimal(value).quantize(CENT)  # rounded as the API's JSON rounds it (http._encode)
        code = str(self.shop.get("currency") or "USD")
        sign = "-" if amount < 0 else ""
        symbol = SYMBOLS.get(code)
        text = f"{abs(amount):,.2f}"
        return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {code}"


def answer(identity: Identity, question: str) -> AskReply:
    """Read the question on the shop's today and answer it from the shop's own figures."""
    shop = db.get_shop(identity.tenant_id) or {}
    today = clock.now().astimezone(shop_zone(shop)).date()
    parsed = parse(question, today)
    try:
        reply = HANDLERS.get(parsed.intent, _unknown)(Context(identity, shop, parsed))
    except Invalid as refused:  # a period the reports do not cover (longer than ten years)
        reply = AskReply(understood=False, answer=f"I can't answer that for the period asked: {refused.message}",
                         suggestions=EXAMPLES[:3])  # fmt: skip
    if reply.understood and reply.data is not None:
        reply.data = {"intent": parsed.intent, **reply.data}
    logger.info("question answered", extra={"intent": parsed.intent, "understood": reply.understood})
    count("QuestionAnswered")
    return reply


# --- shared pieces -----------------------------------------------------------------------------


def _sales(ctx: Context, period: Period, by: str = "day") -> SalesReport:
    if period.last < periods.EARLIEST:  # "1970 vs the year before"
        raise Invalid("Shelfwise keeps no days before 1970.")
    first = max(period.first, periods.EARLIEST)
    query = SalesReportQuery.model_validate({"from": first.isoformat(), "to": period.last.isoformat(), "by": by})
    return reports.sales_report(ctx.identity, query)


def _time_by(first: Any, last: Any) -> str:
    days = (last - first).days + 1
    return "day" if days <= 62 else "week" if days <= 26 * 7 else "month"


def _report_link(period: Period, by: str | None = None, **extra: Any) -> str:
    query = {"tab": "sales", "by": by or _time_by(period.first, period.last), "from": period.first.isoformat(),
             "to": period.last.isoformat(), **extra}  # fmt: skip
    return "#/reports?" + urlencode(query)


def _product_link(sku: str) -> str:
    return f"#/products/{quote(sku, safe='')}"


def _is(period: Period) -> str:
    return "is" if period.to_date else "was"


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if whole else None


def _names(items: list[str]) -> str:
    shown = items[:NAMES_SHOWN]
    text = ", ".join(shown)
    if len(items) > len(shown):
        text += f" and {len(items) - len(shown)} more"
    return text


def _plural(n: int | Decimal, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _not_available(what: str, instead: str, link: str | None, data: dict[str, Any] | None = None) -> AskReply:
    return AskReply(understood=True, answer=f"{what} {instead}".strip(), link=link,
                    data={"available": False, **(data or {})})  # fmt: skip


# --- products named in a question ------------------------------------------------------------


def _singular(text: str) -> str:
    words = []
    for w in text.split():
        if len(w) > 3 and w.endswith(("ches", "shes", "xes", "sses")):
            w = w[:-2]
        elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        words.append(w)
    return " ".join(words)


def match_products(tenant_id: str, text: str) -> list[tuple[dict[str, Any], float]]:
    """The shop's products whose name (or SKU) is close to `text`, best first, as (product,
    score 0-100). Candidates come from the shop's product search (each word's first letters, so
    a typo later in a word still finds it), then rapidfuzz ranks them; a typo in the first
    letters of every word finds nothing."""
    from rapidfuzz import fuzz, process, utils

    skus: list[str] = []
    for word in sorted(db.search_words(text), key=len, reverse=True):
        prefix = word[:3] if len(word) >= 3 else word
        if len(prefix) < 2:
            continue
        entries, _ = db.search_index(tenant_id, prefix, [], limit=CANDIDATES, after=None)
        skus.extend(sku for sku, _ in entries if sku not in skus)
        if len(skus) >= CANDIDATES:
            break
    found = [p for p in db.get_products(tenant_id, skus[:CANDIDATES]).values() if "deleted_at" not in p]
    if not found:
        return []
    by_sku = {p["sku"]: p for p in found}
    exact = [p for p in found if p["sku"].casefold() == text.casefold()]
    if exact:  # a SKU typed in full is that product
        return [(exact[0], 100.0)]
    choices = {p["sku"]: p["name"] for p in found}
    scores: dict[str, float] = {}
    for query in dict.fromkeys([text, _singular(text)]):
        for _, score, sku in process.extract(query, choices, scorer=fuzz.WRatio, processor=utils.default_process,
                                             limit=20, score_cutoff=MATCH_FLOOR):
            scores[sku] = max(scores.get(sku, 0.0), float(score))
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], by_sku[kv[0]]["name"], kv[0]))
    return [(by_sku[sku], score) for sku, score in ranked]


def _resolve(ctx: Context, text: str, question: str) -> tuple[dict[str, Any] | None, AskReply | None]:
    """One product for `text`, or a reply asking which one (or saying none matches)."""
    matches = match_products(ctx.tenant_id, text)
    if not matches:
        return None, AskReply(
            understood=False,
            answer=f"No product in your shop matches \u201c{text}\u201d. Try its name as it is on the product list, "
                   "or its SKU.",
            link="#/products?" + urlencode({"q": text.split()[0]}),
            suggestions=EXAMPLES[:3],
        )
    best = matches[0][1]
    close = [p for p, score in matches if score >= best - TIE]
    if len(close) == 1:
        return close[0], None
    close = close[:NAMES_SHOWN]
    listed = [f"{p['name']} ({p['sku']}, {db.as_int(p.get('on_hand')):,} on hand)" for p in close]
    more = len([1 for _, s in matches if s >= best - TIE]) - len(close)
    return None, AskReply(
        understood=True,
        answer=f"{len(close) + more} products match \u201c{text}\u201d: {'; '.join(listed)}"
               + (f" and {more} more" if more > 0 else "") + ". Which one?",
        data={"needs_choice": True, "matches": [{"sku": p["sku"], "name": p["name"],
                                                 "on_hand": db.as_int(p.get("on_hand"))} for p in close]},
        link="#/products?" + urlencode({"q": text.split()[0]}),
        suggestions=[question.replace(text, p["name"]) if text in question else f"{p['name']} on hand"
                     for p in close],
    )  # fmt: skip


# --- totals --------------------------------------------------------------------------------------


def _total(ctx: Context) -> AskReply:
    parsed = ctx.parsed
    period = parsed.period
    assert period is not None  # noqa: S101 (the parser gives totals today when none is named)
    metric = parsed.slots.get("metric", "revenue")
    if parsed.slots.get("product"):
        return _product_total(ctx, period, metric)
    report = _sales(ctx, period)
    t = report.totals
    figures = {"revenue": t.revenue, "profit": t.profit, "units": t.units, "orders": t.orders}
    data: dict[str, Any] = {"metric": metric, "period": period.as_dict(), "figures": figures}
    link = _report_link(period)
    when, verb = period.phrase(), _is(period)
    if metric in ("returns", "tax"):
        return _returns_or_tax(ctx, period, metric, data)
    if t.orders == 0 and t.units == 0:
        return AskReply(understood=True, answer=f"No sales {when}, so {METRIC_NAMES[metric].lower()} {verb} nothing.",
                        data={**data, "value": 0}, link=link)  # fmt: skip
    margin = _percent(t.profit, t.revenue)
    if metric == "profit":
        text = f"Profit {when} {verb} {ctx.money(t.profit)} on {ctx.money(t.revenue)} revenue"
        text += f" (a {margin} % margin)." if margin is not None else "."
        value: Any = t.profit
    elif metric == "margin":
        text = (f"Your margin {when} {verb} {margin} %: {ctx.money(t.profit)} profit on {ctx.money(t.revenue)} "
                "revenue.") if margin is not None else f"No revenue {when}, so there is no margin."
        value = margin
    elif metric == "units":
        text = f"You sold {_plural(t.units, 'unit')} {when}, in {_plural(t.orders, 'order')}."
        value = t.units
    elif metric == "orders":
        text = f"You had {_plural(t.orders, 'order')} {when}, {ctx.money(t.revenue)} in revenue."
        value = t.orders
    elif metric == "aov":
        value = (t.revenue / t.orders).quantize(CENT, rounding=ROUND_HALF_UP) if t.orders else Decimal(0)
        text = (f"Average order value {when} {verb} {ctx.money(value)}: {ctx.money(t.revenue)} over "
                f"{_plural(t.orders, 'order')}.")
    else:
        text = f"Revenue {when} {verb} {ctx.money(t.revenue)} from {_plural(t.orders, 'order')}"
        text += f", {ctx.money(t.profit)} profit." if t.revenue else "."
        value = t.revenue
    return AskReply(understood=True, answer=text, data={**data, "value": value}, link=link)


def _returns_or_tax(ctx: Context, period: Period, metric: str, data: dict[str, Any]) -> AskReply:
    """Refunds from the returns report, tax from the tax report: the figures those screens show."""
    query = RangeQuery.model_validate({"from": max(period.first, periods.EARLIEST).isoformat(),
                                       "to": period.last.isoformat()})  # fmt: skip
    when, verb = period.phrase(), _is(period)
    if metric == "tax":
        tax = reports.tax_report(ctx.identity, query)
        rates = ", ".join(f"{ctx.money(r.tax)} at {Decimal(str(r.rate)) * 100:g} %" for r in tax.rows if r.tax)
        text = f"Tax collected {when} {verb} {ctx.money(tax.totals.tax)}" + (f" ({rates})." if rates else ".")
        return AskReply(understood=True, answer=text, data={**data, "value": tax.totals.tax},
                        link=f"#/reports?tab=tax&from={query.from_}&to={query.to}")  # fmt: skip
    back = reports.returns_report(ctx.identity, query)
    t = back.totals
    text = (f"Returns {when}: {_plural(t.returned, 'unit')} refunded for {ctx.money(t.refunded)}"
            f" ({t.rate * 100:.1f} % of {_plural(t.sold, 'unit')} sold).") if t.returned else f"No returns {when}."
    top = back.rows[0] if back.rows else None
    if top is not None:
        text += f" Most returned: {top.name} ({_plural(top.returned, 'unit')})."
    return AskReply(understood=True, answer=text, data={**data, "value": t.refunded, "units": t.returned},
                    link=f"#/reports?tab=returns&from={query.from_}&to={query.to}")  # fmt: skip


def _product_total(ctx: Context, period: Period, metric: str) -> AskReply:
    product, asking = _resolve(ctx, ctx.parsed.slots["product"], ctx.parsed.text)
    if product is None:
        return asking  # type: ignore[return-value]
    report = _sales(ctx, period, "product")
    row = next((r for r in report.rows if r.key == product["sku"]), None)
    revenue = row.revenue if row else Decimal(0)
    profit = row.profit if row else Decimal(0)
    units = row.units if row else 0
    orders = row.orders if row else 0
    name = f"{product['name']} ({product['sku']})"
    when = period.phrase()
    data = {"metric": metric, "period": period.as_dict(), "sku": product["sku"], "name": product["name"],
            "figures": {"revenue": revenue, "profit": profit, "units": units, "orders": orders}}  # fmt: skip
    link = _report_link(period, "product")
    if metric in ("returns", "tax"):
        return _not_available(f"{METRIC_NAMES[metric]} are not recorded in Shelfwise's reports yet.",
                              f"{name} sold {_plural(units, 'unit')} {when}.", link, data)  # fmt: skip
    if not units:
        return AskReply(understood=True, answer=f"{name} did not sell {when}.", data=data, link=link)
    text = (f"{name} sold {_plural(units, 'unit')} {when} in {_plural(orders, 'order')}: "
            f"{ctx.money(revenue)} revenue, {ctx.money(profit)} profit")
    margin = _percent(profit, revenue)
    text += f" ({margin} % margin)." if margin is not None and metric in ("margin", "profit") else "."
    return AskReply(understood=True, answer=text, data=data, link=link)


# --- comparisons ----------------------------------------------------------------------------------


def _compare(ctx: Context) -> AskReply:
    parsed = ctx.parsed
    first, second = parsed.period, parsed.compare_to
    assert first is not None and second is not None  # noqa: S101 (the parser always gives both)
    metric = parsed.slots.get("metric", "revenue")
    if metric in ("returns", "tax"):
        return _not_available(f"{METRIC_NAMES[metric]} are not recorded in Shelfwise's reports yet, so I can't "
                              "compare them.", "", _report_link(first))  # fmt: skip
    a, b = _sales(ctx, first).totals, _sales(ctx, second).totals

    def value(t: Any) -> Decimal:
        if metric == "margin":
            return _percent(t.profit, t.revenue) or Decimal(0)
        if metric == "aov":
            return (t.revenue / t.orders).quantize(CENT) if t.orders else Decimal(0)
        return Decimal(getattr(t, metric))

    va, vb = value(a), value(b)
    show = (lambda v: f"{v} %") if metric == "margin" else (lambda v: f"{int(v):,}") if metric in (
        "units", "orders") else ctx.money
    before = f"in the same days of {second.label} ({second.span()})" if second.partial else second.phrase()
    if metric == "margin":
        change = (va - vb).quantize(Decimal("0.1"))
        how = f"{'up' if change > 0 else 'down' if change < 0 else 'level'} {abs(change)} points on {show(vb)} {before}"
    elif vb == 0:
        how = f"and there were none {before} to compare with" if va else f"as {before}"
    else:
        pct = _percent(va - vb, vb) or Decimal(0)
        how = f"{'up' if pct > 0 else 'down' if pct < 0 else 'level'} {abs(pct)} % on {show(vb)} {before}"
    text = f"{METRIC_NAMES[metric]} {first.phrase()} {_is(first)} {show(va)}, {how}."
    first_day, last_day = min(first.first, second.first), max(first.last, second.last)
    span_days = (last_day - first_day).days + 1
    link_period = Period(first_day, last_day, "", "range") if span_days <= periods.ALL_TIME_DAYS else first
    data = {"metric": metric, "period": first.as_dict(), "compared_with": second.as_dict(), "value": va,
            "previous": vb,
            "change": (va - vb).quantize(Decimal("0.1")) if metric == "margin" else _percent(va - vb, vb),
            "change_unit": "points" if metric == "margin" else "percent"}  # fmt: skip
    return AskReply(understood=True, answer=text, data=data, link=_report_link(link_period))


# --- rankings ----------------------------------------------------------------------------------------


def _ranking(ctx: Context) -> AskReply:
    slots, period = ctx.parsed.slots, ctx.parsed.period
    assert period is not None  # noqa: S101 (rankings default to the last 30 days)
    dimension, measure, order, limit = slots["dimension"], slots["measure"], slots["order"], slots["limit"]
    if dimension == "supplier":
        return _not_available(
            "Supplier reject rates are not in Shelfwise's reports yet (the supplier scorecard is coming), so I "
            "can't rank suppliers.", "Each purchase order shows what was received and rejected.", "#/suppliers")
    fallback = ""
    if dimension == "customer":
        fallback = ("Sales by customer are not in Shelfwise's reports yet, so I can't rank customers. The nearest I "
                    "have is where sales come from, by state: ")  # fmt: skip
        dimension = "state"
    report = _sales(ctx, period, dimension)
    rows = [r for r in report.rows if r.orders or r.units]
    plural, _ = DIMENSION_NAMES[dimension]
    link = _report_link(period, dimension)
    if not rows:
        return AskReply(understood=True, answer=f"{fallback}No sales {period.phrase()}, so there is nothing to rank.",
                        data={"period": period.as_dict(), "rows": []}, link=link)  # fmt: skip

    def key(r: Any) -> Any:
        return getattr(r, measure)

    sign = -1 if order == "best" else 1
    ranked = sorted(rows, key=lambda r: (sign * key(r), r.key))
    top = ranked[:limit]
    show = (lambda r: f"{r.units:,} units") if measure == "units" else (lambda r: ctx.money(key(r)))
    label = (lambda r: r.name or r.key) if dimension == "product" else (lambda r: r.key or "not recorded")
    listed = "; ".join(f"{i}. {label(r)}, {show(r)}" for i, r in enumerate(top, 1))
    by = {"revenue": "revenue", "units": "units sold", "profit": "profit"}[measure]
    if order == "best":
        head = f"Top {plural} by {by} {period.phrase()}: " if len(top) > 1 else \
            f"The best {DIMENSION_NAMES[dimension][1]} by {by} {period.phrase()}: "
        tail = ""
    else:
        head = f"Weakest {plural} by {by} {period.phrase()}, of the {len(rows):,} that sold: "
        tail = " Products that did not sell at all are under dead stock." if dimension == "product" else ""
    text = f"{fallback}{head}{listed}.{tail}"
    data = {"period": period.as_dict(), "dimension": dimension, "measure": measure, "order": order,
            "rows": [{"key": r.key, "name": r.name, "revenue": r.revenue, "profit": r.profit, "units": r.units,
                      "orders": r.orders} for r in top]}  # fmt: skip
    if fallback:
        data["available"] = False
    return AskReply(understood=True, answer=text, data=data, link=link)


# --- stock ------------------------------------------------------------------------------------------


def _low_products(ctx: Context) -> list[Any]:
    page, _ = products.list_products(ctx.identity, ProductQuery(low_stock=True, limit=200), None)
    return sorted(page.items, key=lambda p: (p.on_hand - p.min_stock, p.name))


def _suggested(p: Any) -> int:
    """How many to order: as the site's order screen suggests (shop.js suggestedReorder)."""
    base = p.reorder_qty if p.reorder_qty > 0 else max(p.min_stock * 2 - p.on_hand, 1)
    return max(max(base, p.min_stock - p.on_hand + 1) - (p.on_order or 0), 0)


def _stock(ctx: Context) -> AskReply:
    product, asking = _resolve(ctx, ctx.parsed.slots["product"], ctx.parsed.text)
    if product is None:
        return asking  # type: ignore[return-value]
    p = products.to_product(product)
    state = " It is low." if p.low_stock else ""
    minimum = f" (minimum {p.min_stock:,})" if p.min_stock else ""
    on_order = f", and {p.on_order:,} on order" if p.on_order else ""
    text = f"You have {p.on_hand:,} of {p.name} ({p.sku}) on hand now{minimum}{on_order}.{state}"
    data = {"sku": p.sku, "name": p.name, "on_hand": p.on_hand, "min_stock": p.min_stock, "on_order": p.on_order,
            "low_stock": p.low_stock}  # fmt: skip
    return AskReply(understood=True, answer=text, data=data, link=_product_link(p.sku))


def _low_stock(ctx: Context, lead: str = "") -> AskReply:
    low = _low_products(ctx)
    rows = [{"sku": p.sku, "name": p.name, "on_hand": p.on_hand, "min_stock": p.min_stock, "on_order": p.on_order}
            for p in low]  # fmt: skip
    if not low:
        return AskReply(understood=True, answer=f"{lead}Nothing is at or below its minimum right now.",
                        data={"count": 0, "rows": []}, link="#/products?low=1")  # fmt: skip
    listed = _names([f"{p.name} ({p.on_hand:,} left, minimum {p.min_stock:,})" for p in low])
    verb = "is" if len(low) == 1 else "are"
    text = f"{lead}{_plural(len(low), 'product')} {verb} at or below the minimum now: {listed}."
    return AskReply(understood=True, answer=text, data={"count": len(low), "rows": rows}, link="#/products?low=1")


FORECAST_NOTE = "Forecasts are not available yet, so this is from today's stock: "


def _run_out(ctx: Context) -> AskReply:
    if ctx.parsed.slots.get("product"):
        reply = _stock(ctx)
        if reply.understood and reply.data and "sku" in reply.data:
            reply.answer = FORECAST_NOTE + reply.answer[0].lower() + reply.answer[1:]
            reply.data["forecast"] = None
        return reply
    reply = _low_stock(ctx, FORECAST_NOTE)
    assert reply.data is not None  # noqa: S101
    reply.data["forecast"] = None
    return reply


def _reorder(ctx: Context) -> AskReply:
    if ctx.parsed.slots.get("product"):
        return _run_out(ctx)
    low = [p for p in _low_products(ctx) if _suggested(p) > 0]
    if not low:
        return AskReply(understood=True, answer=FORECAST_NOTE + "nothing needs reordering (nothing is at its minimum "
                        "without enough on order).", data={"count": 0, "rows": [], "forecast": None},
                        link="#/products?low=1")  # fmt: skip
    listed = _names([f"{p.name} \u00d7 {_suggested(p):,}" for p in low])
    rows = [{"sku": p.sku, "name": p.name, "on_hand": p.on_hand, "suggested_qty": _suggested(p)} for p in low]
    text = f"{FORECAST_NOTE}reorder {_plural(len(low), 'product')} at or below the minimum: {listed}."
    return AskReply(understood=True, answer=text, data={"count": len(low), "rows": rows, "forecast": None},
                    link="#/orders/new?low=1")  # fmt: skip


def _dead_stock(ctx: Context) -> AskReply:
    days = int(ctx.parsed.slots.get("days", 90))
    report, _ = reports.dead_stock(ctx.identity, days, limit=5)
    link = "#/reports?" + urlencode({"tab": "dead", "days": days})
    data = {"days": days, "count": report.count, "total_value_at_cost": report.total_value_at_cost,
            "rows": [r.model_dump() for r in report.rows]}  # fmt: skip
    if not report.count:
        return AskReply(understood=True, answer=f"Everything in stock has sold in the last {days:,} days: no dead "
                        "stock.", data=data, link=link)  # fmt: skip
    listed = _names([f"{r.name} ({ctx.money(r.value_at_cost)})" for r in report.rows])
    text = (f"{_plural(report.count, 'product')} in stock {'has' if report.count == 1 else 'have'} not sold in the "
            f"last {days:,} days, tying up {ctx.money(report.total_value_at_cost)} at cost. Most cash: {listed}.")
    return AskReply(understood=True, answer=text, data=data, link=link)


def _stock_value(ctx: Context) -> AskReply:
    summary = reports.summary(ctx.identity, None)
    text = (f"Your stock on hand is worth {ctx.money(summary.stock_value_cost)} at cost and "
            f"{ctx.money(summary.stock_value_retail)} at retail now.")  # fmt: skip
    data = {"stock_value_cost": summary.stock_value_cost, "stock_value_retail": summary.stock_value_retail,
            "low_stock_count": summary.low_stock_count}  # fmt: skip
    return AskReply(understood=True, answer=text, data=data, link="#/reports?tab=valuation")


# --- customers, actions, the rest ----------------------------------------------------------------


def _customers(ctx: Context) -> AskReply:
    who = ctx.parsed.slots.get("customer")
    about = f"when {who} last bought" if who else "which customers are new, returning or at risk"
    return _not_available(
        f"Customer histories are not in Shelfwise's reports yet, so I can't tell {about}.",
        "Sales by region and state are: try \u201ctop states last month\u201d.", "#/reports?tab=sales&by=state")


WHERE = [
    (("delete", "remove", "erase", "wipe", "clear", "archive", "empty", "drop"),
     "To remove a product, open it under Products and choose Delete; its history stays in the reports.",
     "#/products"),
    (("set", "change", "update", "edit", "rename", "raise", "lower", "increase", "decrease", "reduce", "discount",
      "mark", "zero", "reset"),
     "To change a product's price, name or minimum, open it under Products and choose Edit.", "#/products"),
    (("add", "create", "receive", "adjust", "move", "transfer", "put", "enter", "log", "restore"),
     "To add a product or stock, use Products: New product, or a product's Stock button to receive or count.",
     "#/products"),
    (("order", "buy"), "To order from a supplier, start a purchase order under Orders.", "#/orders/new"),
    (("sell", "record", "make", "ring"), "To record a sale, use Sell.", "#/sell"),
    (("cancel", "refund", "void"), "Sales are under More \u203a Sales; open one to see it and its invoice.",
     "#/sales"),
    (("import",), "To import a CSV, use More \u203a Import.", "#/import"),
    (("export", "print"), "To export, use More \u203a Export.", "#/export"),
    (("send", "email", "invite"), "Alert emails are set under More \u203a Alerts.", "#/alerts"),
]


def _action(ctx: Context) -> AskReply:
    verb = str(ctx.parsed.slots.get("verb", ""))
    where, link = "You can make changes on the Products, Sell and Orders screens.", "#/products"
    for verbs, text, route in WHERE:
        if verb in verbs:
            where, link = text, route
            break
    return AskReply(understood=True, answer=f"I only answer questions; I don't change anything, so nothing was "
                    f"changed. {where}", data={"changed": False, "verb": verb}, link=link)  # fmt: skip


def _unclear_period(ctx: Context) -> AskReply:
    return AskReply(
        understood=False,
        answer="I couldn't tell which period you mean, so I haven't guessed. Name it like \u201clast 14 days\u201d, "
               "\u201clast week\u201d, \u201cin March\u201d or \u201cbetween 1 and 15 Nov\u201d.",
        suggestions=["sales last 14 days", "sales last week", "sales this month", "sales between 1 and 15 Nov"],
    )


def _unknown(ctx: Context) -> AskReply:
    return AskReply(
        understood=False,
        answer="I didn't understand that. I can answer questions about your sales, profit, margin, orders, best "
               "sellers and stock, for periods such as today, yesterday, last week, March or the last 30 days.",
        suggestions=EXAMPLES,
    )


HANDLERS = {
    "total": _total, "compare": _compare, "ranking": _ranking, "stock": _stock, "low_stock": _low_stock,
    "run_out": _run_out, "reorder": _reorder, "dead_stock": _dead_stock, "stock_value": _stock_value,
    "customers": _customers, "action": _action, "unclear_period": _unclear_period, "unknown": _unknown,
}  # fmt: skip

"""Reorder suggestions per location: move spare stock between locations before buying more.

Only for a shop with more than one location (a shop with one sees the suggestions it always
did). Per product with a forecast, and per location:

- demand there: the shop's forecast for the product, split by where it sold (units sold per
  location over the forecast's history window, counted from the ledger the nightly run reads
  anyway); nothing recorded (imported history, older forecasts): all at the first location,
  where sales without a location are counted;
- need: that share of the demand quantile over lead time + review period at the shop's service
  level (the target the shop-wide suggestion uses), rounded up;
- short: below max(need, minimum + 1 when it has a minimum; at the minimum is low), counting
  stock already on its way there (open transfers, not yet received);
- spare: stock on its shelf above its own minimum plus its own need. The transfer horizon is
  the same lead time + review period: what a location gives away must not leave it short
  before a purchase could restock it, so a transfer never creates the next shortage.

Transfers first (the location shortest takes from the one with most spare, and so on); then
the remainder is bought: what is still short, net of what is on order (a purchase order names
no location until it is received), rounded up to the product's pack size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from chalicelib import db
from chalicelib.models import ReorderLineLocation, ReorderTransfer, ReorderTransferLine

EPS = 1e-9


@dataclass
class Level:
    on_hand: float
    min_stock: float = 0.0
    inbound: float = 0.0  # on its way here: sent by a transfer, not received yet
    share: float = 0.0  # of the product's demand


@dataclass
class Plan:
    need: dict[str, int]
    short: dict[str, int]  # still short after the transfers, per location
    spare: dict[str, int]  # before the transfers
    transfers: list[tuple[str, str, int]] = field(default_factory=list)  # (from, to, quantity)
    purchase: int = 0  # to buy: what is still short, net of on order, in whole packs


def plan(levels: dict[str, Level], demand: float, on_order: float = 0, pack: int = 1) -> Plan:
    """The rule (pure): `levels` per location in the shop's order, `demand` the product's
    demand over lead time + review at the service level, for the whole shop."""
    order = list(levels)
    need = {loc: max(0, math.ceil(lv.share * demand - EPS)) for loc, lv in levels.items()}
    short, spare = {}, {}
    for loc, lv in levels.items():
        target = max(need[loc], lv.min_stock + 1 if lv.min_stock > 0 else 0)
        held = lv.on_hand + lv.inbound
        short[loc] = max(0, math.ceil(target - held - EPS))
        spare[loc] = max(0, math.floor(min(lv.on_hand, held - lv.min_stock - need[loc]) + EPS))
    result = Plan(need=need, short=dict(short), spare=dict(spare))
    left = dict(spare)
    for to in sorted((loc for loc in order if short[loc] > 0), key=lambda loc: (-short[loc], order.index(loc))):
        for source in sorted((loc for loc in order if left[loc] > 0 and loc != to),
                             key=lambda loc: (-left[loc], order.index(loc))):  # fmt: skip
            qty = min(result.short[to], left[source])
            if qty <= 0:
                break
            result.transfers.append((source, to, qty))
            result.short[to] -= qty
            left[source] -= qty
    still = sum(result.short.values()) - on_order
    pack = max(pack, 1)
    result.purchase = math.ceil(still / pack - EPS) * pack if still > EPS else 0
    return result


def _about(value: float) -> str:
    return str(round(value)) if value >= 1.5 else (f"{value:.1f}".rstrip("0").rstrip(".") or "0")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class Several:
    """A shop with more than one location: its locations, the stock on its way to each, and the
    transfers suggested so far."""

    def __init__(self, tenant_id: str, places: list[dict[str, Any]]) -> None:
        self.names = {p["location_id"]: p["name"] for p in places}
        self.inbound = _inbound(tenant_id)
        self._moves: dict[tuple[str, str], list[ReorderTransferLine]] = {}

    def levels(self, product: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Level]:
        stock = db.stock_map(product)
        sold = {loc: float(u) for loc, u in ((stored or {}).get("location_units") or {}).items()
                if loc in self.names and float(u) > 0}  # fmt: skip
        total = sum(sold.values())
        share = {loc: u / total for loc, u in sold.items()} if total > 0 else {db.MAIN_LOCATION: 1.0}
        return {
            loc: Level(on_hand=float(stock.get(loc, {}).get("on_hand", 0)),
                       min_stock=float(stock.get(loc, {}).get("min_stock", 0)),
                       inbound=float(self.inbound.get((product["sku"], loc), 0)), share=share.get(loc, 0.0))
            for loc in self.names
        }  # fmt: skip

    def suggest(self, model: Any, stored: dict[str, Any] | None, product: dict[str, Any], lead: int, review: int,
                level: float) -> tuple[int, str, list[ReorderLineLocation]]:  # fmt: skip
        """(quantity to buy, why in words, where it is still short); the transfers it takes are
        kept for transfers()."""
        levels = self.levels(product, stored)
        on_order = db.as_int(product.get("on_order"))
        pack = db.as_int(product.get("pack_size")) or 1
        result = plan(levels, model.demand_quantile(lead + review, level), on_order, pack)
        weekly = sum(model.daily(28)) / 4
        for source, to, qty in result.transfers:
            here, there = levels[to], levels[source]
            why = f"{_num(here.on_hand)} left at {self.names[to]}"
            why += f", {_num(here.inbound)} on the way" if here.inbound else ""
            why += f", sells ~{_about(weekly * here.share)} a week there" if here.share else ""
            why += f", minimum {_num(here.min_stock)}" if here.min_stock else ""
            keeps = there.min_stock + result.need[source]
            why += f"; {self.names[source]} has {_num(there.on_hand)}, keeps {_num(keeps)}"
            self._moves.setdefault((source, to), []).append(
                ReorderTransferLine(sku=product["sku"], name=product["name"], quantity=qty, reason=why))
        where = [ReorderLineLocation(location_id=loc, name=self.names[loc], on_hand=int(levels[loc].on_hand),
                                     short=qty) for loc, qty in result.short.items() if qty > 0]  # fmt: skip
        if result.purchase <= 0:
            return 0, "", where
        on_hand = db.as_int(product.get("on_hand"))
        reason = f"sells ~{_about(weekly)} a week, {on_hand} left"
        reason += f", {on_order} on order" if on_order else ""
        reason += f", supplier takes {lead} day{'s' if lead != 1 else ''}"
        reason += f"; packs of {pack}" if pack > 1 else ""
        reason += "; short at " + ", ".join(f"{w.name} ({w.short})" for w in where)
        moved = sum(q for _, _, q in result.transfers)
        reason += f" after moving {moved}" if moved else ""
        return result.purchase, reason, where

    def transfers(self) -> list[ReorderTransfer]:
        order = list(self.names)
        return [
            ReorderTransfer(from_location_id=source, from_name=self.names[source], to_location_id=to,
                            to_name=self.names[to], lines=lines)
            for (source, to), lines in sorted(self._moves.items(),
                                              key=lambda kv: (order.index(kv[0][1]), order.index(kv[0][0])))
        ]  # fmt: skip


def context(tenant_id: str) -> Several | None:
    """The shop's locations if it has more than one open; None otherwise."""
    from chalicelib.services import locations

    return _several(tenant_id, locations.all_locations(tenant_id))


def _several(tenant_id: str, places: list[dict[str, Any]]) -> Several | None:
    """Of these locations, the open ones if more than one (a location being deleted takes no part)."""
    open_places = [p for p in places if not p.get("closing")]
    return Several(tenant_id, open_places) if len(open_places) > 1 else None


def _inbound(tenant_id: str) -> dict[tuple[str, str], float]:
    """Units on their way to each location per product, from the transfers not received in full."""
    found: dict[tuple[str, str], float] = {}
    after = None
    while True:
        items, after = db.query_transfers(tenant_id, 200, after, open_only=True)
        for item in items:
            for ln in item["lines"]:
                key = (ln["sku"], item["to_location_id"])
                found[key] = found.get(key, 0.0) + float(db.as_qty(ln["quantity"]) - db.as_qty(ln.get("received")))
        if after is None:
            return found


def digest_plans(tenant_id: str, shop: dict[str, Any], suppliers: dict[str, dict[str, Any]],
                 places: list[dict[str, Any]], products: dict[str, dict[str, Any]]) -> dict[str, Plan]:
    """For the low-stock digest (which has read the shop, its suppliers and locations): each
    product's plan by the same rule as the Reorder screen, from its stored forecast if any; none
    for a shop with one open location."""
    from chalicelib.services import forecasts

    several = _several(tenant_id, places)
    if several is None or not products:
        return {}
    stored = db.get_forecasts(tenant_id, list(products))
    plans = {}
    for sku, product in products.items():
        lead = forecasts.lead_time(product, suppliers) + forecasts.review_days(shop)
        model = forecasts.model_of(stored[sku]) if sku in stored else None
        demand = model.demand_quantile(lead, forecasts.service_level(shop)) if model else 0.0
        plans[sku] = plan(several.levels(product, stored.get(sku)), demand, db.as_int(product.get("on_order")),
                          db.as_int(product.get("pack_size")) or 1)  # fmt: skip
    return plans

"""The demo shop: four years of real sales (Tableau's Superstore sample), loaded over the API.

It goes through the same HTTP API as the site (register, sign in, import sales and products,
sell, order), so the demo exercises the real code path and never writes to the table directly.
The sales are moved in time so the last order was yesterday; a few sales are rung up today;
stock follows each product's recent sales, with a few best sellers already low. Loaded once: if
the demo account exists and its shop already has products, nothing is done.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

log = logging.getLogger("shelfwise.demo")

EMAIL = "demo@shelfwise.local"
PASSWORD = "Shelfwise-demo1"  # noqa: S105 - the documented login of the local demo shop
SHOP_NAME = "Superstore (demo)"
TIMEOUT = 30


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    category: str
    subcategory: str
    price: str
    unit_cost: str
    min_stock: int
    reorder_qty: int
    lead_time_days: int
    receive: int  # stock received at load; at or below min_stock makes the product low

    @property
    def barcode(self) -> str:
        return ean13(self.sku)


def ean13(sku: str) -> str:
    """A stable EAN-13 for a demo SKU, in GS1's in-store prefix 20-29, so it names no real product."""
    digits = "2" + str(int.from_bytes(sku.encode(), "big") % 10**11).zfill(11)
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


P = DemoProduct
PRODUCTS: tuple[DemoProduct, ...] = (
    # Groceries
    P("BRD-WHITE-800", "White sliced bread 800g", "Groceries", "Bakery", "1.45", "0.95", 8, 24, 1, 30),
    P("BRD-WHOLE-800", "Wholemeal bread 800g", "Groceries", "Bakery", "1.55", "1.00", 6, 18, 1, 20),
    P("BKY-CROIS-4", "Butter croissants 4 pack", "Groceries", "Bakery", "2.20", "1.30", 4, 12, 1, 14),
    P("DAI-MILK-SS-2L", "Semi-skimmed milk 2L", "Groceries", "Dairy", "1.65", "1.10", 12, 36, 1, 8),
    P("DAI-MILK-W-1L", "Whole milk 1L", "Groceries", "Dairy", "1.15", "0.75", 10, 30, 1, 28),
    P("DAI-EGGS-FR-6", "Free-range eggs, 6 medium", "Groceries", "Dairy", "2.10", "1.40", 10, 30, 2, 10),
    P("DAI-BUTTER-250", "Salted butter 250g", "Groceries", "Dairy", "2.60", "1.85", 6, 18, 2, 22),
    P("DAI-CHED-400", "Mature cheddar 400g", "Groceries", "Dairy", "3.95", "2.70", 4, 12, 2, 15),
    P("PAN-RICE-BAS-1K", "Basmati rice 1kg", "Groceries", "Pantry", "2.40", "1.50", 4, 12, 5, 18),
    P("PAN-SPAG-500", "Spaghetti 500g", "Groceries", "Pantry", "0.95", "0.55", 8, 24, 5, 40),
    P("PAN-TOM-CHOP-400", "Chopped tomatoes 400g tin", "Groceries", "Pantry", "0.75", "0.42", 12, 48, 5, 60),
    P("PAN-BEANS-415", "Baked beans 415g tin", "Groceries", "Pantry", "0.99", "0.60", 12, 48, 5, 55),
    P("PAN-TEA-80", "Tea bags, 80", "Groceries", "Pantry", "2.80", "1.85", 6, 18, 5, 24),
    P("PAN-COFFEE-200", "Instant coffee 200g", "Groceries", "Pantry", "5.50", "3.90", 3, 9, 5, 12),
    P("PAN-SUGAR-1K", "Granulated sugar 1kg", "Groceries", "Pantry", "1.20", "0.80", 4, 12, 5, 16),
    P("SNK-CRISP-RS-6", "Ready salted crisps 6 pack", "Groceries", "Snacks", "1.95", "1.20", 6, 24, 3, 30),
    P("SNK-CHOC-MILK-100", "Milk chocolate bar 100g", "Groceries", "Snacks", "1.35", "0.80", 10, 40, 3, 48),
    P("SNK-BISC-DIG-400", "Digestive biscuits 400g", "Groceries", "Snacks", "1.25", "0.78", 6, 18, 3, 20),
    P("DRK-WATER-500", "Still spring water 500ml", "Groceries", "Drinks", "0.85", "0.30", 24, 72, 3, 96),
    P("DRK-COLA-1L5", "Cola 1.5L", "Groceries", "Drinks", "1.99", "1.15", 8, 24, 3, 26),
    P("DRK-OJ-1L", "Orange juice 1L", "Groceries", "Drinks", "1.70", "1.05", 6, 18, 3, 18),
    # Household
    P("HH-WASHUP-450", "Washing-up liquid 450ml", "Household", "Cleaning", "1.20", "0.70", 4, 12, 7, 14),
    P("HH-BLEACH-750", "Thick bleach 750ml", "Household", "Cleaning", "1.10", "0.55", 4, 12, 7, 12),
    P("HH-LAUNDRY-20", "Laundry capsules, 20 washes", "Household", "Cleaning", "5.75", "3.90", 3, 9, 7, 8),
    P("HH-TOILET-9", "Toilet roll 9 pack", "Household", "Paper", "4.50", "3.00", 6, 18, 7, 4),
    P("HH-KITCHEN-2", "Kitchen roll 2 pack", "Household", "Paper", "2.25", "1.40", 4, 12, 7, 10),
    P("HH-TOOTHPASTE-100", "Fluoride toothpaste 100ml", "Household", "Personal care", "1.80", "0.95", 4, 12, 7, 11),
)


@dataclass(frozen=True)
class DemoResult:
    email: str
    password: str
    loaded: bool  # False when the demo shop was there already
    products: int


class DemoError(RuntimeError):
    pass


def _check(reply: Any, *expected: int) -> Any:
    if reply.status_code not in expected:
        request = reply.request
        raise DemoError(f"{request.method} {request.path_url} answered {reply.status_code}: {reply.text[:300]}")
    return reply


def _login(session: Any, api: str) -> None:
    reply = _check(session.post(f"{api}/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=TIMEOUT), 200)
    session.headers["Authorization"] = f"Bearer {reply.json()['id_token']}"


def _register(session: Any, api: str) -> bool:
    """True if the account was created now, False if it existed."""
    body = {"shop_name": SHOP_NAME, "email": EMAIL, "password": PASSWORD}
    reply = _check(session.post(f"{api}/auth/register", json=body, timeout=TIMEOUT), 201, 409)
    return reply.status_code == 201


def _load_products(session: Any, api: str) -> int:
    created = 0
    for product in PRODUCTS:
        body = {
            "sku": product.sku,
            "name": product.name,
            "category": product.category,
            "subcategory": product.subcategory,
            "price": float(Decimal(product.price)),
            "unit_cost": float(Decimal(product.unit_cost)),
            "min_stock": product.min_stock,
            "reorder_qty": product.reorder_qty,
            "lead_time_days": product.lead_time_days,
            "barcode": product.barcode,
        }
        reply = _check(session.post(f"{api}/products", json=body, timeout=TIMEOUT), 201, 409)
        if reply.status_code == 409:
            continue  # there from an earlier, interrupted load: its stock was received then
        created += 1
        receive = {"type": "receive", "quantity": product.receive, "unit_cost": float(Decimal(product.unit_cost))}
        _check(
            session.post(
                f"{api}/products/{product.sku}/stock",
                json=receive,
                headers={"Idempotency-Key": f"demo-receive-{product.sku}"},
                timeout=TIMEOUT,
            ),
            201,
        )
    return created


def load(api_url: str, reset_account: Callable[[str], None] | None = None, small: bool = False) -> DemoResult:
    """Make sure the demo shop exists with its catalogue and history; returns its login.

    `small`: a corner shop of 27 products and no history instead of the Superstore (moto's
    DynamoDB copies whole tables on every transaction, which makes big imports crawl).

    `reset_account(email)` is called if the demo account exists but its shop does not (the
    table was wiped while sign-ins were kept); it should delete the account so it can be made again.
    """
    import requests

    api = api_url.rstrip("/")
    with requests.Session() as session:
        fresh = _register(session, api)
        _login(session, api)
        if not fresh:
            me = _check(session.get(f"{api}/me", timeout=TIMEOUT), 200, 404)
            if me.status_code == 404:
                if reset_account is None:
                    raise DemoError(
                        f"{EMAIL} exists but its shop is gone; delete .local/dynamodb and .local/moto to start afresh."
                    )
                log.warning("the demo account had no shop (was the table wiped?); making it again")
                reset_account(EMAIL)
                session.headers.pop("Authorization", None)
                if not _register(session, api):
                    raise DemoError(f"could not re-create {EMAIL}")
                _login(session, api)
            else:
                listed = _check(session.get(f"{api}/products", params={"limit": 1}, timeout=TIMEOUT), 200).json()
                if listed["items"]:
                    log.info("demo shop already loaded")
                    return DemoResult(EMAIL, PASSWORD, loaded=False, products=0)
        created = _load_products(session, api) if small else _load_superstore(session, api)
    log.info("demo shop loaded: %d products", created)
    return DemoResult(EMAIL, PASSWORD, loaded=True, products=created)


# --- the Superstore demo -------------------------------------------------------------------


def shifted_superstore(today: date) -> tuple[bytes, int]:
    """Tableau's Superstore sample with every date moved so its last order was yesterday."""
    import csv
    import io

    from local import superstore

    text = superstore.fetch().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    last = max(date.fromisoformat(r["Order Date"]) for r in rows)
    shift = (today - timedelta(days=1)) - last
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    for r in rows:
        for column in ("Order Date", "Ship Date"):
            r[column] = (date.fromisoformat(r[column]) + shift).isoformat()
        writer.writerow(r)
    return out.getvalue().encode(), shift.days


def stock_plan(data: bytes, today: date) -> str:
    """Stock levels from each product's recent sales: about six weeks on hand, a minimum of two
    weeks, a few best sellers already at or below their minimum, and slow lines left over."""
    import csv
    import io
    import math

    recent: dict[str, int] = defaultdict(int)
    products: dict[str, str] = {}
    for r in csv.DictReader(io.StringIO(data.decode())):
        products.setdefault(r["Product ID"], r["Product Name"])
        if date.fromisoformat(r["Order Date"]) > today - timedelta(days=90):
            recent[r["Product ID"]] += int(r["Quantity"])
    best = sorted(recent, key=lambda sku: (-recent[sku], sku))[:LOW_BEST_SELLERS]
    lines = ["sku,min_stock,reorder_qty,on_hand,barcode"]
    for sku in sorted(products):
        per_day = recent.get(sku, 0) / 90
        minimum = max(2, math.ceil(per_day * 14))
        reorder = max(6, math.ceil(per_day * 30))
        on_hand = max(minimum + 2, math.ceil(per_day * 42)) if sku in recent else 3 + len(sku) % 7
        if sku in best:
            on_hand = minimum - best.index(sku) % 2  # at, or one below, the minimum
        lines.append(f"{sku},{minimum},{reorder},{on_hand},{ean13(sku)}")
    return "\n".join(lines) + "\n"


LOW_BEST_SELLERS = 4


def _load_superstore(session: Any, api: str) -> int:
    today = datetime.now(UTC).date()
    data, shift = shifted_superstore(today)
    log.info("loading the demo shop: 4 years of Superstore sales (moved %d days on), about a minute", shift)
    csv_headers = {"Content-Type": "text/csv"}
    result = _check(session.post(f"{api}/imports/sales", data=data, headers=csv_headers, timeout=600), 200).json()
    plan = stock_plan(data, today)
    stocked = _check(
        session.post(f"{api}/imports/products", data=plan.encode(), headers=csv_headers, timeout=600), 200
    ).json()
    if stocked["errors"]:
        log.warning("demo stock plan had problems: %s", stocked["errors"][:3])
    _today_sales(session, api, plan)
    _supplier_and_order(session, api, plan)
    return int(result["products_created"])


def _today_sales(session: Any, api: str, plan: str) -> None:
    """A few sales rung up today, so the dashboard's today is not empty."""
    rows = [line.split(",") for line in plan.splitlines()[1:]]
    stocked = [r[0] for r in rows if int(r[3]) > int(r[1]) + 3][:40]
    for i in range(6):
        lines = [
            {"sku": stocked[(i * 7 + j * 3) % len(stocked)], "quantity": 1 + (i + j) % 2} for j in range(1 + i % 3)
        ]
        body = {"lines": lines, "customer": {"region": ("West", "East", "Central", "South")[i % 4]}}
        _check(
            session.post(f"{api}/sales", json=body, headers={"Idempotency-Key": f"demo-today-{i}"}, timeout=TIMEOUT),
            201,
            409,
        )


def _supplier_and_order(session: Any, api: str, plan: str) -> None:
    """A supplier and an open purchase order covering one of the low products ("on order")."""
    supplier = _check(
        session.post(
            f"{api}/suppliers",
            json={
                "name": "Acme Office Wholesale",
                "email": "orders@acme-wholesale.example",
                "lead_time_days": 5,
            },
            timeout=TIMEOUT,
        ),
        201,
    ).json()
    low = _check(
        session.get(f"{api}/products", params={"low_stock": "true", "limit": 10}, timeout=TIMEOUT), 200
    ).json()["items"]
    if not low:
        return
    first = low[0]
    order = _check(
        session.post(
            f"{api}/purchase-orders",
            json={
                "supplier_id": supplier["supplier_id"],
                "lines": [
                    {"sku": first["sku"], "quantity": max(first["reorder_qty"], 6), "unit_cost": first["unit_cost"]}
                ],
            },
            timeout=TIMEOUT,
        ),
        201,
    ).json()
    _check(
        session.post(f"{api}/purchase-orders/{order['po_id']}/status", json={"status": "ordered"}, timeout=TIMEOUT), 200
    )

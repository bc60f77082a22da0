"""The demo shop: four years of real sales (Tableau's Superstore sample), loaded over the API.

It goes through the same HTTP API as the site (register, sign in, import sales and products,
sell, order), so the demo exercises the real code path and never writes to the table directly.
The sales are moved in time so the last order was yesterday; a few sales are rung up today;
stock follows each product's recent sales, with a few best sellers already low.

It loads in two parts, so the site is usable within seconds:
1. `load()`, before the stack says it is ready: the account, the products sold in the last two weeks
   (and the best sellers that are low) with their stock, today's sales, a supplier and an open
   order: today's figures, what is running low and what is on order are right from the start.
2. `History.run()`, in the background: the four years of sales, newest first (the dashboard's
   recent weeks fill first), then the stock of the older lines the history brought, each step
   an ordinary import, with its progress in `History.status()` (the local stack serves it as
   /demo.json and the dashboard shows it). Both imports recognise what they have already done
   (sales by order, products by comparing), and the steps done are kept in a small state file:
   a stack stopped half-way resumes where it stopped, with the same dates.
A demo shop loaded before the state file existed counts as loaded.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

log = logging.getLogger("shelfwise.demo")

EMAIL = "demo@shelfwise.local"
PASSWORD = "Shelfwise-demo1"  # noqa: S105 - the documented login of the local demo shop
SHOP_NAME = "Superstore (demo)"
TIMEOUT = 30
# The history goes in this many imports, newest first: the dashboard's progress moves in 5 % steps.
HISTORY_PIECES = 20
# Products sold within this many days come with the first part (about 170 of the 1,862).
FIRST_DAYS = 14
# The older lines' stock goes in imports of this many products; one costs about as much as
# STOCK_WEIGHT sales lines (a product update and a stock count against a share of a transaction).
STOCK_PIECE = 250
STOCK_WEIGHT = 3
IMPORT_TIMEOUT = 600


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
    history: History | None = None  # the sales history still to load (History.run), if any


class DemoError(RuntimeError):
    pass


def _check(reply: Any, *expected: int) -> Any:
    if reply.status_code not in expected:
        request = reply.request
        raise DemoError(f"{request.method} {request.path_url} answered {reply.status_code}: {reply.text[:300]}")
    return reply


def _login(session: Any, api: str, email: str = EMAIL, password: str = PASSWORD) -> None:
    body = {"email": email, "password": password}
    reply = _check(session.post(f"{api}/auth/login", json=body, timeout=TIMEOUT), 200)
    session.headers["Authorization"] = f"Bearer {reply.json()['id_token']}"


def _session() -> Any:
    """A requests session that waits and sends again when the API answers 429 (the demo shop
    loads faster than its plan's 20 requests a second): a 429 was not processed, so any method
    may be sent again."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    polite = Retry(total=20, connect=0, read=0, status=20, status_forcelist=[429], allowed_methods=None,
                   respect_retry_after_header=True, backoff_factor=0, raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=polite))
    session.mount("https://", HTTPAdapter(max_retries=polite))
    return session


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


def load(
    api_url: str,
    reset_account: Callable[[str], None] | None = None,
    small: bool = False,
    state_path: Path | None = None,
) -> DemoResult:
    """Make sure the demo shop exists with its catalogue, stock and today's sales; returns its
    login and the sales history still to load (`result.history.run()`, in the background).

    `small`: a corner shop of 27 products and no history instead of the Superstore (moto's
    DynamoDB copies whole tables on every transaction, which makes big imports crawl).

    `state_path`: where the Superstore demo keeps how far it got (the stack's .local/), so a
    restart resumes a half-loaded demo with the same dates. None: nothing is kept.

    `reset_account(email)` is called if the demo account exists but its shop does not (the
    table was wiped while sign-ins were kept); it should delete the account so it can be made again.
    """

    api = api_url.rstrip("/")
    with _session() as session:
        fresh = _register(session, api)
        _login(session, api)
        me = _check(session.get(f"{api}/me", timeout=TIMEOUT), 200, 404)
        if not fresh and me.status_code == 404:
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
            me = _check(session.get(f"{api}/me", timeout=TIMEOUT), 200)
        tenant_id = me.json()["tenant_id"]
        state = read_state(state_path, tenant_id)
        if small:
            listed = _check(session.get(f"{api}/products", params={"limit": 1}, timeout=TIMEOUT), 200).json()
            if listed["items"]:
                log.info("demo shop already loaded")
                return DemoResult(EMAIL, PASSWORD, loaded=False, products=0)
            created = _load_products(session, api)
            log.info("demo shop loaded: %d products", created)
            return DemoResult(EMAIL, PASSWORD, loaded=True, products=created)
        if state is None and not fresh:
            listed = _check(session.get(f"{api}/products", params={"limit": 1}, timeout=TIMEOUT), 200).json()
            if listed["items"]:  # loaded whole, before demos kept a state file
                log.info("demo shop already loaded")
                return DemoResult(EMAIL, PASSWORD, loaded=False, products=0)
        if state is not None and state.get("stage") == "done":
            log.info("demo shop already loaded")
            return DemoResult(EMAIL, PASSWORD, loaded=False, products=0)
        today = datetime.now(UTC).date()
        if state is None:
            state = {"tenant_id": tenant_id, "shift_days": default_shift(today), "pieces": HISTORY_PIECES,
                     "stage": "catalogue", "done": 0}  # fmt: skip
            write_state(state_path, state)
        rows = superstore_rows(state["shift_days"])
        # "today" as the dates were moved, so a resumed load makes the same catalogue.
        first, rest = split_catalogue(rows, last_day(rows) + timedelta(days=1))
        created = 0
        if state["stage"] == "catalogue":
            log.info("loading the demo shop: %d recent products with their stock, today's sales (history moved "
                     "%d days on)", len(first), state["shift_days"])  # fmt: skip
            created = _load_catalogue(session, api, first)
            state["stage"] = "history"
            write_state(state_path, state)
        history = (History(api, history_steps(rows, rest, int(state["pieces"])), state, state_path)
                   if state["stage"] == "history" else None)  # fmt: skip
    log.info("demo shop ready: %d products%s", created, "; its history loads in the background" if history else "")
    return DemoResult(EMAIL, PASSWORD, loaded=created > 0, products=created, history=history)


# --- the Superstore demo -------------------------------------------------------------------


def _read_superstore() -> list[dict[str, str]]:
    from local import superstore

    return list(csv.DictReader(io.StringIO(superstore.fetch().read_text(encoding="utf-8-sig"))))


def last_day(rows: list[dict[str, str]]) -> date:
    return max(date.fromisoformat(r["Order Date"]) for r in rows)


def default_shift(today: date) -> int:
    """Days to move the sample by so its last order was yesterday."""
    return ((today - timedelta(days=1)) - last_day(_read_superstore())).days


def superstore_rows(shift_days: int, rows: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """Tableau's Superstore sample (or `rows`) with every date moved `shift_days` days on."""
    shift = timedelta(days=shift_days)
    moved = []
    for r in rows if rows is not None else _read_superstore():
        r = dict(r)
        for column in ("Order Date", "Ship Date"):
            r[column] = (date.fromisoformat(r[column]) + shift).isoformat()
        moved.append(r)
    return moved


def to_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


CATALOGUE_COLUMNS = ("sku", "name", "category", "subcategory", "price", "unit_cost", "min_stock", "reorder_qty",
                     "on_hand", "barcode")  # fmt: skip


def catalogue(rows: list[dict[str, str]], today: date) -> list[dict[str, Any]]:
    """Every product the sales name, priced from its first line as the sales import would, with
    stock from its recent sales: about six weeks on hand, a minimum of two weeks, a few best
    sellers already at or below their minimum, and slow lines left over."""
    recent: dict[str, int] = defaultdict(int)
    first: dict[str, dict[str, str]] = {}
    for r in rows:
        first.setdefault(r["Product ID"], r)
        if date.fromisoformat(r["Order Date"]) > today - timedelta(days=90):
            recent[r["Product ID"]] += int(r["Quantity"])
    best = sorted(recent, key=lambda sku: (-recent[sku], sku))[:LOW_BEST_SELLERS]
    products = []
    for sku in sorted(first):
        line = first[sku]
        quantity, revenue = int(line["Quantity"]), Decimal(line["Sales"])
        discount = Decimal(line.get("Discount") or 0)
        price = revenue / quantity / (1 - discount) if discount < 1 else revenue
        unit_cost = max((revenue - Decimal(line["Profit"])) / quantity, Decimal(0))
        per_day = recent.get(sku, 0) / 90
        minimum = max(2, math.ceil(per_day * 14))
        on_hand = max(minimum + 2, math.ceil(per_day * 42)) if sku in recent else 3 + len(sku) % 7
        if sku in best:
            on_hand = minimum - best.index(sku) % 2  # at, or one below, the minimum
        products.append({
            "sku": sku, "name": line["Product Name"], "category": line.get("Category", ""),
            "subcategory": line.get("Sub-Category", ""), "price": price.quantize(Decimal("0.01")),
            "unit_cost": unit_cost.quantize(Decimal("0.0001")), "min_stock": minimum,
            "reorder_qty": max(6, math.ceil(per_day * 30)), "on_hand": on_hand, "barcode": ean13(sku),
        })  # fmt: skip
    return products


LOW_BEST_SELLERS = 4
# The older lines are made by the sales history (name, category, price); two imports add the rest:
# their stock first, then their minimum, so none is ever at or below its minimum on the way (the
# scheduled check would email about it).
STOCK_COLUMNS = ("sku", "on_hand")
LEVEL_COLUMNS = ("sku", "min_stock", "reorder_qty", "barcode")


def split_catalogue(rows: list[dict[str, str]], today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the products of the first part: sold in the last FIRST_DAYS days, or low; the others)."""
    since = today - timedelta(days=FIRST_DAYS)
    recent = {r["Product ID"] for r in rows if date.fromisoformat(r["Order Date"]) >= since}
    first: list[dict[str, Any]] = []
    rest: list[dict[str, Any]] = []
    for product in catalogue(rows, today):
        (first if product["sku"] in recent or product["on_hand"] <= product["min_stock"] else rest).append(product)
    return first, rest


def products_csv(products: list[dict[str, Any]], columns: tuple[str, ...] = CATALOGUE_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(products)
    return out.getvalue().encode()


def _load_catalogue(session: Any, api: str, products: list[dict[str, Any]]) -> int:
    csv_headers = {"Content-Type": "text/csv"}
    stocked = _check(
        session.post(f"{api}/imports/products", data=products_csv(products), headers=csv_headers,
                     timeout=IMPORT_TIMEOUT), 200,
    ).json()  # fmt: skip
    if stocked["errors"]:
        log.warning("demo catalogue had problems: %s", stocked["errors"][:3])
    _today_sales(session, api, products)
    _supplier_and_order(session, api)
    return int(stocked["created"])


def _today_sales(session: Any, api: str, products: list[dict[str, Any]]) -> None:
    """A few sales rung up today, so the dashboard's today is not empty."""
    stocked = [p["sku"] for p in products if p["on_hand"] > p["min_stock"] + 3][:40]
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


SUPPLIER = {"name": "Acme Office Wholesale", "email": "orders@acme-wholesale.example", "lead_time_days": 5}


def _supplier_and_order(session: Any, api: str) -> None:
    """A supplier and an open purchase order covering one of the low products ("on order");
    once only, even when a load stopped half-way is resumed."""
    suppliers = _check(session.get(f"{api}/suppliers", params={"limit": 50}, timeout=TIMEOUT), 200).json()["items"]
    if any(s["name"] == SUPPLIER["name"] for s in suppliers):
        return
    supplier = _check(session.post(f"{api}/suppliers", json=SUPPLIER, timeout=TIMEOUT), 201).json()
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


# --- the history, in the background ----------------------------------------------------------


def history_pieces(rows: list[dict[str, str]], pieces: int = HISTORY_PIECES) -> list[list[dict[str, str]]]:
    """The sales lines, newest first, in about `pieces` pieces of whole days: an order's lines
    (which share a date) always go together, so each piece is a file the sales import takes alone."""
    by_order: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_order[r["Order ID"]].append(r)
    by_day: dict[str, list[dict[str, str]]] = defaultdict(list)
    for lines in by_order.values():
        by_day[lines[0]["Order Date"]] += lines
    target = max(1, math.ceil(len(rows) / max(pieces, 1)))
    out: list[list[dict[str, str]]] = []
    current: list[dict[str, str]] = []
    for day in sorted(by_day, reverse=True):
        current += by_day[day]
        if len(current) >= target:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def read_state(path: Path | None, tenant_id: str) -> dict[str, Any] | None:
    """How far the demo got, if it is this shop's (a wiped table makes a new shop: start afresh)."""
    if path is None or not path.exists():
        return None
    try:
        state = json.loads(path.read_text())
    except ValueError:
        log.warning("ignoring a damaged %s", path)
        return None
    if not isinstance(state, dict) or state.get("tenant_id") != tenant_id:
        return None
    return state


def write_state(path: Path | None, state: dict[str, Any]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_suffix(".tmp")
    fresh.write_text(json.dumps(state) + "\n")
    fresh.replace(path)  # never half a file, even if the stack stops mid-write


@dataclass(frozen=True)
class Step:
    """One import of the background part: its path, its CSV body and its share of the work."""

    path: str
    body: bytes
    weight: int


def history_steps(rows: list[dict[str, str]], rest: list[dict[str, Any]], pieces: int = HISTORY_PIECES) -> list[Step]:
    """The sales, newest first, then the stock of the products the first part left out."""
    steps = [Step("/imports/sales", to_csv(piece), len(piece)) for piece in history_pieces(rows, pieces)]
    for at in range(0, len(rest), STOCK_PIECE):
        chunk = rest[at: at + STOCK_PIECE]
        half = len(chunk) * STOCK_WEIGHT // 2
        steps.append(Step("/imports/products", products_csv(chunk, STOCK_COLUMNS), half))
        steps.append(Step("/imports/products", products_csv(chunk, LEVEL_COLUMNS), len(chunk) * STOCK_WEIGHT - half))
    return steps


class History:
    """The background part of the demo, step by step; `run()` does the steps not done yet (again
    from the one in progress, which is harmless), `status()` says how far it got."""

    def __init__(self, api_url: str, steps: list[Step], state: dict[str, Any], state_path: Path | None = None,
                 email: str = EMAIL, password: str = PASSWORD) -> None:  # fmt: skip
        self.api = api_url.rstrip("/")
        self.steps = steps
        self.state = state
        self.state_path = state_path
        self.email, self.password = email, password
        self.total = sum(step.weight for step in steps)
        self.done_weight = sum(step.weight for step in steps[: int(state.get("done", 0))])
        self.failed: str | None = None
        self.seconds: float | None = None
        self._stop = threading.Event()

    @property
    def done(self) -> bool:
        return self.state.get("stage") == "done"

    def status(self) -> dict[str, Any]:
        """For the site (/demo.json): {"state": loading|done|failed, "percent", "shop_id"}."""
        state = "done" if self.done else "failed" if self.failed else "loading"
        percent = 100 if self.done else min(99, int(100 * self.done_weight / max(self.total, 1)))
        return {"state": state, "percent": percent, "shop_id": self.state.get("tenant_id")}

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Stop after the step in progress (done again, harmlessly, on resume)."""
        self._stop.set()

    def run(self, attempts: int = 3, max_steps: int | None = None) -> None:
        """The steps not done yet (at most `max_steps` of them), then the state says "done"."""

        started = time.monotonic()
        first = int(self.state.get("done", 0))
        with _session() as session:
            _login(session, self.api, self.email, self.password)
            for index in range(first, len(self.steps)):
                if self._stop.is_set() or (max_steps is not None and index - first >= max_steps):
                    return
                step = self.steps[index]
                self._import(session, step, attempts)
                self.done_weight += step.weight
                self.state["done"] = index + 1
                write_state(self.state_path, self.state)
        self.state["stage"] = "done"
        write_state(self.state_path, self.state)
        self.seconds = time.monotonic() - started
        log.info("demo history loaded in %.0f s (%d imports)", self.seconds, len(self.steps))

    def _import(self, session: Any, step: Step, attempts: int) -> None:
        """One step; again after a refusal the server calls temporary, or an expired sign-in."""
        import requests

        for attempt in range(1, attempts + 1):
            try:
                reply = session.post(f"{self.api}{step.path}", data=step.body, headers={"Content-Type": "text/csv"},
                                     timeout=IMPORT_TIMEOUT)  # fmt: skip
            except requests.RequestException as exc:
                if attempt == attempts or self._stop.is_set():
                    self.failed = str(exc)
                    raise
                time.sleep(attempt)
                continue
            if reply.status_code == 401:
                _login(session, self.api, self.email, self.password)
            elif reply.status_code not in (429, 503) or attempt == attempts:
                try:
                    result = _check(reply, 200).json()
                except DemoError as exc:
                    self.failed = str(exc)
                    raise
                if result["errors"]:
                    log.warning("demo %s: %d rows refused, e.g. %s", step.path, len(result["errors"]),
                                result["errors"][:2])  # fmt: skip
                return
            time.sleep(attempt)

"""Pydantic models at the edges: what requests may carry and what replies contain.

Request models are strict (no silent "5" -> 5 for quantities, no unknown fields) so a typo
gets a clear 422 rather than being ignored. Money is Decimal end to end.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    RootModel,
    SerializationInfo,
    WithJsonSchema,
    model_validator,
)

MAX_QUANTITY = 1_000_000
MAX_MONEY = Decimal("1000000000")
MONEY_PLACES = 4
# The days the store can name (ids sort by time from 1970; the day after the last must exist).
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(9998, 12, 31)

# Zero-width joiners are part of how some scripts (Persian, Hindi) and emoji are written: kept
# between two visible characters. Every other invisible formatting character (right-to-left
# overrides, bidi isolates, zero-width spaces, byte-order marks) is refused, as in SKUs.
_JOINERS = frozenset("\u200c\u200d")


def _visible(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_text(value: str) -> str:
    """Text people type or paste: any kind of space becomes a plain one; control characters and
    invisible formatting characters (right-to-left overrides, zero-width spaces) are refused."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if ch.isspace() else ch for ch in value).strip()
    for i, ch in enumerate(value):
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Co"):
            raise ValueError("must not contain control characters")
        if category == "Cf" and not (
            ch in _JOINERS and 0 < i < len(value) - 1 and _visible(value[i - 1]) and _visible(value[i + 1])
        ):
            raise ValueError(
                "must not contain invisible formatting characters (right-to-left overrides, zero-width spaces)"
            )
    return value


def tidy_money(value: Decimal) -> Decimal:
    """An amount as it is stored: no exponent, no trailing zeros, no negative zero. Refuses one
    written with an absurd exponent (0E-1000000), which DynamoDB could not store."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or not -20 <= exponent <= 20:
        raise ValueError("is not a plain amount (write it like 12.50)")
    if value == 0:
        return Decimal(0)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.quantize(Decimal(1).scaleb(-MONEY_PLACES)).normalize()


def tidy_qty(value: Decimal) -> Decimal:
    """A quantity as it is stored: a whole number when whole (5, not 5.000), else its digits."""
    value = tidy_money(value)
    return Decimal(int(value)) if value == value.to_integral_value() else value


class Measure(Decimal):
    """A quantity with decimals on its way out: a JSON number as it is, never rounded to cents."""


def qty_out(value: Decimal, info: SerializationInfo | None = None) -> Any:
    """A quantity in a reply: whole as an int; else a float in JSON, a Measure in Python."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value) if info is not None and info.mode == "json" else Measure(value)


def check_day(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must be a date between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


def check_moment(value: datetime) -> datetime:
    days = [value.date()] + ([value.astimezone(UTC).date()] if value.tzinfo is not None else [])
    for day in days:
        check_day(day)
    return value


def check_sku(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    if not 1 <= len(value) <= 64:
        raise ValueError("must be 1 to 64 characters")
    if value != value.strip():
        raise ValueError("must not start or end with a space")
    if any(not ch.isprintable() for ch in value):
        raise ValueError("must contain only printable characters (no control or invisible characters)")
    if "/" in value or "\\" in value:
        raise ValueError("must not contain / or \\ (SKUs appear in web addresses)")
    return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value) or not value.isprintable():
        raise ValueError("must be an email address like name@example.com")
    return value


def _check_password(value: str) -> str:
    problems = []
    if len(value) < 8:
        problems.append("at least 8 characters")
    if not re.search(r"[a-z]", value):
        problems.append("a lower-case letter")
    if not re.search(r"[A-Z]", value):
        problems.append("an upper-case letter")
    if not re.search(r"[0-9]", value):
        problems.append("a digit")
    if problems:
        raise ValueError("needs " + ", ".join(problems))
    return value


Sku = Annotated[str, AfterValidator(check_sku)]
Email = Annotated[str, Field(max_length=254), AfterValidator(_check_email)]
Name = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=200)]
Label = Annotated[str, AfterValidator(clean_text), Field(max_length=100)]
Note = Annotated[str, AfterValidator(clean_text), Field(max_length=500)]
# A location of the shop's stock (`main` is the first); absent: the first location.
LocationId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
# One money type and one family of quantity types, used by every request model.
Money = Annotated[
    Decimal,
    Field(strict=False, ge=0, le=MAX_MONEY, decimal_places=MONEY_PLACES, allow_inf_nan=False),
    AfterValidator(tidy_money),
]
# Quantities are decimals of up to 3 places (a product sold by measure: 0.375 kg); whether a
# product takes a fraction at all depends on its unit, which the services check.
QTY_PLACES = 3
_QTY = {"strict": False, "decimal_places": QTY_PLACES, "allow_inf_nan": False}


def _number(value: object) -> object:
    """A quantity is a JSON number: "5" in quotes is refused, as a typo would be."""
    if isinstance(value, (str, bool)):
        raise ValueError("must be a number, not text")
    return value


_IsNumber = BeforeValidator(_number)
Quantity = Annotated[
    Decimal, _IsNumber, Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY, **_QTY), AfterValidator(tidy_qty)
]  # a signed change
Count = Annotated[Decimal, _IsNumber, Field(ge=0, le=MAX_QUANTITY, **_QTY), AfterValidator(tidy_qty)]
PositiveQuantity = Annotated[
    Decimal, _IsNumber, Field(gt=0, le=MAX_QUANTITY, **_QTY), AfterValidator(tidy_qty)
]
# A quantity in a reply: a whole number for whole units, else a decimal (never rounded to cents).
Qty = Annotated[Decimal, PlainSerializer(qty_out, return_type=Any), WithJsonSchema({"type": "number"})]
Rate = Annotated[Decimal, Field(strict=False, ge=0, le=1, decimal_places=4, allow_inf_nan=False),
                 AfterValidator(tidy_money)]  # fmt: skip
Day = Annotated[date, AfterValidator(check_day)]
Moment = Annotated[datetime, Field(strict=False), AfterValidator(check_moment)]
Barcode = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", str_max_length=10_000)


# --- identity ---------------------------------------------------------------------------


def _check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be a time zone name like Europe/London or America/New_York") from None
    return value


TimeZone = Annotated[str, Field(max_length=64), AfterValidator(_check_timezone)]


class RegisterIn(Strict):
    shop_name: Name
    email: Email
    password: Annotated[str, Field(max_length=256), AfterValidator(_check_password)]
    # The shop's days (today's sales, daily reports) follow its own clock.
    timezone: TimeZone = "UTC"
    # What its money is in (ISO 4217), for showing amounts; amounts themselves are plain numbers.
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"


class RegisterOut(BaseModel):
    tenant_id: str
    email: str


class LoginIn(Strict):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=256)]


class LoginOut(BaseModel):
    id_token: str
    refresh_token: str
    expires_in: int


class RefreshIn(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class RefreshOut(BaseModel):
    id_token: str
    expires_in: int


class MeOut(BaseModel):
    tenant_id: str
    shop_name: str
    email: str
    role: Literal["owner", "staff"]
    currency: str
    timezone: str
    # What the counter needs to price a cart as the server will (staff cannot read the settings).
    prices_include_tax: bool = False
    default_tax_rate: Decimal = Decimal(0)


# --- products ---------------------------------------------------------------------------


UNITS = ("each", "kg", "g", "l", "ml", "m")
Unit = Literal["each", "kg", "g", "l", "ml", "m"]


class LocationStock(BaseModel):
    location_id: str
    on_hand: Qty
    min_stock: Qty
    low_stock: bool = False


class LocationMinimumIn(Strict):
    location_id: LocationId
    min_stock: Count


class ProductFields(Strict):
    """Fields an owner may set on a product (all optional here; create requires some)."""

    name: Name | None = None
    category: Label | None = None
    subcategory: Label | None = None
    price: Money | None = None
    unit_cost: Money | None = None
    min_stock: Count | None = None
    reorder_qty: Count | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=365)] | None = None
    barcode: Barcode | None = None
    supplier_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    # How it is sold: `each` in whole units; by measure (kg, g, l, ml, m) in up to 3 decimals.
    unit: Unit | None = None
    # Its own tax rate (0.2 = 20 %); none: the shop's default rate.
    tax_rate: Rate | None = None
    pack_size: Annotated[int, Field(ge=1, le=100_000)] | None = None


class ProductCreate(ProductFields):
    sku: Sku
    name: Name
    price: Money
    category: Label = ""
    subcategory: Label = ""
    unit_cost: Money = Decimal("0")
    min_stock: Count = Decimal(0)
    reorder_qty: Count = Decimal(0)
    unit: Unit = "each"


class ProductPatch(ProductFields):
    stock: Annotated[list[LocationMinimumIn], Field(min_length=1, max_length=100)] | None = None

    @model_validator(mode="after")
    def _something(self) -> ProductPatch:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        for required in ("name", "price"):
            if required in self.model_fields_set and getattr(self, required) is None:
                raise ValueError(f"{required} cannot be removed")
        return self


class Product(BaseModel):
    sku: str
    name: str
    category: str
    subcategory: str
    price: Decimal
    unit_cost: Decimal
    on_hand: Qty
    min_stock: Qty
    reorder_qty: Qty
    lead_time_days: int | None
    barcode: str | None
    supplier_id: str | None
    low_stock: bool
    on_order: Qty
    unit: str = "each"
    tax_rate: Decimal | None = None  # None: the shop's default rate applies
    last_sold_at: str | None
    created_at: str
    updated_at: str
    pack_size: int = 1
    stock: list[LocationStock] = []
    rating: Rating | None = None  # buyers' stars, from the feedback links


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[str, Field(max_length=2048)] | None = None


class ProductQuery(ListQuery):
    q: Annotated[str, Field(max_length=200)] | None = None
    category: Annotated[str, Field(max_length=100)] | None = None
    low_stock: bool | None = None
    location_id: LocationId | None = None  # on_hand, min_stock and low_stock at that location


class ProductPage(BaseModel):
    items: list[Product]
    next_cursor: str | None


# --- stock movements --------------------------------------------------------------------


class StockMovementIn(Strict):
    type: Literal["receive", "adjust", "count"]
    quantity: Quantity
    unit_cost: Money | None = None
    note: Note | None = None
    location_id: LocationId | None = None

    @model_validator(mode="after")
    def _quantity_fits_type(self) -> StockMovementIn:
        if self.type == "receive" and self.quantity <= 0:
            raise ValueError("quantity must be more than 0 when receiving stock")
        if self.type == "adjust" and self.quantity == 0:
            raise ValueError("quantity must not be 0 for an adjustment (use a negative number for losses)")
        if self.type == "count" and self.quantity < 0:
            raise ValueError("quantity is the number counted and cannot be negative")
        if self.unit_cost is not None and self.type != "receive":
            raise ValueError("unit_cost applies only when receiving stock")
        return self


class StockMovementOut(BaseModel):
    movement_id: str
    sku: str
    type: str
    change: Qty
    on_hand: Qty
    location_id: str = "main"
    location_on_hand: Qty | None = None  # after the movement, at its location


class Movement(BaseModel):
    movement_id: str
    type: Literal["receive", "adjust", "count", "sale", "po_receipt", "return", "transfer_out", "transfer_in"]
    change: Qty
    on_hand_after: Qty
    at: str
    ref: str | None
    note: str | None
    location_id: str = "main"


class MovementPage(BaseModel):
    items: list[Movement]
    next_cursor: str | None


class Health(BaseModel):
    status: str


class Error(BaseModel):
    code: str
    message: str
    details: list[dict[str, object]] | None = None


# --- sales ------------------------------------------------------------------------------

MAX_SALE_LINES = 30


Percent = Annotated[Decimal, Field(strict=False, ge=0, le=100, decimal_places=4, allow_inf_nan=False)]


class SaleLineIn(Strict):
    sku: Sku
    quantity: PositiveQuantity
    unit_price: Money | None = None
    discount: Money | None = None  # an amount off the whole line
    discount_pct: Percent | None = None

    @model_validator(mode="after")
    def _one_discount(self) -> SaleLineIn:
        if self.discount is not None and self.discount_pct is not None:
            raise ValueError("give either discount (an amount) or discount_pct (a percentage), not both")
        return self


CustomerId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]


# Cash, card or any short label the shop uses ("voucher", "bank transfer").
PaymentMethod = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=24)]


class Customer(Strict):
    id: CustomerId | None = None  # the shop's own id for the buyer; else the email identifies them
    email: Email | None = None
    name: Label | None = None
    segment: Label | None = None
    region: Label | None = None
    state: Label | None = None
    city: Label | None = None
    country: Label | None = None


# A till (a phone, a register) numbers its invoices in a series of its own, so tills never wait
# for each other; sales that name none use the shop's main series.
Till = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")]


class SaleIn(Strict):
    lines: Annotated[list[SaleLineIn], Field(min_length=1)]
    sold_at: Moment | None = None
    customer: Customer | None = None
    till: Till | None = None
    payment_method: PaymentMethod = "other"
    location_id: LocationId | None = None

    @model_validator(mode="after")
    def _fits_one_sale(self) -> SaleIn:
        if len(self.lines) > MAX_SALE_LINES:
            raise ValueError(
                f"a sale can have at most {MAX_SALE_LINES} lines (this one has {len(self.lines)}); "
                "record it as two sales"
            )
        if self.sold_at is not None and self.sold_at.tzinfo is None:
            raise ValueError("sold_at needs a time zone, e.g. 2026-11-23T09:15:00Z")
        return self


class SaleLine(BaseModel):
    sku: str
    name: str
    quantity: Qty
    unit: str = "each"
    unit_price: Decimal
    gross: Decimal
    discount: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    revenue: Decimal  # net of discount and tax
    cost: Decimal
    profit: Decimal
    returned: Qty = Decimal(0)


class ReturnLine(BaseModel):
    sku: str
    quantity: Qty
    refund: Decimal
    restocked: bool
    reason: str | None = None


class Return(BaseModel):
    return_id: str
    sale_id: str
    returned_at: str
    refund_total: Decimal
    refund_method: str
    lines: list[ReturnLine]


class Sale(BaseModel):
    sale_id: str
    invoice_no: int
    till: str = "main"
    location_id: str = "main"
    sold_at: str
    subtotal: Decimal  # the lines' gross
    discount_total: Decimal = Decimal(0)
    tax_total: Decimal = Decimal(0)
    total: Decimal  # what the customer paid
    revenue: Decimal  # net of discounts and tax
    cost: Decimal
    profit: Decimal
    units: Qty
    payment_method: str = "other"
    prices_include_tax: bool = False
    lines: list[SaleLine]
    customer: dict[str, str] | None
    returns: list[Return] = []
    refunded_total: Decimal = Decimal(0)


class ReturnLineIn(Strict):
    sku: Sku
    quantity: PositiveQuantity
    restock: bool = True  # back on the shelf; false: written off (damaged, expired)
    reason: Annotated[str, AfterValidator(clean_text), Field(max_length=60)] | None = None


class ReturnIn(Strict):
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=MAX_SALE_LINES)]
    refund_method: PaymentMethod | None = None  # default: how the sale was paid
    location_id: LocationId | None = None  # where restocked units go; default: the sale's location


class SaleQuery(ListQuery):
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None


class SalePage(BaseModel):
    items: list[Sale]
    next_cursor: str | None


# --- suppliers and purchase orders ---------------------------------------------------------

MAX_PO_LINES = 40
Phone = Annotated[str, AfterValidator(clean_text), Field(min_length=3, max_length=40)]


class SupplierIn(Strict):
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=365)] | None = None


class SupplierPatch(Strict):
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=365)] | None = None

    @model_validator(mode="after")
    def _something(self) -> SupplierPatch:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be removed")
        return self


class Supplier(BaseModel):
    supplier_id: str
    name: str
    email: str | None
    phone: str | None
    lead_time_days: int | None
    created_at: str
    updated_at: str


class SupplierPage(BaseModel):
    items: list[Supplier]
    next_cursor: str | None


class PurchaseLineIn(Strict):
    sku: Sku
    quantity: PositiveQuantity
    unit_cost: Money


class PurchaseOrderIn(Strict):
    supplier_id: Annotated[str, Field(min_length=1, max_length=64)]
    lines: Annotated[list[PurchaseLineIn], Field(min_length=1, max_length=MAX_PO_LINES)]
    note: Note | None = None

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> PurchaseOrderIn:
        skus = [line.sku for line in self.lines]
        repeated = sorted({s for s in skus if skus.count(s) > 1})
        if repeated:
            raise ValueError("each SKU may appear on one line only; repeated: " + ", ".join(repeated))
        return self


PurchaseStatus = Literal["draft", "ordered", "shipped", "partially_received", "received", "cancelled"]


class PurchaseStatusIn(Strict):
    status: Literal["ordered", "shipped", "cancelled"]


class ReceiptLineIn(Strict):
    sku: Sku
    quantity: Count
    rejected: Count = Decimal(0)
    reason: Note | None = None

    @model_validator(mode="after")
    def _makes_sense(self) -> ReceiptLineIn:
        if self.quantity == 0 and self.rejected == 0:
            raise ValueError("a receipt line needs a quantity accepted or rejected")
        if self.rejected and not self.reason:
            raise ValueError("say why items were rejected (reason)")
        return self


class ReceiptIn(Strict):
    lines: Annotated[list[ReceiptLineIn], Field(min_length=1, max_length=MAX_PO_LINES)]
    note: Note | None = None
    location_id: LocationId | None = None

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> ReceiptIn:
        skus = [line.sku for line in self.lines]
        if len(skus) != len(set(skus)):
            raise ValueError("each SKU may appear on one receipt line only")
        return self


class PurchaseLine(BaseModel):
    sku: str
    name: str
    quantity: Qty
    unit_cost: Decimal
    received: Qty
    rejected: Qty
    outstanding: Qty


class ReceiptLine(BaseModel):
    sku: str
    quantity: Qty
    rejected: Qty
    reason: str | None


class Receipt(BaseModel):
    receipt_id: str
    at: str
    lines: list[ReceiptLine]
    note: str | None


class PurchaseOrder(BaseModel):
    po_id: str
    supplier_id: str
    supplier_name: str
    status: PurchaseStatus
    lines: list[PurchaseLine]
    total: Decimal
    note: str | None
    receipts: list[Receipt]
    created_at: str
    updated_at: str
    # When it was emailed to the supplier (placing an order emails it when the supplier has an address).
    supplier_emailed_at: str | None = None


class PurchaseOrderQuery(ListQuery):
    status: PurchaseStatus | None = None


class PurchaseOrderPage(BaseModel):
    items: list[PurchaseOrder]
    next_cursor: str | None


# --- alerts -----------------------------------------------------------------------------


class AlertSettingsIn(Strict):
    recipients: Annotated[list[Email], Field(max_length=10)]
    enabled: bool
    # The daily summary email (to the same recipients), at this hour of the shop's local time.
    daily_summary: bool = False
    daily_summary_hour: Annotated[int, Field(ge=0, le=23)] = 20

    @model_validator(mode="after")
    def _someone(self) -> AlertSettingsIn:
        if self.enabled and not self.recipients:
            raise ValueError("add at least one recipient, or switch alerts off")
        if self.daily_summary and not self.recipients:
            raise ValueError("add at least one recipient, or switch the daily summary off")
        self.recipients = list(dict.fromkeys(self.recipients))
        return self


class AlertSettings(BaseModel):
    recipients: list[str]
    enabled: bool
    daily_summary: bool = False
    daily_summary_hour: int = 20


class AlertRecord(BaseModel):
    alert_id: str
    sent_at: str | None
    status: Literal["sending", "sent", "failed"]
    recipients: list[str]
    skus: list[str]
    error: str | None = None


class AlertPage(BaseModel):
    items: list[AlertRecord]
    next_cursor: str | None


# --- reports ----------------------------------------------------------------------------

ReportBy = Literal["day", "week", "month", "category", "subcategory", "region", "state", "product", "location",
                   "customer", "segment", "country", "city"]


class RangeQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None


class SalesReportQuery(RangeQuery):
    by: ReportBy = "day"


class AbcQuery(RangeQuery):
    metric: Literal["revenue", "profit"] = "revenue"


class SummaryQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    day: Day | None = Field(default=None, alias="date")
    location_id: LocationId | None = None


class DeadStockQuery(ListQuery):
    days: Annotated[int, Field(ge=1, le=3650)] = 90


class Taking(BaseModel):
    method: str
    amount: Decimal


class Summary(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    day: date = Field(alias="date")
    revenue: Decimal
    profit: Decimal
    orders: int
    units: Qty
    low_stock_count: int
    stock_value_cost: Decimal
    stock_value_retail: Decimal
    tax: Decimal = Decimal(0)
    returns: Decimal = Decimal(0)  # refunded that day
    takings: list[Taking] = []  # what came in by payment method, net of refunds: the drawer's count


class Figures(BaseModel):
    revenue: Decimal
    profit: Decimal
    units: Qty
    orders: int


class SalesRow(Figures):
    key: str
    name: str | None = None


class SalesReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    from_: date = Field(alias="from")
    to: date
    by: ReportBy
    rows: list[SalesRow]
    totals: Figures


class AbcRow(BaseModel):
    sku: str
    name: str
    revenue: Decimal
    profit: Decimal
    share: float  # of the total, 0 to 1 (a ratio, not money: not rounded to cents)
    cls: Literal["A", "B", "C"] = Field(alias="class")
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class AbcReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    from_: date = Field(alias="from")
    to: date
    metric: Literal["revenue", "profit"]
    rows: list[AbcRow]


class DeadStockRow(BaseModel):
    sku: str
    name: str
    on_hand: Qty
    last_sold_at: str | None
    value_at_cost: Decimal


class DeadStockReport(BaseModel):
    days: int
    rows: list[DeadStockRow]
    total_value_at_cost: Decimal
    count: int = 0  # dead products in all; rows holds one page of them, most cash tied up first
    next_cursor: str | None = None


class ValuationRow(BaseModel):
    key: str
    products: int
    units: Qty
    value_at_cost: Decimal
    value_at_retail: Decimal


class ValuationReport(BaseModel):
    rows: list[ValuationRow]
    totals: ValuationRow


# --- imports ----------------------------------------------------------------------------

class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    dry_run: bool = False


class RowError(BaseModel):
    row: int
    column: str
    message: str


class ProductImportResult(BaseModel):
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    stock_counted: int
    # Products the import creates or changes in any way (its fields or its stock), each once.
    products_changed: int = 0
    errors: list[RowError]


class SalesImportResult(BaseModel):
    dry_run: bool
    sales: int
    lines: int
    already_imported: int
    products_created: int
    errors: list[RowError]
    returns: int = 0  # orders of negative lines, recorded as returns


class ExportQuery(RangeQuery):
    pass


# --- shop settings ----------------------------------------------------------------------

ShopName = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=200)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ShopSettingsPatch(Strict):
    shop_name: ShopName | None = None
    address: Annotated[str, AfterValidator(clean_text), Field(max_length=300)] | None = None
    tax_id: Annotated[str, AfterValidator(clean_text), Field(max_length=40)] | None = None
    currency: Currency | None = None
    timezone: TimeZone | None = None
    prices_include_tax: bool | None = None
    default_tax_rate: Rate | None = None
    service_level: Annotated[Decimal, Field(strict=False, ge=Decimal("0.5"), le=Decimal("0.999"),
                                            decimal_places=3, allow_inf_nan=False)] | None = None  # fmt: skip
    review_days: Annotated[int, Field(ge=1, le=90)] | None = None

    @model_validator(mode="after")
    def _something(self) -> ShopSettingsPatch:
        if not self.model_fields_set:
            raise ValueError("send at least one setting to change")
        for required in ("shop_name", "currency", "timezone", "prices_include_tax", "default_tax_rate",
                         "service_level", "review_days"):  # fmt: skip
            if required in self.model_fields_set and getattr(self, required) is None:
                raise ValueError(f"{required} cannot be removed")
        return self


class ShopSettings(BaseModel):
    shop_name: str
    address: str = ""
    tax_id: str = ""
    currency: str = "USD"
    timezone: str = "UTC"
    prices_include_tax: bool = False
    default_tax_rate: Decimal = Decimal(0)
    service_level: float = 0.95  # a probability, not money: never rounded to cents
    review_days: int = 7


# --- tax and returns reports ------------------------------------------------------------


class TaxRow(BaseModel):
    rate: float  # 0.2 = 20 %
    taxable: Decimal  # revenue (net of tax) at this rate
    tax: Decimal


class TaxReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    from_: date = Field(alias="from")
    to: date
    rows: list[TaxRow]
    totals: TaxRow


class ReturnsRow(BaseModel):
    sku: str
    name: str
    sold: Qty
    returned: Qty
    rate: float  # returned / sold, 0 to 1
    refunded: Decimal
    reasons: dict[str, Qty]


class ReturnsTotals(BaseModel):
    sold: Qty
    returned: Qty
    rate: float
    refunded: Decimal


class ReturnsReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    from_: date = Field(alias="from")
    to: date
    rows: list[ReturnsRow]
    totals: ReturnsTotals


# --- staff ------------------------------------------------------------------------------------


class NewPasswordChallenge(BaseModel):
    """POST /auth/login's reply for an invited person's first sign-in: choose a password."""

    challenge: Literal["new_password"]
    session: str


class LoginReply(RootModel[LoginOut | NewPasswordChallenge]):
    pass


class NewPasswordIn(Strict):
    email: Email
    session: Annotated[str, Field(min_length=20, max_length=2048)]  # as Cognito takes it
    new_password: Annotated[str, Field(max_length=256), AfterValidator(_check_password)]


class StaffIn(Strict):
    email: Email
    role: Literal["staff", "owner"] = "staff"


class StaffMember(BaseModel):
    user_id: str
    email: str
    role: Literal["owner", "staff"]
    status: Literal["invited", "active"]
    invited_at: str | None = None


class StaffPage(BaseModel):
    """All of a shop's people at once (a handful): no cursor."""

    items: list[StaffMember]


# --- ask in plain words -------------------------------------------------------------------

ASK_MAX_CHARS = 500  # a question typed on a phone; anything longer is not a question


def _has_words(value: str) -> str:
    if not value:
        raise ValueError("ask a question, e.g. 'what sold best last week'")
    return value


class AskIn(Strict):
    question: Annotated[
        str, Field(max_length=ASK_MAX_CHARS), AfterValidator(clean_text), AfterValidator(_has_words)
    ]


class AskReply(BaseModel):
    understood: bool
    answer: str  # one or two sentences, with the period the figures cover
    data: dict[str, object] | None = None  # the figures behind the answer, as the reports give them
    link: str | None = None  # the site route that shows the figure ("#/reports?tab=sales&...")
    suggestions: list[str] = []  # questions to try (when not understood, or to choose a product)


# --- forecasts and reorder suggestions ----------------------------------------------------

ForecastPattern = Literal["smooth", "erratic", "intermittent", "lumpy", "new", "dead"]


class ForecastQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    days: Annotated[int, Field(ge=1, le=90)] = 28
    lead_time_days: Annotated[int, Field(ge=0, le=365)] | None = None


class ForecastDay(BaseModel):
    date: str
    mean: float


class LeadTimeDemand(BaseModel):
    mean: float
    p50: float
    p90: float
    p95: float
    p10: float | None = None  # given in a forecast's daily band (the chart's p10-p90 range)


class ForecastHistoryDay(BaseModel):
    date: str
    units: float | None  # null: out of stock that day


class ProductForecast(BaseModel):
    sku: str
    as_of: str
    method: str
    pattern: ForecastPattern
    daily: list[ForecastDay]
    lead_time_days: int
    lead_time_demand: LeadTimeDemand
    on_hand: int
    on_order: int
    days_of_cover: float | None
    runs_out_on: str | None
    # Beyond the contract, for the product screen: the band, the history and the words.
    band: list[LeadTimeDemand] = []
    history: list[ForecastHistoryDay] = []
    pattern_words: str = ""
    method_words: str = ""


class StockoutRow(BaseModel):
    sku: str
    name: str
    on_hand: int
    on_order: int
    runs_out_on: str | None
    lead_time_days: int
    order_by: str | None


class StockoutList(BaseModel):
    items: list[StockoutRow]


class ReorderLineLocation(BaseModel):
    """Where a purchase is needed (shops with several locations): still short after transfers."""

    location_id: str
    name: str
    on_hand: int
    short: int


class ReorderTransferLine(BaseModel):
    sku: str
    name: str
    quantity: int
    reason: str


class ReorderTransfer(BaseModel):
    """Spare stock to move before buying (lines fit POST /transfers as they are)."""

    from_location_id: str
    from_name: str
    to_location_id: str
    to_name: str
    lines: list[ReorderTransferLine]


class ReorderLine(BaseModel):
    sku: str
    name: str
    on_hand: int
    on_order: int
    suggested_qty: int
    reason: str
    locations: list[ReorderLineLocation] | None = None  # left out for a shop with one location


class ReorderSupplier(BaseModel):
    supplier_id: str
    name: str
    lines: list[ReorderLine]


class ReorderSuggestions(BaseModel):
    suppliers: list[ReorderSupplier]
    without_supplier: list[ReorderLine]
    transfers: list[ReorderTransfer] | None = None  # left out for a shop with one location


class ReorderOrdersIn(Strict):
    supplier_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class ReorderOrder(BaseModel):
    po_id: str
    supplier_id: str
    lines: list[PurchaseLine]


class ReorderOrders(BaseModel):
    purchase_orders: list[ReorderOrder]


# --- locations and transfers ----------------------------------------------------------------


class LocationIn(Strict):
    name: Name


class Location(BaseModel):
    location_id: str
    name: str
    created_at: str | None = None


class LocationList(BaseModel):
    items: list[Location]


class TransferLineIn(Strict):
    sku: Sku
    quantity: PositiveQuantity


class TransferIn(Strict):
    from_location_id: LocationId
    to_location_id: LocationId
    lines: Annotated[list[TransferLineIn], Field(min_length=1, max_length=MAX_PO_LINES)]
    note: Note | None = None

    @model_validator(mode="after")
    def _two_places(self) -> TransferIn:
        if self.from_location_id == self.to_location_id:
            raise ValueError("a transfer goes from one location to another, not to the same one")
        skus = [line.sku for line in self.lines]
        if len(skus) != len(set(skus)):
            raise ValueError("each SKU may appear on one transfer line only")
        return self


class TransferReceiveIn(Strict):
    # Absent: everything still in transit arrives.
    lines: Annotated[list[TransferLineIn], Field(min_length=1, max_length=MAX_PO_LINES)] | None = None


class TransferLine(BaseModel):
    sku: str
    quantity: Qty
    received: Qty
    in_transit: Qty


class Transfer(BaseModel):
    transfer_id: str
    status: Literal["sent", "partially_received", "received"]
    from_location_id: str
    to_location_id: str
    lines: list[TransferLine]
    note: str | None = None
    sent_at: str
    received_at: str | None = None


class TransferQuery(ListQuery):
    status: Literal["open", "all"] = "all"


class TransferPage(BaseModel):
    items: list[Transfer]
    next_cursor: str | None


class LocationValue(BaseModel):
    location_id: str
    name: str
    units: Qty
    value_cost: Decimal
    value_retail: Decimal


class StockByLocationReport(BaseModel):
    locations: list[LocationValue]
    in_transit: LocationValue
    total_cost: Decimal
    total_retail: Decimal


# --- customers ----------------------------------------------------------------------------


class Rfm(BaseModel):
    recency: int  # 1-5, 5 = bought most recently (quintiles within the shop)
    frequency: int
    monetary: int
    score: str  # e.g. "545"
    group: str  # champions, loyal, promising, new, at_risk, hibernating, lost


class CustomerOut(BaseModel):
    customer_id: str
    name: str | None = None
    email: str | None = None
    segment: str | None = None
    country: str | None = None
    city: str | None = None
    orders: int
    revenue: Decimal
    profit: Decimal
    returns: Decimal = Decimal(0)  # refunded to this customer
    first_purchase: str | None = None
    last_purchase: str | None = None
    days_since_last: int | None = None
    rfm: Rfm | None = None


class CustomerQuery(ListQuery):
    q: Annotated[str, Field(max_length=100)] | None = None
    segment: Annotated[str, Field(max_length=100)] | None = None
    group: Annotated[str, Field(max_length=30)] | None = None
    sort: Literal["revenue", "orders", "last_purchase", "profit"] = "revenue"


class CustomerPage(BaseModel):
    items: list[CustomerOut]
    total: int
    next_cursor: str | None


class CustomerSale(BaseModel):
    sale_id: str
    sold_at: str
    revenue: Decimal
    profit: Decimal
    units: Qty
    lines: int


class TopProduct(BaseModel):
    sku: str
    name: str
    units: Qty
    revenue: Decimal
    orders: int


class CustomerDetail(CustomerOut):
    sales: list[CustomerSale]
    top_products: list[TopProduct]


class SegmentRow(BaseModel):
    segment: str
    customers: int
    revenue: Decimal
    profit: Decimal


class TopCustomer(BaseModel):
    customer_id: str
    name: str | None
    revenue: Decimal
    orders: int


class CustomersReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    from_: date = Field(alias="from")
    to: date
    customers: int
    new: int
    returning: int
    repeat_rate: float  # share of this period's customers with two orders or more in it
    revenue_per_customer: Decimal
    segments: list[SegmentRow]
    groups: dict[str, int]
    top: list[TopCustomer]


# --- buyers' feedback -------------------------------------------------------------------------

MAX_COMMENT = 1000


class RatingIn(Strict):
    sku: Sku
    stars: Annotated[int, Field(strict=True, ge=1, le=5)]
    # Plain text: control and invisible formatting characters (RTL overrides) are refused; the
    # site shows it as text, never as HTML.
    comment: Annotated[str, AfterValidator(clean_text), Field(max_length=MAX_COMMENT)] | None = None


class FeedbackIn(Strict):
    ratings: Annotated[list[RatingIn], Field(min_length=1, max_length=MAX_SALE_LINES)]


class FeedbackLink(BaseModel):
    url: str
    expires_at: str


class FeedbackProduct(BaseModel):
    sku: str
    name: str
    rated: bool


class FeedbackForm(BaseModel):
    shop_name: str
    products: list[FeedbackProduct]
    expires_at: str


class FeedbackSaved(BaseModel):
    saved: int


class Rating(BaseModel):
    average: float
    count: int


class FeedbackEntry(BaseModel):
    sku: str
    stars: int
    comment: str | None = None
    at: str


class FeedbackPage(BaseModel):
    items: list[FeedbackEntry]
    rating: Rating | None
    next_cursor: str | None


class FeedbackRow(BaseModel):
    sku: str
    name: str
    average: float
    count: int
    comments: list[FeedbackEntry]


class FeedbackReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    from_: date = Field(alias="from")
    to: date
    rows: list[FeedbackRow]


class Scorecard(BaseModel):
    supplier_id: str
    orders: int  # placed (ordered at some point), cancelled ones included
    orders_received: int  # fully received
    units_received: Qty
    units_rejected: Qty
    reject_rate: float  # rejected / (received + rejected)
    on_time_rate: float | None  # orders whose first delivery came within the promised lead time
    lead_time_days_promised: float | None  # average over the orders that had a promise
    lead_time_days_actual: float | None  # average days from ordered to first delivery


class RelatedQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: Annotated[int, Field(ge=1, le=50)] = 5


class RelatedItem(BaseModel):
    sku: str
    name: str
    together: int  # sales with both
    confidence: float  # together / sales with this product
    lift: float  # how much likelier together than by chance (1 = independent)


class RelatedPage(BaseModel):
    items: list[RelatedItem]


# --- imports of any size (issue 18) -----------------------------------------------------

ImportKind = Literal["sales", "products"]
ColumnName = Annotated[str, Field(min_length=1, max_length=200)]


class ImportCreate(Strict):
    kind: ImportKind
    filename: Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=255)]
    bytes: Annotated[int, Field(ge=1)]
    columns: Annotated[dict[Annotated[str, Field(max_length=40)], ColumnName], Field(max_length=40)] | None = None
    # Whether the file writes 03/04/2026 for 3 April (day first) rather than March 4 (month first).
    day_first: bool = False


class ImportUpload(BaseModel):
    url: str
    fields: dict[str, str]


class ImportCreated(BaseModel):
    import_id: str
    upload: ImportUpload
    expires_at: str


class ImportPreviewIn(Strict):
    kind: ImportKind
    header: Annotated[list[Annotated[str, Field(max_length=200)]], Field(min_length=1, max_length=200)]


class ImportPreview(BaseModel):
    kind: ImportKind
    layout: str | None  # "own", "superstore", "products", or None: the file needs `columns`
    columns: dict[str, str]  # suggested (or remembered from this shop's last import of this kind)
    remembered: bool
    fields: list[str]
    problems: list[dict[str, str]]


class ImportStatus(BaseModel):
    import_id: str
    kind: ImportKind
    filename: str
    status: Literal["waiting_for_upload", "processing", "done", "failed"]
    layout: str | None = None
    rows_total: int
    rows_done: int
    created: int
    updated: int
    sales: int
    lines: int
    already_imported: int
    products_created: int
    errors: list[RowError]
    error_count: int
    returns: int = 0  # orders of negative lines, recorded as returns
    refused_rows_url: str | None = None
    reason: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None


class ImportPage(BaseModel):
    items: list[ImportStatus]
    next_cursor: str | None


# --- usage (GET /usage) -----------------------------------------------------------------------


class UsageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    month: str | None = Field(default=None, pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$",
                              description="YYYY-MM (UTC); default this month")


class RateLimit(BaseModel):
    plan: str
    per_second: int
    burst: int


class Usage(BaseModel):
    """A shop's use in one month, as metered, and what it costs at AWS list prices (an estimate in
    US dollars, to a millionth of a dollar: a shop-month is a few cents, a request a few millionths)."""

    month: str
    requests: int
    sales: int
    emails: int
    read_units: float
    write_units: float
    storage_mb: float
    estimated_cost_usd: float
    limit: RateLimit

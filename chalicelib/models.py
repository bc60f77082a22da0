"""Pydantic models at the edges: what requests may carry and what replies contain.

Request models are strict (no silent "5" -> 5 for quantities, no unknown fields) so a typo
gets a clear 422 rather than being ignored. Money is Decimal end to end.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

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
# One money type and one family of quantity types, used by every request model.
Money = Annotated[
    Decimal,
    Field(strict=False, ge=0, le=MAX_MONEY, decimal_places=MONEY_PLACES, allow_inf_nan=False),
    AfterValidator(tidy_money),
]
Quantity = Annotated[int, Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY)]  # a signed change
Count = Annotated[int, Field(ge=0, le=MAX_QUANTITY)]
PositiveQuantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
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


# --- products ---------------------------------------------------------------------------


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


class ProductCreate(ProductFields):
    sku: Sku
    name: Name
    price: Money
    category: Label = ""
    subcategory: Label = ""
    unit_cost: Money = Decimal("0")
    min_stock: Count = 0
    reorder_qty: Count = 0


class ProductPatch(ProductFields):
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
    on_hand: int
    min_stock: int
    reorder_qty: int
    lead_time_days: int | None
    barcode: str | None
    supplier_id: str | None
    low_stock: bool
    on_order: int
    last_sold_at: str | None
    created_at: str
    updated_at: str


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[str, Field(max_length=2048)] | None = None


class ProductQuery(ListQuery):
    q: Annotated[str, Field(max_length=200)] | None = None
    category: Annotated[str, Field(max_length=100)] | None = None
    low_stock: bool | None = None


class ProductPage(BaseModel):
    items: list[Product]
    next_cursor: str | None


# --- stock movements --------------------------------------------------------------------


class StockMovementIn(Strict):
    type: Literal["receive", "adjust", "count"]
    quantity: Quantity
    unit_cost: Money | None = None
    note: Note | None = None

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
    change: int
    on_hand: int


class Movement(BaseModel):
    movement_id: str
    type: Literal["receive", "adjust", "count", "sale", "po_receipt", "return"]
    change: int
    on_hand_after: int
    at: str
    ref: str | None
    note: str | None


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


class SaleLineIn(Strict):
    sku: Sku
    quantity: PositiveQuantity
    unit_price: Money | None = None


class Customer(Strict):
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
    quantity: int
    unit_price: Decimal
    revenue: Decimal
    cost: Decimal
    profit: Decimal


class Sale(BaseModel):
    sale_id: str
    invoice_no: int
    till: str = "main"
    sold_at: str
    total: Decimal
    cost: Decimal
    profit: Decimal
    units: int
    lines: list[SaleLine]
    customer: dict[str, str] | None


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
    rejected: Count = 0
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

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> ReceiptIn:
        skus = [line.sku for line in self.lines]
        if len(skus) != len(set(skus)):
            raise ValueError("each SKU may appear on one receipt line only")
        return self


class PurchaseLine(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_cost: Decimal
    received: int
    rejected: int
    outstanding: int


class ReceiptLine(BaseModel):
    sku: str
    quantity: int
    rejected: int
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


class PurchaseOrderQuery(ListQuery):
    status: PurchaseStatus | None = None


class PurchaseOrderPage(BaseModel):
    items: list[PurchaseOrder]
    next_cursor: str | None


# --- alerts -----------------------------------------------------------------------------


class AlertSettingsIn(Strict):
    recipients: Annotated[list[Email], Field(max_length=10)]
    enabled: bool

    @model_validator(mode="after")
    def _someone(self) -> AlertSettingsIn:
        if self.enabled and not self.recipients:
            raise ValueError("add at least one recipient, or switch alerts off")
        self.recipients = list(dict.fromkeys(self.recipients))
        return self


class AlertSettings(BaseModel):
    recipients: list[str]
    enabled: bool


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

ReportBy = Literal["day", "week", "month", "category", "subcategory", "region", "state", "product"]


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


class DeadStockQuery(ListQuery):
    days: Annotated[int, Field(ge=1, le=3650)] = 90


class Summary(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    day: date = Field(alias="date")
    revenue: Decimal
    profit: Decimal
    orders: int
    units: int
    low_stock_count: int
    stock_value_cost: Decimal
    stock_value_retail: Decimal


class Figures(BaseModel):
    revenue: Decimal
    profit: Decimal
    units: int
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
    on_hand: int
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
    units: int
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


class ExportQuery(RangeQuery):
    pass


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
    refused_rows_url: str | None = None
    reason: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None


class ImportPage(BaseModel):
    items: list[ImportStatus]
    next_cursor: str | None

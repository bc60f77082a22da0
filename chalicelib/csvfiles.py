"""Reading and writing CSV as people really have it: Excel or Google Sheets exports, UTF-8 with or
without a byte-order mark (or Windows-1252), CRLF, quoted fields with commas and quotes."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.errors import BadRequest
from chalicelib.models import EARLIEST_DAY, LATEST_DAY, MAX_QUANTITY

_MONEY_JUNK = re.compile(r"[\s$£€,]")
# Cells hold what a shop's figures can be: DynamoDB stores at most 38 significant digits, and
# an amount past a trillion or with more than 10 decimal places is a mistake, not a sale.
MAX_AMOUNT = Decimal("1000000000000")
MAX_PLACES = 10


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def rows(raw: bytes | None) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """(header, iterator of (row number as a spreadsheet shows it, {column: cell})).

    Row 1 is the header; blank lines are skipped but still counted, as a spreadsheet counts them.
    """
    if not raw:
        raise BadRequest("The file is empty; send a CSV file with a header row.")
    reader = csv.reader(io.StringIO(decode(raw), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise BadRequest("The file has no header row; the first line must name the columns.") from None
    if not any(header):
        raise BadRequest("The file's first line is empty; it must name the columns.")

    def body() -> Iterator[tuple[int, dict[str, str]]]:
        row_number = 1
        try:
            for cells in reader:
                row_number = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                yield row_number, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        except csv.Error as exc:
            raise BadRequest(f"The file cannot be read as CSV after row {row_number}: {exc}.") from None

    return header, body()


def money(text: str) -> Decimal:
    """'1,234.50', '$3.20', '-12' -> Decimal; ValueError for anything else."""
    cleaned = _MONEY_JUNK.sub("", text)
    if cleaned.startswith("(") and cleaned.endswith(")"):  # accounting negative
        cleaned = "-" + cleaned[1:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    if abs(value) > MAX_AMOUNT:
        raise ValueError(f"{text!r} is too large an amount")
    return _plain(value, text)


def _plain(value: Decimal, text: str) -> Decimal:
    """The amount without an exponent, trailing zeros or a negative zero (kept exact: never rounded)."""
    if value == 0:
        return Decimal(0)
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or infinity: checked by the caller already
        raise ValueError(f"{text!r} is not an amount")
    kept = list(digits)
    while exponent < 0 and len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    if exponent < -MAX_PLACES:
        raise ValueError(f"{text!r} has more than {MAX_PLACES} decimal places")
    plain = Decimal((sign, tuple(kept), exponent))
    return plain.quantize(Decimal(1)) if exponent > 0 else plain


def whole(text: str) -> int:
    cleaned = text.replace(",", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    if abs(number) > MAX_QUANTITY:
        raise ValueError(f"{text!r} is more than {MAX_QUANTITY:,}")
    return int(number)


def day(text: str) -> date:
    """ISO (2026-11-23) or US (11/23/2026, 11/23/26) dates, from 1970 on."""
    found = _parse_day(text.strip())
    if not EARLIEST_DAY <= found <= LATEST_DAY:
        raise ValueError(f"{text!r} is not a date between {EARLIEST_DAY} and {LATEST_DAY}")
    return found


def _parse_day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"{text!r} is not a date (use 2026-11-23 or 11/23/2026)") from None


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not isinstance(value, (int, float)):
        return "'" + text  # a spreadsheet must show this text, not run it as a formula
    return text


def write(header: list[str], records: Iterable[dict[str, Any]]) -> str:
    """CSV text a spreadsheet opens cleanly (CRLF line ends, quoted as needed, BOM for Excel)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for record in records:
        writer.writerow([plain(record.get(h)) for h in header])
    return out.getvalue()

"""Reading and writing CSV as people really have it: Excel or Google Sheets exports, UTF-8 with or
without a byte-order mark (or Windows-1252), CRLF, quoted fields with commas and quotes, and files
separated by semicolons (Excel where the comma is the decimal mark) or tabs.

Numbers are read as written or refused: a cell is never guessed into another value. In a
semicolon-separated file the comma is the decimal mark ("1,50" is 1.50, "1.234,50" is 1234.50);
elsewhere the point is ("1,234.50" is 1234.50). A cell that does not follow its file's convention
("1,25" in a comma file) or could be read either way ("1.250" in a semicolon file) is refused with
a message saying so.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.errors import BadRequest
from chalicelib.models import EARLIEST_DAY, LATEST_DAY, MAX_QUANTITY, QTY_PLACES

_MONEY_JUNK = re.compile(r"[\s$£€¥₹]")
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}
# A cell starting with one of these is a formula to a spreadsheet; an export writes such text
# with a "'" in front (as a spreadsheet's own "this is text" mark), and an import takes it off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_POINT = re.compile(r"[-+]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?")  # 1234.5, 1,234.5
_COMMA = re.compile(r"[-+]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?")  # 1234,5, 1.234,5
# Cells hold what a shop's figures can be: DynamoDB stores at most 38 significant digits, and
# an amount past a trillion or with more than 10 decimal places is a mistake, not a sale.
MAX_AMOUNT = Decimal("1000000000000")
MAX_PLACES = 10


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def separator(first_line: str) -> str:
    """The character that separates the header's cells: comma, semicolon or tab, whichever the
    header (outside quotes) uses most; a comma when there is a tie or none."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda c: (counts[c], c == ","))
    return best if counts[best] else ","


def file_separator(raw: bytes | None) -> str:
    text = decode(raw or b"")
    return separator(text.lstrip("\ufeff").split("\n", 1)[0])


def rows(raw: bytes | None) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """(header, iterator of (row number as a spreadsheet shows it, {column: cell})).

    Row 1 is the header; blank lines are skipped but still counted, as a spreadsheet counts them.
    Cells may be separated by commas, semicolons or tabs (see `separator`).
    """
    if not raw:
        raise BadRequest("The file is empty; send a CSV file with a header row.")
    text = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text.split("\n", 1)[0]))
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
                yield row_number, {
                    h: unescape(cells[i].strip()) if i < len(cells) else "" for i, h in enumerate(header)
                }
        except csv.Error as exc:
            raise BadRequest(f"The file cannot be read as CSV after row {row_number}: {exc}.") from None

    return header, body()


def _number(text: str, decimal_comma: bool, what: str) -> Decimal:
    """A number as the file writes it, with its decimal mark and thousands groups; ValueError for
    anything else, and for a cell that reads as two different numbers."""
    cleaned = _MONEY_JUNK.sub("", text)
    if cleaned.startswith("(") and cleaned.endswith(")"):  # accounting negative
        cleaned = "-" + cleaned[1:-1]
    mark, group = (",", ".") if decimal_comma else (".", ",")
    if not (_COMMA if decimal_comma else _POINT).fullmatch(cleaned):
        other = (_POINT if decimal_comma else _COMMA).fullmatch(cleaned)
        if other and group in cleaned and mark not in cleaned:
            example = "1.234,50" if decimal_comma else "1,234.50"
            raise ValueError(
                f"{text!r} is not clear: in this file {mark!r} marks decimals and {group!r} only groups "
                f"thousands (as in {example})"
            )
        raise ValueError(f"{text!r} is not {what}")
    if decimal_comma and re.fullmatch(r"[-+]?\d{1,3}\.\d{3}", cleaned):
        raise ValueError(
            f"{text!r} is not clear: in this file ',' marks decimals, so '.' should group thousands, "
            "but it may be a decimal point; write it as 1250 or 1,25"
        )
    try:
        value = Decimal(cleaned.replace(group, "").replace(mark, "."))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not {what}") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not {what}")
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


def money(text: str, decimal_comma: bool = False) -> Decimal:
    """'1,234.50', '$3.20', '-12', '(4.00)' -> Decimal (or '1.234,50' with decimal_comma);
    ValueError for anything else."""
    return _number(text, decimal_comma, "an amount")


def whole(text: str, decimal_comma: bool = False) -> int:
    number = _number(text.strip(), decimal_comma, "a whole number")
    if number != number.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    if abs(number) > MAX_QUANTITY:
        raise ValueError(f"{text!r} is more than {MAX_QUANTITY:,}")
    return int(number)


def quantity(text: str, decimal_comma: bool = False) -> Decimal:
    """A quantity as the file writes it: whole, or with up to 3 decimals (a product sold by
    measure, '0.375' or '0,375' where the comma marks decimals). Whether its product takes a
    fraction at all is its unit's business (the caller checks)."""
    number = _number(text.strip(), decimal_comma, "a quantity")
    if number.as_tuple().exponent < -QTY_PLACES:  # type: ignore[operator]
        raise ValueError(f"{text!r} has more than {QTY_PLACES} decimal places")
    if abs(number) > MAX_QUANTITY:
        raise ValueError(f"{text!r} is more than {MAX_QUANTITY:,}")
    return number


def day(text: str) -> date:
    """ISO (2026-11-23) or US (11/23/2026, 11/23/26) dates, from 1970 on."""
    found = _parse_day(text.strip())
    return _in_range(found, text)


def _in_range(found: date, text: str) -> date:
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


def _needs_mark(text: str) -> bool:
    """Text a spreadsheet would run as a formula, once any leading "'" are set aside: marking
    "'=x" too (as "''=x") keeps the mark reversible, so an import gives back exactly "'=x"."""
    return text.lstrip("'")[:1] in FORMULA_STARTS


def unescape(cell: str) -> str:
    """Undo exactly what `plain` did to text: one "'" in front of a formula-like text, nothing else."""
    return cell[1:] if cell[:1] == "'" and _needs_mark(cell[1:]) else cell


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    text = str(value)
    if not isinstance(value, (int, float)) and _needs_mark(text):
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


# What spreadsheets and tills write for a moment: a date, or a date and a time of day. Whether
# 03/04/2026 is March or April is the file's convention, so the caller says (day_first).
_DATES_MONTH_FIRST = ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y")
_DATES_DAY_FIRST = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y")
_DATES_ANY = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d.%m.%y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y",
              "%B %d, %Y", "%d %B %Y")
_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", "T%H:%M", "T%H:%M:%S")


def moment(text: str, day_first: bool = False) -> tuple[date, datetime | None]:
    """(the day, the naive date and time if the cell has a time of day); ValueError otherwise."""
    cleaned = " ".join(text.strip().split())
    try:
        found = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
        has_time = len(cleaned) > 10
        return _in_range(found.date(), text), (found if has_time else None)
    except ValueError:
        pass
    dates = _DATES_ANY + (_DATES_DAY_FIRST if day_first else _DATES_MONTH_FIRST)
    for date_format in dates:
        for time_format in _TIMES:
            try:
                found = datetime.strptime(cleaned, date_format + time_format)
            except ValueError:
                continue
            return _in_range(found.date(), text), (found if time_format else None)
    example = "23/11/2026" if day_first else "11/23/2026"
    raise ValueError(f"{text!r} is not a date (use 2026-11-23 or {example}, optionally with a time)")

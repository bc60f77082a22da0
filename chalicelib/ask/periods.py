"""Periods named in a question ("yesterday", "last wk", "in march", "between 1 and 15 nov"),
as first and last days in the shop's own calendar.

Everything is relative to `today`, the shop's date now (chalicelib.clock in the shop's time
zone): the caller passes it in, so the arithmetic is testable with a fixed day. Weeks are ISO
weeks (Monday to Sunday), as in the week report.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

ALL_TIME_DAYS = 3660  # the longest range a report covers (reports.MAX_DAYS)
EARLIEST = date(1970, 1, 1)  # the first day the store can name (models.EARLIEST_DAY)

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
NUMBERS = {
    "a": 1, "one": 1, "two": 2, "couple": 2, "three": 3, "few": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "thirty": 30, "ninety": 90,
}  # fmt: skip

_MONTH = r"(?P<{0}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_NUM = r"(?P<n>\d{1,4}|" + "|".join(NUMBERS) + r")"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str  # how the question named it: "last week", "March 2026"
    kind: str  # day, week, month, quarter, year, days, range, all
    to_date: bool = False  # its calendar unit goes on after today (this week, this month so far)
    partial: bool = False  # a past period cut to as many days as a current one (like for like)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def span(self) -> str:
        return span(self.first, self.last)

    def describe(self) -> str:
        """The label with the dates it covers: "last week (23–29 Nov 2026)"."""
        return self.label if self.label == self.span() else f"{self.label} ({self.span()})"

    def phrase(self) -> str:
        """The period as it reads inside a sentence: "last week (…)", "in March 2026 (…)"."""
        if self.kind in ("days", "all"):
            return f"over {self.describe()}"
        if self.label.startswith("the same"):
            return f"in {self.describe()}"
        if self.label.split()[0] in ("today", "yesterday", "this", "last", "the", "since"):
            return self.describe()
        if self.kind == "day":
            return f"on {self.describe()}"
        if self.kind in ("month", "quarter", "year"):
            return f"in {self.describe()}"
        return f"over {self.describe()}"

    def as_dict(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "label": self.label}


def span(first: date, last: date) -> str:
    """"2 Dec 2026", "23–29 Nov 2026", "30 Nov – 2 Dec 2026", "1 Dec 2025 – 2 Dec 2026"."""
    def day(d: date, year: bool = True) -> str:
        return f"{d.day} {calendar.month_abbr[d.month]}" + (f" {d.year}" if year else "")

    if first == last:
        return day(first)
    if first.year != last.year:
        return f"{day(first)} – {day(last)}"
    if first.month != last.month:
        return f"{day(first, False)} – {day(last)}"
    return f"{first.day}–{day(last)}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBERS[text]


def _capped(first: date, today: date) -> date:
    return max(first, today - timedelta(days=ALL_TIME_DAYS - 1))


# --- named periods -----------------------------------------------------------------------------


def today_period(today: date) -> Period:
    return Period(today, today, "today", "day", to_date=True)


def yesterday(today: date) -> Period:
    day = today - timedelta(days=1)
    return Period(day, day, "yesterday", "day")


def this_week(today: date) -> Period:
    return Period(monday(today), today, "this week", "week", to_date=True)


def last_week(today: date) -> Period:
    start = monday(today) - timedelta(days=7)
    return Period(start, start + timedelta(days=6), "last week", "week")


def this_month(today: date) -> Period:
    return Period(today.replace(day=1), today, "this month", "month", to_date=True)


def last_month(today: date) -> Period:
    first = add_months(today.replace(day=1), -1)
    return Period(first, month_end(first.year, first.month), "last month", "month")


def this_quarter(today: date) -> Period:
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return Period(first, today, "this quarter", "quarter", to_date=True)


def quarter(year: int, number: int, today: date, label: str) -> Period:
    first = date(year, 3 * (number - 1) + 1, 1)
    last = month_end(year, first.month + 2)
    return Period(first, min(last, today), label, "quarter", to_date=last > today)


def last_quarter(today: date) -> Period:
    first = add_months(this_quarter(today).first, -3)
    return quarter(first.year, (first.month - 1) // 3 + 1, today, "last quarter")


def this_year(today: date) -> Period:
    return Period(date(today.year, 1, 1), today, "this year", "year", to_date=True)


def last_year(today: date) -> Period:
    return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), "last year", "year")


def year_period(year: int, today: date) -> Period:
    last = min(date(year, 12, 31), today)
    return Period(date(year, 1, 1), last, str(year), "year", to_date=year == today.year)


def last_days(n: int, today: date, unit: str = "day") -> Period:
    # No report reaches further back than ALL_TIME_DAYS: nor does "the last 9999 years".
    n = min(max(n, 1), {"day": ALL_TIME_DAYS, "week": ALL_TIME_DAYS // 7, "month": 120, "year": 10}[unit])
    if unit == "week":
        first, label = today - timedelta(days=7 * n - 1), f"the last {n} weeks"
    elif unit == "month":
        first, label = add_months(today, -n) + timedelta(days=1), f"the last {n} months"
    elif unit == "year":
        first, label = add_months(today, -12 * n) + timedelta(days=1), f"the last {n} years"
    else:
        first, label = today - timedelta(days=n - 1), f"the last {n} days"
    if n == 1 and unit != "day":
        label = f"the last {unit}"
    return Period(_capped(first, today), today, label, "days", to_date=True)


def all_time(today: date) -> Period:
    return Period(today - timedelta(days=ALL_TIME_DAYS - 1), today, "all time", "all", to_date=True)


def month_period(month: int, year: int | None, today: date) -> Period:
    """A named month: of the year given, else its latest occurrence up to today."""
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    first = date(year, month, 1)
    last = month_end(year, month)
    return Period(first, min(last, today), f"{calendar.month_name[month]} {year}", "month", to_date=last > today)


def same_week_last_year(today: date) -> Period:
    """The ISO week with this week's number a year earlier, up to the same weekday."""
    year, week, weekday = today.isocalendar()
    try:
        start = date.fromisocalendar(year - 1, week, 1)
    except ValueError:  # week 53 in a year of 52
        start = date.fromisocalendar(year - 1, 52, 1)
    return Period(start, start + timedelta(days=weekday - 1), "the same week last year", "week")


def same_month_last_year(today: date) -> Period:
    first = date(today.year - 1, today.month, 1)
    last = first.replace(day=min(today.day, calendar.monthrange(first.year, first.month)[1]))
    return Period(first, last, "the same month last year", "month")


def _resolve_day(day: int, month: int, year: int | None, today: date) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        found = date(today.year, month, day)
        return found if found <= today else date(today.year - 1, month, day)
    except ValueError:
        return None


def _weekday(name: str, today: date, strictly_before: bool) -> Period:
    back = (today.weekday() - WEEKDAYS[name]) % 7
    if back == 0 and strictly_before:
        back = 7
    day = today - timedelta(days=back)
    return Period(day, day, f"{'last ' if strictly_before else ''}{name.capitalize()}", "day")


# --- finding periods in a question -------------------------------------------------------------

# A date inside a range: "1 nov", "1st of november 2025", "nov 1", "2025-11-01", or a month.
_DATE = (
    r"(?:(?P<{p}iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})"
    r"|(?P<{p}d1>\d{{1,2}})(?:st|nd|rd|th)?(?: of)? (?P<{p}m1>" + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")(?: (?P<{p}y1>(?:19|20)\d\d))?"
    r"|(?P<{p}m2>" + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r") (?P<{p}d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<{p}y2>(?:19|20)\d\d))?"
    r"|(?P<{p}m3>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?: (?P<{p}y3>(?:19|20)\d\d))?"
    r"|(?P<{p}d4>\d{{1,2}})(?:st|nd|rd|th)?)"
)


def _date_parts(m: re.Match[str], p: str) -> tuple[str, int | None, int | None, int | None] | None:
    """("day", d, m, y) or ("month", None, m, y) or ("bare", d, None, None) from a _DATE match."""
    g = m.groupdict()
    if g.get(p + "iso"):
        y, mo, d = (int(x) for x in g[p + "iso"].split("-"))
        return "day", d, mo, y
    for i in ("1", "2"):
        if g.get(p + "m" + i):
            year = g.get(p + "y" + i)
            return "day", int(g[p + "d" + i]), MONTHS[g[p + "m" + i]], int(year) if year else None
    if g.get(p + "m3"):
        year = g.get(p + "y3")
        return "month", None, MONTHS[g[p + "m3"]], int(year) if year else None
    if g.get(p + "d4"):
        return "bare", int(g[p + "d4"]), None, None
    return None


def _range(m: re.Match[str], today: date) -> Period | None:
    a, b = _date_parts(m, "a"), _date_parts(m, "b")
    if a is None or b is None:
        return None
    if b[0] == "bare":
        return None
    if a[0] == "bare":  # "1 to 15 nov": the first takes the second's month
        a = ("day", a[1], b[2], b[3])
    # The end decides the year; the start is the latest such day on or before the end.
    if b[0] == "month":
        end_month = month_period(b[2], b[3], today)  # type: ignore[arg-type]
        last = end_month.last
    else:
        found = _resolve_day(b[1], b[2], b[3], today)  # type: ignore[arg-type]
        if found is None:
            return None
        last = found
    if a[0] == "month":
        year = a[3] if a[3] is not None else (last.year if a[2] <= last.month else last.year - 1)  # type: ignore
        first = date(year, a[2], 1)  # type: ignore[arg-type]
    else:
        try:
            year = a[3] if a[3] is not None else last.year
            first = date(year, a[2], a[1])  # type: ignore[arg-type]
            if a[3] is None and first > last:
                first = date(year - 1, a[2], a[1])  # type: ignore[arg-type]
        except ValueError:
            return None
    if first > last:
        return None
    last = min(last, today) if first <= today else last
    return Period(first, last, f"{span(first, last)}", "range", to_date=last == today)


def _since(m: re.Match[str], today: date) -> Period | None:
    a = _date_parts(m, "a")
    if a is None or a[0] == "bare":
        return None
    if a[0] == "month":
        start = month_period(a[2], a[3], today).first  # type: ignore[arg-type]
    else:
        found = _resolve_day(a[1], a[2], a[3], today)  # type: ignore[arg-type]
        if found is None:
            return None
        start = found
    if start > today:
        return None
    return Period(start, today, f"since {span(start, start)}", "range", to_date=True)


def _single_day(m: re.Match[str], today: date) -> Period | None:
    a = _date_parts(m, "a")
    if a is None or a[0] != "day":
        return None
    found = _resolve_day(a[1], a[2], a[3], today)  # type: ignore[arg-type]
    if found is None:
        return None
    return Period(found, found, span(found, found), "day", to_date=found == today)


def _last_n(m: re.Match[str], today: date) -> Period:
    unit = m.group("unit").rstrip("s")
    return last_days(_number(m.group("n")), today, unit)


def _named_month(m: re.Match[str], today: date) -> Period:
    year = m.group("y")
    return month_period(MONTHS[m.group("m")], int(year) if year else None, today)


def _quarter(m: re.Match[str], today: date) -> Period:
    number = int(m.group("q"))
    started = 3 * (number - 1) + 1 <= today.month
    year = int(m.group("y")) if m.group("y") else (today.year if started else today.year - 1)
    return quarter(year, number, today, f"Q{number} {year}")


Builder = Callable[[re.Match[str], date], "Period | None"]
DA, DB = _DATE.format(p="a"), _DATE.format(p="b")
_NOT_MAY = "|".join(k for k in sorted(MONTHS, key=len, reverse=True) if k != "may")
PATTERNS: list[tuple[str, Builder]] = [
    (rf"\bbetween {DA} and {DB}\b", _range),
    (rf"\b(?:from )?{DA} ?(?:to|till|until|through|-) ?{DB}\b", _range),
    (rf"\b(?:since|from) {DA}\b", _since),
    (r"\bday before yesterday\b", lambda m, t: Period(t - timedelta(days=2), t - timedelta(days=2),
                                                     "the day before yesterday", "day")),
    (r"\bsame week (?:last|a) year\b|\bsame week of last year\b", lambda m, t: same_week_last_year(t)),
    (r"\bsame month (?:last|a) year\b", lambda m, t: same_month_last_year(t)),
    (rf"\b(?:in )?(?:the )?(?:last|past|previous|prior|recent) {_NUM} (?P<unit>days?|weeks?|months?|years?)\b",
     _last_n),
    (rf"\b{_NUM} (?P<unit>days?|weeks?|months?) (?:ago|back) (?:to|till|until) (?:now|today)\b", _last_n),
    (r"\b(?:so far )?today\b|\btonight\b|\bthis (?:morning|afternoon|evening)\b", lambda m, t: today_period(t)),
    (r"\byesterday\b|\blast night\b", lambda m, t: yesterday(t)),
    (r"\b(?:this|current) week\b|\bweek to date\b|\bwtd\b", lambda m, t: this_week(t)),
    (r"\b(?:last|previous|prior) week\b|\bthe week before\b", lambda m, t: last_week(t)),
    (r"\bpast week\b", lambda m, t: last_days(7, t)),
    (r"\b(?:this|current) month\b|\bmonth to date\b|\bmtd\b", lambda m, t: this_month(t)),
    (r"\b(?:last|previous|prior) month\b|\bthe month before\b", lambda m, t: last_month(t)),
    (r"\bpast month\b", lambda m, t: last_days(1, t, "month")),
    (r"\b(?:this|current) quarter\b|\bquarter to date\b|\bqtd\b", lambda m, t: this_quarter(t)),
    (r"\b(?:last|previous|prior) quarter\b", lambda m, t: last_quarter(t)),
    (r"\bq(?P<q>[1-4])(?: (?P<y>(?:19|20)\d\d))?\b", _quarter),
    (r"\b(?:this|current) year\b|\byear to date\b|\bytd\b", lambda m, t: this_year(t)),
    (r"\b(?:last|previous|prior) year\b|\bthe year before\b", lambda m, t: last_year(t)),
    (r"\bpast year\b", lambda m, t: last_days(1, t, "year")),
    (r"\ball time\b|\bever\b|\bsince (?:i|we) (?:started|opened|began)\b|\bsince the (?:start|beginning)\b",
     lambda m, t: all_time(t)),
    (rf"\b(?:on )?{DA}\b", _single_day),  # a full date ("on 5 march", "2026-03-05")
    # "may" is a month only where a month is expected: after in/for/of/during or before a year.
    (rf"\b(?:(?:in|for|during|of|over|last|this) )?(?P<m>{_NOT_MAY})(?: (?P<y>(?:19|20)\d\d))?\b",
     _named_month),
    (r"\b(?:(?:in|for|during|of|over) )(?P<m>may)(?: (?P<y>(?:19|20)\d\d))?\b|\b(?P<m2>may) (?P<y2>(?:19|20)\d\d)\b",
     lambda m, t: month_period(5, int(m.group("y") or m.group("y2")) if (m.group("y") or m.group("y2")) else None, t)),
    (r"\b(?:(?:in|for|during|of) )?(?P<y>(?:19|20)\d\d)\b", lambda m, t: year_period(int(m.group("y")), t)),
    (r"\blast (?P<d>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
     lambda m, t: _weekday(m.group("d"), t, True)),
    (r"\b(?:on |this )?(?P<d>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
     lambda m, t: _weekday(m.group("d"), t, False)),
]
_COMPILED = [(re.compile(p), build) for p, build in PATTERNS]


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    period: Period


def find_periods(text: str, today: date) -> tuple[list[Found], str]:
    """The periods a (normalised) question names, in the order it names them, and the question
    with them blanked out (so the rest can be read for products and intents)."""
    found: list[Found] = []
    masked = text
    for pattern, build in _COMPILED:
        for m in pattern.finditer(masked):
            if not m.group(0).strip():
                continue
            period = build(m, today)
            if period is None or period.first > today or period.first < EARLIEST:
                continue
            found.append(Found(m.start(), m.end(), period))
            masked = masked[: m.start()] + " " * (m.end() - m.start()) + masked[m.end():]
    found.sort(key=lambda f: f.start)
    return found, re.sub(r"\s+", " ", masked).strip()


def previous_of(period: Period, today: date) -> Period:
    """What a period is compared with when the question names only one: the one before it, of
    the same length, like for like (this month so far against the same days of last month)."""
    if period.kind == "week":
        first = period.first - timedelta(days=7)
        label = "last week" if period.label == "this week" else "the week before"
    elif period.kind == "month":
        first = add_months(period.first, -1)
        label = "last month" if period.label == "this month" else calendar.month_name[first.month] + f" {first.year}"
    elif period.kind == "quarter":
        first = add_months(period.first, -3)
        label = "the quarter before"
    elif period.kind == "year":
        first = date(period.first.year - 1, 1, 1)
        label = "last year" if period.label == "this year" else str(first.year)
    elif period.kind == "day":
        first = period.first - timedelta(days=1) if period.label != "today" else today - timedelta(days=1)
        label = "yesterday" if period.label == "today" else "the day before"
        if period.label == "yesterday":
            label = "the day before yesterday"
    else:
        first = period.first - timedelta(days=period.days)
        label = "the period before"
    if period.kind in ("month", "quarter", "year"):
        full_last = add_months(first, {"month": 1, "quarter": 3, "year": 12}[period.kind]) - timedelta(days=1)
    elif period.kind == "week":
        full_last = first + timedelta(days=6)
    else:
        full_last = first + timedelta(days=period.days - 1)
    last = full_last
    if period.to_date:  # like for like: as many days into it as today is into this one
        last = min(full_last, first + timedelta(days=period.days - 1))
    return Period(first, last, label, period.kind, partial=last < full_last)


def current_of(period: Period, today: date) -> Period:
    """The current counterpart of a past period named alone ("vs last month" → this month)."""
    if period.label in ("last week", "the same week last year"):
        return this_week(today)
    if period.label in ("last month", "the same month last year"):
        return this_month(today)
    if period.label == "last year":
        return this_year(today)
    if period.label == "last quarter":
        return this_quarter(today)
    if period.label == "yesterday":
        return today_period(today)
    return today_period(today)


def like_for_like(current: Period, previous: Period) -> Period:
    """Trim a past period to as many days as a current one that is still going on."""
    if not current.to_date or previous.days <= current.days:
        return previous
    return Period(previous.first, previous.first + timedelta(days=current.days - 1), previous.label, previous.kind,
                  partial=True)

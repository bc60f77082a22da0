"""What a line of a sale costs the customer, and what a return gives back: the counter's arithmetic.

Per line, rounded half-up to cents in this order (API.md, "The counter"): gross = quantity x unit
price; discount = the amount given, or gross x discount_pct / 100; net = gross - discount; tax on
net at the line's rate, added on top when the shop's prices exclude tax, taken out of net when
they include it. Revenue (what reports count) never includes tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class DiscountTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class LinePrice:
    gross: Decimal
    discount: Decimal
    tax: Decimal
    revenue: Decimal

    @property
    def paid(self) -> Decimal:
        return self.revenue + self.tax


def price_line(
    quantity: Decimal,
    unit_price: Decimal,
    rate: Decimal,
    include_tax: bool,
    discount: Decimal | None = None,
    discount_pct: Decimal | None = None,
) -> LinePrice:
    gross = cents(quantity * unit_price)
    off = cents(discount) if discount is not None else cents(gross * (discount_pct or ZERO) / 100)
    if off > gross:
        raise DiscountTooLarge(f"the discount ({off}) is more than the line ({gross})")
    net = gross - off
    if include_tax:
        tax = cents(net * rate / (1 + rate))
        return LinePrice(gross, off, tax, net - tax)
    tax = cents(net * rate)
    return LinePrice(gross, off, tax, net)


def share(amount: Decimal, before: Decimal, now: Decimal, whole: Decimal) -> Decimal:
    """The part of `amount` that units `before`..`before + now` of `whole` carry, in cents, such
    that the parts of any sequence of partial returns add up to exactly `amount` at the end."""
    if whole == 0:
        return ZERO
    return cents(amount * (before + now) / whole) - cents(amount * before / whole)

// The counter's arithmetic in the browser, the same rule as the server's (API.md, "The counter"):
// per line, rounded half-up to cents in this order: gross, discount, net, tax. The server's reply
// has the final word; this only shows the cart as it will be charged.

const cents = (value) => {
  const scaled = Math.abs(value) * 100;
  // Nudge past binary noise (2.675 is 2.67499... as a double) before rounding half-up.
  const rounded = Math.floor(scaled + 0.5 + 1e-9) / 100;
  return value < 0 ? -rounded : rounded;
};

/** {gross, discount, net, tax, revenue, paid} of a cart line, given the shop's tax settings. */
export function linePrice(line, { include = false, rate = 0 } = {}) {
  const taxRate = line.taxRate === null || line.taxRate === undefined ? rate : Number(line.taxRate);
  const gross = cents(line.quantity * line.price);
  const discount = line.discountPct ? cents((gross * line.discountPct) / 100) : cents(Number(line.discount || 0));
  const net = cents(gross - discount);
  const tax = include ? cents((net * taxRate) / (1 + taxRate)) : cents(net * taxRate);
  const revenue = include ? cents(net - tax) : net;
  return { gross, discount, net, tax, revenue, paid: cents(revenue + tax) };
}

/** A quantity as it is typed back into a field: 0.375, 2, never 0.37500000001. */
export function quantityText(quantity) {
  return String(Math.round(Number(quantity) * 1000) / 1000);
}

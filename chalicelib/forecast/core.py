"""One product's demand: its pattern, a method per pattern, daily means and lead-time quantiles.

A history is units sold per day, oldest first, ending yesterday; `None` marks a day the product
was out of stock (its demand is unknown, not zero). Weekdays count from Monday = 0.

- Pattern (Syntetos-Boylan): ADI (average days between sales) and CV² (squared coefficient of
  variation of the sale sizes) against 1.32 and 0.49 give smooth, erratic, intermittent, lumpy;
  `new` while there are fewer than four weeks since the first sale; `dead` when nothing sold for
  three months (and far longer than its usual gap) or never.
- Every method works on the deseasonalised series (each day divided by its weekday weight), so
  a shop shut on Saturdays is not forecast to sell on Saturdays, and the level it follows is not
  dragged down by them: smooth/erratic by simple or damped-trend exponential smoothing of the
  level (a trend is damped so that a level shift is followed without running away), intermittent
  by SBA (Croston with the Syntetos-Boylan bias correction), lumpy by TSB (which lets the
  probability of a sale decay when sales stop). Each picks its smoothing constant from a short
  grid by the squared error of its in-sample 7-day forecasts.
- Lead-time demand is a negative binomial (Poisson-gamma) with variance a*mu + b*mu^2, where a
  (overdispersion) and b (level uncertainty) are fitted to the method's own in-sample errors over
  7- and 28-day windows, shrunk towards a prior on short histories and scaled by CALIBRATION,
  which was set on the first months of the UCI Online Retail data (see bench/forecast_accuracy.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ADI_CUT = 1.32
CV2_CUT = 0.49
NEW_DAYS = 28
DEAD_DAYS = 91
QUANTILES = (0.5, 0.9, 0.95)
WINDOWS = (7, 28)  # in-sample error windows that fit the variance
CALIBRATION = 2.0  # scales the negative binomial's variance (set on the backtest's tune origins)
PRIOR_A, PRIOR_B, PRIOR_WEIGHT = 2.0, 0.1, 2.0

PATTERN_WORDS = {
    "smooth": "sells most days in steady amounts",
    "erratic": "sells most days in very different amounts",
    "intermittent": "sells now and then in steady amounts",
    "lumpy": "sells now and then in very different amounts",
    "new": "too new to tell",
    "dead": "has not sold for a long time",
}
METHOD_WORDS = {
    "level": "recent level by weekday",
    "damped_trend": "recent level and trend (damped) by weekday",
    "sba": "average sale size over average gap between sales (SBA)",
    "tsb": "chance of a sale times its usual size, fading when sales stop (TSB)",
    "average": "average since the first sale",
    "none": "no sales expected",
}

History = Sequence[float | None]


@dataclass
class Classification:
    pattern: str
    adi: float | None = None
    cv2: float | None = None


@dataclass
class Forecast:
    """A fitted forecast: enough to give daily means and lead-time quantiles for any horizon."""

    pattern: str
    method: str
    level: float  # deseasonalised units per day, as of the first forecast day
    trend: float = 0.0
    phi: float = 1.0
    profile: list[float] = field(default_factory=lambda: [1.0] * 7)  # weekday weights, sum 7
    start_weekday: int = 0  # weekday of the first forecast day
    var_a: float = PRIOR_A
    var_b: float = PRIOR_B
    integer: bool = True
    # Empirical quantiles (p50, p90, p95) of actual / forecast over in-sample 7- and 28-day
    # windows, and how many independent windows of each the history held.
    ratios: dict[int, list[float]] = field(default_factory=dict)
    windows: dict[int, float] = field(default_factory=dict)
    adi: float | None = None
    cv2: float | None = None
    growth: float = 0.0  # the shop's level's growth per day, damped by SHOP_PHI (shop_growth)

    def daily(self, days: int) -> list[float]:
        """Mean demand for each of the next `days` days (the first is today)."""
        out, trend_sum, damp = [], 0.0, 1.0
        # The shop's level was last measured at the centre of its last window, SHOP_WINDOW/2 days back.
        shop_sum, shop_damp = 0.0, 1.0
        for _ in range(SHOP_WINDOW // 2):
            shop_damp *= SHOP_PHI
            shop_sum += shop_damp
        for h in range(days):
            damp *= self.phi
            trend_sum += damp
            shop_damp *= SHOP_PHI
            shop_sum += shop_damp
            level = max(self.level + self.trend * trend_sum, 0.0) * max(1 + self.growth * shop_sum, 0.0)
            out.append(level * self.profile[(self.start_weekday + h) % 7])
        return out

    def lead_time_demand(self, days: int) -> dict[str, float]:
        """Mean and quantiles (p50, p90, p95) of total demand over the next `days` days: the
        in-sample errors' own quantiles where the history holds enough windows, blended with
        the negative binomial where it holds few."""
        mean = sum(self.daily(days))
        variance = CALIBRATION * (self.var_a * mean + self.var_b * mean * mean)
        qs = quantiles(mean, variance, QUANTILES, self.integer)
        if mean > 0 and self.ratios:
            ratios, weight = self._ratios_at(days)
            for k, ratio in enumerate(ratios):
                value = weight * mean * (1 + RATIO_SPREAD * (ratio - 1)) + (1 - weight) * qs[k]
                qs[k] = float(math.ceil(value - 1e-9)) if self.integer else round(value, 3)
        for k in range(1, len(qs)):
            qs[k] = max(qs[k], qs[k - 1])
        return {"mean": mean, "p50": qs[0], "p90": qs[1], "p95": qs[2]}

    def demand_quantile(self, days: int, q: float) -> float:
        """The `q` quantile of demand over the next `days` days (a service level): between the
        fitted p50, p90 and p95 linearly; beyond p95 the negative binomial's tail, scaled to meet p95."""
        lead = self.lead_time_demand(days)
        points = [(0.0, 0.0), (0.5, lead["p50"]), (0.9, lead["p90"]), (0.95, lead["p95"])]
        if q <= 0.95:
            for (q0, v0), (q1, v1) in zip(points, points[1:], strict=False):
                if q <= q1:
                    value = v0 + (v1 - v0) * (q - q0) / (q1 - q0)
                    return float(math.ceil(value - 1e-9)) if self.integer else round(value, 3)
        mean = lead["mean"]
        variance = CALIBRATION * (self.var_a * mean + self.var_b * mean * mean)
        nb95, nbq = quantiles(mean, variance, (0.95, q), self.integer)
        value = nbq * (lead["p95"] / nb95) if nb95 > 0 else nbq
        value = max(value, lead["p95"])
        return float(math.ceil(value - 1e-9)) if self.integer else round(value, 3)

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers and lists (for storage); from_dict reads them back."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("ratios", "windows")}
        out["ratios"] = {str(k): v for k, v in self.ratios.items()}
        out["windows"] = {str(k): v for k, v in self.windows.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Forecast:
        def num(v: Any) -> float:
            return float(v)

        return cls(
            pattern=str(data["pattern"]), method=str(data["method"]), level=num(data["level"]),
            trend=num(data.get("trend", 0)), phi=num(data.get("phi", 1)),
            profile=[num(v) for v in data.get("profile", [1] * 7)], start_weekday=int(data.get("start_weekday", 0)),
            var_a=num(data.get("var_a", PRIOR_A)), var_b=num(data.get("var_b", PRIOR_B)),
            integer=bool(data.get("integer", True)),
            ratios={int(k): [num(x) for x in v] for k, v in (data.get("ratios") or {}).items()},
            windows={int(k): num(v) for k, v in (data.get("windows") or {}).items()},
            adi=None if data.get("adi") is None else num(data["adi"]),
            cv2=None if data.get("cv2") is None else num(data["cv2"]),
            growth=num(data.get("growth", 0)),
        )  # fmt: skip

    def _ratios_at(self, days: int) -> tuple[list[float], float]:
        """The ratio quantiles interpolated (in log days) between the windows fitted."""
        known = sorted(self.ratios)
        if days <= known[0] or len(known) == 1:
            w = known[0] if days <= known[0] else known[-1]
            n = self.windows.get(w, 0.0)
            return self.ratios[w], n / (n + PRIOR_WEIGHT)
        if days >= known[-1]:
            n = self.windows.get(known[-1], 0.0)
            return self.ratios[known[-1]], n / (n + PRIOR_WEIGHT)
        lo, hi = known[0], known[-1]
        t = (math.log(days) - math.log(lo)) / (math.log(hi) - math.log(lo))
        ratios = [(1 - t) * a + t * b for a, b in zip(self.ratios[lo], self.ratios[hi], strict=True)]
        n = (1 - t) * self.windows.get(lo, 0.0) + t * self.windows.get(hi, 0.0)
        return ratios, n / (n + PRIOR_WEIGHT)


# --- distributions ----------------------------------------------------------------------


def _normal_ppf(q: float) -> float:
    """Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)  # fmt: skip
    if q < 0.02425:
        r = math.sqrt(-2 * math.log(q))
        return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / (
            (((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
    if q > 1 - 0.02425:
        return -_normal_ppf(1 - q)
    s = q - 0.5
    r = s * s
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * s / (
        ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)


def _gamma_ppf(mean: float, variance: float, q: float) -> float:
    """Gamma quantile by the Wilson-Hilferty cube-root approximation (good for shape > ~0.5)."""
    shape = mean * mean / variance
    z = _normal_ppf(q)
    base = 1 - 1 / (9 * shape) + z * math.sqrt(1 / (9 * shape))
    return max(mean * base**3, 0.0)


def quantiles(mean: float, variance: float, qs: Sequence[float], integer: bool = True) -> list[float]:
    """Quantiles of demand with this mean and variance: negative binomial for whole units
    (Poisson when the variance is no more than the mean), gamma for units sold by weight."""
    if mean <= 0:
        return [0.0 for _ in qs]
    variance = max(variance, mean * 1.000001)
    if not integer:
        return [round(_gamma_ppf(mean, variance, q), 3) for q in qs]
    r = mean * mean / (variance - mean)
    p = r / (r + mean)
    log_p0 = r * math.log(p)
    if mean > 20000 or log_p0 < -700:
        return [float(math.ceil(_gamma_ppf(mean, variance, q))) for q in qs]
    out, k, pmf = [], 0, math.exp(log_p0)
    cdf = pmf
    for q in sorted(qs):
        while cdf < q - 1e-12:
            k += 1
            pmf *= (k - 1 + r) / k * (1 - p)
            cdf += pmf
            if pmf == 0 and cdf < q:  # lost to underflow far in the tail: the gamma takes over
                return [float(math.ceil(_gamma_ppf(mean, variance, qq))) for qq in qs]
        out.append(float(k))
    order = sorted(range(len(qs)), key=lambda i: qs[i])
    result = [0.0] * len(qs)
    for rank, i in enumerate(order):
        result[i] = out[rank]
    return result


# --- classification ---------------------------------------------------------------------


def _open_days(history: History, first_weekday: int, profile: Sequence[float]) -> list[tuple[int, float]]:
    """(day index, units) of the days the product was in stock and the shop open, from its first sale."""
    first = next((i for i, y in enumerate(history) if y), None)
    if first is None:
        return []
    return [(i, float(y)) for i, y in enumerate(history) if i >= first and y is not None
            and profile[(first_weekday + i) % 7] > 0]  # fmt: skip


def classify(history: History, first_weekday: int = 0, shop_profile: Sequence[float] | None = None) -> Classification:
    profile = list(shop_profile or [1.0] * 7)
    days = _open_days(history, first_weekday, profile)
    if not days:
        return Classification("new" if len(history) < NEW_DAYS else "dead")
    sizes = [y for _, y in days if y > 0]
    adi = len(days) / len(sizes)
    mean = sum(sizes) / len(sizes)
    cv2 = sum((s - mean) ** 2 for s in sizes) / len(sizes) / (mean * mean)
    last_sale = max(i for i, y in days if y > 0)
    since_sale = sum(1 for i, _ in days if i > last_sale)
    if since_sale > max(DEAD_DAYS, 4 * adi):
        return Classification("dead", adi, cv2)
    if len(days) < NEW_DAYS:
        return Classification("new", adi, cv2)
    smooth = adi < ADI_CUT
    if cv2 < CV2_CUT:
        return Classification("smooth" if smooth else "intermittent", adi, cv2)
    return Classification("erratic" if smooth else "lumpy", adi, cv2)


# --- weekday profile --------------------------------------------------------------------


def shop_profile(totals: Sequence[float | None], first_weekday: int = 0) -> list[float]:
    """Weekday weights (sum 7) from a shop's daily totals; a weekday it never sells on gets 0."""
    sums, counts = [0.0] * 7, [0] * 7
    for i, y in enumerate(totals):
        if y is not None:
            sums[(first_weekday + i) % 7] += float(y)
            counts[(first_weekday + i) % 7] += 1
    means = [s / c if c else 0.0 for s, c in zip(sums, counts, strict=True)]
    total = sum(means)
    if total <= 0:
        return [1.0] * 7
    return [7 * m / total for m in means]


def _product_profile(
    days: list[tuple[int, float]], first_weekday: int, shop: list[float], weight: float
) -> list[float]:
    """The product's own weekday weights shrunk towards the shop's (`weight` pseudo-weeks of them)."""
    sums, counts = [0.0] * 7, [0] * 7
    for i, y in days:
        w = (first_weekday + i) % 7
        sums[w] += y
        counts[w] += 1
    overall = sum(sums) / max(sum(counts), 1)
    if overall <= 0:
        return shop
    mixed = []
    for w in range(7):
        if shop[w] <= 0:
            mixed.append(0.0)
            continue
        own = sums[w] / counts[w] / overall if counts[w] else shop[w]
        mixed.append((counts[w] * own + weight * shop[w]) / (counts[w] + weight))
    total = sum(mixed)
    return [7 * m / total for m in mixed] if total > 0 else shop


# --- methods: each gives the level it would have forecast before every day, and its last ----


def _ses(xs: list[float | None], alpha: float, beta: float, phi: float) -> tuple[list[float], float, float]:
    """Simple (beta=0) or damped-trend exponential smoothing over days that may be missing."""
    seen = [x for x in xs if x is not None]
    level = sum(seen[:14]) / max(len(seen[:14]), 1)
    trend = 0.0
    path = []
    for x in xs:
        path.append(max(level + phi * trend, 0.0))
        if x is None:
            level, trend = level + phi * trend, phi * trend
            continue
        new = alpha * x + (1 - alpha) * (level + phi * trend)
        trend = beta * (new - level) + (1 - beta) * phi * trend
        level = new
    return path, level, trend


def _sba(xs: list[float | None], alpha: float) -> tuple[list[float], float, float]:
    seen = [x for x in xs if x is not None]
    sizes = [x for x in seen if x > 0]
    size = sum(sizes[:4]) / max(len(sizes[:4]), 1)
    interval = len(seen) / max(len(sizes), 1)
    gap, path = 1, []
    for x in xs:
        path.append((1 - alpha / 2) * size / interval)
        if x is None:
            continue
        if x > 0:
            size += alpha * (x - size)
            interval += alpha * (gap - interval)
            gap = 1
        else:
            gap += 1
    return path, (1 - alpha / 2) * size / interval, 0.0


def _tsb(xs: list[float | None], alpha: float, beta: float) -> tuple[list[float], float, float]:
    seen = [x for x in xs if x is not None]
    sizes = [x for x in seen if x > 0]
    size = sum(sizes[:4]) / max(len(sizes[:4]), 1)
    prob = len(sizes) / max(len(seen), 1)
    path = []
    for x in xs:
        path.append(prob * size)
        if x is None:
            continue
        prob += beta * ((1.0 if x > 0 else 0.0) - prob)
        if x > 0:
            size += alpha * (x - size)
    return path, prob * size, 0.0


def _prefix_window_errors(xs: list[float | None], path: list[float], window: int, start: int,
                          absolute: bool = False) -> tuple[float, float, int]:
    """(sum of squared errors, sum of forecasts, windows) of `window`-day sums from `start` on; days
    missing from a window count as forecast (they neither help nor hurt). Linear, by prefix sums."""
    n = len(xs)
    obs, cnt = [0.0], [0]
    for x in xs:
        obs.append(obs[-1] + (x if x is not None else 0.0))
        cnt.append(cnt[-1] + (1 if x is not None else 0))
    sq, total, count = 0.0, 0.0, 0
    for t in range(start, n - window + 1):
        level = path[t]
        missing = window - (cnt[t + window] - cnt[t])
        actual = obs[t + window] - obs[t] + missing * level
        pred = level * window
        sq += abs(actual - pred) if absolute else (actual - pred) ** 2
        total += pred
        count += 1
    return sq, total, count


# --- the forecast -----------------------------------------------------------------------

WARMUP = 14
# Set on the backtest's tune origins (March to June 2011), checked on July and August:
RATIO_SPREAD = 1.3  # widens the in-sample error ratios (in-sample errors flatter the method)
RATIO_CAP = 8.0
# The shop's level (shop_index): a centred window of SHOP_WINDOW days each side; its growth is
# measured over SHOP_SPAN days, capped at SHOP_GROWTH_CAP a day and damped by SHOP_PHI a day ahead.
SHOP_WINDOW = 14
SHOP_FLOOR = 0.2  # a day's shop level counts as at least this share of today's (quiet weeks)
SHOP_SPAN = 21
SHOP_GROWTH_CAP = 0.01
SHOP_PHI = 0.9
NEW_RECENT = 0.5  # a new product's level: half its average since launch, half its last 14 days


def shop_index(totals: Sequence[float | None], first_weekday: int, weights: Sequence[float]) -> list[float]:
    """The shop's level on each day relative to its level on the last day (1.0): its weekday-adjusted
    daily totals averaged over a centred window (SHOP_WINDOW days each side, fewer at the ends).
    Every product's days are divided by it, so a product follows the shop's rise or fall at once,
    seen in thousands of sales a month, instead of waiting for its own few to show it."""
    n = len(totals)
    adj = [0.0] * n
    open_ = [0] * n
    for i, y in enumerate(totals):
        w = weights[(first_weekday + i) % 7]
        if y is not None and w > 0:
            adj[i], open_[i] = float(y) / w, 1
    sums, cnts = [0.0], [0]
    for a, o in zip(adj, open_, strict=True):
        sums.append(sums[-1] + a)
        cnts.append(cnts[-1] + o)
    levels = []
    for i in range(n):
        lo, hi = max(i - SHOP_WINDOW, 0), min(i + SHOP_WINDOW + 1, n)
        c = cnts[hi] - cnts[lo]
        levels.append((sums[hi] - sums[lo]) / c if c else 0.0)
    last = levels[-1] if levels else 0.0
    if last <= 0 or any(v <= 0 for v in levels[-2 * SHOP_WINDOW:]):
        return [1.0] * n  # too little to go on: no shop-wide level
    floor = last * SHOP_FLOOR
    return [max(v, floor) / last for v in levels]


@functools.lru_cache(maxsize=8)
def _shop_index(totals: tuple[float | None, ...], first_weekday: int, weights: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(shop_index(totals, first_weekday, weights))  # the same for every product of a shop's run


def shop_growth(index: Sequence[float]) -> float:
    """The shop's growth per day (a fraction of its level) from its index: the last window's
    level against the one SHOP_SPAN days before it, capped."""
    if len(index) <= SHOP_SPAN or index[-1 - SHOP_SPAN] <= 0:
        return 0.0
    g = (index[-1] / index[-1 - SHOP_SPAN] - 1) / SHOP_SPAN
    return max(-SHOP_GROWTH_CAP, min(SHOP_GROWTH_CAP, g))


def fit(history: History, first_weekday: int = 0, shop_weights: Sequence[float] | None = None,
        shop_totals: Sequence[float | None] | None = None) -> Forecast:
    """Fit a forecast to `history` (its first day falls on `first_weekday`); the forecast starts
    the day after its last day. `shop_weights` are the shop's weekday weights (shop_profile);
    `shop_totals`, the shop's units per day over the same days, let the level follow the shop's."""
    shop = list(shop_weights) if shop_weights and sum(shop_weights) > 0 else [1.0] * 7
    index = (list(_shop_index(tuple(shop_totals), first_weekday, tuple(shop)))
             if shop_totals and len(shop_totals) == len(history) else [1.0] * len(history))
    growth = shop_growth(index)
    start_weekday = (first_weekday + len(history)) % 7
    integer = all(y is None or float(y).is_integer() for y in history)
    kind = classify(history, first_weekday, shop)
    base: dict[str, Any] = {"pattern": kind.pattern, "start_weekday": start_weekday, "integer": integer,
            "adi": kind.adi, "cv2": kind.cv2}  # fmt: skip
    days = _open_days(history, first_weekday, shop)
    if kind.pattern == "dead" or not days:
        return Forecast(method="none", level=0.0, profile=shop, **base)
    first = days[0][0]
    if kind.pattern == "new":
        profile = shop
        total = sum(y for _, y in days)
        weight = sum(profile[(first_weekday + i) % 7] for i, _ in days)
        # A young product's rate is uncertain: a wide level-uncertainty term until it has a history.
        recent = [(i, y) for i, y in days if i >= len(history) - 14]
        r_total = sum(y for _, y in recent)
        r_weight = sum(profile[(first_weekday + i) % 7] for i, _ in recent)
        level = total / max(weight, 1.0)
        if r_weight > 0:
            level = (1 - NEW_RECENT) * level + NEW_RECENT * r_total / r_weight
        return Forecast(method="average", level=level, profile=profile,
                        var_a=PRIOR_A, var_b=0.5, **base)
    smooth = kind.pattern in ("smooth", "erratic")
    profile = _product_profile(days, first_weekday, shop, 8.0 if kind.pattern == "smooth" else 26.0)
    # Deseasonalised days from the first sale; closed weekdays and stock-outs are missing.
    xs: list[float | None] = []
    for i in range(first, len(history)):
        y, w = history[i], profile[(first_weekday + i) % 7]
        xs.append(None if y is None or w <= 0 else float(y) / w / index[i])
    candidates: list[tuple[str, float, float]] = []
    if smooth:
        candidates = [("level", a, 0.0) for a in (0.03, 0.06, 0.12, 0.25)]
        candidates += [("damped_trend", a, 0.1 * a) for a in (0.03, 0.06, 0.12)]
    elif kind.pattern == "intermittent":
        candidates = [("sba", a, 0.0) for a in (0.05, 0.1, 0.2)]
    else:
        candidates = [("tsb", a, b) for a in (0.05, 0.1, 0.2) for b in (0.02, 0.05)]
    if not smooth:
        # Intermittent sales of a product bought by a few regulars often follow a level better.
        candidates += [("level", a, 0.0) for a in (0.03, 0.06, 0.12)]
    best: tuple[float, str, list[float], float, float, float, float] | None = None
    for method, a, b in candidates:
        phi = 0.95 if method == "damped_trend" else 1.0
        if method in ("level", "damped_trend"):
            path, level, trend = _ses(xs, a, b, phi)
        elif method == "sba":
            path, level, trend = _sba(xs, a)
        else:
            path, level, trend = _tsb(xs, a, b)
        sq, _, count = _prefix_window_errors(xs, path, 7, min(WARMUP, len(xs) // 2), True)
        score = sq / max(count, 1)
        if best is None or score < best[0]:
            best = (score, method, path, level, trend, phi, a)
    if best is None:  # pragma: no cover - every pattern has candidates
        raise ValueError(kind.pattern)
    _, method, path, level, trend, phi, _ = best
    var_a, var_b = _variance(xs, path)
    ratios, windows = _ratios(xs, path)
    return Forecast(method=method, level=level, trend=trend, phi=phi, profile=profile,
                    var_a=var_a, var_b=var_b, ratios=ratios, windows=windows, growth=growth, **base)


def _ratios(xs: list[float | None], path: list[float]) -> tuple[dict[int, list[float]], dict[int, float]]:
    """Quantiles of actual / forecast over the in-sample windows of each length in WINDOWS."""
    obs, cnt = [0.0], [0]
    for x in xs:
        obs.append(obs[-1] + (x if x is not None else 0.0))
        cnt.append(cnt[-1] + (1 if x is not None else 0))
    start = min(WARMUP, len(xs) // 2)
    ratios: dict[int, list[float]] = {}
    windows: dict[int, float] = {}
    for window in WINDOWS:
        found = []
        for t in range(start, len(xs) - window + 1):
            level = path[t]
            if level <= 0:
                continue
            missing = window - (cnt[t + window] - cnt[t])
            # Capped: a window that followed a near-zero level says little about today's spread.
            found.append(min((obs[t + window] - obs[t] + missing * level) / (level * window), RATIO_CAP))
        if len(found) < 2:
            continue
        found.sort()
        ratios[window] = [found[min(int(q * len(found)), len(found) - 1)] for q in QUANTILES]
        windows[window] = len(found) / window
    return ratios, windows


def _variance(xs: list[float | None], path: list[float]) -> tuple[float, float]:
    """(a, b) of variance = a*mu + b*mu^2 from the in-sample errors of 7- and 28-day sums,
    shrunk towards the prior by how many independent windows the history holds."""
    start = min(WARMUP, len(xs) // 2)
    fits = []
    for window in WINDOWS:
        sq, total, count = _prefix_window_errors(xs, path, window, start)
        if count == 0 or total <= 0:
            continue
        mu = total / count
        fits.append((window, sq / count, mu, count / window))
    if not fits:
        return PRIOR_A, PRIOR_B
    if len(fits) == 1:
        _, mse, mu, n = fits[0]
        a, b = max(mse / mu, 1.0), PRIOR_B
    else:
        (_, v1, m1, n1), (_, v2, m2, n) = fits
        # Two equations v = a*m + b*m^2; when they disagree with a >= 1, b >= 0, keep the closest.
        det = m1 * m2 * m2 - m2 * m1 * m1
        b = (v2 * m1 - v1 * m2) / det if det > 0 else 0.0
        b = max(b, 0.0)
        a = max((v1 - b * m1 * m1) / m1, 1.0)
    weight = n / (n + PRIOR_WEIGHT)
    return weight * a + (1 - weight) * PRIOR_A, weight * b + (1 - weight) * PRIOR_B

"""Forecast accuracy on real data: a rolling-origin backtest on the UCI Online Retail invoices.

    .venv/bin/python -m bench.forecast_accuracy [--products N] [--period tune|holdout|all]

Daily units per product from ../shared/data/online-retail-2010-12-to-2011-08.csv.gz (cancellations,
non-product codes and zero prices left out). Origins every 14 days, 28-day horizon; products that
sold in the 91 days before an origin. The forecaster (chalicelib/forecast/core.py) and baselines
computed in the same run: 28-day moving average, seasonal naive (same weekday last week), SES,
SBA, TSB and a weekday-profile x 28-day-level model. The forecaster is also given the shop's
daily totals (all products) before the origin, as the service gives it the shop's day totals.
Metrics, mean over (product, origin): MASE and
RMSSE (scaled by the in-sample one-day naive error), bias of the first 14 days' total (all products
together), and for the forecaster the coverage of 14-day lead-time demand by p90/p95 and the scaled
pinball loss of p50/p90/p95. "tune" origins (March to June 2011) were used to set the method's
constants; "holdout" origins (July and August 2011) were not.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import re
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chalicelib.forecast import core  # noqa: E402

DATA = Path("/work/shared/data/online-retail-2010-12-to-2011-08.csv.gz")
FIRST_DAY = date(2010, 12, 1)
HORIZON = 28
LEAD = 14
PRODUCT_CODE = re.compile(r"^\d{5}[A-Za-z]{0,2}$")
TUNE = (date(2011, 3, 1), date(2011, 6, 2))
HOLDOUT = (date(2011, 7, 1), date(2011, 8, 3))


def data_path() -> Path:
    for candidate in (DATA, ROOT.parent.parent / "shared/data" / DATA.name, ROOT.parent / "shared/data" / DATA.name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(DATA.name)


def load(path: Path | None = None) -> tuple[dict[str, list[float]], int]:
    """Units per product per day from FIRST_DAY to the file's last day: ({sku: [units...]}, days)."""
    by_day: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    last = 0
    with gzip.open(path or data_path(), "rt", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["InvoiceNo"].startswith("C") or not PRODUCT_CODE.match(r["StockCode"]):
                continue
            qty, price = int(r["Quantity"]), float(r["UnitPrice"])
            if qty <= 0 or price <= 0:
                continue
            day = (date.fromisoformat(r["InvoiceDate"][:10]) - FIRST_DAY).days
            by_day[r["StockCode"].upper()][day] += qty
            last = max(last, day)
    n = last + 1
    return {sku: [days.get(i, 0.0) for i in range(n)] for sku, days in by_day.items()}, n


def origins(period: tuple[date, date]) -> list[int]:
    out, d = [], period[0]
    while d <= period[1]:
        out.append((d - FIRST_DAY).days)
        d += timedelta(days=14)
    return out


# --- baselines (flat or weekly, from the training days only) ----------------------------


def _ses(ys: list[float], alpha: float = 0.1) -> float:
    level = sum(ys[:14]) / 14
    for y in ys:
        level += alpha * (y - level)
    return level


def _croston(ys: list[float], alpha: float = 0.1, tsb_beta: float | None = None) -> float:
    sizes = [y for y in ys if y > 0]
    if not sizes:
        return 0.0
    size, interval, prob, gap = sizes[0], len(ys) / len(sizes), len(sizes) / len(ys), 1
    for y in ys:
        if tsb_beta is not None:
            prob += tsb_beta * ((y > 0) - prob)
        if y > 0:
            size += alpha * (y - size)
            interval += alpha * (gap - interval)
            gap = 1
        else:
            gap += 1
    return prob * size if tsb_beta is not None else (1 - alpha / 2) * size / interval


def baselines(train: list[float], weekday0: int, weights: list[float]) -> dict[str, list[float]]:
    ma = sum(train[-28:]) / 28
    start = (weekday0 + len(train)) % 7
    since = next((i for i, y in enumerate(train) if y > 0), 0)
    active = train[since:]
    return {
        "28-day moving average": [ma] * HORIZON,
        "seasonal naive": [train[-7 + (h % 7)] for h in range(HORIZON)],
        "SES": [_ses(active)] * HORIZON,
        "SBA": [_croston(active)] * HORIZON,
        "TSB": [_croston(active, tsb_beta=0.05)] * HORIZON,
        "weekday profile x 28-day level": [ma * weights[(start + h) % 7] for h in range(HORIZON)],
    }


# --- the backtest -----------------------------------------------------------------------


def backtest(series: dict[str, list[float]], points: list[int], sample: int | None, seed: int = 12) -> dict[str, Any]:
    skus = sorted(series)
    if sample and sample < len(skus):
        skus = random.Random(seed).sample(skus, sample)  # noqa: S311 - a fixed sample, not a secret
    totals = [sum(s[i] for s in series.values()) for i in range(len(next(iter(series.values()))))]
    weekday0 = FIRST_DAY.weekday()
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    bias: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))  # type: ignore
    cover: dict[str, list[float]] = defaultdict(list)
    fit_seconds, fits = 0.0, 0
    for origin in points:
        weights = core.shop_profile(totals[:origin], weekday0)
        for sku in skus:
            ys = series[sku]
            train, actual = ys[:origin], ys[origin:origin + HORIZON]
            if len(actual) < HORIZON or not any(train[-91:]):
                continue
            began = time.perf_counter()
            model = core.fit(train, weekday0, weights, totals[:origin])
            fit_seconds += time.perf_counter() - began
            fits += 1
            group = "smooth" if model.pattern in ("smooth", "erratic") else (
                "intermittent" if model.pattern in ("intermittent", "lumpy") else model.pattern)
            active = train[next(i for i, y in enumerate(train) if y > 0):]
            diffs = [abs(a - b) for a, b in zip(active[1:], active[:-1], strict=False)]
            scale = sum(diffs) / len(diffs) if diffs and sum(diffs) > 0 else 1.0
            scale2 = sum(d * d for d in diffs) / len(diffs) if diffs and sum(diffs) > 0 else 1.0
            forecasts = {"forecaster": model.daily(HORIZON), **baselines(train, weekday0, weights)}
            for name, f in forecasts.items():
                mae = sum(abs(a - b) for a, b in zip(actual, f, strict=True)) / HORIZON
                mse = sum((a - b) ** 2 for a, b in zip(actual, f, strict=True)) / HORIZON
                for g in (group, "all"):
                    scores[g][name + " MASE"].append(mae / scale)
                    scores[g][name + " RMSSE"].append((mse / scale2) ** 0.5)
                    b = bias[g][name]
                    b[0] += sum(f[:14])
                    b[1] += sum(actual[:14])
            lead = model.lead_time_demand(LEAD)
            real = sum(actual[:LEAD])
            pinball = sum(max(q * (real - v), (q - 1) * (real - v))
                          for q, v in ((0.5, lead["p50"]), (0.9, lead["p90"]), (0.95, lead["p95"]))) / 3
            for g in (group, "all"):
                cover[g + " p90"].append(real <= lead["p90"])
                cover[g + " p95"].append(real <= lead["p95"])
                cover[g + " pinball"].append(pinball / (scale * LEAD))
                cover[g + " n"].append(1)
    return {"scores": scores, "bias": bias, "cover": cover, "fit_ms": 1000 * fit_seconds / max(fits, 1),
            "fits": fits}


def table(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for group in ("all", "smooth", "intermittent", "new"):
        s = result["scores"].get(group)
        if not s:
            continue
        names = sorted({k.rsplit(" ", 1)[0] for k in s})
        for name in ["forecaster"] + [n for n in names if n != "forecaster"]:
            mase = sum(s[name + " MASE"]) / len(s[name + " MASE"])
            rmsse = sum(s[name + " RMSSE"]) / len(s[name + " RMSSE"])
            fsum, asum = result["bias"][group][name]
            row = {"group": group, "method": name, "series": len(s[name + " MASE"]), "MASE": mase, "RMSSE": rmsse,
                   "bias14": fsum / asum - 1 if asum else 0.0}
            if name == "forecaster":
                c = result["cover"]
                row.update({"p90": sum(c[group + " p90"]) / len(c[group + " p90"]),
                            "p95": sum(c[group + " p95"]) / len(c[group + " p95"]),
                            "pinball": sum(c[group + " pinball"]) / len(c[group + " pinball"])})
            rows.append(row)
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    out = [f"{'group':<13}{'method':<32}{'series':>7}{'MASE':>8}{'RMSSE':>8}{'bias14':>8}{'p90':>7}{'p95':>7}"
           f"{'pinball':>9}"]
    for r in rows:
        extra = (f"{r['p90']:>7.3f}{r['p95']:>7.3f}{r['pinball']:>9.3f}" if "p90" in r else "")
        out.append(f"{r['group']:<13}{r['method']:<32}{r['series']:>7}{r['MASE']:>8.3f}{r['RMSSE']:>8.3f}"
                   f"{r['bias14']:>+8.1%}{extra}")
    return "\n".join(out)


def run(stack: Any = None) -> list[dict[str, Any]]:
    """Rows for `make bench`: the holdout period on a fixed sample of products."""
    series, _ = load()
    result = backtest(series, origins(HOLDOUT), sample=800)
    rows = table(result)
    out = []
    for r in rows:
        if r["method"] not in ("forecaster", "28-day moving average") or r["group"] == "new":
            continue
        value = f"MASE {r['MASE']:.3f}, RMSSE {r['RMSSE']:.3f}, 14-day bias {r['bias14']:+.1%}"
        if "p90" in r:
            value += f", p90 coverage {r['p90']:.3f}, p95 {r['p95']:.3f}, pinball {r['pinball']:.3f}"
        out.append({"operation": f"{r['group']}: {r['method']} ({r['series']} series)", "value": value})
    out.append({"operation": "fit time per product", "value": f"{result['fit_ms']:.2f} ms"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=800)
    parser.add_argument("--period", choices=("tune", "holdout", "all"), default="holdout")
    args = parser.parse_args()
    series, n = load()
    points = {"tune": origins(TUNE), "holdout": origins(HOLDOUT), "all": origins(TUNE) + origins(HOLDOUT)}[args.period]
    began = time.perf_counter()
    result = backtest(series, points, sample=args.products or None)
    print(f"{len(series)} products, {n} days; {args.period} origins {len(points)}; {result['fits']} fits, "
          f"{result['fit_ms']:.2f} ms each; {time.perf_counter() - began:.0f} s")
    print(render(table(result)))


if __name__ == "__main__":
    main()

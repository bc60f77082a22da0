"""The forecasting core against hand-computed values, properties, and a backtest on real data."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.forecast import core

SHUT_SATURDAY = [7 / 6] * 5 + [0.0, 7 / 6]  # Monday first


def test_classification_by_adi_and_cv2() -> None:
    # Every day 10 or 11: ADI 1, CV² tiny.
    assert core.classify([10, 11] * 30).pattern == "smooth"
    # Every day, sizes 1 and 20: CV² = ((9.5)² * 2 / 2) / 10.5² = 0.819 -> erratic.
    kind = core.classify([1, 20] * 30)
    assert kind.pattern == "erratic"
    assert kind.cv2 == pytest.approx(9.5**2 / 10.5**2)
    # A sale of 5 every third day: ADI 3, CV² 0 -> intermittent.
    kind = core.classify([5, 0, 0] * 20)
    assert (kind.pattern, kind.adi, kind.cv2) == ("intermittent", 3.0, 0.0)
    # Every third day, 1 or 30 -> lumpy.
    assert core.classify([1, 0, 0, 30, 0, 0] * 10).pattern == "lumpy"
    # Nothing sold: new while the history is short, dead after.
    assert core.classify([0] * 10).pattern == "new"
    assert core.classify([0] * 60).pattern == "dead"
    # Sold a while, then nothing for over three months.
    assert core.classify([3] * 60 + [0] * 100).pattern == "dead"
    # Ten days since the first sale: new.
    assert core.classify([0] * 50 + [2] * 10).pattern == "new"


def test_closed_weekday_does_not_count_as_a_day_without_sales() -> None:
    week = [4, 4, 4, 4, 4, 0, 4]  # shut on Saturdays
    assert core.classify(week * 8, 0, [1.0] * 7).adi == pytest.approx(56 / 48)
    assert core.classify(week * 8, 0, SHUT_SATURDAY).adi == 1.0


def test_out_of_stock_days_are_missing_not_zero() -> None:
    history: list[float | None] = [6.0] * 60 + [None] * 30 + [6.0] * 2
    f = core.fit(history)
    assert f.pattern == "smooth"
    assert f.daily(7) == pytest.approx([6.0] * 7, rel=1e-6)
    zeros = core.fit([6.0] * 60 + [0.0] * 30 + [6.0] * 2)
    assert sum(zeros.daily(7)) < 0.8 * 42  # as zeros they would drag it down


def test_sba_and_tsb_follow_the_published_recursions() -> None:
    # Croston/SBA (Syntetos & Boylan 2005): z += a(x - z), p += a(q - p) at each sale; f = (1 - a/2) z / p.
    xs = [4.0, 0.0, 0.0, 8.0, 0.0, 2.0]
    _, level, _ = core._sba(xs, 0.1)
    z, p = 14 / 3, 2.0  # initial: mean of the first sizes, mean interval
    z, p = z + 0.1 * (4 - z), p + 0.1 * (1 - p)
    z, p = z + 0.1 * (8 - z), p + 0.1 * (3 - p)
    z, p = z + 0.1 * (2 - z), p + 0.1 * (2 - p)
    assert level == pytest.approx(0.95 * z / p)
    # TSB (Teunter, Syntetos & Babai 2011): pi += b(1{x>0} - pi) every day, z += a(x - z) on sales.
    _, level, _ = core._tsb(xs, 0.1, 0.05)
    pi, z = 0.5, 14 / 3
    for x in xs:
        pi += 0.05 * ((x > 0) - pi)
        if x > 0:
            z += 0.1 * (x - z)
    assert level == pytest.approx(pi * z)
    # SES: l += a(x - l), starting from the mean of the first 14 days.
    _, level, _ = core._ses([2.0, 4.0], 0.5, 0.0, 1.0)
    assert level == pytest.approx(3.25)  # 3 -> 3 + 0.5(2 - 3) = 2.5 -> 2.5 + 0.5(4 - 2.5)


def test_weekday_profile_sells_nothing_on_the_closed_day() -> None:
    week = [10, 12, 10, 12, 30, 0, 8]
    f = core.fit(week * 12, 0, SHUT_SATURDAY)
    days = f.daily(14)
    assert days[5] == 0 and days[12] == 0  # Saturdays
    assert days[4] > 1.8 * days[0]  # Fridays sell most (own profile shrunk towards the shop's)
    assert sum(days[:7]) == pytest.approx(sum(week), rel=0.1)


def test_level_shift_is_followed() -> None:
    f = core.fit([5.0] * 120 + [15.0] * 28)
    assert 10 < f.daily(1)[0] <= 16


def test_level_follows_the_shops_rise() -> None:
    """An intermittent product's own few sales show a rise late; the shop's thousands show it at once."""
    shop = [100 + 100 * t / 133 for t in range(134)]  # the shop doubles over the history
    history = [float(round([0, 1, 0, 3, 0, 0, 2][t % 7] * shop[t] / 100)) for t in range(134)]
    alone = sum(core.fit(history).daily(14))
    with_shop = core.fit(history, 0, None, shop)
    assert sum(with_shop.daily(14)) > 1.05 * alone
    assert 0 < with_shop.growth <= core.SHOP_GROWTH_CAP
    # A shop whose level does not move changes nothing.
    steady = core.fit(history, 0, None, [100.0] * 134)
    assert steady.growth == 0 and steady.daily(7) == pytest.approx(core.fit(history).daily(7))
    # The stored form keeps the growth.
    assert core.Forecast.from_dict(with_shop.to_dict()).daily(28) == pytest.approx(with_shop.daily(28))


def test_negative_binomial_quantiles() -> None:
    # Poisson(2) (variance = mean): P(X<=2)=0.677, P(X<=4)=0.947, P(X<=5)=0.983.
    assert core.quantiles(2.0, 2.0, (0.5, 0.9, 0.95)) == [2.0, 4.0, 5.0]
    # NB mean 10 var 30: r=5, p=1/3; quantiles from the pmf recursion.
    r, p = 5.0, 1 / 3
    pmf, cdf, want = p**r, p**r, []
    k = 0
    for q in (0.5, 0.9):
        while cdf < q:
            k += 1
            pmf *= (k - 1 + r) / k * (1 - p)
            cdf += pmf
        want.append(float(k))
    assert core.quantiles(10.0, 30.0, (0.5, 0.9)) == want
    # Units sold by weight: a continuous (gamma) quantile near the normal one for a large mean.
    q90 = core.quantiles(1000.0, 1000.0, (0.9,), integer=False)[0]
    assert q90 == pytest.approx(1000 + 1.2816 * math.sqrt(1000), rel=0.01)


def test_edge_cases_give_sensible_non_negative_forecasts() -> None:
    cases = {
        "one sale": [0.0] * 80 + [1.0] + [0.0] * 20,
        "no sales": [0.0] * 100,
        "saturdays only": [0, 0, 0, 0, 0, 3, 0] * 10,
        "restocked after months out": [2.0] * 30 + [None] * 120 + [2.0, 3.0],
        "huge one-off order": [1.0] * 60 + [500.0] + [1.0] * 30,
        "by weight": [1.25, 0.5, 2.75] * 30,
        "empty": [],
    }
    for name, history in cases.items():
        f = core.fit(history, 0)
        lead = f.lead_time_demand(10)
        assert f.pattern in core.PATTERN_WORDS, name
        assert min(f.daily(28)) >= 0 and lead["p50"] >= 0, name
        assert lead["p50"] <= lead["p90"] <= lead["p95"], name
    assert core.fit(cases["saturdays only"]).daily(7)[5] > 0
    assert core.fit(cases["huge one-off order"]).daily(1)[0] < 30
    assert not core.fit(cases["by weight"]).integer


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 200).map(float)), max_size=200),
    st.integers(0, 6),
    st.integers(1, 90),
)
def test_quantiles_are_ordered_and_non_negative(history: list[float | None], weekday: int, days: int) -> None:
    f = core.fit(history, weekday)
    lead = f.lead_time_demand(days)
    assert 0 <= lead["p50"] <= lead["p90"] <= lead["p95"]
    assert lead["mean"] >= 0 and all(d >= 0 for d in f.daily(days))
    if not any(history):
        assert f.pattern in ("new", "dead") and lead["p95"] == 0


def test_p90_is_calibrated_on_real_data() -> None:
    """Backtest on the UCI Online Retail invoices (a fixed sample of products, two origins):
    about 90 % of products see their 14-day demand at or below their p90."""
    from bench import forecast_accuracy as fa

    try:
        series, _ = fa.load()
    except FileNotFoundError:
        pytest.skip("the Online Retail data is not on this machine")
    result = fa.backtest(series, fa.origins(fa.TUNE)[-2:], sample=300)
    cover = result["cover"]["all p90"]
    assert len(cover) > 150
    assert 0.85 <= sum(cover) / len(cover) <= 0.95

"""bench/cost.py: the cost model turns measured rows and the price table into a monthly figure."""

from __future__ import annotations

import pytest

from bench import cost, prices

ROWS = [
    {"operation": "sale: 5 lines + Idempotency-Key", "requests": 4, "read_units": 6.0, "write_units": 39.0},
    {"operation": "product: list 50", "requests": 1, "read_units": 2.0, "write_units": 0.0},
    {"operation": "product: get", "requests": 1, "read_units": 1.0, "write_units": 0.0},
    {"operation": "alert check: 100 products, 10 still low (no email)", "requests": 4, "read_units": 2.0,
     "write_units": 0.0},
    {"operation": "alert check: 100 products, 10 newly low (sends 1 email)", "requests": 27, "read_units": 2.5,
     "write_units": 22.0},
]  # fmt: skip


def line(result: dict, name: str) -> tuple:
    return next(item for item in result["lines"] if item[0] == name)


def test_measured_rows_drive_the_dynamodb_cost() -> None:
    result = cost.estimate(ROWS, import_seconds=0.3, site={"kb": 50, "files": 10}, metric_names=10)
    sales = cost.SALES_PER_DAY * cost.DAYS
    writes = line(result, "DynamoDB writes")[1]
    # 3000 sales of 39 write units, plus 30 digests of 22: the report rows are estimates (no writes);
    # so are the nightly bought-together count (32 a night) and the nightly claims (2 a run, 8 runs).
    night = cost.DAYS * 32 + 8 * cost.DAYS * 2
    assert writes == pytest.approx(sales * 39 + prices.assume("alert_emails_per_month") * 22 + night)
    assert line(result, "DynamoDB writes")[3] == pytest.approx(writes * 0.625 / 1e6)
    used = {u["use"]: u["row"] for u in result["uses"]}
    assert used["sale (5 lines, Idempotency-Key)"] == "sale: 5 lines + Idempotency-Key"
    assert used["dashboard: 30-day sales report"] is None  # no bench row: the stated estimate is used


def test_a_report_row_replaces_the_estimate() -> None:
    rows = [*ROWS, {"operation": "report: 30 days", "requests": 1, "read_units": 9.0, "write_units": 0.0}]
    result = cost.estimate(rows, metric_names=10)
    used = {u["use"]: u for u in result["uses"]}
    assert used["dashboard: 30-day sales report"]["row"] == "report: 30 days"
    assert used["dashboard: 30-day sales report"]["read_units"] == 9.0


def test_totals_add_up_and_stay_small() -> None:
    result = cost.estimate(ROWS, metric_names=13)
    assert result["per_shop"] == pytest.approx(sum(item[3] for item in result["lines"]))
    assert 0 < result["per_shop"] < 1.0  # cents per shop, not dollars (DESIGN.md §10)
    secret = 0.40  # the feedback link keys (infra/template.yaml FeedbackLinkKeys)
    assert result["fixed_total"] == pytest.approx(
        0.7 + 13 * 0.30 + prices.assume("site_size_mb") / 1000 * 0.023 + secret
    )


def test_every_price_and_assumption_is_documented() -> None:
    for name, (value, unit, _) in prices.PRICES.items():
        assert value > 0 and unit, name
    for name, (value, text) in prices.ASSUMPTIONS.items():
        assert value > 0 and text, name
    assert prices.REGION == "us-east-1" and prices.AS_OF and prices.SOURCE


def test_before_and_after_are_printed_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    cost.print_before_after(cost.estimate(ROWS, metric_names=13))
    out = capsys.readouterr().out
    assert f"Before ({cost.BEFORE_DATE})" in out
    assert "sale write units (5 lines + key)" in out and "71.0" in out and "39.0" in out
    writes = next(row for row in out.splitlines() if "DynamoDB writes" in row)
    assert "$0.1353" in writes  # the recorded figure, beside this run's
    assert "per shop per month" in out and "$0.2568" in out


def test_the_site_is_charged_per_phone_and_deploy_not_per_view() -> None:
    """The service worker serves the shell from the phone: a view fetches sw.js only."""
    result = cost.estimate(ROWS, site={"kb": 50, "files": 10}, metric_names=10)
    downloads = prices.assume("users_per_shop") * prices.assume("site_deploys_per_month")
    views = cost.DASHBOARD_VIEWS_PER_DAY * cost.DAYS
    gb = line(result, "CloudFront (site)")[1]
    assert gb == pytest.approx((views * cost.sw_check_kb() + downloads * 50) / 1e6)
    assert 0 < cost.sw_check_kb() < 10

"""What one shop costs a month on AWS, from the measured DynamoDB counts and the list prices.

Reference workload (issue 7): a shop with 500 products, 100 sales a day, 20 dashboard views a day,
and the stock check every 15 minutes; a month is 30 days. DynamoDB requests and capacity units
come from bench/dynamodb_ops.py (measured per operation); prices and the assumptions that are not
measured (Lambda durations, reply sizes, users per shop...) from bench/prices.py, the one table.

Two totals:
- per shop: what each further shop adds (requests, storage, users, its share of nothing fixed);
- fixed per deployment: alarms and metrics, paid once per stage whatever the number of shops.
The stock check reads the low-stock index once per run for every shop together: it is charged
here in full to the one shop (the cost of a shop that is alone on its deployment, the worst case).

    .venv/bin/python -m bench.cost          (starts DynamoDB Local for the counts, ~1 minute)
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import local_stack  # noqa: E402
from bench.prices import AS_OF, REGION, SOURCE, assume, price  # noqa: E402

DAYS = 30
PRODUCTS = 500
SALES_PER_DAY = 100
DASHBOARD_VIEWS_PER_DAY = 20
CHECKS_PER_DAY = 24 * 60 // 15


@dataclass
class Use:
    """One operation of the workload: which bench row measures it, and a stated estimate if none does."""

    what: str
    patterns: tuple[str, ...]
    estimate: dict[str, float]
    per_month: float


def _estimate(requests: float, read_units: float, write_units: float) -> dict[str, float]:
    return {"requests": requests, "read_units": read_units, "write_units": write_units}


def workload() -> list[Use]:
    sales = SALES_PER_DAY * DAYS
    views = DASHBOARD_VIEWS_PER_DAY * DAYS
    checks = CHECKS_PER_DAY * DAYS
    emails = assume("alert_emails_per_month")
    catalogue_units = PRODUCTS * assume("stored_kb_per_product") / 4  # one strongly consistent read of it
    return [
        # The web app sends an Idempotency-Key with every sale (a retry must not sell twice).
        Use("sale (5 lines, Idempotency-Key)", (r"^sale: 5 lines \+ Idempotency-Key", r"^sale: 5 lines"),
            _estimate(4, 6, 39), sales),
        # The dashboard (frontend/js/screens/dashboard.js): summary figures, the 30-day sales chart,
        # the low-stock list, and the catalogue's first product (is the shop empty?).
        Use("dashboard: summary figures", (r"^report: summary", r"^report.*summary"),
            _estimate(2, 1 + catalogue_units, 0), views),
        Use("dashboard: 30-day sales report", (r"^30-day report by day", r"^report: (sales, )?30[- ]day"),
            _estimate(1, 4, 0), views),
        Use("dashboard: low-stock list", (r"^product: list 50",), _estimate(1, 2, 0), views),
        Use("dashboard: first product", (r"^product: get",), _estimate(1, 1, 0), views),
        Use("stock check, nothing new", (r"^alert check: 100 products, 10 still low",), _estimate(4, 2, 0),
            checks - emails),
        Use("stock check, sends a digest", (r"^alert check: 100 products, 10 newly low",), _estimate(27, 2.5, 22),
            emails),
    ]  # fmt: skip


def find_row(rows: list[dict[str, Any]], patterns: tuple[str, ...]) -> dict[str, Any] | None:
    for pattern in patterns:
        for row in rows:
            if re.search(pattern, row.get("operation") or row.get("item", "")):
                return row
    return None


def _api_requests(uses: list[Use]) -> float:
    return sum(u.per_month for u in uses if not u.what.startswith("stock check"))


def _check_runs(uses: list[Use]) -> float:
    return sum(u.per_month for u in uses if u.what.startswith("stock check"))


def estimate(
    rows: list[dict[str, Any]],
    import_seconds: float | None = None,
    site: dict[str, float] | None = None,
    metric_names: int | None = None,
) -> dict[str, Any]:
    """Monthly cost lines for one shop. `rows`: bench/dynamodb_ops.py run() rows; `import_seconds`:
    measured `import app` time (bench/cold_start.py); `site`: {"kb": gzip KB, "files": n} per view."""
    uses = workload()
    used: list[dict[str, Any]] = []
    reads = writes = 0.0
    for use in uses:
        row = find_row(rows, use.patterns)
        counts = {k: (row or use.estimate).get(k) or 0 for k in ("requests", "read_units", "write_units")}
        reads += counts["read_units"] * use.per_month
        writes += counts["write_units"] * use.per_month
        used.append({"use": use.what, "per_month": use.per_month,
                     "row": (row.get("operation") or row.get("item")) if row else None, **counts})  # fmt: skip

    api = _api_requests(uses)
    checks = _check_runs(uses)
    memory = assume("lambda_memory_gb")
    init = import_seconds * assume("lambda_init_factor") if import_seconds else assume("lambda_init_default_s")
    api_seconds = api * (assume("api_duration_s") + assume("api_cold_share") * init)
    check_seconds = checks * (assume("check_duration_s") + assume("check_cold_share") * init)
    gb_seconds = (api_seconds + check_seconds) * memory

    sales = SALES_PER_DAY * DAYS
    stored_gb = (PRODUCTS * assume("stored_kb_per_product")
                 + sales * assume("history_months") * assume("stored_kb_per_sale")) / 1e6  # fmt: skip
    site = site or {"kb": assume("site_kb_per_view"), "files": assume("site_files_per_view")}
    views = DASHBOARD_VIEWS_PER_DAY * DAYS
    invocations = api + checks
    log_gb = invocations * assume("log_kb_per_invocation") / 1e6

    lines = [
        ("DynamoDB reads", reads, "read units", reads * price("dynamodb_read")),
        ("DynamoDB writes", writes, "write units", writes * price("dynamodb_write")),
        ("DynamoDB storage", stored_gb, f"GB after {assume('history_months'):.0f} months",
         stored_gb * price("dynamodb_storage")),
        ("DynamoDB point-in-time recovery", stored_gb, "GB", stored_gb * price("dynamodb_pitr")),
        ("Lambda invocations", invocations, "invocations", invocations * price("lambda_request")),
        ("Lambda compute", gb_seconds, f"GB-s ({init * 1000:.0f} ms init)", gb_seconds * price("lambda_gb_second")),
        ("API Gateway REST", api, "requests", api * price("apigw_rest_request")),
        ("Data transfer out (API)", api * assume("api_reply_kb") / 1e6, "GB",
         api * assume("api_reply_kb") / 1e6 * price("data_transfer_out")),
        ("SES alert emails", assume("alert_emails_per_month"), "emails",
         assume("alert_emails_per_month") * price("ses_email")),
        ("Cognito (Lite)", assume("users_per_shop"), "MAU (free below 10,000 MAU)",
         assume("users_per_shop") * price("cognito_lite_mau")),
        ("CloudWatch Logs", log_gb, "GB ingested, 30-day retention",
         log_gb * (price("cloudwatch_logs_ingest") + price("cloudwatch_logs_storage"))),
        ("CloudFront (site)", views * site["kb"] / 1e6, f"GB, {views * site['files']:.0f} requests",
         views * site["kb"] / 1e6 * price("cloudfront_transfer")
         + views * site["files"] * price("cloudfront_https_request")),
    ]  # fmt: skip
    per_shop = sum(line[3] for line in lines)
    alarm_metrics = 1 + 1 + 3 + 2  # api errors, check errors, table throttles (3 metrics), idempotency (2)
    metrics = metric_names if metric_names is not None else count_metric_names()
    fixed = [
        ("CloudWatch alarms", alarm_metrics, "alarm metrics (infra/template.yaml)",
         alarm_metrics * price("cloudwatch_alarm")),
        ("CloudWatch custom metrics", metrics, "metrics (powertools, namespace Shelfwise)",
         metrics * price("cloudwatch_metric")),
        ("S3 (site files)", assume("site_size_mb") / 1000, "GB", assume("site_size_mb") / 1000 * price("s3_storage")),
        # The feedback link keys; a warm function reads them at most every 15 minutes: cents at most.
        ("Secrets Manager", 1, "secret (feedback link keys)", price("secretsmanager_secret")),
    ]  # fmt: skip
    return {
        "uses": used,
        "lines": lines,
        "per_shop": per_shop,
        "fixed": fixed,
        "fixed_total": sum(line[3] for line in fixed),
        "note": f"{REGION} list prices of {AS_OF} ({SOURCE}); free tiers not subtracted",
    }


def count_metric_names() -> int:
    """Business metrics the app records (observability.count("Name")): each is a custom metric."""
    names: set[str] = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        names.update(re.findall(r"""\bcount\(\s*["']([A-Za-z0-9_]+)["']""", path.read_text()))
    return len(names)


def format_money(value: float) -> str:
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def print_estimate(result: dict[str, Any]) -> None:
    print("One shop, reference workload (500 products, 100 sales/day, 20 dashboard views/day, check every 15 min)")
    for use in result["uses"]:
        source = use["row"] or "ESTIMATE (no bench row yet)"
        print(f"  {use['use']:<34} x{use['per_month']:>6.0f}/month  {use['read_units']:>6.1f} RRU "
              f"{use['write_units']:>6.1f} WRU  from: {source}")  # fmt: skip
    for name, quantity, unit, cost in result["lines"]:
        print(f"  {name:<34} {quantity:>12,.3f} {unit:<42} {format_money(cost):>10}")
    print(f"  {'per shop per month':<34} {'':>12} {'':<42} {format_money(result['per_shop']):>10}")
    for name, quantity, unit, cost in result["fixed"]:
        print(f"  {name:<34} {quantity:>12,.3f} {unit:<42} {format_money(cost):>10}")
    print(f"  {'fixed per deployment per month':<34} {'':>12} {'':<42} {format_money(result['fixed_total']):>10}")
    print(f"  ({result['note']})")


def measure_dynamodb_rows() -> list[dict[str, Any]]:
    """bench/dynamodb_ops.py's rows, on a throwaway local stack."""
    from bench import dynamodb_ops

    with local_stack() as stack:
        return dynamodb_ops.run(stack)


def main() -> None:
    print_estimate(estimate(measure_dynamodb_rows()))


if __name__ == "__main__":
    main()

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
    kind: str = "api"  # "api": an API request; "check": a stock check run; "night": inside a check run


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
            checks - emails, "check"),
        Use("stock check, sends a digest", (r"^alert check: 100 products, 10 newly low",), _estimate(27, 2.5, 22),
            emails, "check"),
        # Bought-together, counted once a night from the day's sales (issue 17; it was 2(n + 1)
        # write units in every sale's rollup transaction).
        Use("bought-together, nightly count", (r"^related: nightly count",), _estimate(6, 80, 32), DAYS, "night"),
        # The nightly jobs' claims (RFM, bought-together): one conditional write each per run from
        # 02:30 to 04:30 UTC (8 runs), taken or refused; shared by every shop, charged to this one.
        Use("nightly claims (2 jobs x 8 runs)", (), _estimate(2, 0, 2), 8 * DAYS, "night"),
    ]  # fmt: skip


def find_row(rows: list[dict[str, Any]], patterns: tuple[str, ...]) -> dict[str, Any] | None:
    for pattern in patterns:
        for row in rows:
            if re.search(pattern, row.get("operation") or row.get("item", "")):
                return row
    return None


def _api_requests(uses: list[Use]) -> float:
    return sum(u.per_month for u in uses if u.kind == "api")


def _check_runs(uses: list[Use]) -> float:
    return sum(u.per_month for u in uses if u.kind == "check")


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
    # The service worker (frontend/sw.js) serves the whole shell from the phone's cache: a view
    # fetches only sw.js (the browser's update check); each phone downloads the shell again once
    # per deploy. (Before issue 17 the model charged the shell to every view.)
    shell_downloads = assume("users_per_shop") * assume("site_deploys_per_month")
    site_gb = (views * sw_check_kb() + shell_downloads * site["kb"]) / 1e6
    site_requests = views + shell_downloads * site["files"]
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
        ("API Gateway", api, "HTTP API requests (a REST API before)", api * price("apigw_http_request")),
        ("Data transfer out (API)", api * assume("api_reply_kb") / 1e6, "GB",
         api * assume("api_reply_kb") / 1e6 * price("data_transfer_out")),
        ("SES alert emails", assume("alert_emails_per_month"), "emails",
         assume("alert_emails_per_month") * price("ses_email")),
        ("Cognito (Lite)", assume("users_per_shop"), "MAU (free below 10,000 MAU)",
         assume("users_per_shop") * price("cognito_lite_mau")),
        ("CloudWatch Logs", log_gb, "GB ingested, 30-day retention",
         log_gb * (price("cloudwatch_logs_ingest") + price("cloudwatch_logs_storage"))),
        ("CloudFront (site)", site_gb, f"GB, {site_requests:.0f} requests (shell cached on the phone)",
         site_gb * price("cloudfront_transfer") + site_requests * price("cloudfront_https_request")),
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
    # Idle (issue 17): a shop with no activity pays for its stored data only; the stock check's
    # rows in shops of 100 and of 10,000 products show what a run costs whatever the catalogue.
    idle = sum(cost for name, _, _, cost in lines if name in ("DynamoDB storage", "DynamoDB point-in-time recovery"))
    checks_by_size = [r for r in rows if str(r.get("operation", "")).startswith("alert check:")]
    return {
        "idle": idle,
        "check_rows": checks_by_size,
        "uses": used,
        "lines": lines,
        "per_shop": per_shop,
        "fixed": fixed,
        "fixed_total": sum(line[3] for line in fixed),
        "note": f"{REGION} list prices of {AS_OF} ({SOURCE}); free tiers not subtracted",
    }


# The figures before issue 17's work, as `python -m bench.cost` printed them on 2026-12-02 (commit
# 1924796): kept so that every run prints what changed, line by line.
BEFORE_DATE = "2026-12-02"
BEFORE_SALE_WRITE_UNITS = 71.0  # a 5-line sale with its Idempotency-Key
BEFORE: dict[str, float] = {
    "DynamoDB reads": 0.0060, "DynamoDB writes": 0.1353, "DynamoDB storage": 0.0226,
    "DynamoDB point-in-time recovery": 0.0181, "Lambda invocations": 0.0017, "Lambda compute": 0.0173,
    "API Gateway": 0.0189, "Data transfer out (API)": 0.0019, "SES alert emails": 0.0030,
    "Cognito (Lite)": 0.0110, "CloudWatch Logs": 0.0044, "CloudFront (site)": 0.0166,
    "per shop per month": 0.2568,
    "CloudWatch alarms": 0.70, "CloudWatch custom metrics": 9.00, "S3 (site files)": 0.0,
    "fixed per deployment per month": 9.70,
}  # fmt: skip


def print_before_after(result: dict[str, Any]) -> None:
    """Each cost line before issue 17 (BEFORE, recorded) and now (this run)."""
    sale = next((u for u in result["uses"] if u["use"].startswith("sale")), None)
    print(f"Before ({BEFORE_DATE}) and after, per shop per month (fixed lines: per deployment)")
    if sale is not None:
        label = "sale write units (5 lines + key)"
        print(f"  {label:<34} {BEFORE_SALE_WRITE_UNITS:>10.1f} {sale['write_units']:>10.1f}")
    rows = [*result["lines"], ("per shop per month", 0, "", result["per_shop"]), *result["fixed"],
            ("fixed per deployment per month", 0, "", result["fixed_total"])]  # fmt: skip
    for name, _, _, cost in rows:
        was = BEFORE.get(name)
        change = f"{cost - was:+.4f}" if was is not None else "new"
        print(f"  {name:<34} {format_money(was) if was is not None else '-':>10} {format_money(cost):>10} {change:>9}")
    print(f"Idle shop (no sales, no views for a month): its stored data only, {format_money(result['idle'])} for"
          " the reference shop's 12 months (no request is made for it: the stock check reads every shop's"
          " low-stock index together)")
    for row in result.get("check_rows", []):
        print(f"  stock check run, {row['operation'][len('alert check: '):]}: {row['requests']} requests, "
              f"{row['read_units']} read units, {row['write_units']} write units")


def sw_check_kb() -> float:
    """What a view downloads from the site: sw.js, gzip (the service worker's update check)."""
    import gzip

    return len(gzip.compress((ROOT / "frontend" / "sw.js").read_bytes(), compresslevel=6, mtime=0)) / 1000


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
    result = estimate(measure_dynamodb_rows())
    print_estimate(result)
    print_before_after(result)


if __name__ == "__main__":
    main()

"""AWS list prices: the one table of prices, with the workload assumptions (bench/cost.py prices the
reference shop with it; GET /usage prices each shop's month with it).

Region: US East (N. Virginia), us-east-1. Prices in US dollars, before tax, without Savings Plans.
Source: the public AWS pricing pages of each service (DynamoDB "on-demand capacity" pricing after
the November 2024 price cut, Lambda, API Gateway "HTTP APIs", SES, Cognito user pools "Lite" feature
plan, CloudWatch, S3 Standard, CloudFront "pay as you go", AWS data transfer out to the internet),
as published in mid-2025 (taken 2025-06; this machine has no internet access to re-check them:
re-read the pages before quoting a price to a customer).

Free tiers are listed but not subtracted: the per-shop figure is what a shop costs once the
account is past them (a small deployment pays nothing for most lines).
"""

from __future__ import annotations

REGION = "us-east-1"
AS_OF = "2025-06"
SOURCE = "AWS public pricing pages per service (see module docstring)"

# name: (US$ per unit, unit, free tier / note)
PRICES: dict[str, tuple[float, str, str]] = {
    "dynamodb_read": (0.125 / 1e6, "read request unit (on-demand)", "free tier: none for on-demand requests"),
    "dynamodb_write": (0.625 / 1e6, "write request unit (on-demand)", "free tier: none for on-demand requests"),
    "dynamodb_storage": (0.25, "GB-month (Standard table class, indexes included)", "first 25 GB-month free"),
    "dynamodb_pitr": (0.20, "GB-month of continuous backups (point-in-time recovery)", ""),
    "lambda_request": (0.20 / 1e6, "invocation", "1M invocations a month free"),
    "lambda_gb_second": (0.0000166667, "GB-second, x86_64 (init billed too since 2025-08)", "400,000 GB-s free"),
    # The API is an HTTP API (infra/package.py); a REST API request is $3.50 a million.
    "apigw_http_request": (1.00 / 1e6, "HTTP API request (first 300M a month; each 512 KB counts as one)",
                           "1M a month free, first year"),
    "data_transfer_out": (0.09, "GB out to the internet (API replies)", "100 GB a month free"),
    "ses_email": (0.10 / 1000, "email sent (outbound)", "3,000 a month free, first year"),
    "cognito_lite_mau": (0.0055, "monthly active user, Lite plan (10,001-100,000)", "first 10,000 MAU free"),
    "cloudwatch_logs_ingest": (0.50, "GB of logs ingested", "5 GB a month free"),
    "cloudwatch_logs_storage": (0.03, "GB-month of logs stored", "5 GB free"),
    "cloudwatch_alarm": (0.10, "alarm metric-month (standard resolution)", "10 alarm metrics free"),
    "cloudwatch_metric": (0.30, "custom metric-month (first 10,000)", "10 custom metrics free"),
    "cloudfront_transfer": (0.085, "GB to viewers (North America / Europe)", "1 TB a month free"),
    "cloudfront_https_request": (0.0100 / 10_000, "HTTPS request", "10M requests a month free"),
    "s3_storage": (0.023, "GB-month, S3 Standard", ""),
    "s3_get": (0.0004 / 1000, "GET request", ""),
    "secretsmanager_secret": (0.40, "secret-month (plus $0.05 per 10,000 reads)", "30-day trial per secret"),
}

# What the prices are applied to: stated, not measured (the measured part is DynamoDB, from bench/).
ASSUMPTIONS: dict[str, tuple[float, str]] = {
    "lambda_memory_gb": (0.25, "Lambda memory (lambda_memory_size 256 in .chalice/config.json)"),
    "api_duration_s": (0.10, "billed duration of a warm API request (DynamoDB-bound; assumed)"),
    "check_duration_s": (0.30, "billed duration of one scheduled stock check (assumed)"),
    "api_cold_share": (0.10, "share of API requests that start a new execution environment (assumed)"),
    "check_cold_share": (1.0, "share of stock checks that start cold (every 15 min: assume all)"),
    "lambda_init_factor": (2.0, "Lambda init time = measured local `import app` time x this (slower CPU at 256 MB)"),
    "lambda_init_default_s": (0.8, "Lambda init time when `import app` was not measured"),
    "api_reply_kb": (4.0, "average API reply size, KB"),
    "log_kb_per_invocation": (1.0, "CloudWatch log bytes per invocation: START/END/REPORT + metrics line, KB"),
    "users_per_shop": (2.0, "monthly active users per shop (owner and one assistant)"),
    "stored_kb_per_product": (0.6, "a product item with its low-stock index copy, KB"),
    "stored_kb_per_sale": (2.5, "a sale, its ledger entries and rollup share, KB (5 lines)"),
    "history_months": (12.0, "months of sales kept when the storage is priced"),
    "alert_emails_per_month": (30.0, "stock-alert digests a month (one a day something falls low)"),
    "site_kb_per_view": (150.0, "the shell a phone downloads, when bench/site_weight.py is absent, KB gzip"),
    "site_files_per_view": (15.0, "files of that shell (index, config, CSS, modules)"),
    "site_deploys_per_month": (4.0, "deploys a month: each phone downloads the shell again after one"),
    "site_size_mb": (1.0, "the site in S3, MB"),
}


def price(name: str) -> float:
    return PRICES[name][0]


def assume(name: str) -> float:
    return ASSUMPTIONS[name][0]

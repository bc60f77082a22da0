"""Settings read from the environment, as one pydantic model.

Read lazily (first use), never at import: `chalice.test.Client` only applies a stage's
environment while a request runs, and tests change the environment between cases.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel


class Settings(BaseModel):
    region: str = "us-east-1"
    table_name: str = "shelfwise"
    idempotency_table_name: str = "shelfwise-idempotency"
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    # Where the pool's signing keys are published. Defaults to Cognito's own URL; the local
    # stack points it at moto's server (moto's tokens still name the real AWS issuer).
    jwks_url: str = ""
    site_url: str = "http://127.0.0.1:8080"
    alert_sender: str = "alerts@shelfwise.local"
    max_body_bytes: int = 256 * 1024
    # Lambda takes at most 6 MB in a request; keep clear of it.
    max_import_bytes: int = 5_500_000
    # Imports write days side by side; 1 where the DynamoDB stand-in is not thread-safe (moto).
    import_workers: int = 4
    idempotency_ttl_seconds: int = 24 * 3600
    # How long a warm function trusts that a signed-in person still belongs to their shop before
    # reading it again: a removed person's unexpired tokens stop working within this (at most 60).
    member_check_seconds: int = 60
    # The queue the nightly forecast run fans out through, one message per shop (app.py).
    forecast_queue: str = "shelfwise-forecasts"
    # Keys that sign buyers' feedback links, "<key id>:<secret>,...": the first signs new links,
    # every one still verifies, so a key is rotated by putting a new one first and dropping the
    # old one once its links have expired (feedback_link_days later).
    feedback_secrets: str = ""
    # In AWS the keys live in Secrets Manager instead (infra/template.yaml FeedbackLinkKeys, rotated
    # by infra/feedback_keys.py); read only when a link is signed or opened. FEEDBACK_SECRETS wins.
    feedback_secret_arn: str = ""
    feedback_link_days: int = 30
    # Imports of any size: the bucket files are uploaded to (presigned POST), the queue a long
    # import continues through (empty: the processing function is called in-process, as in tests).
    imports_bucket: str = "shelfwise-imports"
    imports_queue_url: str = ""
    max_upload_bytes: int = 200 * 1024 * 1024
    # Fair limits: the plan a shop without one is on (PLANS below), and metering's buffer: a warm
    # function writes a shop's counters at least this often while the shop is active.
    default_plan: str = "standard"
    usage_flush_seconds: int = 30

    @property
    def token_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def signing_keys_url(self) -> str:
        return self.jwks_url or f"{self.token_issuer}/.well-known/jwks.json"


_ENV = {
    "region": "AWS_REGION",
    "table_name": "TABLE_NAME",
    "idempotency_table_name": "IDEMPOTENCY_TABLE_NAME",
    "user_pool_id": "USER_POOL_ID",
    "user_pool_client_id": "USER_POOL_CLIENT_ID",
    "jwks_url": "JWKS_URL",
    "site_url": "SITE_URL",
    "alert_sender": "ALERT_SENDER",
    "max_body_bytes": "MAX_BODY_BYTES",
    "max_import_bytes": "MAX_IMPORT_BYTES",
    "import_workers": "IMPORT_WORKERS",
    "idempotency_ttl_seconds": "IDEMPOTENCY_TTL_SECONDS",
    "member_check_seconds": "MEMBER_CHECK_SECONDS",
    "forecast_queue": "FORECAST_QUEUE",
    "feedback_secrets": "FEEDBACK_SECRETS",
    "feedback_secret_arn": "FEEDBACK_SECRET_ARN",
    "feedback_link_days": "FEEDBACK_LINK_DAYS",
    "imports_bucket": "IMPORTS_BUCKET",
    "imports_queue_url": "IMPORTS_QUEUE_URL",
    "max_upload_bytes": "MAX_UPLOAD_BYTES",
    "default_plan": "DEFAULT_PLAN",
    "usage_flush_seconds": "USAGE_FLUSH_SECONDS",
}


class Plan(BaseModel):
    """What a plan allows a shop: requests a second on average, and at most `burst` at once."""

    name: str
    per_second: int
    burst: int

    @property
    def window_seconds(self) -> int:
        # The limiter counts `burst` requests per window of burst/per_second seconds (ratelimit in
        # chalicelib/usage.py): the average stays per_second, a burst may use the window at once.
        return max(1, self.burst // self.per_second)


# Per plan, set on a shop by the operator (infra/usage.py plan); the API contract's default is standard.
PLANS: dict[str, Plan] = {
    plan.name: plan
    for plan in (
        Plan(name="standard", per_second=20, burst=100),
        Plan(name="busy", per_second=50, burst=250),
        Plan(name="chain", per_second=200, burst=1000),
    )
}


def plan_named(name: str | None) -> Plan:
    return PLANS.get(name or "") or PLANS.get(get_settings().default_plan) or PLANS["standard"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    values = {field: os.environ[var] for field, var in _ENV.items() if os.environ.get(var)}
    if "region" not in values and os.environ.get("AWS_DEFAULT_REGION"):
        values["region"] = os.environ["AWS_DEFAULT_REGION"]
    return Settings.model_validate(values)


def reset_settings() -> None:
    """Forget cached settings and clients (tests change the environment)."""
    get_settings.cache_clear()
    from chalicelib import aws

    aws.reset_clients()

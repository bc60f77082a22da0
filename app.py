"""Shelfwise API and scheduled jobs: wiring only. The code lives in chalicelib/."""

import os
from typing import Any
from urllib.parse import urlsplit

from chalice import Chalice, ConvertToMiddleware, CORSConfig, Cron, Rate

from chalicelib import http
from chalicelib.api import (
    alerts,
    ask,
    auth,
    bigimports,
    customers,
    feedback,
    forecasts,
    imports,
    locations,
    products,
    purchasing,
    reports,
    sales,
    shop,
    staff,
    system,
    usage,
)
from chalicelib.observability import logger, metrics

app = Chalice(app_name="shelfwise")
http.bind(app)

# The site is the API's only browser client (SITE_URL): allow its origin and nobody else's. Set
# before the blueprints are registered, since each route takes the app's CORS setting then; read
# when the app is packaged too, since API Gateway answers the CORS preflight itself.
_site = urlsplit(os.environ.get("SITE_URL", "http://127.0.0.1:8080"))
app.api.cors = CORSConfig(
    allow_origin=f"{_site.scheme}://{_site.netloc}",
    allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
    expose_headers=list(http.EXPOSED_HEADERS),
    max_age=600,
)

BLUEPRINTS = (system, auth, products, sales, purchasing, alerts, reports, imports, shop, staff, forecasts, locations,
              customers, feedback, bigimports)  # fmt: skip
for blueprint in BLUEPRINTS:
    app.register_blueprint(blueprint.bp)
app.register_blueprint(ask.bp)
app.register_blueprint(usage.bp)

app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))
app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
http.install_middleware(app)

# How often the stock check runs in AWS; read when the app is packaged (chalice deploy/package).
ALERT_CHECK_MINUTES = int(os.environ.get("ALERT_CHECK_RATE_MINUTES", "15"))


@app.schedule(Rate(ALERT_CHECK_MINUTES, unit=Rate.MINUTES))
def check_stock_levels(event: object) -> dict:
    """Email each shop one digest of products that fell to their minimum since the last run; first,
    finish the rollups of any sale whose second transaction was interrupted; then send the daily
    summaries whose hour has come. Once a night (the first run after 02:30 UTC) each shop's
    customers get their RFM scores again and its day's sales are counted in bought-together."""
    from chalicelib import usage as metering
    from chalicelib.services.alerts import check_all
    from chalicelib.services.customers import nightly
    from chalicelib.services.daily_summary import send_due
    from chalicelib.services.related import nightly as related_nightly
    from chalicelib.services.sales import settle_pending_rollups

    try:
        return {"rollups_settled": settle_pending_rollups(), **check_all(), **send_due(), **nightly(),
                **related_nightly()}
    finally:
        metering.flush_all()  # the emails it counted: this function may sleep for long before its next run


# The nightly forecast run: the schedule queues one message per shop with recent sales, and each
# message forecasts one shop, so shops run side by side and a shop's run costs what it sells.
FORECAST_QUEUE = os.environ.get("FORECAST_QUEUE", "shelfwise-forecasts")


@app.schedule(Cron(30, 2, "*", "*", "?", "*"))
def forecast_nightly(event: object) -> dict:
    """Queue a forecast run for every shop with sales in the last week."""
    from chalicelib.services.forecasts import enqueue_active_shops

    return enqueue_active_shops()


@app.on_sqs_message(queue=FORECAST_QUEUE, batch_size=1)
def forecast_shop(event: object) -> dict:
    """Forecast the products of the shop each message names."""
    import json

    from chalicelib import usage as metering
    from chalicelib.services.forecasts import run_shop

    done = []
    for record in event:  # type: ignore[attr-defined]
        tenant_id = json.loads(record.body)["tenant_id"]
        with metering.charged_to(tenant_id):  # the shop's forecast is the shop's use
            done.append(run_shop(tenant_id))
    return {"shops": len(done), "products": sum(d["products"] for d in done)}


# Imports of any size: the imports bucket tells the imports queue of each upload (S3 event
# notifications to SQS, set on the bucket: `chalice package` cannot attach @app.on_s3_event to a
# bucket), and a run past its time budget hands on through the same queue; a run that crashes
# leaves its message to come back after the visibility timeout. Read when the app is packaged;
# locally, local/import_loop.py delivers the queue's messages.
IMPORTS_QUEUE = os.environ.get("IMPORTS_QUEUE", "shelfwise-imports")


@app.on_sqs_message(queue=IMPORTS_QUEUE, batch_size=1)
def import_continue(event: Any) -> None:
    from chalicelib.services import bigimports

    for record in event:
        bigimports.handle_message(record.body)

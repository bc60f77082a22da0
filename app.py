"""Shelfwise API and scheduled jobs: wiring only. The code lives in chalicelib/."""

import os
from urllib.parse import urlsplit

from chalice import Chalice, ConvertToMiddleware, CORSConfig, Rate

from chalicelib import http
from chalicelib.api import (
    alerts,
    auth,
    customers,
    feedback,
    imports,
    products,
    purchasing,
    reports,
    sales,
    shop,
    system,
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
    max_age=600,
)

for blueprint in (system, auth, products, sales, purchasing, alerts, reports, imports, shop, customers, feedback):
    app.register_blueprint(blueprint.bp)

app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))
app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
http.install_middleware(app)

# How often the stock check runs in AWS; read when the app is packaged (chalice deploy/package).
ALERT_CHECK_MINUTES = int(os.environ.get("ALERT_CHECK_RATE_MINUTES", "15"))


@app.schedule(Rate(ALERT_CHECK_MINUTES, unit=Rate.MINUTES))
def check_stock_levels(event: object) -> dict:
    """Email each shop one digest of products that fell to their minimum since the last run; first,
    finish the rollups of any sale whose second transaction was interrupted. Once a night (the
    first run after 02:30 UTC) each shop's customers get their RFM scores again."""
    from chalicelib.services.alerts import check_all
    from chalicelib.services.customers import nightly
    from chalicelib.services.sales import settle_pending_rollups

    return {"rollups_settled": settle_pending_rollups(), **check_all(), **nightly()}

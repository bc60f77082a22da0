"""Logger and Metrics, created once for the whole app (powertools)."""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

# A request that records no business event is normal, not worth a warning on every call.
warnings.filterwarnings("ignore", message="No application metrics to publish")

# The stage's environment may name them (POWERTOOLS_*), so dev and prod can be told apart.
_service = os.environ.get("POWERTOOLS_SERVICE_NAME", "shelfwise")
logger = Logger(service=_service)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Shelfwise"), service=_service)


def count(name: str, value: float = 1) -> None:
    """Record a business event (a sale, a movement, a sign-up) as a CloudWatch metric."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

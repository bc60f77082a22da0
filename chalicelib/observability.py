"""Logger and Metrics, created once for the whole app (powertools)."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

# A request that records no business event is normal, not worth a warning on every call.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="shelfwise")
metrics = Metrics(namespace="Shelfwise", service="shelfwise")


def count(name: str, value: float = 1) -> None:
    """Record a business event (a sale, a movement, a sign-up) as a CloudWatch metric."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

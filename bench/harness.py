"""What every benchmark needs: a throwaway local stack, and the app in-process with its DynamoDB
client metered (bench/meter.py)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.meter import Meter


@contextlib.contextmanager
def local_stack() -> Iterator[Any]:
    """DynamoDB Local (or moto's, with LOCAL_DYNAMODB=moto) and moto's server, on free ports."""
    from local.stack import LocalStack

    with tempfile.TemporaryDirectory() as tmp, LocalStack.throwaway(Path(tmp)) as stack:
        yield stack


@contextlib.contextmanager
def metered_app(stack: Any) -> Iterator[tuple[Any, Meter]]:
    """(chalice.test.Client of the app, its meter), the app talking to `stack`."""
    os.environ.update(stack.env)
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DEFAULT_PLAN", "chain")  # a benchmark sends faster than a shop's plan allows
    from chalice.test import Client

    from app import app
    from chalicelib import aws
    from chalicelib.settings import reset_settings

    reset_settings()
    meter = Meter(reader=stack.client("dynamodb"))
    meter.attach(aws.client("dynamodb"))
    with Client(app, stage_name="local") as client:
        yield client, meter

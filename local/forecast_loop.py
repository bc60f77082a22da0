"""The nightly forecast run, locally: `python -m local.forecast_loop --every 3600`.

In AWS an EventBridge rule invokes `forecast_nightly`, which queues one SQS message per shop, and
Lambda's SQS trigger hands each message to `forecast_shop`. `chalice local` serves routes only, so
this loop plays both: it fires `forecast_nightly` at start and every `--every` seconds, and in
between drains moto's queue into `forecast_shop` (a message is deleted once handled; a failed one
comes back after its visibility timeout, as in AWS). `--once` runs the schedule, drains, and exits.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from types import FrameType

from local.schedule_loop import PROJECT_DIR, scheduled_event
from local.sqs_source import deliver, queue_arn

log = logging.getLogger("shelfwise.forecast")
_stopping = threading.Event()
QUEUE = "shelfwise-forecasts"


def _stop(signum: int, frame: FrameType | None) -> None:
    _stopping.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the nightly forecast schedule and drain its queue.")
    parser.add_argument("--every", type=float, default=3600.0, help="seconds between scheduled runs")
    parser.add_argument("--stage", default="local")
    parser.add_argument("--project-dir", default=str(PROJECT_DIR))
    parser.add_argument("--once", action="store_true", help="schedule once, drain the queue, exit")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s forecast %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    import boto3
    from chalice.cli.factory import CLIFactory
    from chalice.local import LambdaContext

    os.chdir(args.project_dir)
    factory = CLIFactory(args.project_dir, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=args.stage)
    app = config.chalice_app
    schedule, consumer = app.handler_map.get("forecast_nightly"), app.handler_map.get("forecast_shop")
    if schedule is None or consumer is None:
        log.info("the app has no forecast functions; nothing to run")
        return 0
    os.environ.update(config.scope(args.stage, "forecast_shop").environment_variables)
    region = os.environ.get("AWS_REGION", "us-east-1")
    queue = os.environ.get("FORECAST_QUEUE", QUEUE)
    sqs = boto3.client("sqs", region_name=region)
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]  # idempotent: the stack made it already
    arn = queue_arn(sqs, url)
    next_run = 0.0
    while not _stopping.is_set():
        if time.monotonic() >= next_run:
            try:
                schedule(scheduled_event("forecast_nightly", region), LambdaContext("forecast_nightly", 256, 300_000))
            except Exception:
                log.exception("forecast_nightly failed; trying again in %g s", args.every)
                if args.once:
                    return 1
            next_run = time.monotonic() + args.every
        handled = deliver(sqs, url, consumer, lambda: LambdaContext("forecast_shop", 512, 900_000), arn=arn,
                          region=region, stopping=_stopping, wait=0 if args.once else 5)
        if handled:
            log.info("forecast: %d shop(s) done", handled)
        if args.once:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

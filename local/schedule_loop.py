"""Fire the app's scheduled function on a short interval: `python -m local.schedule_loop --every 60`.

`chalice local` serves routes only; in AWS an EventBridge rule invokes `check_stock_levels`.
Locally this loop plays the rule: it loads the app like the API server does (the stage's
environment from .chalice/config.json applied), then calls the function with a scheduled
event right away and every `--every` seconds. If the app has no such function yet, it says so
once and exits.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
FUNCTION = "check_stock_levels"

log = logging.getLogger("shelfwise.schedule")
_stopping = threading.Event()


def _stop(signum: int, frame: FrameType | None) -> None:
    _stopping.set()


def scheduled_event(function_name: str, region: str) -> dict[str, Any]:
    """The event EventBridge sends for a rate() rule."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:123456789012:rule/shelfwise-local-{function_name}"],
        "detail": {},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fire the app's scheduled function on an interval.")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between runs")
    parser.add_argument("--function", default=FUNCTION)
    parser.add_argument("--stage", default="local")
    parser.add_argument("--project-dir", default=str(PROJECT_DIR))
    parser.add_argument("--once", action="store_true", help="run once and exit (non-zero if the run failed)")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s schedule %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    from chalice.cli.factory import CLIFactory
    from chalice.local import LambdaContext

    os.chdir(args.project_dir)
    factory = CLIFactory(args.project_dir, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=args.stage)
    app = config.chalice_app  # imports app.py with the stage's environment applied
    handler = app.handler_map.get(args.function)
    if handler is None:
        log.info("the app has no scheduled function %r yet; nothing to run", args.function)
        return 0
    scoped = config.scope(args.stage, args.function)
    os.environ.update(scoped.environment_variables)
    region = os.environ.get("AWS_REGION", "us-east-1")
    log.info("running %s every %g s", args.function, args.every)
    while not _stopping.is_set():
        context = LambdaContext(
            args.function,
            memory_size=scoped.lambda_memory_size or 128,
            max_runtime_ms=(scoped.lambda_timeout or 60) * 1000,
        )
        try:
            handler(scheduled_event(args.function, region), context)
        except Exception:
            # As in Lambda: the run failed, the next one tries again. Logged with its traceback.
            log.exception("%s failed; trying again in %g s", args.function, args.every)
            if args.once:
                return 1
        if args.once:
            return 0
        _stopping.wait(args.every)
    return 0


if __name__ == "__main__":
    sys.exit(main())

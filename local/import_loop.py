"""Deliver the imports queue's messages locally: `python -m local.import_loop`.

In AWS, the imports bucket tells the imports queue of each upload, and SQS invokes
`import_continue` with each message (an upload's S3 event, or a run handing on). `chalice local`
serves routes only: this loop plays the SQS event source. It polls IMPORTS_QUEUE_URL (moto's, which
moto's S3 notifies, as local/bootstrap.py sets it up) and calls the same handler with the event
Lambda would send. A message whose handler fails stays on the queue and comes back after its
visibility timeout, as in AWS.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from local.sqs_source import deliver, queue_arn

PROJECT_DIR = Path(__file__).resolve().parent.parent
FUNCTION = "import_continue"

log = logging.getLogger("shelfwise.imports")
_stopping = threading.Event()


def _stop(signum: int, frame: FrameType | None) -> None:
    _stopping.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deliver the imports queue's messages to the app.")
    parser.add_argument("--stage", default="local")
    parser.add_argument("--project-dir", default=str(PROJECT_DIR))
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s imports %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    import boto3
    from chalice.cli.factory import CLIFactory
    from chalice.local import LambdaContext

    os.chdir(args.project_dir)
    factory = CLIFactory(args.project_dir, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=args.stage)
    handler = config.chalice_app.handler_map[FUNCTION]
    os.environ.update(config.scope(args.stage, FUNCTION).environment_variables)
    sqs = boto3.client("sqs")
    queue_url = os.environ["IMPORTS_QUEUE_URL"]
    region = os.environ.get("AWS_REGION", "us-east-1")
    log.info("delivering %s's messages to %s", queue_url, FUNCTION)
    arn = ""
    while not _stopping.is_set():
        try:
            arn = arn or queue_arn(sqs, queue_url)
            ran = deliver(sqs, queue_url, handler, lambda: LambdaContext(FUNCTION, memory_size=512,
                                                                           max_runtime_ms=300_000),
                          arn=arn, region=region, stopping=_stopping)  # fmt: skip
            if not ran:
                _stopping.wait(0.5)
        except Exception:
            log.exception("could not read the queue; trying again")
            _stopping.wait(2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Deliver the imports' events locally: `python -m local.import_loop`.

In AWS, S3 invokes `import_uploaded` when a file lands and SQS invokes `import_continue` with
each message of the imports queue. `chalice local` serves routes only, and moto's S3 cannot
invoke a function here; it can tell an SQS queue, though (local/bootstrap.py points the bucket's
notifications at IMPORTS_UPLOADS_QUEUE_URL). This loop plays both event sources: it long-polls
that queue and the imports queue (IMPORTS_QUEUE_URL) and calls the same handler functions with
the events AWS would send. A message whose handler fails is left on the queue and comes back
after its visibility timeout, as in AWS.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent

log = logging.getLogger("shelfwise.imports")
_stopping = threading.Event()


def _stop(signum: int, frame: FrameType | None) -> None:
    _stopping.set()


def sqs_event(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event source sends for one message."""
    return {"Records": [{
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": message.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": os.environ.get("AWS_REGION", "us-east-1"),
    }]}


def deliver_once(sqs: Any, handlers: dict[str, Any], uploads_url: str, work_url: str, context: Any,
                 wait: int = 0) -> int:
    """Receive what each queue has and hand it to its function; returns how many messages ran."""
    ran = 0
    for url, name in ((uploads_url, "import_uploaded"), (work_url, "import_continue")):
        reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=wait)
        for message in reply.get("Messages", []):
            try:
                if name == "import_uploaded":
                    event = json.loads(message["Body"])
                    for record in event.get("Records", []):  # (moto's s3:TestEvent has none)
                        handlers[name]({"Records": [record]}, context)
                else:
                    handlers[name](sqs_event(message, f"arn:aws:sqs:local:{url.rsplit('/', 1)[-1]}"), context)
            except Exception:
                log.exception("%s failed; its message comes back after its visibility timeout", name)
                continue
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            ran += 1
    return ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deliver the imports' S3 and SQS events to the app.")
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
    app = config.chalice_app
    handlers = {name: app.handler_map[name] for name in ("import_uploaded", "import_continue")}
    os.environ.update(config.scope(args.stage, "import_continue").environment_variables)
    sqs = boto3.client("sqs")
    uploads_url, work_url = os.environ["IMPORTS_UPLOADS_QUEUE_URL"], os.environ["IMPORTS_QUEUE_URL"]
    log.info("delivering upload events from %s and import messages from %s", uploads_url, work_url)
    while not _stopping.is_set():
        context = LambdaContext("import_continue", memory_size=512, max_runtime_ms=300_000)
        try:
            if not deliver_once(sqs, handlers, uploads_url, work_url, context):
                _stopping.wait(0.5)
        except Exception:
            log.exception("could not read the queues; trying again")
            _stopping.wait(2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

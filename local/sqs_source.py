"""Lambda's SQS event source, played locally: the one way the local loops (forecasts, imports) hand
a queue's messages to the app's `@app.on_sqs_message` functions.

As in AWS with a batch size of 1: each message goes to the handler in the event Lambda would send;
it is deleted once handled, and one whose handler fails stays on the queue and comes back after its
visibility timeout.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("shelfwise.sqs")


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda's SQS trigger sends for these messages."""
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m.get("MD5OfBody", ""),
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": region,
    } for m in messages]}  # fmt: skip


def queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def deliver(
    sqs: Any,
    url: str,
    handler: Callable[[dict[str, Any], Any], Any],
    context: Callable[[], Any],
    *,
    arn: str,
    region: str,
    stopping: threading.Event,
    wait: int = 0,
) -> int:
    """Hand every message now in the queue to the handler, one at a time, each with a fresh Lambda
    context (`context()`, so its time budget starts with the message); returns how many ran."""
    handled = 0
    while not stopping.is_set():
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=wait).get("Messages", [])
        if not got:
            return handled
        try:
            handler(sqs_event(got, arn, region), context())
        except Exception:
            log.exception("a message from %s failed; it comes back after its visibility timeout", url)
            continue
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        handled += 1
    return handled

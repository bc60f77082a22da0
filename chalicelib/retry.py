"""The one retry loop for read-decide-write: read, decide, write under a condition; if someone
else wrote first, read again and decide again.

Every service that changes shared items (stock, sales, purchase orders, products, imports) goes
through `until_written`, so the number of attempts, the back-off and the reply when a thing keeps
changing are the same everywhere.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from chalicelib.db import ConditionFailed
from chalicelib.errors import ServiceUnavailable

T = TypeVar("T")

# Enough for a few tills hammering one product; a request still gives up well inside API
# Gateway's 29 s (the sum of the pauses below is under 2 s).
MAX_ATTEMPTS = 25
BASE_PAUSE = 0.004
MAX_PAUSE = 0.15
RETRY_AFTER_SECONDS = 1


def until_written(attempt: Callable[[], T], busy: str) -> T:
    """Run `attempt` until it stops raising ConditionFailed; 503 (`busy`) if it never does."""
    for tries in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except ConditionFailed:
            # Full jitter: concurrent writers spread out instead of colliding again in step.
            time.sleep(random.uniform(0, min(MAX_PAUSE, BASE_PAUSE * 2**tries)))  # noqa: S311 - jitter, not crypto
    raise ServiceUnavailable(busy)

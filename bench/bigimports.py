"""Imports of any size (issue 18) on the local stack: a synthetic sales file made from the
Superstore slice (tests/data), uploaded to moto's S3 and processed by the background function
in-process, run after run as the queue would (each run with the Lambda time budget).

Rows: lines per second and runs for each size in BENCH_IMPORT_LINES (default "100000,500000": the
issue's two files, about 2 and 10 minutes on a quiet 2-core machine; wall time on the local
stack), DynamoDB requests and units per 1,000 lines (metered on a 2,000-line file: the meter reads
items back to size them, which would slow the timed run), and the growth of the process's peak
memory while each big file ran (the file is streamed, never held whole).
BENCH_IMPORT_STOP_AFTER=N stops the big import after about N lines (the first part of a file too
long to finish in one sitting: its memory shows whether it stays flat).
"""

from __future__ import annotations

import csv
import io
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import local_stack, metered_app  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_LINES", "100000,500000").split(",") if n.strip()]
# Stop the big import once this many lines are done (0: run it to the end): the memory of the
# first part of a file too long for one session shows whether it stays flat.
STOP_AFTER = int(os.environ.get("BENCH_IMPORT_STOP_AFTER", "0"))
METERED_LINES = 2000
SLICE = ROOT / "tests" / "data" / "superstore-slice.csv"
BUCKET = "shelfwise-bench-imports"  # no notifications: the stack's own import loop leaves it alone


def synthetic(lines: int) -> bytes:
    """`lines` Superstore lines: the slice again and again, each copy's orders renamed."""
    rows = list(csv.DictReader(io.StringIO(SLICE.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    copy = 0
    written = 0
    while written < lines:
        for row in rows:
            if written == lines:
                break
            writer.writerow({**row, "Order ID": f"{row['Order ID']}-{copy}"})
            written += 1
        copy += 1
    return out.getvalue().encode()


def _import(client: Any, shop: Any, data: bytes, stop_after: int = 0) -> tuple[dict[str, Any], int, float, int]:
    """(the import's status, runs, seconds, growth of the process's peak memory in KB while it ran)"""
    from chalicelib import aws
    from chalicelib.services import bigimports

    started = shop.call("POST", "/imports", {"kind": "sales", "filename": "bench.csv", "bytes": len(data)})
    key = started["upload"]["fields"]["key"]
    aws.client("s3").put_object(Bucket=BUCKET, Key=key, Body=data)
    tenant_id = key.split("/")[1]
    began = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    runs = 0
    while True:
        runs += 1
        try:
            if bigimports.run(tenant_id, started["import_id"], chunks=10 if stop_after else None) in ("done", "failed"):
                break
        except Exception as exc:  # noqa: BLE001 - as SQS would: the message comes back, the next run resumes
            from chalicelib import db

            sys.stderr.write(f"run {runs} stopped: {type(exc).__name__}; the next run resumes\n")
            time.sleep(5)
            try:
                db.update_import(tenant_id, started["import_id"], {"lease_until": ""})
            except Exception as busy:  # noqa: BLE001 - the database is too busy even for that: try again
                sys.stderr.write(f"could not hand the import on ({type(busy).__name__}); trying again\n")
                continue
        # Progress as it goes: a run cut short still leaves its figures.
        done = shop.call("GET", f"/imports/{started['import_id']}")["rows_done"]
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        sys.stderr.write(f"after run {runs}: {done:,} lines in {time.monotonic() - began:.0f} s, "
                         f"peak memory +{grown / 1024:.0f} MB\n")
        sys.stderr.flush()
        if stop_after and done >= stop_after:
            break
    elapsed = time.monotonic() - began
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return shop.call("GET", f"/imports/{started['import_id']}"), runs, elapsed, grown


def _big(client: Any, meter: Any, lines: int) -> dict[str, Any]:
    """A file of `lines` lines from upload to done, unmetered (the meter's reads would slow it)."""
    from bench.reports import Shop

    shop = Shop(client, f"bench import of {lines:,} lines")
    data = synthetic(lines)
    meter.paused = True
    status, runs, elapsed, grown = _import(client, shop, data, STOP_AFTER)
    meter.paused = False
    done = f"first {status['rows_done']:,} of " if STOP_AFTER else ""
    return {"item": f"import {done}{lines:,} lines ({len(data) / 1e6:.1f} MB) in the background",
            "value": f"{status['status']}: {elapsed:.0f} s, {status['rows_done'] / elapsed:.0f} lines/s, "
                     f"{status['sales']:,} sales, {runs} run(s) of <= 240 s, peak memory +{grown / 1024:.0f} MB"}


def run(stack: Any) -> list[dict[str, Any]]:
    from bench.reports import Shop
    from chalicelib import aws
    from chalicelib.settings import reset_settings
    from local import bootstrap

    # A background run has Lambda's minutes, not an API request's seconds: on a machine this busy
    # DynamoDB Local can take longer than a request's read timeout to answer.
    aws.READ_TIMEOUT, aws.TRANSACTION_TIMEOUT = 30.0, 60.0
    bootstrap.create_imports_storage(stack.client("s3"), stack.client("sqs"), BUCKET, "shelfwise-bench-imports",
                                     notify=False)
    rows: list[dict[str, Any]] = []
    with metered_app(stack) as (client, meter):
        os.environ.update(IMPORTS_BUCKET=BUCKET, IMPORTS_QUEUE_URL="")  # runs in-process, one after another
        reset_settings()
        meter.attach(aws.client("dynamodb"))  # the clients were rebuilt with the settings
        shop = Shop(client, "bench metered import")
        meter.reset()
        status, *_ = _import(client, shop, synthetic(METERED_LINES))
        per = 1000 / max(status["rows_done"], 1)
        rows.append({"item": f"import, per 1,000 lines ({METERED_LINES:,}-line file)",
                     "requests": round(meter.total_requests * per), "read_units": round(meter.read_units * per, 1),
                     "write_units": round(meter.write_units * per, 1),
                     "value": f"{meter.write_units / max(status['rows_done'], 1):.2f} write units per line"})
        for lines in SIZES:
            rows.append(_big(client, meter, lines))
    return rows


def main() -> None:
    with local_stack() as stack:
        for r in run(stack):
            sys.stdout.write(f"{r['item']:<62} {r.get('requests', ''):>8} {r.get('read_units', ''):>8} "
                             f"{r.get('write_units', ''):>9}  {r['value']}\n")


if __name__ == "__main__":
    main()

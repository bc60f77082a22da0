"""The operator's side of usage: every shop's month as CSV for billing, and a shop's plan.

    python -m infra.usage export --month 2026-12 [--out usage-2026-12.csv] (--stage prod | --local)
    python -m infra.usage plan <tenant_id> <standard|busy|chain> (--stage prod | --local)

`--stage` works against real AWS (the table shelfwise-<stage>, the usual AWS credentials and
region); `--local` against `make run`'s stack (DynamoDB Local on 127.0.0.1:8001). The export
reads each month's usage partition (a Query per shard; months before it only for the storage
total), never the whole table.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys

from chalicelib.settings import PLANS

COLUMNS = ("tenant_id", "month", "requests", "sales", "emails", "read_units", "write_units", "storage_mb",
           "estimated_cost_usd")  # fmt: skip
LOCAL_ENV = {
    "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8001",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",  # noqa: S105 - DynamoDB Local takes any
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "shelfwise",
}


def export_csv(month: str) -> str:
    from chalicelib.services import usage

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in usage.every_shop(month):
        writer.writerow(row)
    return out.getvalue()


def set_plan(tenant_id: str, plan: str) -> None:
    from chalicelib import db

    if plan not in PLANS:
        raise SystemExit(f"unknown plan {plan!r}: one of {', '.join(PLANS)}")
    try:
        db.update_shop(tenant_id, {"plan": plan})
    except db.ConditionFailed:
        raise SystemExit(f"no shop {tenant_id!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.usage", description=__doc__.split("\n")[0])
    where = argparse.ArgumentParser(add_help=False)
    group = where.add_mutually_exclusive_group(required=True)
    group.add_argument("--stage", help="dev or prod: the deployed table shelfwise-<stage> in AWS")
    group.add_argument("--local", action="store_true", help="make run's local stack")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", parents=[where], help="every shop's month as CSV")
    export.add_argument("--month", required=True, help="YYYY-MM")
    export.add_argument("--out", help="file to write (default: standard output)")
    plan = commands.add_parser("plan", parents=[where], help="put a shop on a plan (its fair limits)")
    plan.add_argument("tenant_id")
    plan.add_argument("plan", choices=sorted(PLANS))
    args = parser.parse_args(argv)
    os.environ.update(LOCAL_ENV if args.local else {"TABLE_NAME": f"shelfwise-{args.stage}"})
    from chalicelib.settings import reset_settings

    reset_settings()
    if args.command == "plan":
        set_plan(args.tenant_id, args.plan)
        print(f"{args.tenant_id}: plan {args.plan} (felt within 5 minutes by warm functions)")
        return 0
    text = export_csv(args.month)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as file:
            file.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

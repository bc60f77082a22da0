"""Rotate the keys that sign buyers' feedback links in a deployed stage.

    make rotate-feedback-key STAGE=prod        (python -m infra.feedback_keys --stage prod)

The keys live in the Secrets Manager secret the infra stack creates (FeedbackLinkKeys; its ARN is
the stack's FeedbackKeysArn output, which the app gets as FEEDBACK_SECRET_ARN). The secret is JSON:

    {"current": "k2", "k2": "<secret>", "k1": "<secret>", "retired": {"k1": "2026-12-02T07:00:00Z"}}

The current key signs new links; every key listed verifies. A rotation adds a fresh key as current
and records when the previous one retired; a retired key is dropped by the first rotation after
no link it signed can still be alive: a link lives at most FEEDBACK_LINK_DAYS (30) from its sale,
and it is signed no later than its key's retirement, so KEEP_DAYS (31: a day's margin for warm
functions that still hold the old keys for up to 15 minutes) after retiring it is safe to drop.
Functions pick the new key up at once: a token naming an unknown key id makes them read the secret
again. Run it as often as you like (monthly is plenty); run it at once if a key may have leaked,
with --drop-retired to end the old links now.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.settings import Settings

KEEP_DAYS = Settings().feedback_link_days + 1
KEY_BYTES = 48  # 64 URL-safe characters, as long as the key CloudFormation generates


def _number(kid: str) -> int:
    found = re.fullmatch(r"k(\d+)", kid)
    return int(found.group(1)) if found else 0


def rotated(document: dict[str, Any], now: datetime, keep_days: float = KEEP_DAYS) -> dict[str, Any]:
    """The secret after one rotation: a new current key; the previous one retired now; keys retired
    more than keep_days ago dropped."""
    retired = dict(document.get("retired") or {})
    keys = {k: v for k, v in document.items() if k not in ("current", "retired")}
    previous = document.get("current")
    # Numbered past every key the secret held, dropped ones too: a key id never names two keys.
    new = f"k{max([_number(k) for k in keys] + [0]) + 1}"
    if previous in keys:
        retired.setdefault(previous, now.isoformat().replace("+00:00", "Z"))
    for old, when in list(retired.items()):
        if old not in keys or datetime.fromisoformat(when.replace("Z", "+00:00")) + timedelta(days=keep_days) <= now:
            keys.pop(old, None)
            del retired[old]
    keys[new] = secrets.token_urlsafe(KEY_BYTES)
    return {"current": new, **keys, "retired": retired}


def rotate(secret_arn: str, now: datetime | None = None, keep_days: float = KEEP_DAYS) -> dict[str, Any]:
    """Rotate the stage's secret in place; returns what changed (key ids only, never a key)."""
    import boto3

    client = boto3.client("secretsmanager")
    before = json.loads(client.get_secret_value(SecretId=secret_arn)["SecretString"])
    after = rotated(before, now or datetime.now(UTC), keep_days)
    client.put_secret_value(SecretId=secret_arn, SecretString=json.dumps(after))
    kept = [k for k in after if k not in ("current", "retired")]
    dropped = [k for k in before if k not in ("current", "retired") and k not in after]
    return {"current": after["current"], "verifying": kept, "dropped": dropped}


def stage_secret_arn(stage: str) -> str:
    import boto3

    stacks = boto3.client("cloudformation").describe_stacks(StackName=f"shelfwise-{stage}-infra")["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if "FeedbackKeysArn" not in outputs:
        raise SystemExit(f"shelfwise-{stage}-infra has no FeedbackKeysArn output: deploy it first (make deploy)")
    return outputs["FeedbackKeysArn"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rotate the keys that sign buyers' feedback links (docs/deploy.md).")
    parser.add_argument("--stage", default=os.environ.get("STAGE", "dev"), choices=("dev", "prod"))
    parser.add_argument("--drop-retired", action="store_true",
                        help="drop every previous key now (a leaked key): links already sent stop working")  # fmt: skip
    args = parser.parse_args(argv)
    done = rotate(stage_secret_arn(args.stage), keep_days=0 if args.drop_retired else KEEP_DAYS)
    print(f"==> new links are signed with {done['current']}; verifying {', '.join(done['verifying'])}"
          + (f"; dropped {', '.join(done['dropped'])}" if done["dropped"] else ""))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
